/** What the CWMP route needs from the rest of the server: injected, so tests build it with real parts. */
import type { DeviceQuirks, PlanLimits } from "../reconcile/types.js";
import type { DesiredState, MatchSubject } from "../policy/desired.types.js";
import type { Store } from "../domain/store.js";
import type { InformFacts } from "../domain/store.js";
import type { SessionOutcome } from "../domain/faults.js";
import type { DeviceId } from "../domain/device.js";
import type { MessageBounds } from "../session/message-bounds.js";
import type { RefusalReason } from "./refusals.js";
import type { WriteOnlyHasher } from "../reconcile/parameter-key.js";
import type { Cluster } from "../cluster/port.js";

export interface CwmpLimits extends PlanLimits, MessageBounds {
  readonly maxSessions: number;
  readonly sessionIdleMs: number;
  readonly maxBodyBytes: number;
  /** Sessions one source (an authenticated device identity, else an IP address) may hold at once. */
  readonly maxSessionsPerSource?: number;
  /** Idle bound of a session with no authenticated identity (open mode). Default: sessionIdleMs. */
  readonly unauthenticatedIdleMs?: number;
  /** CPE-initiated requests (TransferComplete, GetRPCMethods, ...) per session; beyond: `too_many_cpe_requests`. */
  readonly maxCpeRequestsPerSession: number;
}

export type CpeAuthOutcome =
  | { readonly ok: true; readonly username?: string; readonly clientCert?: string }
  | { readonly ok: false; readonly status: 401 | 403; readonly wwwAuthenticate: readonly string[]; readonly reason: string };

/** One CWMP request as the CPE authenticator sees it. */
export interface CpeAuthInput {
  readonly method: string;
  readonly authorization: string | undefined;
  readonly tls: boolean;
  readonly url?: string;
  /** Subject CN of a TLS client certificate verified against `tls.ca` (verifiedClientCertName). */
  readonly clientCertName?: string;
}

export interface SessionSummary {
  readonly sessionId: string;
  readonly deviceId: DeviceId;
  readonly outcome: SessionOutcome;
  readonly rpcCount: number;
  readonly rpcs: readonly string[];
  readonly events: readonly string[];
  readonly durationMs: number;
  readonly converged: boolean | undefined;
  /** Answered on the converged fast path (nothing loaded, nothing planned). */
  readonly fast: boolean;
  /** Faults the session recorded, with the policy each came from (rollout gates count them). */
  readonly faults?: readonly { readonly code: string; readonly path: string | undefined; readonly policy: string | undefined; readonly message: string }[];
}

export interface CwmpHooks {
  onInform?(facts: InformFacts): void;
  onRpc?(method: string): void;
  onCpeFault?(code: string): void;
  onShed?(): void;
  onSessionEnd?(summary: SessionSummary): void;
  /** Every refusal at the CWMP port, by reason (see refusals.ts). */
  onRefusal?(reason: RefusalReason): void;
}

/** The few logger methods the endpoint uses (pino's). */
export interface SessionLog {
  info(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface CwmpDeps {
  /** One line per ended session, with the device id (fast-path visits at debug level). */
  readonly log?: SessionLog;
  readonly store: Store;
  /** The desired state of a device under the current policy snapshot; undefined when no policy set is loaded. */
  readonly desired: (facts: MatchSubject, secrets: ReadonlyMap<string, string>) => DesiredState | undefined;
  /** Generate and provision per-device connection request credentials (connectionRequest.provisionCredentials). */
  readonly provisionConnReq?: boolean;
  /** The revision of the policy snapshot serving now (undefined: none loaded). */
  readonly revision: () => string | undefined;
  /** Identifies that snapshot for the fast path: its revision and its secrets (rotated outside git). */
  readonly snapshot: () => string | undefined;
  readonly quirks: (facts: InformFacts) => DeviceQuirks;
  readonly clock: () => number;
  readonly limits: CwmpLimits;
  readonly holdRequests: boolean;
  /** The installation's keyed hash of write-only values (`keyedHasher(store.installationKey())`). */
  readonly hashWriteOnly: WriteOnlyHasher;
  /** The shared CPE username, if any: exempt from the per-device credential check. */
  readonly sharedCpeUsername?: string;
  readonly authenticate?: (req: CpeAuthInput) => Promise<CpeAuthOutcome>;
  /** Authenticate every request, not only the Inform (cpeAuth.perRequest, or per model: `quirks:`). Default: once per session. */
  readonly authPerRequest?: boolean | ((facts: InformFacts) => boolean);
  /** Per model: whether ACS messages carry the `<?xml ...?>` declaration (cwmp.omitXmlDeclaration). Default true. */
  readonly xmlDeclaration?: (facts: InformFacts) => boolean;
  readonly hooks?: CwmpHooks;
  /** Clear secret values (policy secrets) masked out of transcripts beside each session's own. */
  readonly secretValues?: () => readonly string[];
  /** Devices whose sessions are recorded in full (SOAP transcripts). */
  readonly debugDevices?: ReadonlySet<string>;
  /** Leases and state versions across nodes (cluster/port.ts). Default: this process alone (cluster/local.ts). */
  readonly cluster?: Cluster;
  /**
   * Set when the store's database also holds the cluster's leases (PostgreSQL, several nodes): every session step's
   * transaction is fenced by the device's lease (Store.apply's `fence`), renewed for `leaseMs`, and the last one
   * gives it back.
   */
  readonly fence?: { readonly node: string; readonly leaseMs: number };
}
