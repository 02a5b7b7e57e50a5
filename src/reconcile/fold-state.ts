/**
 * Immutable updates of reported state and inventory for `fold`: each returns new maps, never touching its input.
 */
import type { NotificationLevel, ParamInfo, ParamValue } from "../cwmp/types.js";
import type { Inventory, KnownName, ReportedParam, ReportedState } from "./types.js";
import { instanceOf, parentOf } from "./paths.js";

/** How many of our most recent ParameterKeys a device remembers (cwmp-notes §7.5 lastConfirmedKey). */
export const APPLIED_KEYS_KEPT = 4;

/** Remembers `key` as one we set successfully (newest last, `APPLIED_KEYS_KEPT` kept). */
export function withAppliedKey(inv: Inventory, key: string): Inventory {
  const kept = (inv.appliedKeys ?? []).filter((k) => k !== key);
  return Object.assign({}, inv, { appliedKeys: [...kept, key].slice(-APPLIED_KEYS_KEPT) });
}

export interface FoldState {
  readonly reported: ReportedState;
  readonly inventory: Inventory;
}

/** Stores values read at `now`, keeping writability and notification already known. */
export function withValues(r: ReportedState, values: readonly ParamValue[], now: number): ReportedState {
  const params = new Map(r.params);
  const names = new Map(r.names ?? []);
  for (const v of values) {
    const before: ReportedParam | KnownName | undefined = params.get(v.name) ?? names.get(v.name);
    const notification = before?.notification;
    const base = { value: v.value, type: v.type, writable: before?.writable, observedAt: now };
    params.set(v.name, notification === undefined ? base : { ...base, notification });
    names.delete(v.name);
  }
  return { ...r, params, names };
}

/** Records the direct children a GetParameterNames(NextLevel) listed under `path`, dropping vanished ones. */
export function withNames(r: ReportedState, path: string, infos: readonly ParamInfo[], now: number): { reported: ReportedState; vanished: string[] } {
  const listed = new Set(infos.map((i) => i.name));
  const vanished = [...r.objects.keys(), ...r.params.keys(), ...(r.names?.keys() ?? [])].filter((p) => parentOf(p) === path && !listed.has(p));
  let next = vanished.reduce((acc, p) => withoutPath(acc, p), r);
  const params = new Map(next.params);
  const names = new Map(next.names ?? []);
  const objects = new Map(next.objects);
  if (path !== "" && !objects.has(path)) objects.set(path, now);
  for (const i of infos) {
    if (i.name.endsWith(".")) {
      if (!objects.has(i.name)) objects.set(i.name, now);
      continue;
    }
    const p = params.get(i.name);
    if (p !== undefined) params.set(i.name, { ...p, writable: i.writable });
    else names.set(i.name, { ...names.get(i.name), writable: i.writable });
  }
  next = { ...next, params, names, objects, discovered: new Map(next.discovered).set(path, now) };
  return { reported: next, vanished: [...new Set(vanished)] };
}

/** Forgets a parameter, or an object and everything beneath it. */
export function withoutPath(r: ReportedState, path: string): ReportedState {
  const gone = (p: string): boolean => (path.endsWith(".") ? p.startsWith(path) : p === path);
  const keep = <V>(m: ReadonlyMap<string, V>): Map<string, V> => new Map([...m].filter(([p]) => !gone(p)));
  return { ...r, params: keep(r.params), names: keep(r.names ?? new Map()), objects: keep(r.objects), discovered: keep(r.discovered) };
}

/** Sets notification levels, on the reported value or on the known name. */
export function withNotifications(r: ReportedState, attrs: readonly { readonly path: string; readonly notification: NotificationLevel }[]): ReportedState {
  const params = new Map(r.params);
  const names = new Map(r.names ?? []);
  for (const a of attrs) {
    const p = params.get(a.path);
    if (p !== undefined) params.set(a.path, { ...p, notification: a.notification });
    else names.set(a.path, { writable: names.get(a.path)?.writable, notification: a.notification });
  }
  return { ...r, params, names };
}

export function withObject(r: ReportedState, object: string, now: number): ReportedState {
  return { ...r, objects: new Map(r.objects).set(object, now) };
}

/** Adds or removes an instance number in the created inventory of its table. */
export function withCreated(inv: Inventory, object: string, present: boolean): Inventory {
  const table = parentOf(object);
  const n = instanceOf(table, object);
  if (n === undefined) return inv;
  const before = inv.created.get(table) ?? [];
  const after = present ? [...new Set([...before, n])].sort((a, b) => a - b) : before.filter((m) => m !== n);
  const created = new Map(inv.created);
  if (after.length === 0) created.delete(table);
  else created.set(table, after);
  return { ...inv, created };
}

/** Drops inventory entries of created instances at or beneath `object`. */
export function withoutCreatedUnder(inv: Inventory, object: string): Inventory {
  const created = new Map<string, readonly number[]>();
  for (const [table, ns] of inv.created) {
    const kept = ns.filter((n) => !`${table}${n}.`.startsWith(object));
    if (kept.length > 0) created.set(table, kept);
  }
  if (inv.createdKeys === undefined) return { ...inv, created };
  const createdKeys = new Map([...inv.createdKeys].filter(([o]) => !o.startsWith(object)));
  return { ...inv, created, createdKeys };
}

export function withReadback(inv: Inventory, add: readonly ParamValue[], remove: readonly string[]): Inventory {
  const readback = new Map(inv.readback ?? []);
  for (const v of add) readback.set(v.name, v.value);
  for (const p of remove) readback.delete(p);
  // Object.assign: a spread followed by a key it lacks costs V8 ~1 µs (Node 20), at every SetParameterValues answer.
  return Object.assign({}, inv, { readback });
}

/** Removes `paths` from bisect groups (they were answered), dropping emptied groups. */
export function withoutBisect(inv: Inventory, paths: readonly string[]): Inventory {
  if (inv.bisect === undefined || inv.bisect.length === 0) return inv;
  const done = new Set(paths);
  const bisect = inv.bisect.map((g) => g.filter((p) => !done.has(p))).filter((g) => g.length > 0);
  return Object.assign({}, inv, { bisect });
}

/** Replaces groups touching `paths` by the two halves of `paths`. */
export function withBisected(inv: Inventory, paths: readonly string[]): Inventory {
  const touched = new Set(paths);
  const rest = (inv.bisect ?? []).filter((g) => !g.some((p) => touched.has(p)));
  const mid = Math.ceil(paths.length / 2);
  return { ...inv, bisect: [...rest, paths.slice(0, mid), paths.slice(mid)] };
}
