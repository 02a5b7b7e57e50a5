/**
 * The mirror decoder: reads what an ACS sends, for the simulated CPE and for round-trip tests.
 * Shares the envelope opening, parser and field readers with the CPE-message decoder.
 */
import { err, ok, type Result } from "../domain/result.js";
import { bool, notification, optStr, paramValues, str, strings, uint, type Warnings } from "./fields.js";
import { VERSIONS, decodeErr, openEnvelope, type DecodeError } from "./envelope.js";
import type { AcsMessage, CwmpVersion } from "./types.js";
import { child, membersOf, type XmlValue } from "./xml.js";

export interface DecodedAcsEnvelope {
  readonly id: string | undefined;
  readonly holdRequests: boolean;
  readonly message: AcsMessage;
  readonly version: CwmpVersion;
  /** CWMP 1.4 InformResponse header: the version the ACS chose (cwmp-notes §1.2). */
  readonly useVersion?: CwmpVersion;
}

type AcsDecoder = (rpc: XmlValue, w: Warnings) => AcsMessage;

const key = (rpc: XmlValue, w: Warnings, at: string): string => str(rpc, "ParameterKey", w, at);

const download: AcsDecoder = (rpc, w) => ({
  method: "Download",
  commandKey: str(rpc, "CommandKey", w, "Download"),
  fileType: str(rpc, "FileType", w, "Download"),
  url: str(rpc, "URL", w, "Download"),
  username: optStr(rpc, "Username") ?? "",
  password: optStr(rpc, "Password") ?? "",
  fileSize: uint(rpc, "FileSize", w, "Download"),
  targetFileName: optStr(rpc, "TargetFileName") ?? "",
  delaySeconds: uint(rpc, "DelaySeconds", w, "Download"),
  successUrl: optStr(rpc, "SuccessURL") ?? "",
  failureUrl: optStr(rpc, "FailureURL") ?? "",
});

const upload: AcsDecoder = (rpc, w) => ({
  method: "Upload",
  commandKey: str(rpc, "CommandKey", w, "Upload"),
  fileType: str(rpc, "FileType", w, "Upload"),
  url: str(rpc, "URL", w, "Upload"),
  username: optStr(rpc, "Username") ?? "",
  password: optStr(rpc, "Password") ?? "",
  delaySeconds: uint(rpc, "DelaySeconds", w, "Upload"),
});

const setAttributes: AcsDecoder = (rpc, w) => ({
  method: "SetParameterAttributes",
  attributes: membersOf(child(rpc, "ParameterList"), "SetParameterAttributesStruct").map((a, i) => {
    const at = `ParameterList[${i}]`;
    return {
      name: str(a, "Name", w, at),
      notificationChange: bool(a, "NotificationChange", w, at),
      notification: notification(a, w, at),
      accessListChange: bool(a, "AccessListChange", w, at),
      accessList: strings(child(a, "AccessList")),
    };
  }),
});

/** ACS faults (8000-8006) are answers to CPE requests (TR-069 A.5). */
const fault: AcsDecoder = (rpc, w) => {
  const detail = child(child(rpc, "detail"), "Fault");
  return { method: "Fault", code: uint(detail, "FaultCode", w, "Fault/detail"), message: optStr(detail, "FaultString") ?? "" };
};

const ACS_DECODERS: Readonly<Record<string, AcsDecoder>> = {
  GetParameterValues: (rpc) => ({ method: "GetParameterValues", names: strings(child(rpc, "ParameterNames")) }),
  SetParameterValues: (rpc, w) => ({
    method: "SetParameterValues",
    values: paramValues(child(rpc, "ParameterList"), w, "ParameterList"),
    parameterKey: key(rpc, w, "SetParameterValues"),
  }),
  GetParameterNames: (rpc, w) => ({
    method: "GetParameterNames",
    path: str(rpc, "ParameterPath", w, "GetParameterNames"),
    nextLevel: bool(rpc, "NextLevel", w, "GetParameterNames"),
  }),
  GetParameterAttributes: (rpc) => ({ method: "GetParameterAttributes", names: strings(child(rpc, "ParameterNames")) }),
  SetParameterAttributes: setAttributes,
  AddObject: (rpc, w) => ({ method: "AddObject", objectName: str(rpc, "ObjectName", w, "AddObject"), parameterKey: key(rpc, w, "AddObject") }),
  DeleteObject: (rpc, w) => ({ method: "DeleteObject", objectName: str(rpc, "ObjectName", w, "DeleteObject"), parameterKey: key(rpc, w, "DeleteObject") }),
  Reboot: (rpc, w) => ({ method: "Reboot", commandKey: str(rpc, "CommandKey", w, "Reboot") }),
  FactoryReset: () => ({ method: "FactoryReset" }),
  Download: download,
  Upload: upload,
  ScheduleInform: (rpc, w) => ({
    method: "ScheduleInform",
    delaySeconds: uint(rpc, "DelaySeconds", w, "ScheduleInform"),
    commandKey: str(rpc, "CommandKey", w, "ScheduleInform"),
  }),
  GetRPCMethods: () => ({ method: "GetRPCMethods" }),
  GetQueuedTransfers: () => ({ method: "GetQueuedTransfers" }),
  GetAllQueuedTransfers: () => ({ method: "GetAllQueuedTransfers" }),
  // TR-069 A.3.3.1: MaxEnvelopes in InformResponse is always 1.
  InformResponse: () => ({ method: "InformResponse", maxEnvelopes: 1 }),
  TransferCompleteResponse: () => ({ method: "TransferCompleteResponse" }),
  AutonomousTransferCompleteResponse: () => ({ method: "AutonomousTransferCompleteResponse" }),
  GetRPCMethodsResponse: (rpc) => ({ method: "GetRPCMethodsResponse", methods: strings(child(rpc, "MethodList")) }),
  RequestDownloadResponse: () => ({ method: "RequestDownloadResponse" }),
  KickedResponse: (rpc, w) => ({ method: "KickedResponse", nextUrl: str(rpc, "NextURL", w, "KickedResponse") }),
  Fault: fault,
};

function decode(xml: string): Result<DecodedAcsEnvelope, DecodeError> {
  const env = openEnvelope(xml);
  if (!env.ok) return env;
  const { method, rpc, warnings, version, header, headerNode } = env.value;
  const decoder = Object.hasOwn(ACS_DECODERS, method) ? ACS_DECODERS[method] : undefined;
  if (decoder === undefined) return decodeErr("unknown_method", `unknown ACS message <${method}>`);
  const use = optStr(headerNode, "UseCWMPVersion");
  const useVersion = VERSIONS.find((v) => v === use);
  const base = { id: header.id, holdRequests: header.holdRequests, message: decoder(rpc, warnings), version };
  return ok(useVersion === undefined ? base : { ...base, useVersion });
}

/**
 * Decodes one ACS → CPE envelope (any `AcsMessage`). Used by the simulated CPE; as lenient as the CPE-message
 * decoder and, like it, never throws.
 */
export function decodeAcsEnvelope(xml: string): Result<DecodedAcsEnvelope, DecodeError> {
  try {
    return decode(xml);
  } catch (e) {
    return err({ code: "malformed", message: `decoder failure: ${e instanceof Error ? e.message : String(e)}` });
  }
}
