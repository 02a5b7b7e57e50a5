/** Options, quirks and hooks of a simulated CPE. */
import type { DeviceIdStruct } from "../domain/device.js";
import type { AcsRequest, CwmpVersion } from "../cwmp/types.js";
import type { XsdType } from "../domain/xsd.js";

/**
 * Per-model misbehaviours seen in the field. The device reports them; the HTTP client applies the wire ones
 * (cookies, connections, charset, chunking, SOAP header, array counts).
 */
export interface SimQuirks {
  /** Never returns cookies to the ACS (session affinity must come from the socket). */
  readonly noCookies?: boolean;
  /** Opens a new TCP connection for every HTTP request of a session. */
  readonly newConnectionPerRequest?: boolean;
  /** Sends bodies in ISO-8859-1 with `charset=ISO-8859-1` (Thomson). */
  readonly latin1?: boolean;
  /** Reports booleans as "1"/"0" instead of "true"/"false". */
  readonly booleanAsDigit?: boolean;
  /** Declares SOAP-encoded array sizes that do not match the item count. */
  readonly lyingArrayCounts?: boolean;
  /** Sends bodies with Transfer-Encoding: chunked. */
  readonly chunked?: boolean;
  /** Omits the SOAP Header (and so cwmp:ID) (MikroTik). */
  readonly noSoapHeader?: boolean;
  /** Reads back hidden values (passwords) instead of "" as TR-069 requires. */
  readonly revealPasswords?: boolean;
  /** Writes its SOAP Faults with the `<detail><cwmp:Fault>` nested inside `<faultstring>` (a C agent). */
  readonly faultDetailInFaultstring?: boolean;
  /** Creates the instance on AddObject but shows none of its children: GPV of its keys answers 9005, SPV too. */
  readonly newInstanceWithoutChildren?: boolean;
  /** Answers TransferComplete success (FaultCode 0) and reboots, but keeps its SoftwareVersion (image did not take). */
  readonly firmwareNotApplied?: boolean;
  /** Accepts SetParameterValues of ManagementServer.ConnectionRequestUsername but keeps (and reads back) its own. */
  readonly ignoresCrUsername?: boolean;
  /** Does not store ParameterKey: every Inform and GetParameterValues reports it empty. */
  readonly noParameterKey?: boolean;
  /** Reports this ParameterKey whatever the ACS sets (a vendor constant such as `unsetCommandKey`), never the ACS's. */
  readonly fixedParameterKey?: string;
  /**
   * A reset (FactoryReset, or one made on the device: a vendor config-file restore) empties the configuration and
   * the ParameterKey, but the next Inform carries "1 BOOT", not "0 BOOTSTRAP" (a ZyXEL VMG4927, cwmp-notes §4).
   */
  readonly resetWithoutBootstrap?: boolean;
  /** Its connection request listener challenges with Basic only and accepts nothing else (older embedded stacks). */
  readonly connReqBasicOnly?: boolean;
  /** Sends Authorization only on requests with a body: the empty POST carries the cookie alone, and a 401 to it ends the session (embedded stacks). */
  readonly authOnlyWithBody?: boolean;
  /** Keeps the Digest nonce in a 32-byte buffer: a longer nonce is cut to 32 characters. */
  readonly shortNonceBuffer?: boolean;
  /** Sends `uri=""` in its Digest credentials. */
  readonly emptyDigestUri?: boolean;
  /** Sends nc=00000001 on every request and answers a later 401 only when it says stale=true. */
  readonly reusedNonceCount?: boolean;
  /** Sends the empty POST with an empty `Content-Type:` header. */
  readonly emptyContentType?: boolean;
  /** Cannot parse an `<?xml ...?>` declaration: refuses (ends the session on) any ACS message that has one. */
  readonly noXmlDeclaration?: boolean;
}

export type DownloadOutcome =
  | { readonly version: string; readonly bytes?: number; readonly sha256?: string; readonly resumed?: number }
  | { readonly faultCode: number; readonly faultString?: string };
export type DownloadRequest = Extract<AcsRequest, { method: "Download" }>;

export interface SimDeviceOptions {
  readonly manufacturer?: string;
  readonly oui?: string;
  readonly productClass?: string;
  /** Fleets give every device its own serial over the shared model. */
  readonly serialNumber?: string;
  /** Default "1.0" for TR-098 models, "1.2" for TR-181. */
  readonly cwmpVersion?: CwmpVersion;
  readonly quirks?: SimQuirks;
  /** Clock for transfer times; defaults to Date.now. */
  readonly clock?: () => number;
}

export interface ParamState {
  readonly value: string;
  readonly type: XsdType;
  readonly writable: boolean;
}

export type { DeviceIdStruct };
