/** File transfers of a simulated CPE: they "run" between sessions and report back with TransferComplete. */
import type { AcsRequest, TransferCompleteRequest } from "../cwmp/types.js";
import type { EventQueue } from "./events.js";
import type { DeviceParams } from "./state.js";
import type { DownloadOutcome, DownloadRequest } from "./types.js";

/** TR-069: StartTime/CompleteTime when the transfer has not happened yet (Status 1). */
export const UNKNOWN_TIME = "0001-01-01T00:00:00Z";

export type TransferCompleteReq = TransferCompleteRequest;
export type PendingTransfer =
  { readonly kind: "download"; readonly req: DownloadRequest } | { readonly kind: "upload"; readonly req: Extract<AcsRequest, { method: "Upload" }> };

const FIRMWARE = "1 Firmware Upgrade Image";
const CONFIG = "3 Vendor Configuration File";

/**
 * The version a firmware URL names: its file name without a final extension that contains a letter
 * (".../V5R020C10S115.bin" -> "V5R020C10S115", ".../fw-1.2.3" -> "fw-1.2.3").
 */
export function versionFromUrl(url: string): string {
  const path = url.replace(/[?#].*$/, "");
  const file = decodeURIComponent(path.slice(path.lastIndexOf("/") + 1));
  const dot = file.lastIndexOf(".");
  return dot > 0 && /[A-Za-z]/.test(file.slice(dot + 1)) ? file.slice(0, dot) : file;
}

/**
 * Completes a transfer: applies a downloaded firmware (new SoftwareVersion, "1 BOOT"), queues
 * "M Download"/"M Upload" + "7 TRANSFER COMPLETE", and returns the TransferComplete the CPE must send.
 */
export function applyTransfer(
  t: PendingTransfer,
  params: DeviceParams,
  events: EventQueue,
  now: number,
  onDownload: ((req: DownloadRequest) => DownloadOutcome) | undefined,
): TransferCompleteRequest {
  const startTime = new Date(now).toISOString();
  let fault = { code: 0, string: "" };
  if (t.kind === "download") {
    const outcome = onDownload?.(t.req) ?? { version: versionFromUrl(t.req.url) };
    if ("faultCode" in outcome) {
      fault = { code: outcome.faultCode, string: outcome.faultString ?? "Download failure" };
    } else if (t.req.fileType === FIRMWARE || t.req.fileType === CONFIG) {
      // Quirk firmwareNotApplied: the image does not take (rolled back on boot); success is reported all the same.
      if (t.req.fileType === FIRMWARE && params.quirks.firmwareNotApplied !== true) params.softwareVersion = outcome.version;
      events.add("1 BOOT");
    }
    events.add("M Download", t.req.commandKey);
  } else {
    events.add("M Upload", t.req.commandKey);
  }
  events.add("7 TRANSFER COMPLETE");
  return { method: "TransferComplete", commandKey: t.req.commandKey, fault, startTime, completeTime: new Date(now).toISOString() };
}
