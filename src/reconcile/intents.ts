/**
 * What the sub-planners want done, before ordering and batching: plain data, merged by concatenation.
 * `order.ts` turns intents into the ordered, batched plan steps.
 */
import type { NotificationLevel, ParamValue } from "../cwmp/types.js";
import type { Provenance } from "../policy/desired.types.js";
import type { PlanNote, PlanStep } from "./types.js";

export type RefreshReason = "unknown" | "stale" | "readback";

export interface Intents {
  readonly discover: readonly { readonly path: string; readonly reason: "unknown" | "stale" }[];
  readonly refresh: readonly { readonly path: string; readonly reason: RefreshReason }[];
  readonly readAttributes: readonly string[];
  readonly deletes: readonly Extract<PlanStep, { kind: "deleteObject" }>[];
  readonly adds: readonly Extract<PlanStep, { kind: "addObject" }>[];
  readonly sets: readonly { readonly value: ParamValue; readonly from: Provenance; readonly writeOnly: boolean; readonly report?: boolean }[];
  readonly attributes: readonly { readonly path: string; readonly notification: NotificationLevel; readonly from: Provenance }[];
  readonly download: readonly Extract<PlanStep, { kind: "download" }>[];
  readonly reboot: readonly Extract<PlanStep, { kind: "reboot" }>[];
  readonly notes: readonly PlanNote[];
}

export const NO_INTENTS: Intents = {
  discover: [],
  refresh: [],
  readAttributes: [],
  deletes: [],
  adds: [],
  sets: [],
  attributes: [],
  download: [],
  reboot: [],
  notes: [],
};

/** Intents with only the given fields set. */
export function intents(part: Partial<Intents>): Intents {
  return { ...NO_INTENTS, ...part };
}

/** Concatenates intents field by field, in order. */
export function mergeIntents(all: readonly Intents[]): Intents {
  return {
    discover: all.flatMap((i) => i.discover),
    refresh: all.flatMap((i) => i.refresh),
    readAttributes: all.flatMap((i) => i.readAttributes),
    deletes: all.flatMap((i) => i.deletes),
    adds: all.flatMap((i) => i.adds),
    sets: all.flatMap((i) => i.sets),
    attributes: all.flatMap((i) => i.attributes),
    download: all.flatMap((i) => i.download),
    reboot: all.flatMap((i) => i.reboot),
    notes: all.flatMap((i) => i.notes),
  };
}
