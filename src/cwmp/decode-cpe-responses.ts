/** Decoders for the responses and SOAP Faults a CPE sends back to ACS requests (TR-069 A.3.2, A.4.1, A.5). */
import { ok } from "../domain/result.js";
import { bool, notification, optStr, paramValues, status, str, strings, time, uint, type Warnings } from "./fields.js";
import type { CpeDecoder } from "./decode-cpe-requests.js";
import type { CwmpFault, QueuedTransfer } from "./types.js";
import { child, localOf, membersOf, type XmlValue } from "./xml.js";

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

/**
 * TR-069 A.5 / cwmp-notes §5.1: SOAP Fault with a cwmp:Fault detail. A Fault without detail still fails the
 * outstanding RPC: it decodes with code 0 and a warning. faultcode keeps only its local part ("SOAP-ENV:Client").
 */
export const decodeCpeFault: CpeDecoder = (rpc, w) => {
  const detail = child(child(rpc, "detail"), "Fault");
  const faultString = optStr(rpc, "faultstring") ?? "";
  if (detail === undefined) w.push("Fault: no <detail><cwmp:Fault>, using code 0");
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
  GetQueuedTransfersResponse: (rpc, w) =>
    ok({ method: "GetQueuedTransfersResponse", transfers: transfers(rpc, "QueuedTransferStruct", false, w) }),
  GetAllQueuedTransfersResponse: (rpc, w) =>
    ok({ method: "GetAllQueuedTransfersResponse", transfers: transfers(rpc, "AllQueuedTransferStruct", true, w) }),
  Fault: decodeCpeFault,
};
