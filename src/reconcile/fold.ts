/**
 * Folding a CPE answer into reported state and inventory: the "observe" of plan -> execute head -> observe ->
 * replan. Pure: returns the new state, the store writes the session commits in one transaction, and faults.
 *
 * Read-back: a successful SetParameterValues does NOT write the values into reported state (reported holds only
 * what the CPE said). The set paths and the values sent go into the session-scoped `Inventory.readback`; the next
 * plan re-reads them (refresh reason "readback") before comparing. A read-back that differs from what the CPE
 * accepted backs off (9007) rather than being set again every round. Write-only values are hashed instead and
 * never read back. Pass the configured `limits` for backoff; the default is GenieACS's 300 s · 2^n up to a day.
 */
import type { AcsRequest, CpeMessage, CpeResponse, ParamValue } from "../cwmp/types.js";
import type { Fault } from "../domain/faults.js";
import type { StoreWrite } from "../domain/store.js";
import { backOff, foldFault, stepPaths, type Folded } from "./fold-faults.js";
import { sameValue } from "./equality.js";
import {
  withAppliedKey,
  withCreated,
  withNames,
  withNotifications,
  withObject,
  withoutBisect,
  withoutCreatedUnder,
  withoutPath,
  withReadback,
  withValues,
  type FoldState,
} from "./fold-state.js";
import { nextBackoff, type BackoffLimits } from "./limits.js";
import { addedKey, resolveIntents, withCreatedKey, withoutAddIntent } from "./add-intents.js";
import { withKeyFailures } from "./fold-keys.js";
import { selectorOf } from "./paths.js";
import type { WriteOnlyHasher } from "./parameter-key.js";
import type { PlanStep } from "./types.js";

// After a read, only a "name does not exist" backoff is disproved; a refused write stays backed off.
const READ_CLEARS: ReadonlySet<number | string> = new Set<number | string>([9005, 9002, 9004, 9001, 9000]);

/**
 * Folds `response` (the CPE's answer to `request`, sent for `step`) into `state` at time `now`.
 * Never throws on CPE behaviour: a mismatched answer is a `bad_message` fault; a CWMP Fault is folded by
 * `fold-faults.ts`. Inputs are not mutated.
 */
export function fold(
  state: FoldState,
  step: PlanStep,
  request: AcsRequest,
  response: CpeMessage,
  now: number,
  limits: BackoffLimits,
  hashWriteOnly: WriteOnlyHasher,
): { reported: FoldState["reported"]; inventory: FoldState["inventory"]; writes: StoreWrite[]; faults: Fault[] } {
  const raw =
    response.method === "Fault"
      ? foldFault(state, step, response.fault, now, limits, () => deleted(state, step, request))
      : foldAnswer(state, step, request, response, now, limits, hashWriteOnly);
  const settled =
    response.method !== "Fault" ? raw : step.kind === "addObject" ? addFaulted(raw, step, now, limits) : step.kind === "download" ? downloadFaulted(raw) : raw;
  const out = withKeyFailures(state, settled, step, now, limits);
  return { reported: out.reported, inventory: out.inventory, writes: [...out.writes], faults: [...out.faults] };
}

function foldAnswer(
  st: FoldState,
  step: PlanStep,
  req: AcsRequest,
  res: CpeMessage,
  now: number,
  limits: BackoffLimits,
  hashWriteOnly: WriteOnlyHasher,
): Folded {
  switch (res.method) {
    case "GetParameterValuesResponse":
      return req.method === "GetParameterValues" ? valuesRead(st, req.names, res, now, limits) : mismatch(st, req, res);
    case "GetParameterNamesResponse":
      return req.method === "GetParameterNames" ? namesRead(st, req.path, res, now, limits) : mismatch(st, req, res);
    case "GetParameterAttributesResponse":
      return attributesRead(st, res);
    case "SetParameterValuesResponse":
      return step.kind === "setValues" && req.method === "SetParameterValues"
        ? valuesSet(st, step, req.values, req.parameterKey, res.status, hashWriteOnly)
        : mismatch(st, req, res);
    case "SetParameterAttributesResponse":
      return step.kind === "setAttributes"
        ? succeeded(st, stepPaths(step), true, withNotifications(st.reported, step.attributes), [attributesWrite(step)])
        : mismatch(st, req, res);
    case "AddObjectResponse":
      return step.kind === "addObject" && req.method === "AddObject" ? added(st, step, req.parameterKey, res, now, limits) : mismatch(st, req, res);
    case "DeleteObjectResponse":
      return req.method === "DeleteObject" ? withStatus(deleted(st, step, req), res.status) : mismatch(st, req, res);
    case "DownloadResponse":
      return step.kind === "download" ? downloadStarted(st, step, now) : mismatch(st, req, res);
    case "RebootResponse":
      return { reported: st.reported, inventory: { ...st.inventory, rebootPending: false }, writes: [{ kind: "rebootPending", pending: false }], faults: [] };
    default:
      return mismatch(st, req, res);
  }
}

function mismatch(st: FoldState, req: AcsRequest, res: CpeMessage): Folded {
  return { ...st, writes: [], faults: [{ code: "bad_message", message: `${req.method} answered by ${res.method}`, retryable: true }] };
}

/** Clears backoff (and its fault records) of paths that just worked, and their bisect groups. */
function succeeded(
  st: FoldState,
  paths: readonly string[],
  write: boolean,
  reported: FoldState["reported"],
  writes: readonly StoreWrite[],
  inventory = st.inventory,
): Folded {
  const backoff = new Map(inventory.backoff);
  const cleared = paths.filter((p) => {
    const b = backoff.get(p);
    return b !== undefined && (write || READ_CLEARS.has(b.code)) && backoff.delete(p);
  });
  const clears: StoreWrite[] = cleared.map((path) => ({ kind: "clearBackoff", path }));
  if (cleared.length > 0) clears.push({ kind: "clearFaults", paths: cleared });
  return { reported, inventory: withoutBisect({ ...inventory, backoff }, paths), writes: [...writes, ...clears], faults: [] };
}

function valuesRead(
  st: FoldState,
  names: readonly string[],
  res: Extract<CpeResponse, { method: "GetParameterValuesResponse" }>,
  now: number,
  limits: BackoffLimits,
): Folded {
  const reported = withValues(st.reported, res.parameterList, now);
  const got = res.parameterList.map((p) => p.name);
  const inventory = withReadback(st.inventory, [], got);
  const write: StoreWrite = { kind: "reported", params: res.parameterList.map((p) => ({ path: p.name, value: p.value, type: p.type })), observedAt: now };
  const ok = succeeded({ reported, inventory }, names, false, reported, [write], inventory);
  const step: PlanStep = { kind: "refresh", paths: names, reason: "readback" };
  // A full name the CPE silently left out would otherwise be re-read forever: treat it as unknown (9005).
  const returned = new Set(got);
  const missing = names
    .filter((n) => !n.endsWith(".") && !returned.has(n))
    .map((path) => ({ path, code: 9005, message: "not returned by GetParameterValues" }));
  // A value the CPE accepted (SPV status 0/1) but does not hold: setting it again would loop, so back off.
  const sent = st.inventory.readback ?? new Map<string, string>();
  const dropped = res.parameterList.flatMap((p) => {
    const value = sent.get(p.name);
    if (value === undefined || sameValue(p.type, value, p.value)) return [];
    return [{ path: p.name, code: 9007, message: `accepted ${JSON.stringify(value)} but reads back ${JSON.stringify(p.value)}` }];
  });
  if (missing.length + dropped.length === 0) return ok;
  const out = backOff(ok, step, [...missing, ...dropped], now, limits);
  return { ...out, writes: [...ok.writes, ...out.writes] };
}

function namesRead(
  st: FoldState,
  path: string,
  res: Extract<CpeResponse, { method: "GetParameterNamesResponse" }>,
  now: number,
  limits: BackoffLimits,
): Folded {
  const infos = res.parameterList.filter((i) => i.name !== path);
  const { reported, vanished } = withNames(st.reported, path, infos, now);
  const inventory = vanished.filter((p) => p.endsWith(".")).reduce(withoutCreatedUnder, st.inventory);
  const writes: StoreWrite[] = [{ kind: "names", params: infos.map((i) => ({ path: i.name, writable: i.writable })), discovered: path, observedAt: now }];
  for (const o of vanished.filter((p) => p.endsWith("."))) writes.push({ kind: "objectDeleted", path: o });
  const gone = vanished.filter((p) => !p.endsWith("."));
  if (gone.length > 0) writes.push({ kind: "forgetPaths", paths: gone });
  // AddObjects whose answers were never recorded: adopt what appeared in this table since (add-intents.ts).
  const resolved = resolveIntents(inventory, path, infos, now, limits);
  return succeeded(st, [path], false, reported, [...writes, ...resolved.writes], resolved.inventory);
}

function attributesRead(st: FoldState, res: Extract<CpeResponse, { method: "GetParameterAttributesResponse" }>): Folded {
  const attrs = res.parameterList.map((a) => ({ path: a.name, notification: a.notification }));
  return succeeded(
    st,
    attrs.map((a) => a.path),
    false,
    withNotifications(st.reported, attrs),
    [{ kind: "attributes", params: attrs }],
  );
}

function attributesWrite(step: Extract<PlanStep, { kind: "setAttributes" }>): StoreWrite {
  return { kind: "attributes", params: step.attributes.map((a) => ({ path: a.path, notification: a.notification })) };
}

// TR-069 A.3.2.1: status 0 = applied, 1 = applied after a reboot. The CPE now carries our ParameterKey.
function valuesSet(
  st: FoldState,
  step: Extract<PlanStep, { kind: "setValues" }>,
  sent: readonly ParamValue[],
  parameterKey: string,
  status: 0 | 1,
  hashWriteOnly: WriteOnlyHasher,
): Folded {
  const writeOnly = new Set(step.writeOnly ?? []);
  const remembered = new Set([...writeOnly, ...(step.report ?? [])]);
  const hashes = new Map(st.inventory.writeOnlyHashes);
  const writes: StoreWrite[] = [{ kind: "parameterKey", value: parameterKey }];
  for (const v of step.values.filter((x) => remembered.has(x.name))) {
    const hash = hashWriteOnly(v.value);
    hashes.set(v.name, hash);
    writes.push({ kind: "writeOnlyHash", path: v.name, hash });
  }
  const readback = sent.filter((v) => !writeOnly.has(v.name));
  const inventory = { ...withAppliedKey(withReadback(st.inventory, readback, []), parameterKey), writeOnlyHashes: hashes };
  const reported = { ...st.reported, parameterKey };
  return withStatus(succeeded(st, stepPaths(step), true, reported, writes, inventory), status);
}

function added(
  st: FoldState,
  step: Extract<PlanStep, { kind: "addObject" }>,
  parameterKey: string,
  res: Extract<CpeResponse, { method: "AddObjectResponse" }>,
  now: number,
  limits: BackoffLimits,
): Folded {
  const object = `${step.table}${res.instanceNumber}.`;
  const selector = selectorOf(step.table, step.key);
  const reported = { ...withObject(st.reported, object, now), parameterKey };
  // The instance is ours and bound to its declared instance from now on, before its keys ever read back.
  const added = withAppliedKey(withCreatedKey(withoutAddIntent(withCreated(st.inventory, object, true), selector), object, step.key), parameterKey);
  const intended = (st.inventory.addIntents ?? []).some((i) => i.selector === selector);
  // At most one AddObject per declared instance per backoff period (issue 9.3), whatever happens to it next.
  const again = addedKey(selector);
  const b = nextBackoff(limits, st.inventory.backoff.get(again)?.attempts ?? 0, now);
  const writes: StoreWrite[] = [
    { kind: "objectAdded", path: object, createdByUs: true, observedAt: now, key: step.key },
    ...(intended ? [{ kind: "clearAddIntent" as const, selector }] : []),
    { kind: "parameterKey", value: parameterKey },
    { kind: "backoff", path: again, until: b.until, code: "added", attempts: b.attempts },
  ];
  const inventory = { ...added, backoff: new Map(added.backoff).set(again, { until: b.until, code: "added", attempts: b.attempts }) };
  return withStatus(succeeded(st, stepPaths(step), true, reported, writes, inventory), res.status);
}

/** A Download the CPE refused is not outstanding (its write-ahead record goes; the fault backed it off). */
function downloadFaulted(f: Folded): Folded {
  if (f.inventory.download === undefined) return f;
  return { ...f, inventory: { ...f.inventory, download: undefined }, writes: [...f.writes, { kind: "download", download: undefined }] };
}

/**
 * An AddObject the CPE refused created nothing: its write-ahead intent is settled. It still counts as the one
 * AddObject of its declared instance for a backoff period (an 8005 "retry request" on every visit included).
 */
function addFaulted(f: Folded, step: Extract<PlanStep, { kind: "addObject" }>, now: number, limits: BackoffLimits): Folded {
  const selector = selectorOf(step.table, step.key);
  const again = addedKey(selector);
  const b = nextBackoff(limits, f.inventory.backoff.get(again)?.attempts ?? 0, now);
  const backoff = new Map(f.inventory.backoff).set(again, { until: b.until, code: "added", attempts: b.attempts });
  const writes: StoreWrite[] = [...f.writes, { kind: "backoff", path: again, until: b.until, code: "added", attempts: b.attempts }];
  const intended = (f.inventory.addIntents ?? []).some((i) => i.selector === selector);
  if (intended) writes.push({ kind: "clearAddIntent", selector });
  return { ...f, inventory: { ...withoutAddIntent(f.inventory, selector), backoff }, writes };
}

function deleted(st: FoldState, step: PlanStep, req: AcsRequest): Folded {
  if (req.method !== "DeleteObject") return mismatch(st, req, { method: "DeleteObjectResponse", status: 0 });
  const reported = { ...withoutPath(st.reported, req.objectName), parameterKey: req.parameterKey };
  const inventory = withAppliedKey(withoutCreatedUnder(st.inventory, req.objectName), req.parameterKey);
  const writes: StoreWrite[] = [
    { kind: "objectDeleted", path: req.objectName },
    { kind: "parameterKey", value: req.parameterKey },
  ];
  return succeeded(st, stepPaths(step), true, reported, writes, inventory);
}

// TR-069 A.3.2.1: status 1 = committed, applied after a reboot. Remembered across sessions (cleared by "1 BOOT").
function withStatus(f: Folded, status: 0 | 1): Folded {
  if (status !== 1) return f;
  const writes: StoreWrite[] = f.inventory.rebootPending === true ? [...f.writes] : [...f.writes, { kind: "rebootPending", pending: true }];
  return { ...f, inventory: { ...f.inventory, rebootPending: true }, writes };
}

function downloadStarted(st: FoldState, step: Extract<PlanStep, { kind: "download" }>, now: number): Folded {
  // Either status: success is confirmed only by the new SoftwareVersion after the BOOT (TR-069 A.3.2.8).
  const download = { commandKey: step.commandKey, version: step.version, startedAt: now };
  return { reported: st.reported, inventory: { ...st.inventory, download }, writes: [{ kind: "download", download }], faults: [] };
}
