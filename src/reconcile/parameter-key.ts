/** Short ids derived from content: the ParameterKey of a revision, write-only hashes, command keys. */
import { createHash, createHmac } from "node:crypto";
import type { DesiredState, DesiredValue } from "../policy/desired.types.js";

const sha256 = (s: string): string => createHash("sha256").update(s, "utf8").digest("hex");

/**
 * The ParameterKey for a policy revision: deterministic, 20 characters ("cv1-" + 16 hex of SHA-256).
 * TR-069 A.3.2.1: ParameterKey is string(32); a full SHA-256 hex would be refused with 9003.
 */
export function parameterKeyFor(revision: string): string {
  return `cv1-${sha256(revision).slice(0, 16)}`;
}

/**
 * The ParameterKey for one device's desired state (cwmp-notes §7.5: "a deterministic policy revision id for
 * the device's desired state"): a hash of what the device should hold, not of the whole policy revision, so an
 * edit that does not touch this device leaves its key, and its zero-RPC fast path, intact. Provenance (file,
 * line) is left out: moving a line changes nothing on the device.
 */
export function parameterKeyForDesired(d: DesiredState, hashWriteOnly: WriteOnlyHasher): string {
  // A session plans 4-5 times against one desired state (resolved once at Inform, never mutated): the key is
  // computed once per (desired state, hasher). Weak keys: the memo lives exactly as long as the desired state.
  let byHasher = keyMemo.get(d);
  if (byHasher === undefined) keyMemo.set(d, (byHasher = new WeakMap()));
  let key = byHasher.get(hashWriteOnly);
  if (key === undefined) byHasher.set(hashWriteOnly, (key = computeKey(d, hashWriteOnly)));
  return key;
}

const keyMemo = new WeakMap<DesiredState, WeakMap<WriteOnlyHasher, string>>();

/** `hashWriteOnly(dv.value)`, once per (desired value, hasher): every plan of a session compares it again. */
export function writeOnlyHashOf(dv: DesiredValue, hashWriteOnly: WriteOnlyHasher): string {
  let byHasher = valueMemo.get(dv);
  if (byHasher === undefined) valueMemo.set(dv, (byHasher = new WeakMap()));
  let hash = byHasher.get(hashWriteOnly);
  if (hash === undefined) byHasher.set(hashWriteOnly, (hash = hashWriteOnly(dv.value)));
  return hash;
}

const valueMemo = new WeakMap<DesiredValue, WeakMap<WriteOnlyHasher, string>>();

function computeKey(d: DesiredState, hashWriteOnly: WriteOnlyHasher): string {
  const canonical = JSON.stringify([
    // An observed value (read, never written: `DesiredValue.observe`) is not something the device is made to hold.
    d.values.filter((v) => v.observe !== true).map((v) => [v.path, v.writeOnly ? writeOnlyHashOf(v, hashWriteOnly) : v.value, v.type ?? "", v.drift]),
    d.tables.map((t) => [t.table, t.keyNames, t.prune, t.instances.map((i) => [i.key, i.values.map((v) => [v.path, v.value, v.type ?? ""])])]),
    d.attributes.map((a) => [a.path, a.notification]),
    d.firmware ? [d.firmware.version, d.firmware.url] : null,
  ]);
  return parameterKeyFor(canonical);
}

/**
 * What the inventory remembers of a write-only value we set: a keyed hash, never the value nor a plain digest
 * of it (a plain SHA-256 of a Wi-Fi passphrase can be checked against guesses with `sha256sum`).
 * `keyedHasher(key)` is HMAC-SHA256 under the per-installation key (`Store.installationKey()`), of the value's
 * SHA-256: "h1:" + 64 hex. Hashing the SHA-256 rather than the value lets migration 3 re-key the plain SHA-256
 * hashes older versions stored without knowing the values, and lets a client that has the clear value send only
 * its SHA-256 to compare (`POST /api/devices/:id/write-only/compare`).
 */
export type WriteOnlyHasher = (value: string) => string;

export const WRITE_ONLY_HASH_PREFIX = "h1:";

/** HMAC-SHA256 under `key` of a value's SHA-256 hex digest: the keyed form of a legacy (plain SHA-256) hash. */
export function keyedDigest(key: string, sha256Hex: string): string {
  return `${WRITE_ONLY_HASH_PREFIX}${createHmac("sha256", key).update(sha256Hex.toLowerCase(), "utf8").digest("hex")}`;
}

/** The write-only hasher of an installation whose key is `key` (hex, from the store). */
export function keyedHasher(key: string): WriteOnlyHasher {
  if (key.length < 32) throw new Error("write-only hash key: at least 32 hex characters");
  return (value) => keyedDigest(key, sha256(value));
}

/** The SHA-256 hex of a value: what a client sends to compare a write-only value without sending it. */
export const valueDigest = (value: string): string => sha256(value);

/**
 * CommandKey of a firmware Download (≤ 32 chars): ties TransferComplete back to the version and the attempt.
 * TR-069 A.3.2.8: CommandKey is string(32) and is echoed in TransferComplete.
 */
export function downloadCommandKey(version: string, now: number): string {
  return `fw-${sha256(version).slice(0, 12)}-${Math.max(0, Math.trunc(now)).toString(36)}`;
}

/** CommandKey of a Reboot we issue (echoed with the "M Reboot" event). */
export function rebootCommandKey(parameterKey: string): string {
  return `rb-${parameterKey}`.slice(0, 32);
}
