import type { ConnReqPublicOutcome } from "./connreq-outcomes.js";

/** TR-069 CPE fault codes (TR-069 A.5.1 and the cwmp XSD). Faults are data. */
export const CPE_FAULT = {
  METHOD_NOT_SUPPORTED: 9000,
  REQUEST_DENIED: 9001,
  INTERNAL_ERROR: 9002,
  INVALID_ARGUMENTS: 9003,
  RESOURCES_EXCEEDED: 9004,
  INVALID_PARAMETER_NAME: 9005,
  INVALID_PARAMETER_TYPE: 9006,
  INVALID_PARAMETER_VALUE: 9007,
  NON_WRITABLE_PARAMETER: 9008,
  NOTIFICATION_REJECTED: 9009,
  DOWNLOAD_FAILURE: 9010,
  UPLOAD_FAILURE: 9011,
  FILE_TRANSFER_AUTH_FAILURE: 9012,
  UNSUPPORTED_TRANSFER_PROTOCOL: 9013,
} as const;

/**
 * The catalog of faults the ACS itself records on a device (a bound that trips, a session that breaks, a firmware
 * that does not take). Every bound that trips has a name here; docs/codes.md lists them and
 * `test/unit/code-catalogs.test.ts` holds both true: every code here is emitted somewhere, and every emitter is
 * typed `SessionFaultCode`, so an unlisted one does not compile.
 */
export const SESSION_FAULTS = {
  too_many_rpcs: "more RPCs in one session than limits.maxRpcsPerSession; the session ends",
  not_converging: "still steps to do after limits.maxReplanRounds plan rounds; the session ends",
  session_timeout: "no message from the CPE within limits.sessionIdleMs (limits.unauthenticatedIdleMs without identity); the session ends",
  bad_message: "a message that does not decode, or an answer of another method than the outstanding request",
  bad_session_state:
    "a message out of protocol order: an Inform inside a session, an answer with nothing outstanding, an empty POST with a request outstanding",
  download_timeout: "a Download got no TransferComplete within limits.downloadTimeoutMs: the firmware backs off, not re-issued at once",
  firmware_not_applied: "TransferComplete reported success but the SoftwareVersion did not change within the configured bound",
  instance_keys_missing: "an instance Converge added does not expose (or keep) its key parameters; named with its table and keys",
  too_many_cpe_requests: "more CPE requests in one session than limits.maxCpeRequestsPerSession; the session ends",
  value_too_large: "a CPE message carries a string above limits.maxStoredValueChars; the session ends",
  lease_lost:
    "another node took the device's lease (this node stalled or lost the database for longer than the lease): the session ends, and its step's writes are refused (fenced) when the leases share the store's database",
} as const satisfies Readonly<Record<string, string>>;
export type SessionFaultCode = keyof typeof SESSION_FAULTS;

/** Ways a session ends that are not a fault of the device (no fault is recorded; the outcome says it). */
export const SESSION_ENDS = {
  superseded: "the device sent a new Inform while its session was open: the old session ends, the new one starts over (TR-069 3.7.1)",
  server_shutdown: "the server stopped while the session was open",
  store_failed: "the store refused a step's writes: nothing of the step was written; the next Inform starts a clean session",
} as const satisfies Readonly<Record<string, string>>;
export type SessionEndCode = keyof typeof SESSION_ENDS;

/** How a session ended (the session log row, the log line, the `converge_sessions_total` label without "fault:"). */
export type SessionOutcome = "ok" | `fault:${SessionFaultCode | SessionEndCode}`;

/** A fault code a CPE returned (TR-069 A.5.1: 9000-9019, vendor 9800-9899, 8005 "retry request"), as a string. */
export type CpeFaultCode = `${number}`;

export function cpeFaultCode(code: number): CpeFaultCode {
  return `${code}`;
}

/** The fault a connection request that did not get through records (`connection_request:<public outcome>`). */
export type ConnReqFaultCode = `connection_request:${ConnReqPublicOutcome}`;

/** Every code a `Fault` can carry: a CPE's, the session's catalog, or a connection request's. */
export type FaultCode = CpeFaultCode | SessionFaultCode | ConnReqFaultCode;

/**
 * A fault as Converge records it: ONE shape for the session, the fold, the store and the API. `code` is a CWMP
 * code as a string ("9005"), a named ACS fault (`SessionFaultCode`) or "connection_request:<outcome>".
 */
export interface Fault {
  readonly code: FaultCode;
  readonly message: string;
  /** The parameter (or backoff key) it concerns, when it concerns one. */
  readonly path?: string | undefined;
  /** The policy that asked for what failed, when known. */
  readonly policy?: string | undefined;
  readonly retryable: boolean;
}
