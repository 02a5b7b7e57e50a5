/**
 * Answers the requests a CPE may send at any point of a session (TR-069 A.3.1 / A.4.2). Lenient on purpose:
 * GenieACS refuses a TransferComplete once the ACS drives; real CPEs send them late, so we answer them always.
 */
import type { AcsMessage, CpeRequest, TransferCompleteRequest } from "../cwmp/types.js";
import { cpeFaultCode } from "../domain/faults.js";
import type { StoreWrite } from "../domain/store.js";
import { FIRMWARE_BACKOFF_KEY } from "../reconcile/firmware.js";
import { nextBackoff, type BackoffLimits } from "../reconcile/limits.js";
import type { SessionState } from "./types.js";

/** RPCs this ACS answers (GetRPCMethods from the CPE). */
export const ACS_METHODS = ["Inform", "GetRPCMethods", "TransferComplete", "AutonomousTransferComplete", "RequestDownload", "Kicked"] as const;

export interface CpeRequestOutcome {
  readonly reply: AcsMessage;
  readonly writes: readonly StoreWrite[];
  readonly state: SessionState;
}

/** TransferComplete: ties back to our Download by CommandKey; success is confirmed later by the new version. */
function transferComplete(state: SessionState, req: TransferCompleteRequest, now: number, limits: BackoffLimits): CpeRequestOutcome {
  const inv = state.reconcile?.inventory;
  const ours = inv?.download !== undefined && inv.download.commandKey === req.commandKey;
  const writes: StoreWrite[] = [];
  let next = state;
  if (req.fault.code !== 0) {
    writes.push({
      kind: "fault",
      fault: {
        code: cpeFaultCode(req.fault.code),
        message: `TransferComplete ${req.commandKey}: ${req.fault.string}`,
        path: undefined,
        policy: undefined,
        sessionId: state.id,
        retryable: true,
        at: now,
      },
    });
    next = { ...next, faults: [...next.faults, { code: cpeFaultCode(req.fault.code), message: req.fault.string, retryable: true }] };
  }
  if (ours && state.reconcile && inv?.download) {
    if (req.fault.code !== 0) {
      // The download is no longer outstanding. A failure backs off the firmware "path", with the same key and
      // arithmetic as a Download that faults at once (reconcile/fold-faults.ts).
      const b = nextBackoff(limits, inv.backoff.get(FIRMWARE_BACKOFF_KEY)?.attempts ?? 0, now);
      const backoff = new Map(inv.backoff).set(FIRMWARE_BACKOFF_KEY, { until: b.until, code: req.fault.code, attempts: b.attempts });
      writes.push({ kind: "download", download: undefined });
      writes.push({ kind: "backoff", path: FIRMWARE_BACKOFF_KEY, until: b.until, code: req.fault.code, attempts: b.attempts });
      next = { ...next, reconcile: { ...state.reconcile, inventory: { ...inv, download: undefined, backoff } } };
    } else {
      // Success says the image arrived, not that it runs: the new SoftwareVersion is awaited (bounded,
      // reconcile/inform-watch.ts) and no other Download of this pin goes out meanwhile.
      const download = { ...inv.download, completedAt: now, informsSince: 0 };
      writes.push({ kind: "download", download });
      next = { ...next, reconcile: { ...state.reconcile, inventory: { ...inv, download } } };
    }
  }
  return { reply: { method: "TransferCompleteResponse" }, writes, state: next };
}

/** Builds the response to a CPE request and the writes it causes. */
export function answerCpeRequest(state: SessionState, req: Exclude<CpeRequest, { method: "Inform" }>, now: number, limits: BackoffLimits): CpeRequestOutcome {
  switch (req.method) {
    case "TransferComplete":
      return transferComplete(state, req, now, limits);
    case "AutonomousTransferComplete":
      return { reply: { method: "AutonomousTransferCompleteResponse" }, writes: [], state };
    case "GetRPCMethods":
      return { reply: { method: "GetRPCMethodsResponse", methods: ACS_METHODS }, writes: [], state };
    case "RequestDownload":
      // TR-069 A.4.2.2: we have no file to offer on request; acknowledging is valid (the ACS MAY ignore it).
      return { reply: { method: "RequestDownloadResponse" }, writes: [], state };
    case "Kicked":
      return { reply: { method: "KickedResponse", nextUrl: req.next }, writes: [], state };
  }
}
