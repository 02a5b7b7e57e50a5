/**
 * The planner: desired state vs reported state -> the ordered RPC steps that converge the device.
 * Pure: no I/O, no clock (time is `input.now`), no configuration globals, inputs never mutated.
 */
import type { DesiredNote } from "../policy/desired.types.js";
import { planAttribute } from "./attributes.js";
import { contextOf } from "./context.js";
import { planFirmware, planReboot } from "./firmware.js";
import { intents, mergeIntents, type Intents } from "./intents.js";
import { stepsOf } from "./order.js";
import { planTable } from "./tables.js";
import type { Plan, PlanInput, PlanNote } from "./types.js";
import { planValue } from "./values.js";

/** Notes that mean desired and reported do not (yet) agree, so the device is not converged. */
const BLOCKING: ReadonlySet<PlanNote["kind"]> = new Set<PlanNote["kind"]>([
  "pending",
  "backoff",
  "unsupported",
  "not-writable",
  "conflict",
  "unresolved-template",
]);

/**
 * Computes the steps that converge `input.reported` toward `input.desired`, in the fixed order of `order.ts`:
 * enumerate desired tables -> read unknown, stale or just-set values -> read unknown attributes -> delete
 * (prune, created instances only) -> add missing keyed instances -> set differing values -> set attributes ->
 * download firmware -> reboot (only when allowed and needed).
 *
 * Guarantees: deterministic; a device whose values are fresh and equal gets zero steps; ignored paths are never
 * read, compared or set; backing-off paths are skipped with a note and never block the others; write-only
 * values are compared with the hash of what was last set, never with the reported value.
 *
 * `converged` is true only when there are no steps at all (reads included: agreement is not known until read)
 * and no note says something desired is missing (pending, backoff, unsupported, not writable, unhealed drift,
 * conflict, unresolved template).
 */
export function plan(input: PlanInput): Plan {
  const ctx = contextOf(input);
  const { desired } = input;
  const all = mergeIntents([
    intents({ notes: desired.notes.flatMap(noteOf) }),
    ...desired.values.map((v) => planValue(ctx, v, v.path)),
    ...desired.tables.map((t) => planTable(ctx, t)),
    ...desired.attributes.map((a) => planAttribute(ctx, a)),
    planFirmware(ctx),
    planReboot(ctx),
  ]);
  const steps = stepsOf(all, input.quirks, input.inventory);
  const notes = uniqueNotes(all);
  const converged = steps.length === 0 && !notes.some(blocks);
  return { steps, notes, converged, parameterKey: ctx.parameterKey };
}

function noteOf(n: DesiredNote): PlanNote[] {
  switch (n.kind) {
    case "conflict":
      return [{ kind: "conflict", path: n.path, message: n.message }];
    case "unresolved-template":
      return [{ kind: "unresolved-template", path: n.path, message: n.message }];
    case "shadowed":
      return []; // precedence resolved it: nothing for the device to show
  }
}

function blocks(n: PlanNote): boolean {
  if (n.kind === "drift") return !n.healed;
  return BLOCKING.has(n.kind);
}

function uniqueNotes(i: Intents): PlanNote[] {
  const seen = new Set<string>();
  return i.notes.filter((n) => {
    const k = JSON.stringify(n);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
