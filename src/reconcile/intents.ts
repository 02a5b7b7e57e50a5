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

/** Appends `from` to `to` (a loop: `flatMap` over many small intents cost 5.6% of a boot storm's server CPU). */
function append<T>(to: T[], from: readonly T[]): void {
  for (let i = 0; i < from.length; i++) to.push(from[i] as T);
}

/** Concatenates intents field by field, in order. */
export function mergeIntents(all: readonly Intents[]): Intents {
  const out = {
    discover: [] as Intents["discover"][number][],
    refresh: [] as Intents["refresh"][number][],
    readAttributes: [] as string[],
    deletes: [] as Intents["deletes"][number][],
    adds: [] as Intents["adds"][number][],
    sets: [] as Intents["sets"][number][],
    attributes: [] as Intents["attributes"][number][],
    download: [] as Intents["download"][number][],
    reboot: [] as Intents["reboot"][number][],
    notes: [] as PlanNote[],
  };
  for (const i of all) {
    append(out.discover, i.discover);
    append(out.refresh, i.refresh);
    append(out.readAttributes, i.readAttributes);
    append(out.deletes, i.deletes);
    append(out.adds, i.adds);
    append(out.sets, i.sets);
    append(out.attributes, i.attributes);
    append(out.download, i.download);
    append(out.reboot, i.reboot);
    append(out.notes, i.notes);
  }
  return out;
}
