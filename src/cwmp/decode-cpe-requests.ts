/** Decoders for the requests a CPE sends (TR-069 A.3.3, A.4.2). Lenient: defaults plus warnings. */
import { normaliseEventCode } from "./events.js";
import { err, ok, type Result } from "../domain/result.js";
import { bool, optStr, paramValues, str, time, uint, type Warnings } from "./fields.js";
import type { CpeMessage, EventStruct, FaultStruct } from "./types.js";
import { child, membersOf, textOf, type XmlValue } from "./xml.js";

export type CpeDecoder = (rpc: XmlValue, w: Warnings) => Result<CpeMessage, string>;

function faultStruct(rpc: XmlValue, w: Warnings, where: string): FaultStruct {
  const f = child(rpc, "FaultStruct");
  if (f === undefined) w.push(`${where}: <FaultStruct> missing, assuming success (0)`);
  return { code: uint(f, "FaultCode", w, `${where}/FaultStruct`), string: str(f, "FaultString", w, `${where}/FaultStruct`) };
}

function events(rpc: XmlValue, w: Warnings): EventStruct[] {
  const list = child(rpc, "Event");
  if (list === undefined) w.push("Inform: <Event> missing, using no events");
  return membersOf(list, "EventStruct").map((e, i) => ({
    // Normalised once, here: the rest of Converge compares event codes exactly (cwmp/events.ts).
    code: normaliseEventCode(str(e, "EventCode", w, `Inform/Event[${i}]`)),
    // Broadcom/IPHOTONIX send <CommandKey />; an absent key is the empty key.
    commandKey: optStr(e, "CommandKey") ?? "",
  }));
}

/** TR-069 A.3.3.1 Inform. DeviceId OUI and SerialNumber identify the CPE: without them the message is invalid. */
const inform: CpeDecoder = (rpc, w) => {
  const d = child(rpc, "DeviceId");
  if (d === undefined) return err("Inform has no <DeviceId>");
  const oui = optStr(d, "OUI");
  const serialNumber = optStr(d, "SerialNumber");
  if (oui === undefined || oui === "") return err("Inform/DeviceId has no <OUI>");
  if (serialNumber === undefined || serialNumber === "") return err("Inform/DeviceId has no <SerialNumber>");
  const deviceId = {
    manufacturer: str(d, "Manufacturer", w, "Inform/DeviceId"),
    oui,
    productClass: str(d, "ProductClass", w, "Inform/DeviceId"),
    serialNumber,
  };
  const plist = child(rpc, "ParameterList");
  if (plist === undefined) w.push("Inform: <ParameterList> missing, using an empty list");
  return ok({
    method: "Inform",
    deviceId,
    events: events(rpc, w),
    maxEnvelopes: uint(rpc, "MaxEnvelopes", w, "Inform", 1),
    currentTime: time(rpc, "CurrentTime", w, "Inform"),
    retryCount: uint(rpc, "RetryCount", w, "Inform"),
    parameterList: paramValues(plist, w, "Inform/ParameterList"),
  });
};

const transferComplete: CpeDecoder = (rpc, w) =>
  ok({
    method: "TransferComplete",
    commandKey: str(rpc, "CommandKey", w, "TransferComplete"),
    fault: faultStruct(rpc, w, "TransferComplete"),
    startTime: time(rpc, "StartTime", w, "TransferComplete"),
    completeTime: time(rpc, "CompleteTime", w, "TransferComplete"),
  });

const autonomousTransferComplete: CpeDecoder = (rpc, w) => {
  const at = "AutonomousTransferComplete";
  return ok({
    method: "AutonomousTransferComplete",
    announceUrl: str(rpc, "AnnounceURL", w, at),
    transferUrl: str(rpc, "TransferURL", w, at),
    isDownload: bool(rpc, "IsDownload", w, at),
    fileType: str(rpc, "FileType", w, at),
    fileSize: uint(rpc, "FileSize", w, at),
    targetFileName: str(rpc, "TargetFileName", w, at),
    fault: faultStruct(rpc, w, at),
    startTime: time(rpc, "StartTime", w, at),
    completeTime: time(rpc, "CompleteTime", w, at),
  });
};

const requestDownload: CpeDecoder = (rpc, w) =>
  ok({
    method: "RequestDownload",
    fileType: str(rpc, "FileType", w, "RequestDownload"),
    args: membersOf(child(rpc, "FileTypeArg"), "ArgStruct").map((a, i) => ({
      name: str(a, "Name", w, `RequestDownload/FileTypeArg[${i}]`),
      value: textOf(child(a, "Value")) ?? "",
    })),
  });

const kicked: CpeDecoder = (rpc, w) =>
  ok({
    method: "Kicked",
    command: str(rpc, "Command", w, "Kicked"),
    referer: str(rpc, "Referer", w, "Kicked"),
    arg: textOf(child(rpc, "Arg")) ?? "",
    next: str(rpc, "Next", w, "Kicked"),
  });

export const CPE_REQUEST_DECODERS: Readonly<Record<string, CpeDecoder>> = {
  Inform: inform,
  TransferComplete: transferComplete,
  AutonomousTransferComplete: autonomousTransferComplete,
  GetRPCMethods: () => ok({ method: "GetRPCMethods" }),
  RequestDownload: requestDownload,
  Kicked: kicked,
};
