/**
 * The merged desired state of one device, as the policy compiler hands it to the reconciler.
 * Everything here is resolved: templates expanded, precedence applied. Provenance says where each value came from.
 */
import type { XsdType } from "../domain/xsd.js";
import type { NotificationLevel } from "../cwmp/types.js";

export interface Provenance {
  readonly policy: string;
  readonly file: string;
  readonly line: number;
}

export interface DesiredValue {
  readonly path: string; // a full parameter path, no trailing "."
  readonly value: string; // lexical form; booleans "true"/"false"
  /** Explicit type from policy, else inferred from YAML; the reported xsd type wins on the wire. */
  readonly type: XsdType | undefined;
  /** Passwords and keys read back empty: compare with what we last set (hash), never with the reported value. */
  readonly writeOnly: boolean;
  /**
   * Converge's own management (connection-request credentials), not a policy's: a CPE that refuses or ignores it
   * is not Faulted for it, and nothing is retried in a loop (backoff applies as for any value).
   */
  readonly builtin?: boolean;
  /**
   * Read and kept fresh, never written (built in only): the connection request username of a model that keeps its
   * own (`quirks:` connReqUsername: reported); `value` is the one it last reported ("" before the first read).
   */
  readonly observe?: boolean;
  readonly drift: "heal" | "report";
  /** How old a reported value may be (ms) before it is re-read. */
  readonly verifyEveryMs: number;
  readonly from: Provenance;
}

/** A keyed instance of a multi-instance table: identified by key values, never by instance number. */
export interface DesiredInstance {
  readonly key: Readonly<Record<string, string>>; // relative param name -> value
  readonly values: readonly DesiredValue[]; // paths relative to the instance ("ExternalPort"), `path` = relative name
  readonly from: Provenance;
}

export interface DesiredTable {
  readonly table: string; // object path ending in "." e.g. "InternetGatewayDevice.LANDevice.1.Hosts.Host."
  readonly keyNames: readonly string[];
  readonly prune: boolean;
  readonly instances: readonly DesiredInstance[];
  readonly drift: "heal" | "report";
  readonly verifyEveryMs: number;
  readonly from: Provenance;
}

export interface DesiredAttribute {
  readonly path: string;
  readonly notification: NotificationLevel;
  readonly from: Provenance;
}

export interface DesiredFirmware {
  readonly version: string;
  readonly url: string;
  readonly fileSize: number;
  readonly fileType: string; // "1 Firmware Upgrade Image"
  readonly username: string;
  readonly password: string;
  readonly checksum: string | undefined;
  /** Whether a reboot the CPE asks for (SPV status 1) may be issued by us. */
  readonly from: Provenance;
}

export interface DesiredNote {
  readonly kind: "conflict" | "unresolved-template" | "shadowed";
  readonly path: string;
  readonly message: string;
  readonly from: readonly Provenance[];
}

export interface DesiredState {
  /** The policy revision this state was compiled from (git sha or content hash). */
  readonly revision: string;
  /** Names of the policies that matched, in precedence order (highest first). */
  readonly matched: readonly string[];
  readonly values: readonly DesiredValue[];
  readonly tables: readonly DesiredTable[];
  readonly attributes: readonly DesiredAttribute[];
  readonly firmware: DesiredFirmware | undefined;
  /** Paths (exact or with `*` per segment) never compared. */
  readonly ignore: readonly string[];
  /** May the reconciler issue a Reboot when a set needs one (SPV status 1)? */
  readonly allowReboot: boolean;
  /**
   * May Converge provision its own connection-request credentials on this device (`connectionRequest.provision`
   * of the highest-precedence matching policy that says anything; default true)? Optional for older producers.
   */
  readonly provisionConnectionRequest?: boolean;
  /** The policy whose `allowReboot` is in force (a reboot step's cause); absent when none says. */
  readonly allowRebootFrom?: Provenance;
  readonly notes: readonly DesiredNote[];
  /** Policies whose disruptive steps (Download, Reboot, prune deletes) are held outside their rollout's window. */
  readonly held?: readonly string[];
  /** Policy name -> the revision a rollout pins this device to (absent: the snapshot's revision). */
  readonly versions?: Readonly<Record<string, string>>;
}

/** What policies match on and templates read: ONE DeviceFacts (src/domain/facts.ts) plus tags and reported values. */
export type { MatchSubject } from "../domain/facts.js";
