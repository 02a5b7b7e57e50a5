/**
 * Folding a CPE Fault into state (cwmp-notes §5.3). Faults are values: each yields fault records and backoff,
 * never an exception. A faulting path backs off exponentially and never blocks the others:
 * - 8005: transient, retried next round, no backoff;
 * - SetParameterValuesFault detail: each named parameter backs off with its own code; the rest (SPV is atomic,
 *   nothing was applied) is replanned and retried;
 * - any other fault on a multi-path batch (9005 without detail, 9002 ...): the batch is bisected (session-scoped
 *   `Inventory.bisect`) until the faulting name stands alone, then that name backs off; the others go through.
 *   A bad name costs about 2·log2(batch) rounds, and one faulting item never blocks the rest;
 * - a fault on a single path (or a step that is not a batch): the step's path backs off with the code;
 * - code 0 (a SOAP Fault in which no cwmp:Fault was found anywhere): every path of the step backs off, no bisection;
 * - 9005 on DeleteObject: the instance is already gone, which is what we wanted.
 */
import { CPE_FAULT, cpeFaultCode } from "../domain/faults.js";
import type { CwmpFault } from "../cwmp/types.js";
import type { Fault } from "../domain/faults.js";
import type { StoreWrite } from "../domain/store.js";
import type { FoldState } from "./fold-state.js";
import { withBisected, withoutBisect } from "./fold-state.js";
import { FIRMWARE_BACKOFF_KEY, REBOOT_BACKOFF_KEY } from "./firmware.js";
import { nextBackoff, type BackoffLimits } from "./limits.js";
import { selectorOf } from "./paths.js";
import type { PlanStep } from "./types.js";

export interface Folded extends FoldState {
  readonly writes: readonly StoreWrite[];
  readonly faults: readonly Fault[];
}

const TRANSIENT_CODES: ReadonlySet<number | string> = new Set<number | string>([8005, CPE_FAULT.INTERNAL_ERROR, CPE_FAULT.RESOURCES_EXCEEDED]);

/** The paths (or backoff keys) a step acts on: what a fault of the whole request backs off. */
export function stepPaths(step: PlanStep): string[] {
  switch (step.kind) {
    case "discover":
      return [step.path];
    case "refresh":
    case "readAttributes":
      return [...step.paths];
    case "setValues":
      return step.values.map((v) => v.name);
    case "setAttributes":
      return step.attributes.map((a) => a.path);
    case "addObject":
      return [selectorOf(step.table, step.key)];
    case "deleteObject":
      return [step.object];
    case "download":
      return [FIRMWARE_BACKOFF_KEY];
    case "reboot":
      return [REBOOT_BACKOFF_KEY];
  }
}

/** Folds a CPE Fault answering `step`. `onGone` handles 9005 on DeleteObject as a successful delete. */
export function foldFault(st: FoldState, step: PlanStep, fault: CwmpFault, now: number, limits: BackoffLimits, onGone: () => Folded): Folded {
  if (fault.code === 8005) return { ...st, writes: [], faults: [{ code: "8005", message: fault.message || "retry request", retryable: true }] };
  if (step.kind === "deleteObject" && fault.code === CPE_FAULT.INVALID_PARAMETER_NAME) return onGone();
  const details = step.kind === "setValues" ? fault.setParameterValuesFaults : [];
  if (details.length > 0)
    return backOff(
      st,
      step,
      details.map((d) => ({ path: d.name, code: d.code, message: d.string || fault.message })),
      now,
      limits,
    );
  const paths = stepPaths(step);
  // Code 0: no cwmp:Fault was found at all (decode warned). Halving the batch could never learn more than "it
  // faults": back off the whole step once instead of spending 2·log2(n) more RPCs (issue 9.9).
  if (fault.code === 0)
    return backOff(
      st,
      step,
      paths.map((path) => ({ path, code: 0, message: fault.message || "SOAP Fault without a cwmp:Fault" })),
      now,
      limits,
    );
  if (paths.length > 1) {
    const message = `${fault.message || "fault"}: no per-parameter detail; bisecting ${paths.length} paths`;
    return {
      reported: st.reported,
      inventory: withBisected(st.inventory, paths),
      writes: [],
      faults: [{ code: cpeFaultCode(fault.code), message, retryable: true }],
    };
  }
  return backOff(
    st,
    step,
    paths.map((path) => ({ path, code: fault.code, message: fault.message })),
    now,
    limits,
  );
}

/** Backs off each item's path with its code, recording a fault for each. */
export function backOff(
  st: FoldState,
  step: PlanStep,
  items: readonly { path: string; code: number; message: string }[],
  now: number,
  limits: BackoffLimits,
): Folded {
  const backoff = new Map(st.inventory.backoff);
  const writes: StoreWrite[] = [];
  const faults: Fault[] = [];
  for (const it of items) {
    const b = { ...nextBackoff(limits, backoff.get(it.path)?.attempts ?? 0, now), code: it.code };
    backoff.set(it.path, b);
    const retryable = TRANSIENT_CODES.has(it.code);
    writes.push({ kind: "backoff", path: it.path, until: b.until, code: it.code, attempts: b.attempts });
    const at = now;
    writes.push({
      kind: "fault",
      fault: { code: cpeFaultCode(it.code), message: it.message, path: it.path, policy: policyOf(step, it.path), sessionId: undefined, retryable, at },
    });
    faults.push({ code: cpeFaultCode(it.code), message: it.message, path: it.path, retryable });
  }
  const inventory = withoutBisect(
    { ...st.inventory, backoff },
    items.map((i) => i.path),
  );
  return { reported: st.reported, inventory, writes, faults };
}

function policyOf(step: PlanStep, path: string): string | undefined {
  if (step.kind === "setValues") return step.from[step.values.findIndex((v) => v.name === path)]?.policy;
  if (step.kind === "addObject" || step.kind === "deleteObject") return step.from.policy;
  return undefined;
}
