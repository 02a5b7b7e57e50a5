/** Decoders for the responses and SOAP Faults a CPE sends back to ACS requests (TR-069 A.3.2, A.4.1, A.5). */
import { ok } from "../domain/result.js";
import { bool, notification, optStr, paramValues, status, str, strings, time, uint, type Warnings } from "./fields.js";
import type { CpeDecoder } from "./decode-cpe-requests.js";
import type { CwmpFault, QueuedTransfer } from "./types.js";
import { child, elementKeys, first, isObject, localOf, membersOf, textOf, type XmlObject, type XmlValue } from "./xml.js";

function transfers(rpc: XmlValue, member: string, all: boolean, w: Warnings): QueuedTransfer[] {
  return membersOf(child(rpc, "TransferList"), member).map((t, i) => {
    const at = `TransferList[${i}]`;
    const base = { commandKey: str(t, "CommandKey", w, at), state: uint(t, "State", w, at) };
    if (!all) return base;
    return {
      ...base,
      isDownload: bool(t, "IsDownload", w, at),
      fileType: str(t, "FileType", w, at),
      fileSize: uint(t, "FileSize", w, at),
      targetFileName: str(t, "TargetFileName", w, at),
    };
  });
}

const transferResult =
  (method: "DownloadResponse" | "UploadResponse"): CpeDecoder =>
  (rpc, w) =>
    ok({ method, status: status(rpc, w, method), startTime: time(rpc, "StartTime", w, method), completeTime: time(rpc, "CompleteTime", w, method) });

/** How many elements the search for a misplaced cwmp:Fault visits at most (a SOAP Fault is a handful). */
const FAULT_SEARCH_NODES = 256;

/**
 * The cwmp:Fault under a SOAP Fault, wherever it sits: `<detail><cwmp:Fault>` as TR-069 A.5 says, or nested
 * elsewhere, e.g. inside `<faultstring>` (a C agent writes `<faultstring>CWMP fault<detail>...</detail></faultstring>`).
 * Breadth first, so the standard place wins; bounded by FAULT_SEARCH_NODES elements (linear, no recursion).
 */
export function findCwmpFault(soapFault: XmlValue | undefined): XmlObject | undefined {
  const standard = child(child(soapFault, "detail"), "Fault");
  if (isObject(standard)) return standard;
  const queue: XmlValue[] = [soapFault ?? ""];
  for (let i = 0; i < queue.length && i < FAULT_SEARCH_NODES; i++) {
    const node = queue[i];
    if (Array.isArray(node)) {
      queue.push(...node);
      continue;
    }
    if (!isObject(node)) continue;
    for (const key of elementKeys(node)) {
      const v = node[key];
      if (v === undefined) continue;
      const f = first(v);
      if (key === "Fault" && isObject(f) && f["FaultCode"] !== undefined) return f;
      queue.push(v);
    }
  }
  return undefined;
}

/**
 * TR-069 A.5 / cwmp-notes §5.1: SOAP Fault with a cwmp:Fault detail, found wherever it is nested (see
 * findCwmpFault). A Fault without any cwmp:Fault still fails the outstanding RPC: it decodes with code 0 and a
 * warning. faultcode keeps only its local part ("SOAP-ENV:Client"); faultstring is its own text only.
 */
export const decodeCpeFault: CpeDecoder = (rpc, w) => {
  const detail = findCwmpFault(rpc);
  const faultString = (textOf(child(rpc, "faultstring")) ?? "").trim();
  if (detail === undefined) w.push("Fault: no <detail><cwmp:Fault>, using code 0");
  else if (!isObject(child(child(rpc, "detail"), "Fault"))) w.push("Fault: cwmp:Fault found outside <detail>");
  const fault: CwmpFault = {
    faultCode: localOf(optStr(rpc, "faultcode") ?? ""),
    faultString,
    code: detail === undefined ? 0 : uint(detail, "FaultCode", w, "Fault/detail"),
    message: detail === undefined ? faultString : (optStr(detail, "FaultString") ?? ""),
    setParameterValuesFaults: membersOf(detail, "SetParameterValuesFault").map((f, i) => ({
      name: str(f, "ParameterName", w, `Fault/SetParameterValuesFault[${i}]`),
      code: uint(f, "FaultCode", w, `Fault/SetParameterValuesFault[${i}]`),
      string: optStr(f, "FaultString") ?? "",
    })),
  };
  return ok({ method: "Fault", fault });
};

export const CPE_RESPONSE_DECODERS: Readonly<Record<string, CpeDecoder>> = {
  GetParameterValuesResponse: (rpc, w) =>
    ok({ method: "GetParameterValuesResponse", parameterList: paramValues(child(rpc, "ParameterList"), w, "ParameterList") }),
  SetParameterValuesResponse: (rpc, w) => ok({ method: "SetParameterValuesResponse", status: status(rpc, w, "SetParameterValuesResponse") }),
  GetParameterNamesResponse: (rpc, w) =>
    ok({
      method: "GetParameterNamesResponse",
      parameterList: membersOf(child(rpc, "ParameterList"), "ParameterInfoStruct").map((p, i) => ({
        name: str(p, "Name", w, `ParameterList[${i}]`),
        writable: bool(p, "Writable", w, `ParameterList[${i}]`),
      })),
    }),
  GetParameterAttributesResponse: (rpc, w) =>
    ok({
      method: "GetParameterAttributesResponse",
      parameterList: membersOf(child(rpc, "ParameterList"), "ParameterAttributeStruct").map((p, i) => ({
        name: str(p, "Name", w, `ParameterList[${i}]`),
        notification: notification(p, w, `ParameterList[${i}]`),
        accessList: strings(child(p, "AccessList")),
      })),
    }),
  SetParameterAttributesResponse: () => ok({ method: "SetParameterAttributesResponse" }),
  AddObjectResponse: (rpc, w) =>
    ok({ method: "AddObjectResponse", instanceNumber: uint(rpc, "InstanceNumber", w, "AddObjectResponse"), status: status(rpc, w, "AddObjectResponse") }),
  DeleteObjectResponse: (rpc, w) => ok({ method: "DeleteObjectResponse", status: status(rpc, w, "DeleteObjectResponse") }),
  RebootResponse: () => ok({ method: "RebootResponse" }),
  FactoryResetResponse: () => ok({ method: "FactoryResetResponse" }),
  DownloadResponse: transferResult("DownloadResponse"),
  UploadResponse: transferResult("UploadResponse"),
  ScheduleInformResponse: () => ok({ method: "ScheduleInformResponse" }),
  GetRPCMethodsResponse: (rpc) => ok({ method: "GetRPCMethodsResponse", methods: strings(child(rpc, "MethodList")) }),
  GetQueuedTransfersResponse: (rpc, w) => ok({ method: "GetQueuedTransfersResponse", transfers: transfers(rpc, "QueuedTransferStruct", false, w) }),
  GetAllQueuedTransfersResponse: (rpc, w) => ok({ method: "GetAllQueuedTransfersResponse", transfers: transfers(rpc, "AllQueuedTransferStruct", true, w) }),
  Fault: decodeCpeFault,
};
