/**
 * Typed CWMP messages. `CpeMessage` is everything a CPE can send (requests and responses to ACS requests);
 * `AcsMessage` is everything the ACS can send. The codec decodes the former leniently and encodes the latter
 * strictly; the simulated CPE does the mirror image (encodes CpeMessage, decodes AcsMessage).
 * Values stay strings end to end: typing happens in reconcile/equality.ts, never through JS numbers.
 */
import type { DeviceIdStruct } from "../domain/device.js";
import type { XsdType } from "../domain/xsd.js";

/**
 * The CWMP versions, with their namespace (TR-069 Amendment 6 §A.3, cwmp-notes §1.1).
 * Note: no BBF schema defines a cwmp-1-3 or cwmp-1-4 namespace; 1.3 and 1.4 are sent in cwmp-1-2. The encoders use
 * `CWMP_WIRE_NS` (src/cwmp/encode.ts); the decoders accept every URI below defensively.
 */
export type CwmpVersion = "1.0" | "1.1" | "1.2" | "1.3" | "1.4";
export const CWMP_NS: Readonly<Record<CwmpVersion, string>> = {
  "1.0": "urn:dslforum-org:cwmp-1-0",
  "1.1": "urn:dslforum-org:cwmp-1-1",
  "1.2": "urn:dslforum-org:cwmp-1-2",
  "1.3": "urn:dslforum-org:cwmp-1-3",
  "1.4": "urn:dslforum-org:cwmp-1-4",
};

export interface ParamValue {
  readonly name: string;
  /** Raw text as sent, never trimmed. A missing <Value> element decodes as "" with a warning (Cisco SPA122). */
  readonly value: string;
  /** The xsi:type, normalised; xsd:string when missing or unknown (the decoder records a warning). */
  readonly type: XsdType;
}

export interface ParamInfo {
  readonly name: string; // ends with "." for objects
  readonly writable: boolean;
}

export type NotificationLevel = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export interface ParamAttribute {
  readonly name: string;
  readonly notification: NotificationLevel;
  readonly accessList: readonly string[];
}

export interface SetAttributeStruct {
  readonly name: string;
  readonly notificationChange: boolean;
  readonly notification: NotificationLevel;
  readonly accessListChange: boolean;
  readonly accessList: readonly string[];
}

export interface EventStruct {
  readonly code: string; // "0 BOOTSTRAP", "1 BOOT", "M Download", ...
  readonly commandKey: string;
}

export interface FaultStruct {
  readonly code: number;
  readonly string: string;
}

export interface SetParameterValuesFault {
  readonly name: string;
  readonly code: number;
  readonly string: string;
}

export interface CwmpFault {
  /** SOAP faultcode ("Client" / "Server"), local part. */
  readonly faultCode: string;
  readonly faultString: string;
  readonly code: number; // cwmp:Fault FaultCode
  readonly message: string; // cwmp:Fault FaultString
  readonly setParameterValuesFaults: readonly SetParameterValuesFault[];
}

export interface InformRequest {
  readonly method: "Inform";
  readonly deviceId: DeviceIdStruct;
  readonly events: readonly EventStruct[];
  readonly maxEnvelopes: number;
  /** Raw text; malformed times are kept as sent (cwmp-notes §2.4), the decoder warns. */
  readonly currentTime: string;
  readonly retryCount: number;
  readonly parameterList: readonly ParamValue[];
}

export interface TransferCompleteRequest {
  readonly method: "TransferComplete";
  readonly commandKey: string;
  readonly fault: FaultStruct; // code 0 = success
  readonly startTime: string;
  readonly completeTime: string;
}

export interface AutonomousTransferCompleteRequest {
  readonly method: "AutonomousTransferComplete";
  readonly announceUrl: string;
  readonly transferUrl: string;
  readonly isDownload: boolean;
  readonly fileType: string;
  readonly fileSize: number;
  readonly targetFileName: string;
  readonly fault: FaultStruct;
  readonly startTime: string;
  readonly completeTime: string;
}

/** Requests a CPE may send to the ACS. */
export type CpeRequest =
  | InformRequest
  | TransferCompleteRequest
  | AutonomousTransferCompleteRequest
  | { readonly method: "GetRPCMethods" }
  | { readonly method: "RequestDownload"; readonly fileType: string; readonly args: readonly { readonly name: string; readonly value: string }[] }
  | { readonly method: "Kicked"; readonly command: string; readonly referer: string; readonly arg: string; readonly next: string };

/** Responses a CPE sends to ACS requests. Status 0 = applied, 1 = applied after reboot (TR-069 A.3.2.1). */
export type CpeResponse =
  | { readonly method: "GetParameterValuesResponse"; readonly parameterList: readonly ParamValue[] }
  | { readonly method: "SetParameterValuesResponse"; readonly status: 0 | 1 }
  | { readonly method: "GetParameterNamesResponse"; readonly parameterList: readonly ParamInfo[] }
  | { readonly method: "GetParameterAttributesResponse"; readonly parameterList: readonly ParamAttribute[] }
  | { readonly method: "SetParameterAttributesResponse" }
  | { readonly method: "AddObjectResponse"; readonly instanceNumber: number; readonly status: 0 | 1 }
  | { readonly method: "DeleteObjectResponse"; readonly status: 0 | 1 }
  | { readonly method: "RebootResponse" }
  | { readonly method: "FactoryResetResponse" }
  | { readonly method: "DownloadResponse"; readonly status: 0 | 1; readonly startTime: string; readonly completeTime: string }
  | { readonly method: "UploadResponse"; readonly status: 0 | 1; readonly startTime: string; readonly completeTime: string }
  | { readonly method: "ScheduleInformResponse" }
  | { readonly method: "GetRPCMethodsResponse"; readonly methods: readonly string[] }
  | { readonly method: "GetQueuedTransfersResponse"; readonly transfers: readonly QueuedTransfer[] }
  | { readonly method: "GetAllQueuedTransfersResponse"; readonly transfers: readonly QueuedTransfer[] };

export interface QueuedTransfer {
  readonly commandKey: string;
  readonly state: number; // 1 not started, 2 in progress, 3 completed
  readonly isDownload?: boolean;
  readonly fileType?: string;
  readonly fileSize?: number;
  readonly targetFileName?: string;
}

/** Everything a CPE can put in one envelope, plus a SOAP Fault. */
export type CpeMessage = CpeRequest | CpeResponse | { readonly method: "Fault"; readonly fault: CwmpFault };

/** ACS requests to the CPE (TR-069 A.3.2 and A.4.1). */
export type AcsRequest =
  | { readonly method: "GetParameterValues"; readonly names: readonly string[] }
  | { readonly method: "SetParameterValues"; readonly values: readonly ParamValue[]; readonly parameterKey: string }
  | { readonly method: "GetParameterNames"; readonly path: string; readonly nextLevel: boolean }
  | { readonly method: "GetParameterAttributes"; readonly names: readonly string[] }
  | { readonly method: "SetParameterAttributes"; readonly attributes: readonly SetAttributeStruct[] }
  | { readonly method: "AddObject"; readonly objectName: string; readonly parameterKey: string }
  | { readonly method: "DeleteObject"; readonly objectName: string; readonly parameterKey: string }
  | { readonly method: "Reboot"; readonly commandKey: string }
  | { readonly method: "FactoryReset" }
  | {
      readonly method: "Download";
      readonly commandKey: string;
      readonly fileType: string;
      readonly url: string;
      readonly username: string;
      readonly password: string;
      readonly fileSize: number;
      readonly targetFileName: string;
      readonly delaySeconds: number;
      readonly successUrl: string;
      readonly failureUrl: string;
    }
  | {
      readonly method: "Upload";
      readonly commandKey: string;
      readonly fileType: string;
      readonly url: string;
      readonly username: string;
      readonly password: string;
      readonly delaySeconds: number;
    }
  | { readonly method: "ScheduleInform"; readonly delaySeconds: number; readonly commandKey: string }
  | { readonly method: "GetRPCMethods" }
  | { readonly method: "GetQueuedTransfers" }
  | { readonly method: "GetAllQueuedTransfers" };

/** ACS responses to CPE requests. */
export type AcsResponse =
  | { readonly method: "InformResponse"; readonly maxEnvelopes: 1 }
  | { readonly method: "TransferCompleteResponse" }
  | { readonly method: "AutonomousTransferCompleteResponse" }
  | { readonly method: "GetRPCMethodsResponse"; readonly methods: readonly string[] }
  | { readonly method: "RequestDownloadResponse" }
  | { readonly method: "KickedResponse"; readonly nextUrl: string };

/** A fault the ACS returns to a CPE request (8000-8005). */
export interface AcsFault {
  readonly method: "Fault";
  readonly code: number;
  readonly message: string;
}

export type AcsMessage = AcsRequest | AcsResponse | AcsFault;

/** SOAP header fields that matter to a session. */
export interface EnvelopeHeader {
  /** cwmp:ID; undefined when the CPE sent none (MikroTik). */
  readonly id: string | undefined;
  readonly holdRequests: boolean;
  readonly noMoreRequests: boolean;
  readonly sessionTimeout: number | undefined;
  readonly supportedVersions: readonly CwmpVersion[] | undefined;
}

/** The result of decoding one CPE envelope. Warnings are values, never module state. */
export interface DecodedEnvelope {
  readonly version: CwmpVersion;
  readonly header: EnvelopeHeader;
  readonly message: CpeMessage;
  readonly warnings: readonly string[];
}

/** What the encoder needs beyond the message itself. */
export interface EncodeOptions {
  readonly version: CwmpVersion;
  readonly id: string;
  readonly holdRequests?: boolean;
  /** TR-069 A.3.3.1 (1.4): the version the ACS chose, in InformResponse. */
  readonly useVersion?: CwmpVersion;
  /** Quirk: send booleans as "1"/"0" instead of "true"/"false". */
  readonly booleanAsDigit?: boolean;
  /** Start with `<?xml version="1.0" encoding="UTF-8"?>` (default true; some embedded parsers cannot read it). */
  readonly xmlDeclaration?: boolean;
}
