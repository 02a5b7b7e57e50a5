/**
 * One simulated CPE over a shared data model. `handle` answers every ACS request the way a real device does
 * (TR-069 A.3.2); `inform` builds the session's opening message; `pendingCpeRequests` and `sessionEnded` let a
 * client drive whole sessions. Reboots, factory resets and transfers happen between sessions, as on a CPE.
 */
import type { AcsRequest, CpeMessage, CpeRequest, CwmpVersion, EventStruct, InformRequest, ParamValue, QueuedTransfer } from "../cwmp/types.js";
import type { DataModel } from "../datamodel/types.js";
import type { DeviceIdStruct } from "../domain/device.js";
import { CPE_FAULT } from "../domain/faults.js";
import { assertNever } from "../domain/result.js";
import { EventQueue } from "./events.js";
import { cpeFault } from "./faults.js";
import { informParameters } from "./inform-params.js";
import { addObject, deleteObject } from "./rpc-objects.js";
import { getParameterAttributes, getParameterNames, getParameterValues, setParameterAttributes, setParameterValues } from "./rpc-params.js";
import { DeviceParams } from "./state.js";
import { applyTransfer, UNKNOWN_TIME, type PendingTransfer, type TransferCompleteReq } from "./transfers.js";
import type { DownloadOutcome, DownloadRequest, ParamState, SimDeviceOptions, SimQuirks } from "./types.js";

type Action = { readonly kind: "reboot"; readonly commandKey: string } | { readonly kind: "factoryReset" } | PendingTransfer;

type ParamMethod =
  "GetParameterValues" | "SetParameterValues" | "GetParameterNames" | "GetParameterAttributes" | "SetParameterAttributes" | "AddObject" | "DeleteObject";

const NONE: ReadonlySet<string> = new Set();
const NO_QUIRKS: SimQuirks = Object.freeze({});

const BOOTSTRAP: readonly EventStruct[] = Object.freeze([
  Object.freeze({ code: "0 BOOTSTRAP", commandKey: "" }),
  Object.freeze({ code: "1 BOOT", commandKey: "" }),
]);

const BOOT_ONLY: readonly EventStruct[] = Object.freeze([Object.freeze({ code: "1 BOOT", commandKey: "" })]);

const ALL_METHODS: readonly AcsRequest["method"][] = [
  "GetRPCMethods",
  "GetParameterNames",
  "GetParameterValues",
  "SetParameterValues",
  "GetParameterAttributes",
  "SetParameterAttributes",
  "AddObject",
  "DeleteObject",
  "Reboot",
  "Download",
  "Upload",
  "FactoryReset",
  "ScheduleInform",
  "GetQueuedTransfers",
  "GetAllQueuedTransfers",
];

export class SimDevice {
  readonly model: DataModel;
  readonly deviceId: DeviceIdStruct;
  readonly cwmpVersion: CwmpVersion;
  readonly quirks: SimQuirks;
  /** Methods this firmware does not implement: fault 9000, and left out of GetRPCMethods. */
  unsupportedMethods: ReadonlySet<string> = NONE;
  /** Test hook deciding how a Download ends; default: success with the version named by the URL's file. */
  onDownload: ((req: DownloadRequest) => DownloadOutcome) | undefined;
  /**
   * Fetches a Download's file for real (sim/download.ts; the fleet sets it): the transfer then completes when
   * the file has arrived (`settled()`), and fails with the fetch's fault. Undefined: downloads are pretended.
   */
  downloader: ((req: DownloadRequest) => Promise<DownloadOutcome>) | undefined;
  /** The last real download's result (bytes received, checksum, resumes). */
  lastDownload: DownloadOutcome | undefined;
  #io: Promise<void> = Promise.resolve();
  readonly #params: DeviceParams;
  readonly #events = new EventQueue(BOOTSTRAP);
  readonly #clock: () => number;
  #actions: Action[] = [];
  #transfers: TransferCompleteReq[] = [];
  #changed: Set<string> | undefined;
  #scheduled: { readonly at: number; readonly commandKey: string } | undefined;
  #retryCount = 0;

  constructor(model: DataModel, options: SimDeviceOptions = {}) {
    this.model = model;
    const id = model.identity;
    this.deviceId = Object.freeze({
      manufacturer: options.manufacturer ?? id.manufacturer,
      oui: options.oui ?? id.oui,
      productClass: options.productClass ?? id.productClass,
      serialNumber: options.serialNumber ?? id.serialNumber,
    });
    this.cwmpVersion = options.cwmpVersion ?? (model.kind === "tr098" ? "1.0" : "1.2");
    this.quirks = options.quirks ?? NO_QUIRKS;
    this.#clock = options.clock ?? Date.now;
    this.#params = new DeviceParams(model, this.deviceId, this.quirks);
  }

  /** SPV/AddObject/DeleteObject on these paths fault with the given code. */
  get failPaths(): Map<string, number> {
    return this.#params.failPaths;
  }

  /** SPV setting one of these values on the path faults with the code: path -> value -> code (e.g. 9007). */
  get failValues(): Map<string, Map<string, number>> {
    return this.#params.failValues;
  }

  /** SPV touching these paths answers Status 1. */
  get rebootRequiredPaths(): Set<string> {
    return this.#params.rebootRequiredPaths;
  }

  /** SetParameterAttributes enabling notification on these paths faults with 9009. */
  get notificationRejectPaths(): Set<string> {
    return this.#params.notificationRejectPaths;
  }

  get parameterKey(): string {
    return this.#params.parameterKey;
  }

  get softwareVersion(): string {
    return this.#params.softwareVersion;
  }

  get retryCount(): number {
    return this.#retryCount;
  }

  /** Events the next Inform will carry (before PERIODIC is added for an otherwise empty list). */
  get pendingEvents(): readonly EventStruct[] {
    return this.#events.pending;
  }

  /** When a ScheduleInform is due (ms epoch), if one was requested. */
  get scheduledInformAt(): number | undefined {
    return this.#scheduled?.at;
  }

  /** A parameter's current state (true values: hidden values and quirks are not applied). */
  get(path: string): ParamState | undefined {
    const node = this.#params.tree.node(path);
    if (node === undefined || node.object) return undefined;
    return { value: this.#params.value(path) ?? "", type: node.type, writable: node.writable };
  }

  /** Whether an object path ("X.Y.3.") currently exists. */
  hasObject(path: string): boolean {
    return this.#params.tree.node(path)?.object === true;
  }

  /** The URL this device listens on for connection requests (forced-active notification when it changes). */
  setConnectionRequestUrl(url: string): void {
    const before = this.#params.connectionRequestUrl;
    this.#params.connectionRequestUrl = url;
    if (before !== url && !this.#events.has("0 BOOTSTRAP")) this.#noteChange(this.#params.paths.connectionRequestUrl, true);
  }

  /**
   * A change made on the device itself (web UI, CLI): no ParameterKey change; reported in the next Inform
   * with `4 VALUE CHANGE` when the parameter's notification is on. Returns false for an unknown parameter.
   */
  setLocal(path: string, value: string): boolean {
    const node = this.#params.tree.node(path);
    if (node === undefined || node.object) return false;
    this.#params.write(node, value);
    this.#noteChange(path, this.#params.notification(path) > 0);
    return true;
  }

  /** ManagementServer.ConnectionRequestUsername/Password as the ACS last set them (true values, not hidden). */
  connectionRequestCredentials(): { readonly username: string; readonly password: string } {
    const { connectionRequestUsername, connectionRequestPassword } = this.#params.paths;
    return { username: this.#params.value(connectionRequestUsername) ?? "", password: this.#params.value(connectionRequestPassword) ?? "" };
  }

  /**
   * A reset made on the device itself (its reset button, or a vendor configuration file restored from its web UI):
   * as a FactoryReset, between sessions.
   */
  resetLocally(): void {
    this.#reset();
  }

  /**
   * TR-069 A.4.1.7 + ParameterKey definition: configuration gone, ParameterKey "", next Inform BOOTSTRAP. Quirk
   * resetWithoutBootstrap: the next Inform carries "1 BOOT" instead (cwmp-notes §4: a ZyXEL VMG4927 after a vendor
   * config-file restore).
   */
  #reset(): void {
    this.#params.factoryReset();
    this.#events.replace(this.quirks.resetWithoutBootstrap === true ? BOOT_ONLY : BOOTSTRAP);
    this.#transfers = [];
    this.#changed = undefined;
    this.#scheduled = undefined;
  }

  /** An authenticated connection request arrived: the next session carries `6 CONNECTION REQUEST`. */
  connectionRequested(): void {
    this.#events.add("6 CONNECTION REQUEST");
  }

  /** Queues any event for the next Inform. */
  queueEvent(code: string, commandKey = ""): void {
    this.#events.add(code, commandKey);
  }

  /** TR-069 A.3.3.1: the Inform opening a session at `now` (ms epoch). */
  inform(now: number): InformRequest {
    this.#applyActions();
    if (this.#scheduled !== undefined && this.#scheduled.at <= now) {
      this.#events.add("3 SCHEDULED");
      this.#events.add("M ScheduleInform", this.#scheduled.commandKey);
      this.#scheduled = undefined;
    }
    if (this.#events.pending.length === 0) this.#events.add("2 PERIODIC");
    return {
      method: "Inform",
      deviceId: this.deviceId,
      events: this.#events.forInform(),
      maxEnvelopes: 1,
      currentTime: new Date(now).toISOString(),
      retryCount: this.#retryCount,
      parameterList: this.#informParameterList(),
    };
  }

  /** CPE requests to send after InformResponse (TransferComplete until the ACS answers it). */
  pendingCpeRequests(): CpeRequest[] {
    return [...this.#transfers];
  }

  /** The ACS answered a CPE request: a TransferComplete is settled (its events go after this session). */
  cpeRequestAnswered(req: CpeRequest): void {
    if (req.method !== "TransferComplete") return;
    this.#transfers = this.#transfers.filter((t) => t.commandKey !== req.commandKey);
  }

  /**
   * The session is over. Success drops the delivered events and resets RetryCount; failure keeps them and
   * counts a retry. Either way what the ACS asked for (reboot, reset, transfers) happens now.
   */
  sessionEnded(ok: boolean): void {
    if (ok) {
      this.#events.delivered(new Set(this.#transfers.map((t) => t.commandKey)));
      this.#retryCount = 0;
      this.#changed = undefined;
    } else {
      this.#retryCount++;
    }
    this.#applyActions();
  }

  /** Resolves when the work between sessions (real downloads) is done. */
  settled(): Promise<void> {
    return this.#io;
  }

  /** Answers one ACS request (TR-069 A.3.2, A.4.1). */
  handle(req: AcsRequest): CpeMessage {
    if (this.unsupportedMethods.has(req.method)) return cpeFault(CPE_FAULT.METHOD_NOT_SUPPORTED);
    const p = this.#params;
    switch (req.method) {
      case "GetParameterValues":
        return getParameterValues(p, req.names);
      case "SetParameterValues":
        return setParameterValues(p, req.values, req.parameterKey);
      case "GetParameterNames":
        return getParameterNames(p, req.path, req.nextLevel);
      case "GetParameterAttributes":
        return getParameterAttributes(p, req.names);
      case "SetParameterAttributes":
        return setParameterAttributes(p, req.attributes);
      case "AddObject":
        return addObject(p, req.objectName, req.parameterKey);
      case "DeleteObject":
        return deleteObject(p, req.objectName, req.parameterKey);
      default:
        return this.#handleOperation(req);
    }
  }

  #handleOperation(req: Exclude<AcsRequest, { method: ParamMethod }>): CpeMessage {
    switch (req.method) {
      case "Reboot":
        this.#actions.push({ kind: "reboot", commandKey: req.commandKey });
        return { method: "RebootResponse" };
      case "FactoryReset":
        this.#actions.push({ kind: "factoryReset" });
        return { method: "FactoryResetResponse" };
      case "Download":
        this.#actions.push({ kind: "download", req });
        return { method: "DownloadResponse", status: 1, startTime: UNKNOWN_TIME, completeTime: UNKNOWN_TIME };
      case "Upload":
        this.#actions.push({ kind: "upload", req });
        return { method: "UploadResponse", status: 1, startTime: UNKNOWN_TIME, completeTime: UNKNOWN_TIME };
      case "ScheduleInform":
        if (req.delaySeconds <= 0) return cpeFault(CPE_FAULT.INVALID_ARGUMENTS);
        this.#scheduled = { at: this.#clock() + req.delaySeconds * 1000, commandKey: req.commandKey };
        return { method: "ScheduleInformResponse" };
      case "GetRPCMethods":
        return { method: "GetRPCMethodsResponse", methods: ALL_METHODS.filter((m) => !this.unsupportedMethods.has(m)) };
      case "GetQueuedTransfers":
        return { method: "GetQueuedTransfersResponse", transfers: this.#queuedTransfers(false) };
      case "GetAllQueuedTransfers":
        return { method: "GetAllQueuedTransfersResponse", transfers: this.#queuedTransfers(true) };
      default:
        return assertNever(req);
    }
  }

  #queuedTransfers(all: boolean): QueuedTransfer[] {
    const out: QueuedTransfer[] = [];
    for (const a of this.#actions) {
      if (a.kind !== "download" && a.kind !== "upload") continue;
      const base = { commandKey: a.req.commandKey, state: 1 };
      if (!all) out.push(base);
      else
        out.push({
          ...base,
          isDownload: a.kind === "download",
          fileType: a.req.fileType,
          fileSize: a.kind === "download" ? a.req.fileSize : 0,
          targetFileName: a.kind === "download" ? a.req.targetFileName : "",
        });
    }
    return out;
  }

  #applyActions(): void {
    const actions = this.#actions;
    this.#actions = [];
    for (const action of actions) {
      switch (action.kind) {
        case "reboot":
          // TR-069 A.3.2.8: after the reboot the Inform carries "M Reboot" with the CommandKey and "1 BOOT".
          this.#events.add("1 BOOT");
          this.#events.add("M Reboot", action.commandKey);
          break;
        case "factoryReset":
          this.#reset();
          break;
        default: {
          const fetch = this.downloader;
          if (action.kind === "download" && fetch !== undefined && this.onDownload === undefined) {
            // The CPE downloads between sessions; the transfer completes (events, TransferComplete) once it is done.
            const run = async (): Promise<void> => {
              const outcome = await fetch(action.req).catch((e: unknown): DownloadOutcome => ({
                faultCode: 9010,
                faultString: e instanceof Error ? e.message : String(e),
              }));
              this.lastDownload = outcome;
              this.#transfers.push(applyTransfer(action, this.#params, this.#events, this.#clock(), () => outcome));
            };
            this.#io = this.#io.then(run);
          } else this.#transfers.push(applyTransfer(action, this.#params, this.#events, this.#clock(), this.onDownload));
        }
      }
    }
  }

  #noteChange(path: string, notify: boolean): void {
    if (!notify) return;
    this.#changed ??= new Set();
    this.#changed.add(path);
    this.#events.add("4 VALUE CHANGE");
  }

  #informParameterList(): ParamValue[] {
    return informParameters(this.#params, this.#changed);
  }
}
