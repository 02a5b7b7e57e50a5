/**
 * The mirror encoder: serialises what a CPE sends, for the simulated CPE and for round-trip tests.
 * Same templates and strictness as the ACS encoder.
 */
import { assertNever } from "../domain/result.js";
import type { CpeMessage, CpeRequest, CwmpFault, CwmpVersion, FaultStruct, InformRequest, ParamAttribute, ParamInfo, QueuedTransfer } from "./types.js";
import { CWMP_WIRE_NS, arrayEl, boolText, el, envelope, esc, idHeader, paramValueList, rpcEl, soapFault, stringArray, uintEl } from "./templates.js";

export interface CpeEncodeOptions {
  readonly version: CwmpVersion;
  readonly id: string;
  readonly booleanAsDigit?: boolean;
  /** CWMP 1.3+: the SessionTimeout header of an Inform (cwmp-notes §2.2). */
  readonly sessionTimeout?: number;
  /** CWMP 1.4: the SupportedCWMPVersions header of an Inform. */
  readonly supportedVersions?: readonly CwmpVersion[];
  /** Simulator quirk: the `<detail>` with the cwmp:Fault written inside `<faultstring>` (a C agent's malformed Fault). */
  readonly faultDetailInFaultstring?: boolean;
}

type Of<M extends CpeMessage["method"]> = Extract<CpeMessage, { method: M }>;

const faultStruct = (f: FaultStruct): string => `<FaultStruct>${uintEl("FaultCode", f.code)}${el("FaultString", f.string)}</FaultStruct>`;

const infoStruct = (p: ParamInfo, digit: boolean | undefined): string =>
  `<ParameterInfoStruct>${el("Name", p.name)}<Writable>${boolText(p.writable, digit)}</Writable></ParameterInfoStruct>`;

const attributeStruct = (p: ParamAttribute): string =>
  `<ParameterAttributeStruct>${el("Name", p.name)}${uintEl("Notification", p.notification)}` +
  `${stringArray("AccessList", p.accessList)}</ParameterAttributeStruct>`;

const argStruct = (a: { readonly name: string; readonly value: string }): string => `<ArgStruct>${el("Name", a.name)}${el("Value", a.value)}</ArgStruct>`;

function inform(m: InformRequest, digit: boolean | undefined): string {
  const d = m.deviceId;
  return rpcEl(
    "Inform",
    `<DeviceId>${el("Manufacturer", d.manufacturer)}${el("OUI", d.oui)}` +
      `${el("ProductClass", d.productClass)}${el("SerialNumber", d.serialNumber)}</DeviceId>` +
      arrayEl(
        "Event",
        "cwmp:EventStruct",
        m.events.map((e) => `<EventStruct>${el("EventCode", e.code)}${el("CommandKey", e.commandKey)}</EventStruct>`),
      ) +
      uintEl("MaxEnvelopes", m.maxEnvelopes) +
      el("CurrentTime", m.currentTime) +
      uintEl("RetryCount", m.retryCount) +
      paramValueList(m.parameterList, digit),
  );
}

function autonomousTransferComplete(m: Of<"AutonomousTransferComplete">, digit: boolean | undefined): string {
  return rpcEl(
    m.method,
    el("AnnounceURL", m.announceUrl) +
      el("TransferURL", m.transferUrl) +
      `<IsDownload>${boolText(m.isDownload, digit)}</IsDownload>` +
      el("FileType", m.fileType) +
      uintEl("FileSize", m.fileSize) +
      el("TargetFileName", m.targetFileName) +
      faultStruct(m.fault) +
      el("StartTime", m.startTime) +
      el("CompleteTime", m.completeTime),
  );
}

function transfer(t: QueuedTransfer, all: boolean, digit: boolean | undefined): string {
  const base = `${el("CommandKey", t.commandKey)}${uintEl("State", t.state)}`;
  if (!all) return `<QueuedTransferStruct>${base}</QueuedTransferStruct>`;
  return (
    `<AllQueuedTransferStruct>${base}<IsDownload>${boolText(t.isDownload ?? true, digit)}</IsDownload>` +
    `${el("FileType", t.fileType ?? "")}${uintEl("FileSize", t.fileSize ?? 0)}${el("TargetFileName", t.targetFileName ?? "")}</AllQueuedTransferStruct>`
  );
}

function cpeFault(f: CwmpFault, detailInFaultstring = false): string {
  const spv = f.setParameterValuesFaults.map(
    (s) => `<SetParameterValuesFault>${el("ParameterName", s.name)}${uintEl("FaultCode", s.code)}` + `${el("FaultString", s.string)}</SetParameterValuesFault>`,
  );
  const detail = rpcEl("Fault", `${uintEl("FaultCode", f.code)}${el("FaultString", f.message)}${spv.join("")}`);
  const code = f.faultCode === "" ? "Client" : f.faultCode;
  if (detailInFaultstring)
    return `<soap-env:Fault><faultcode>soap-env:${esc(code)}</faultcode><faultstring>${esc(f.faultString)}<detail>${detail}</detail></faultstring></soap-env:Fault>`;
  return soapFault(code, f.faultString, detail);
}

function requestBody(m: CpeRequest, digit: boolean | undefined): string {
  switch (m.method) {
    case "Inform":
      return inform(m, digit);
    case "TransferComplete":
      return rpcEl(m.method, el("CommandKey", m.commandKey) + faultStruct(m.fault) + el("StartTime", m.startTime) + el("CompleteTime", m.completeTime));
    case "AutonomousTransferComplete":
      return autonomousTransferComplete(m, digit);
    case "GetRPCMethods":
      return rpcEl(m.method);
    case "RequestDownload":
      return rpcEl(m.method, el("FileType", m.fileType) + arrayEl("FileTypeArg", "cwmp:ArgStruct", m.args.map(argStruct)));
    case "Kicked":
      return rpcEl(m.method, el("Command", m.command) + el("Referer", m.referer) + el("Arg", m.arg) + el("Next", m.next));
    default:
      return assertNever(m);
  }
}

function responseBody(m: Exclude<CpeMessage, Of<"Fault">>, digit: boolean | undefined): string {
  switch (m.method) {
    case "GetParameterValuesResponse":
      return rpcEl(m.method, paramValueList(m.parameterList, digit));
    case "GetParameterNamesResponse":
      return rpcEl(
        m.method,
        arrayEl(
          "ParameterList",
          "cwmp:ParameterInfoStruct",
          m.parameterList.map((p) => infoStruct(p, digit)),
        ),
      );
    case "GetParameterAttributesResponse":
      return rpcEl(m.method, arrayEl("ParameterList", "cwmp:ParameterAttributeStruct", m.parameterList.map(attributeStruct)));
    case "SetParameterValuesResponse":
    case "DeleteObjectResponse":
      return rpcEl(m.method, uintEl("Status", m.status));
    case "AddObjectResponse":
      return rpcEl(m.method, uintEl("InstanceNumber", m.instanceNumber) + uintEl("Status", m.status));
    case "DownloadResponse":
    case "UploadResponse":
      return rpcEl(m.method, uintEl("Status", m.status) + el("StartTime", m.startTime) + el("CompleteTime", m.completeTime));
    case "GetRPCMethodsResponse":
      return rpcEl(m.method, stringArray("MethodList", m.methods));
    case "GetQueuedTransfersResponse":
      return rpcEl(
        m.method,
        arrayEl(
          "TransferList",
          "cwmp:QueuedTransferStruct",
          m.transfers.map((t) => transfer(t, false, digit)),
        ),
      );
    case "GetAllQueuedTransfersResponse":
      return rpcEl(
        m.method,
        arrayEl(
          "TransferList",
          "cwmp:AllQueuedTransferStruct",
          m.transfers.map((t) => transfer(t, true, digit)),
        ),
      );
    case "SetParameterAttributesResponse":
    case "RebootResponse":
    case "FactoryResetResponse":
    case "ScheduleInformResponse":
      return rpcEl(m.method);
    case "Inform":
    case "TransferComplete":
    case "AutonomousTransferComplete":
    case "GetRPCMethods":
    case "RequestDownload":
    case "Kicked":
      return requestBody(m, digit);
    default:
      return assertNever(m);
  }
}

function headersOf(msg: CpeMessage, opts: CpeEncodeOptions): string[] {
  const h = [idHeader(opts.id)];
  // SessionTimeout (1.3) and SupportedCWMPVersions (1.4) exist only in the cwmp-1-2 namespace (cwmp-notes §2.2).
  if (msg.method !== "Inform" || CWMP_WIRE_NS[opts.version] !== CWMP_WIRE_NS["1.4"]) return h;
  if (opts.sessionTimeout !== undefined) h.push(`<cwmp:SessionTimeout soap-env:mustUnderstand="0">${opts.sessionTimeout}</cwmp:SessionTimeout>`);
  if (opts.supportedVersions !== undefined) {
    h.push(`<cwmp:SupportedCWMPVersions soap-env:mustUnderstand="0">${esc(opts.supportedVersions.join(","))}</cwmp:SupportedCWMPVersions>`);
  }
  return h;
}

/**
 * Serialises one CPE → ACS message (request, response or SOAP Fault) as a conformant CPE would.
 * Throws RangeError only on a caller bug (a negative or fractional unsignedInt).
 */
export function encodeCpeMessage(msg: CpeMessage, opts: CpeEncodeOptions): string {
  const body = msg.method === "Fault" ? cpeFault(msg.fault, opts.faultDetailInFaultstring === true) : responseBody(msg, opts.booleanAsDigit);
  return envelope({ version: opts.version, headers: headersOf(msg, opts), body });
}
