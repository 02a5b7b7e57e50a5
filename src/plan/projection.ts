/**
 * What a plan can look at of a device's reported state (issue 16: plan over a million stored devices reads a few
 * dozen values per device, not hundreds). Pure.
 *
 * The planner (reconcile/) reads reported state only at: the paths of desired values and attributes (value,
 * type, writability, notification; `names` alike), the parents of those (discovered, read whole), and everything
 * under a desired table (its instances, their keys and values; the table is known to exist exactly when some
 * path under it is). Objects and discovered paths are read whole. So a reported state restricted to
 * `interestOf(desired)` plans exactly as the whole one. Policies read reported values too (`match.parameters`,
 * `${param.X}` templates): the match subject records every path they ask for (`RecordingParameters`), so a path
 * not yet covered is a miss the caller adds before reading the device again; a policy that iterates the values
 * (none does today) asks for the whole state.
 */
import type { DesiredState, MatchSubject } from "../policy/desired.types.js";
import type { Inventory, ReportedState } from "../reconcile/types.js";
import type { DeviceRecord } from "../domain/store.js";
import { matchSubjectOf, type DeviceFacts } from "../domain/facts.js";

/** The paths reported values are read for: exact paths and prefixes (ending "."). Grows, never shrinks. */
export class PathInterest {
  readonly #exact = new Set<string>();
  readonly #prefixes: string[] = [];
  #version = 0;

  /** Bumped whenever the interest grows (readers cache the matching path ids per version). */
  get version(): number {
    return this.#version;
  }

  covers(path: string): boolean {
    if (this.#exact.has(path)) return true;
    for (const p of this.#prefixes) if (path.startsWith(p)) return true;
    return false;
  }

  addExact(path: string): void {
    if (this.covers(path)) return;
    this.#exact.add(path);
    this.#version++;
  }

  addPrefix(prefix: string): void {
    if (this.#prefixes.some((p) => prefix.startsWith(p))) return;
    this.#prefixes.push(prefix);
    this.#version++;
  }

  /** Everything the planner may read for `desired` (see the header). */
  addDesired(desired: DesiredState): void {
    for (const v of desired.values) this.addExact(v.path);
    for (const a of desired.attributes) {
      if (a.path.endsWith(".")) this.addPrefix(a.path);
      else this.addExact(a.path);
    }
    for (const t of desired.tables) this.addPrefix(t.table);
  }
}

/** Reported values by path as policies see them, answering only for covered paths and recording the others. */
export class RecordingParameters implements ReadonlyMap<string, string> {
  readonly misses: string[] = [];
  /** Set when asked for every value (iteration, size): the projection cannot answer, read the device whole. */
  whole = false;
  readonly #values: ReadonlyMap<string, string>;
  readonly #interest: PathInterest;

  constructor(values: ReadonlyMap<string, string>, interest: PathInterest) {
    this.#values = values;
    this.#interest = interest;
  }

  #ask(path: string): void {
    if (!this.#interest.covers(path)) this.misses.push(path);
  }
  get(path: string): string | undefined {
    this.#ask(path);
    return this.#values.get(path);
  }
  has(path: string): boolean {
    this.#ask(path);
    return this.#values.has(path);
  }
  get size(): number {
    this.whole = true;
    return this.#values.size;
  }
  forEach(fn: (value: string, key: string, map: ReadonlyMap<string, string>) => void): void {
    this.whole = true;
    this.#values.forEach((v, k) => fn(v, k, this));
  }
  entries(): MapIterator<[string, string]> {
    this.whole = true;
    return this.#values.entries();
  }
  keys(): MapIterator<string> {
    this.whole = true;
    return this.#values.keys();
  }
  values(): MapIterator<string> {
    this.whole = true;
    return this.#values.values();
  }
  [Symbol.iterator](): MapIterator<[string, string]> {
    return this.entries();
  }
}

/** The match subject of a device whose reported state is projected on `interest`, with its recorder. */
export function projectedSubject(
  record: DeviceFacts & { readonly tags: readonly string[] },
  reported: ReportedState,
  interest: PathInterest,
): { readonly subject: MatchSubject; readonly parameters: RecordingParameters } {
  const base = matchSubjectOf(record, reported);
  const parameters = new RecordingParameters(base.parameters, interest);
  return { subject: { ...base, parameters }, parameters };
}

/** One stored device as the fleet walk reads it: reported values projected on the interest it was given. */
export interface ProjectedDevice {
  /** The device's facts and tags (all a plan reads of its record). */
  readonly record: DeviceFacts & Pick<DeviceRecord, "tags">;
  /** Reported values of the paths the interest covers only; objects and discovered paths whole. */
  readonly reported: ReportedState;
  readonly inventory: Inventory;
  readonly secrets: ReadonlyMap<string, string>;
}

/** The fleet walk's source (the SQLite adapter: store/plan-reader.ts). */
export interface ProjectedSource {
  /** Up to `limit` devices after id `after` (id order), reported values projected on `interest`. */
  page(after: string, limit: number, interest: PathInterest): readonly ProjectedDevice[];
  /** Up to `limit` devices with store row numbers after `after` and up to `through` (row order), and the last row number read. */
  rowPage(after: number, through: number, limit: number, interest: PathInterest): { readonly devices: readonly ProjectedDevice[]; readonly last: number };
}
