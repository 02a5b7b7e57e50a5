/**
 * The Inform step (pure): from what the store knew of a device and its Inform, the writes of the step's ONE
 * transaction and the state the session starts from, without reading anything back. The TR-069 rules live here,
 * table-tested (test/unit/session-inform.test.ts), not in the store:
 * - "1 BOOT" (TR-069 A.3.2.1): a change answered status 1 applied at this boot, so a pending reboot is cleared;
 * - "0 BOOTSTRAP" (TR-069 §3.7.1.5 / A.3.3.1): a fresh install, a factory reset, or a CPE retrying a first session
 *   that did not complete. What Converge knew of its parameters is re-read either way (forgotten before the
 *   Inform's values are stored); what Converge did to it (inventory) is forgotten only on a real factory reset
 *   (`isFactoryReset`, issue 10.5). A model that keeps the ParameterKey (`quirks:` parameterKey: kept) and reports
 *   it emptied without a BOOTSTRAP was reset all the same (`isUnannouncedReset`): both are forgotten.
 * Event codes arrive normalised by the decoder (cwmp/events.ts), so they are compared exactly.
 */
import type { DeviceRecord, DeviceLoad, StoreWrite } from "../domain/store.js";
import type { DeviceFacts, InformFacts } from "../domain/facts.js";
import type { Inventory, ParameterKeyMode, ReportedParam, ReportedState } from "../reconcile/types.js";
import { BOOT, BOOTSTRAP } from "../cwmp/events.js";

/** A device never seen, or one that bootstrapped: nothing reported, nothing done. */
export const NOTHING_REPORTED: ReportedState = { params: new Map(), objects: new Map(), discovered: new Map(), parameterKey: "", softwareVersion: "" };
export const NOTHING_DONE: Inventory = { created: new Map(), writeOnlyHashes: new Map(), backoff: new Map(), download: undefined };

export interface InformOutcome {
  /** The Inform step's writes, committed in one transaction (`Store.apply`); the first creates the device if new. */
  readonly writes: readonly StoreWrite[];
  /** The device as the store holds it once the writes are committed. */
  readonly record: DeviceRecord;
  readonly reported: ReportedState;
  readonly inventory: Inventory;
  readonly isNew: boolean;
}

/**
 * A BOOTSTRAP that is a real factory reset: the CPE lost its ParameterKey (TR-069: a factory reset empties it),
 * or carries a key that is none of ours while we had set some. A CPE that kept one of our keys (or any key
 * while we never set one: an AddObject whose answer was lost sets it too) kept its configuration, and what
 * Converge created on it stays remembered; the next enumeration reconciles it.
 */
export function isFactoryReset(parameterKey: string, ours: readonly string[]): boolean {
  return parameterKey === "" || (ours.length > 0 && !ours.includes(parameterKey));
}

/**
 * A reset the Inform does not announce: the model keeps the ParameterKey (`quirks:` parameterKey: kept), Converge
 * had set some, and the CPE reports it empty without "0 BOOTSTRAP" (cwmp-notes §7.5 (3): some CPEs send no
 * BOOTSTRAP after a vendor config-file restore). Under "learn" the same Inform means the CPE does not keep the key.
 */
export function isUnannouncedReset(parameterKey: string, ours: readonly string[], mode: ParameterKeyMode): boolean {
  return mode === "kept" && parameterKey === "" && ours.length > 0;
}

/**
 * The device's facts of an Inform (without its events and values), field by field. Every key of DeviceFacts, optional
 * ones included, must be listed (the return type): a field added to DeviceFacts cannot be dropped here silently.
 */
function factsOf(f: InformFacts): { readonly [K in keyof Required<DeviceFacts>]: DeviceFacts[K] } {
  return {
    deviceId: f.deviceId,
    manufacturer: f.manufacturer,
    oui: f.oui,
    productClass: f.productClass,
    serialNumber: f.serialNumber,
    softwareVersion: f.softwareVersion,
    hardwareVersion: f.hardwareVersion,
    ip: f.ip,
    connectionRequestUrl: f.connectionRequestUrl,
    udpConnectionRequestAddress: f.udpConnectionRequestAddress,
    parameterKey: f.parameterKey,
    dataModel: f.dataModel,
  };
}

const has = (facts: InformFacts, code: string): boolean => facts.events.some((e) => e.code === code);

/** Did this Inform report a boot (BOOT or BOOTSTRAP)? Its time becomes the device's last boot. */
export function bootedBy(facts: InformFacts): boolean {
  return has(facts, BOOT) || has(facts, BOOTSTRAP);
}

/**
 * Applies an Inform to what the store knew (`known`; undefined for a device never seen). `newSecrets` are
 * secrets the adapter drew for names the device lacks (connection request credentials): those not already
 * stored are written with the step.
 */
export function applyInform(
  facts: InformFacts,
  known: DeviceLoad | undefined,
  now: number,
  newSecrets: ReadonlyMap<string, string> = new Map(),
  parameterKey: ParameterKeyMode = "learn",
): InformOutcome {
  const before = known?.record;
  const booted = bootedBy(facts);
  const ours = known?.inventory.appliedKeys ?? [];
  const bootstrap = has(facts, BOOTSTRAP);
  // "ignored": the key tells a reset from a retried first session no better than nothing, so every BOOTSTRAP is one.
  const reset = bootstrap ? parameterKey === "ignored" || isFactoryReset(facts.parameterKey, ours) : isUnannouncedReset(facts.parameterKey, ours, parameterKey);
  const forget = before !== undefined && (bootstrap || reset);
  const forgetDone = forget && reset;
  const { events, parameters } = facts;
  const deviceFacts = factsOf(facts);
  const writes: StoreWrite[] = [{ kind: "inform", facts: deviceFacts, events, at: now, booted }];
  if (booted && before !== undefined) writes.push({ kind: "rebootPending", pending: false });
  if (forget) writes.push({ kind: "forgetState", inventory: forgetDone });
  if (parameters.length > 0)
    writes.push({ kind: "reported", params: parameters.map((p) => ({ path: p.name, value: p.value, type: p.type })), observedAt: now });
  for (const [name, value] of newSecrets) if (!known?.secrets.has(name)) writes.push({ kind: "secret", name, value });

  // Built field by field: an object spread followed by keys it lacks costs V8 ~1 µs per added key (Node 20), where
  // a literal costs nothing; this runs on every full-path Inform.
  const record: DeviceRecord = {
    deviceId: facts.deviceId,
    manufacturer: facts.manufacturer,
    oui: facts.oui,
    productClass: facts.productClass,
    serialNumber: facts.serialNumber,
    softwareVersion: facts.softwareVersion,
    hardwareVersion: facts.hardwareVersion,
    ip: facts.ip,
    connectionRequestUrl: facts.connectionRequestUrl,
    udpConnectionRequestAddress: facts.udpConnectionRequestAddress,
    parameterKey: facts.parameterKey,
    dataModel: facts.dataModel ?? before?.dataModel,
    firstSeen: before?.firstSeen ?? now,
    lastInform: now,
    lastBoot: booted ? now : before?.lastBoot,
    lastEvents: events,
    tags: before?.tags ?? [],
    status: before?.status,
    // Every key, optional ones included: a field added to DeviceRecord cannot be dropped here silently.
  } satisfies { readonly [K in keyof Required<DeviceRecord>]: DeviceRecord[K] };
  const start = before === undefined || forget || known === undefined ? NOTHING_REPORTED : known.reported;
  const params = new Map<string, ReportedParam>(start.params);
  // The names map is copied only when the Inform reports a value of a name known without one (usually none).
  const startNames = start.names;
  const moved = startNames !== undefined && startNames.size > 0 && parameters.some((p) => startNames.has(p.name));
  const names = moved ? new Map(startNames) : undefined;
  for (const p of parameters) {
    // A value write keeps what is known of the parameter (writability, notification), as the store does.
    const prev = params.get(p.name) ?? names?.get(p.name);
    names?.delete(p.name);
    const kept = prev?.notification === undefined ? {} : { notification: prev.notification };
    params.set(p.name, { value: p.value, type: p.type, writable: prev?.writable, observedAt: now, ...kept });
  }
  const reported: ReportedState = {
    params,
    objects: start.objects,
    discovered: start.discovered,
    parameterKey: facts.parameterKey,
    softwareVersion: facts.softwareVersion,
    names: names ?? startNames ?? new Map(),
  };
  const done = before === undefined || forgetDone || known === undefined ? NOTHING_DONE : known.inventory;
  const inventory: Inventory = booted && done.rebootPending === true ? { ...done, rebootPending: false } : done;
  return { writes, record, reported, inventory, isNew: before === undefined };
}
