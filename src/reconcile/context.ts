/** The read-only context every sub-planner receives: the input, its structural index and the ParameterKey. */
import type { PlanInput } from "./types.js";
import { knowledgeOf, type Knowledge } from "./knowledge.js";
import { parameterKeyForDesired } from "./parameter-key.js";

export interface PlanContext {
  readonly input: PlanInput;
  readonly k: Knowledge;
  readonly parameterKey: string;
  /** The CPE still carries the key of this revision: nobody else wrote through CWMP since we did. */
  readonly keyMatches: boolean;
}

export function contextOf(input: PlanInput): PlanContext {
  const parameterKey = parameterKeyForDesired(input.desired, input.hashWriteOnly);
  return {
    input,
    k: knowledgeOf(input.reported, input.inventory, input.now),
    parameterKey,
    keyMatches: input.reported.parameterKey === parameterKey,
  };
}
