/**
 * One schema-valid sample per CpeMessage and AcsMessage variant, keyed by method so the compiler proves every
 * variant is covered. Shared by the round-trip and XSD tests.
 */
import type { AcsMessage, CpeMessage, ParamValue } from "../../src/cwmp/types.js";

type ByMethod<U extends { method: string }> = { readonly [M in U["method"]]: Extract<U, { method: M }> };

/** Values that exercise escaping, non-ASCII, whitespace and 64-bit integers. */
export const TRICKY_VALUES: readonly ParamValue[] = [
  { name: "Device.WiFi.SSID.1.SSID", value: " My WiFi & <Guest> \"5G\" 'x' ", type: "xsd:string" },
  { name: "Device.DeviceInfo.Description", value: "Größe ≥ 5 — 日本語 😀", type: "xsd:string" },
  { name: "Device.X_TEST.Multiline", value: "line1\n\tline2\r\nline3  ", type: "xsd:string" },
  { name: "Device.X_TEST.Spaces", value: "   ", type: "xsd:string" },
  { name: "Device.X_TEST.Empty", value: "", type: "xsd:string" },
  { name: "Device.IP.Interface.1.Stats.BytesSent", value: "18446744073709551615", type: "xsd:unsignedLong" },
  { name: "Device.X_TEST.Long", value: "-9223372036854775808", type: "xsd:long" },
  { name: "Device.X_TEST.Int", value: "-2147483648", type: "xsd:int" },
  { name: "Device.DeviceInfo.UpTime", value: "4294967295", type: "xsd:unsignedInt" },
  { name: "Device.ManagementServer.PeriodicInformEnable", value: "true", type: "xsd:boolean" },
  { name: "Device.Time.CurrentLocalTime", value: "2024-02-29T23:59:59+01:00", type: "xsd:dateTime" },
  { name: "Device.X_TEST.Hex", value: "00ff10AB", type: "xsd:hexBinary" },
];

export const CPE_SAMPLES: ByMethod<CpeMessage> = {
  Inform: {
    method: "Inform",
    deviceId: { manufacturer: "ACME & Sons", oui: "00147F", productClass: "Router 9000", serialNumber: "SN-0001" },
    events: [
      { code: "0 BOOTSTRAP", commandKey: "" },
      { code: "1 BOOT", commandKey: "" },
      { code: "M Reboot", commandKey: "reboot-42" },
    ],
    maxEnvelopes: 1,
    currentTime: "2024-05-01T12:00:00Z",
    retryCount: 3,
    parameterList: TRICKY_VALUES,
  },
  TransferComplete: {
    method: "TransferComplete",
    commandKey: "fw-1",
    fault: { code: 9010, string: "Download failure" },
    startTime: "2024-05-01T12:00:00Z",
    completeTime: "2024-05-01T12:05:00Z",
  },
  AutonomousTransferComplete: {
    method: "AutonomousTransferComplete",
    announceUrl: "http://cpe.example/announce",
    transferUrl: "http://files.example/fw.bin?a=1&b=2",
    isDownload: true,
    fileType: "1 Firmware Upgrade Image",
    fileSize: 1048576,
    targetFileName: "fw.bin",
    fault: { code: 0, string: "" },
    startTime: "2024-05-01T12:00:00Z",
    completeTime: "2024-05-01T12:05:00Z",
  },
  GetRPCMethods: { method: "GetRPCMethods" },
  RequestDownload: {
    method: "RequestDownload",
    fileType: "1 Firmware Upgrade Image",
    args: [{ name: "Version", value: "2.0 beta" }],
  },
  Kicked: { method: "Kicked", command: "provision", referer: "http://portal.example/", arg: "a b", next: "http://portal.example/done" },
  GetParameterValuesResponse: { method: "GetParameterValuesResponse", parameterList: TRICKY_VALUES },
  SetParameterValuesResponse: { method: "SetParameterValuesResponse", status: 1 },
  GetParameterNamesResponse: {
    method: "GetParameterNamesResponse",
    parameterList: [
      { name: "Device.WiFi.", writable: false },
      { name: "Device.WiFi.SSID.1.SSID", writable: true },
    ],
  },
  GetParameterAttributesResponse: {
    method: "GetParameterAttributesResponse",
    parameterList: [
      { name: "Device.DeviceInfo.SoftwareVersion", notification: 2, accessList: [] },
      { name: "Device.WiFi.SSID.1.SSID", notification: 0, accessList: ["Subscriber"] },
    ],
  },
  SetParameterAttributesResponse: { method: "SetParameterAttributesResponse" },
  AddObjectResponse: { method: "AddObjectResponse", instanceNumber: 4, status: 0 },
  DeleteObjectResponse: { method: "DeleteObjectResponse", status: 0 },
  RebootResponse: { method: "RebootResponse" },
  FactoryResetResponse: { method: "FactoryResetResponse" },
  DownloadResponse: { method: "DownloadResponse", status: 1, startTime: "0001-01-01T00:00:00Z", completeTime: "0001-01-01T00:00:00Z" },
  UploadResponse: { method: "UploadResponse", status: 0, startTime: "2024-05-01T12:00:00Z", completeTime: "2024-05-01T12:00:10Z" },
  ScheduleInformResponse: { method: "ScheduleInformResponse" },
  GetRPCMethodsResponse: { method: "GetRPCMethodsResponse", methods: ["GetRPCMethods", "GetParameterValues", "Reboot"] },
  GetQueuedTransfersResponse: { method: "GetQueuedTransfersResponse", transfers: [{ commandKey: "fw-1", state: 2 }] },
  GetAllQueuedTransfersResponse: {
    method: "GetAllQueuedTransfersResponse",
    transfers: [{ commandKey: "fw-1", state: 1, isDownload: true, fileType: "1 Firmware Upgrade Image", fileSize: 2048, targetFileName: "fw.bin" }],
  },
  Fault: {
    method: "Fault",
    fault: {
      faultCode: "Client",
      faultString: "CWMP fault",
      code: 9003,
      message: "Invalid arguments",
      setParameterValuesFaults: [
        { name: "Device.WiFi.SSID.1.SSID", code: 9007, string: "Value out of range" },
        { name: "Device.DeviceInfo.UpTime", code: 9008, string: "Not writable" },
      ],
    },
  },
};

export const ACS_SAMPLES: ByMethod<AcsMessage> = {
  GetParameterValues: { method: "GetParameterValues", names: ["Device.DeviceInfo.", "Device.WiFi.SSID.1.SSID"] },
  SetParameterValues: { method: "SetParameterValues", values: TRICKY_VALUES, parameterKey: "rev-abc123" },
  GetParameterNames: { method: "GetParameterNames", path: "Device.WiFi.", nextLevel: true },
  GetParameterAttributes: { method: "GetParameterAttributes", names: ["Device.DeviceInfo.SoftwareVersion"] },
  SetParameterAttributes: {
    method: "SetParameterAttributes",
    attributes: [
      { name: "Device.DeviceInfo.SoftwareVersion", notificationChange: true, notification: 2, accessListChange: false, accessList: [] },
      { name: "Device.WiFi.SSID.1.SSID", notificationChange: false, notification: 0, accessListChange: true, accessList: ["Subscriber"] },
    ],
  },
  AddObject: { method: "AddObject", objectName: "Device.WiFi.SSID.", parameterKey: "k1" },
  DeleteObject: { method: "DeleteObject", objectName: "Device.WiFi.SSID.3.", parameterKey: "k2" },
  Reboot: { method: "Reboot", commandKey: "reboot-42" },
  FactoryReset: { method: "FactoryReset" },
  Download: {
    method: "Download",
    commandKey: "fw-1",
    fileType: "1 Firmware Upgrade Image",
    url: "http://files.example/fw.bin?a=1&b=2",
    username: "user",
    password: "p&ss<word>",
    fileSize: 0,
    targetFileName: "",
    delaySeconds: 5,
    successUrl: "",
    failureUrl: "",
  },
  Upload: {
    method: "Upload",
    commandKey: "up-1",
    fileType: "1 Vendor Configuration File",
    url: "http://files.example/up",
    username: "",
    password: "",
    delaySeconds: 0,
  },
  ScheduleInform: { method: "ScheduleInform", delaySeconds: 60, commandKey: "si-1" },
  GetRPCMethods: { method: "GetRPCMethods" },
  GetQueuedTransfers: { method: "GetQueuedTransfers" },
  GetAllQueuedTransfers: { method: "GetAllQueuedTransfers" },
  InformResponse: { method: "InformResponse", maxEnvelopes: 1 },
  TransferCompleteResponse: { method: "TransferCompleteResponse" },
  AutonomousTransferCompleteResponse: { method: "AutonomousTransferCompleteResponse" },
  GetRPCMethodsResponse: { method: "GetRPCMethodsResponse", methods: ["Inform", "GetRPCMethods", "TransferComplete"] },
  RequestDownloadResponse: { method: "RequestDownloadResponse" },
  KickedResponse: { method: "KickedResponse", nextUrl: "http://portal.example/next?x=1&y=2" },
  Fault: { method: "Fault", code: 8005, message: "Retry request" },
};

/** Methods a CWMP version's schema does not define (cwmp-notes §1.1: added in 1.1). */
export const ADDED_IN_1_1: ReadonlySet<string> = new Set([
  "AutonomousTransferComplete",
  "AutonomousTransferCompleteResponse",
  "GetAllQueuedTransfers",
  "GetAllQueuedTransfersResponse",
]);
