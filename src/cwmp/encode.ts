/**
 * Strict, template-based encoder for everything the ACS sends (TR-069 A.3.2, A.3.3, A.4.1, A.5).
 * No generic XML builder: each message is a fixed template (cwmp-notes §9).
 */
import { assertNever } from "../domain/result.js";
import type { AcsFault, AcsMessage, EncodeOptions, SetAttributeStruct } from "./types.js";
import { CWMP_WIRE_NS, arrayEl, boolText, el, envelope, idHeader, paramValueList, rpcEl, soapFault, stringArray, uintEl } from "./templates.js";

export { CWMP_WIRE_NS } from "./templates.js";

const ACS_FAULT_TEXT: Readonly<Record<number, string>> = {
  8000: "Method not supported",
  8001: "Request denied",
  8002: "Internal error",
  8003: "Invalid arguments",
  8004: "Resources exceeded",
  8005: "Retry request",
  8006: "ACS version incompatible with CPE",
};

/**
 * The SOAP Fault body for an ACS fault (8000-8006, 8800-8899). faultcode is Server for the ACS's own
 * trouble (8002 internal error, 8004 resources, 8005 retry) and Client otherwise (SOAP 1.1 §4.4.1).
 */
export function encodeFault(f: Pick<AcsFault, "code" | "message">): string {
  const server = f.code === 8002 || f.code === 8004 || f.code === 8005;
  const text = f.message === "" ? (ACS_FAULT_TEXT[f.code] ?? "") : f.message;
  return soapFault(server ? "Server" : "Client", "CWMP fault", rpcEl("Fault", `${uintEl("FaultCode", f.code)}${el("FaultString", text)}`));
}

function setAttribute(a: SetAttributeStruct, digit: boolean | undefined): string {
  return (
    `<SetParameterAttributesStruct>${el("Name", a.name)}` +
    `<NotificationChange>${boolText(a.notificationChange, digit)}</NotificationChange>${uintEl("Notification", a.notification)}` +
    `<AccessListChange>${boolText(a.accessListChange, digit)}</AccessListChange>${stringArray("AccessList", a.accessList)}` +
    `</SetParameterAttributesStruct>`
  );
}

type Of<M extends AcsMessage["method"]> = Extract<AcsMessage, { method: M }>;

function download(m: Of<"Download">): string {
  return rpcEl(
    "Download",
    el("CommandKey", m.commandKey) +
      el("FileType", m.fileType) +
      el("URL", m.url) +
      el("Username", m.username) +
      el("Password", m.password) +
      uintEl("FileSize", m.fileSize) +
      el("TargetFileName", m.targetFileName) +
      uintEl("DelaySeconds", m.delaySeconds) +
      el("SuccessURL", m.successUrl) +
      el("FailureURL", m.failureUrl),
  );
}

function upload(m: Of<"Upload">): string {
  return rpcEl(
    "Upload",
    el("CommandKey", m.commandKey) +
      el("FileType", m.fileType) +
      el("URL", m.url) +
      el("Username", m.username) +
      el("Password", m.password) +
      uintEl("DelaySeconds", m.delaySeconds),
  );
}

function requestBody(m: Exclude<AcsMessage, AcsFault>, digit: boolean | undefined): string {
  switch (m.method) {
    case "GetParameterValues":
      return rpcEl(m.method, stringArray("ParameterNames", m.names));
    case "SetParameterValues":
      return rpcEl(m.method, paramValueList(m.values, digit) + el("ParameterKey", m.parameterKey));
    case "GetParameterNames":
      return rpcEl(m.method, `${el("ParameterPath", m.path)}<NextLevel>${boolText(m.nextLevel, digit)}</NextLevel>`);
    case "GetParameterAttributes":
      return rpcEl(m.method, stringArray("ParameterNames", m.names));
    case "SetParameterAttributes":
      return rpcEl(
        m.method,
        arrayEl(
          "ParameterList",
          "cwmp:SetParameterAttributesStruct",
          m.attributes.map((a) => setAttribute(a, digit)),
        ),
      );
    case "AddObject":
    case "DeleteObject":
      return rpcEl(m.method, el("ObjectName", m.objectName) + el("ParameterKey", m.parameterKey));
    case "Reboot":
      return rpcEl(m.method, el("CommandKey", m.commandKey));
    case "Download":
      return download(m);
    case "Upload":
      return upload(m);
    case "ScheduleInform":
      return rpcEl(m.method, uintEl("DelaySeconds", m.delaySeconds) + el("CommandKey", m.commandKey));
    case "FactoryReset":
    case "GetRPCMethods":
    case "GetQueuedTransfers":
    case "GetAllQueuedTransfers":
    case "TransferCompleteResponse":
    case "AutonomousTransferCompleteResponse":
    case "RequestDownloadResponse":
      return rpcEl(m.method);
    case "InformResponse":
      return rpcEl(m.method, uintEl("MaxEnvelopes", m.maxEnvelopes));
    case "GetRPCMethodsResponse":
      return rpcEl(m.method, stringArray("MethodList", m.methods));
    case "KickedResponse":
      return rpcEl(m.method, el("NextURL", m.nextUrl));
    default:
      return assertNever(m);
  }
}

function headersOf(msg: AcsMessage, opts: EncodeOptions): string[] {
  const h = [idHeader(opts.id)];
  if (opts.holdRequests === true) h.push(`<cwmp:HoldRequests soap-env:mustUnderstand="1">${boolText(true, opts.booleanAsDigit)}</cwmp:HoldRequests>`);
  // TR-069 A.3.3.1 (1.4, cwmp-notes §1.2): the chosen version goes in the InformResponse with mustUnderstand="1".
  // The element exists only in the cwmp-1-2 namespace (declared by cwmp-1-4.xsd): never emitted for 1.0/1.1.
  if (opts.useVersion !== undefined && msg.method === "InformResponse" && CWMP_WIRE_NS[opts.version] === CWMP_WIRE_NS["1.4"]) {
    h.push(`<cwmp:UseCWMPVersion soap-env:mustUnderstand="1">${opts.useVersion}</cwmp:UseCWMPVersion>`);
  }
  return h;
}

/**
 * Serialises one ACS → CPE message. The cwmp prefix is bound to the session's version namespace, the
 * request/response carries `cwmp:ID` = `opts.id` (mustUnderstand="1"), arrays carry exact counts and every
 * Value its xsi:type. Throws RangeError only on a caller bug (a negative or fractional unsignedInt).
 */
export function encodeAcsMessage(msg: AcsMessage, opts: EncodeOptions): string {
  const body = msg.method === "Fault" ? encodeFault(msg) : requestBody(msg, opts.booleanAsDigit);
  return envelope({ version: opts.version, headers: headersOf(msg, opts), body, ...(opts.xmlDeclaration === false ? { xmlDeclaration: false } : {}) });
}
