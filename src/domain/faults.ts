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
 * Faults the ACS itself records when a bound trips or the session breaks. Every bound that trips has a name here.
 */
export type SessionFaultCode =
  | "too_many_rpcs"
  | "not_converging"
  | "session_timeout"
  | "cpe_fault"
  | "bad_message"
  | "bad_session_state"
  | "template_unresolved"
  | "policy_conflict"
  | "unsupported_path"
  | "download_failed"
  /** A Download got no TransferComplete within limits.downloadTimeoutMs: backed off, not re-issued at once. */
  | "download_timeout"
  /** TransferComplete reported success but the SoftwareVersion did not change within the configured bound. */
  | "firmware_not_applied"
  /** An instance Converge added does not expose (or keep) its key parameters: named with its table and keys. */
  | "instance_keys_missing"
  /** Endpoint bounds (server/cwmp-route.ts): CPE requests per session, stored string size. */
  | "too_many_cpe_requests"
  | "value_too_large"
  /** Another node took the device's lease (this node was cut off from the database or stalled): the session stops. */
  | "lease_lost";

/**
 * A fault as Converge records it: ONE shape for the session, the fold, the store and the API. `code` is a CWMP
 * code as a string ("9005") or a named ACS fault (`SessionFaultCode`, "connection_request:<outcome>").
 */
export interface Fault {
  readonly code: string;
  readonly message: string;
  /** The parameter (or backoff key) it concerns, when it concerns one. */
  readonly path?: string | undefined;
  /** The policy that asked for what failed, when known. */
  readonly policy?: string | undefined;
  readonly retryable: boolean;
}
