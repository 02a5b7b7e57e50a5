/**
 * What an Inform tells Converge about its own earlier work, checked once per full session before planning
 * (pure; the Inform step commits the writes in its one transaction):
 * - a firmware Download awaiting its result: the new SoftwareVersion confirms it; no TransferComplete within
 *   `downloadTimeoutMs` is `download_timeout`; a TransferComplete that reported success while the version stays
 *   the old one for `firmwareApplyInforms` Informs or `firmwareApplyTimeoutMs` is `firmware_not_applied`. Both
 *   back the firmware off exponentially, so one pin costs at most one Download per backoff period (issue 9.2);
 * - the ParameterKey: a CPE that reports it empty after Converge set one does not keep it (issue 9.11); write-only
 *   values then rely on the last-set record alone. Learnt only where the model's setting is "learn" (`quirks:`
 *   parameterKey; "kept" and "ignored" say it for the model, reconcile/types.ts `ParameterKeyMode`).
 */
import type { DesiredState } from "../policy/desired.types.js";
import type { StoreWrite } from "../domain/store.js";
import type { Fault } from "../domain/faults.js";
import { FIRMWARE_BACKOFF_KEY } from "./firmware.js";
import { nextBackoff } from "./limits.js";
import type { Inventory, ParameterKeyMode, PendingDownload, PlanLimits, ReportedState } from "./types.js";

export interface InformWatchInput {
  readonly reported: ReportedState;
  readonly inventory: Inventory;
  readonly desired: DesiredState | undefined;
  /** The Inform carries "0 BOOTSTRAP" (a reset CPE reports an empty ParameterKey for a good reason). */
  readonly bootstrap: boolean;
  readonly now: number;
  readonly limits: PlanLimits;
  /** The model's ParameterKey setting; absent: "learn". */
  readonly parameterKey?: ParameterKeyMode;
}

export interface InformWatch {
  readonly inventory: Inventory;
  readonly writes: readonly StoreWrite[];
  readonly faults: readonly Fault[];
}

export function watchInform(input: InformWatchInput): InformWatch {
  const fw = watchDownload(input);
  const key = watchParameterKey({ ...input, inventory: fw.inventory });
  return { inventory: key.inventory, writes: [...fw.writes, ...key.writes], faults: fw.faults };
}

function watchDownload(input: InformWatchInput): InformWatch {
  const { inventory: inv, reported, now, limits } = input;
  const dl = inv.download;
  if (dl === undefined) return { inventory: inv, writes: [], faults: [] };
  if (reported.softwareVersion === dl.version) {
    // Applied: the download is done, and whatever backoff earlier attempts left is void.
    const backoff = new Map(inv.backoff);
    const writes: StoreWrite[] = [{ kind: "download", download: undefined }];
    if (backoff.delete(FIRMWARE_BACKOFF_KEY))
      writes.push({ kind: "clearBackoff", path: FIRMWARE_BACKOFF_KEY }, { kind: "clearFaults", paths: [FIRMWARE_BACKOFF_KEY] });
    return { inventory: { ...inv, download: undefined, backoff }, writes, faults: [] };
  }
  if (dl.completedAt === undefined) {
    if (now - dl.startedAt < limits.downloadTimeoutMs) return { inventory: inv, writes: [], faults: [] };
    const message = `no TransferComplete for the Download of ${dl.version} (CommandKey ${dl.commandKey}) within ${limits.downloadTimeoutMs} ms; the device reports ${show(reported.softwareVersion)}`;
    return giveUp(input, "download_timeout", message);
  }
  const informsSince = (dl.informsSince ?? 0) + 1;
  if (informsSince < limits.firmwareApplyInforms && now - dl.completedAt < limits.firmwareApplyTimeoutMs) {
    const download: PendingDownload = { ...dl, informsSince };
    return { inventory: { ...inv, download }, writes: [{ kind: "download", download }], faults: [] };
  }
  const message =
    `TransferComplete reported success for ${dl.version} (CommandKey ${dl.commandKey}), but the device still reports SoftwareVersion ` +
    `${show(reported.softwareVersion)} after ${informsSince} Inform(s) and ${now - dl.completedAt} ms`;
  return giveUp(input, "firmware_not_applied", message);
}

/** Records the named fault, backs the firmware off exponentially and drops the download. */
function giveUp(input: InformWatchInput, code: "download_timeout" | "firmware_not_applied", message: string): InformWatch {
  const { inventory: inv, now, limits } = input;
  const b = nextBackoff(limits, inv.backoff.get(FIRMWARE_BACKOFF_KEY)?.attempts ?? 0, now);
  const backoff = new Map(inv.backoff).set(FIRMWARE_BACKOFF_KEY, { until: b.until, code, attempts: b.attempts });
  const policy = input.desired?.firmware?.from.policy;
  const writes: StoreWrite[] = [
    { kind: "download", download: undefined },
    { kind: "backoff", path: FIRMWARE_BACKOFF_KEY, until: b.until, code, attempts: b.attempts },
    { kind: "fault", fault: { code, message, path: FIRMWARE_BACKOFF_KEY, policy, sessionId: undefined, retryable: true, at: now } },
  ];
  return { inventory: { ...inv, download: undefined, backoff }, writes, faults: [{ code, message, path: FIRMWARE_BACKOFF_KEY, retryable: true }] };
}

function watchParameterKey(input: InformWatchInput): InformWatch {
  const { inventory: inv, reported } = input;
  const ours = inv.appliedKeys ?? [];
  if (ours.length === 0 || (input.parameterKey ?? "learn") !== "learn") return { inventory: inv, writes: [], faults: [] };
  let kept: boolean | undefined;
  if (ours.includes(reported.parameterKey)) kept = true;
  else if (reported.parameterKey === "" && !input.bootstrap) kept = false;
  if (kept === undefined || kept === inv.parameterKeyKept) return { inventory: inv, writes: [], faults: [] };
  return { inventory: { ...inv, parameterKeyKept: kept }, writes: [{ kind: "parameterKeyKept", kept }], faults: [] };
}

function show(v: string): string {
  return v === "" ? '""' : v;
}
