/**
 * The report of `converge plan` from parts folded apart (issue 16: worker threads plan slices of the store in
 * row order, not in id order, and fold their devices themselves, so no per-device message crosses threads). A
 * part counts what `createAccumulator` (fleet-plan.ts) counts and keeps, of the devices `fleetReport` would list,
 * the `limit` with the smallest ids. Merged, the parts give the summary and the details the accumulator and
 * `fleetReport` give over the same devices in id order, byte for byte: the counts are sums, the details are the
 * `limit` smallest ids in id order, and the keys of `byPolicy` and `byModel` are inserted in the order the
 * accumulator inserts them, that of the first device (in id order) adding each, and for policies a device adds
 * together, its sorted list of them. Ids compare as SQLite's BINARY collation orders them (UTF-8 bytes, so code
 * points). Pure; parts are plain data (they cross threads by structured clone).
 */
import { countInto, emptyBucket, emptySteps, type Bucket, type DeviceChange, type FleetSummary, type WriteKind } from "./fleet-plan.js";
import type { DevicePlan } from "./device-plan.js";

/** A key of `byPolicy` or `byModel` with its bucket and the first device (id, then position in its list) that added it. */
interface Keyed {
  readonly key: string;
  readonly first: string;
  readonly pos: number;
  readonly bucket: Bucket;
}

export interface ReportPart {
  readonly devices: number;
  readonly changing: number;
  readonly disruptiveDevices: number;
  readonly unmatched: number;
  readonly drifted: number;
  readonly steps: Readonly<Record<WriteKind, number>>;
  readonly byPolicy: readonly Keyed[];
  readonly byModel: readonly Keyed[];
  /** The listed devices with the smallest ids (at most the part's limit), in id order. */
  readonly details: readonly DeviceChange[];
}

/** Code-point order of two strings (SQLite's BINARY order of their UTF-8): UTF-16 order but for a surrogate against U+E000 and up. */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const sx = x >= 0xd800 && x <= 0xdfff;
    const sy = y >= 0xd800 && y <= 0xdfff;
    if (sx && !sy && y >= 0xe000) return 1;
    if (sy && !sx && x >= 0xe000) return -1;
    return x - y;
  }
  return a.length - b.length;
}

const byId = (a: DeviceChange, b: DeviceChange): number => compareIds(a.deviceId, b.deviceId);
const earlier = (a: Keyed | { first: string; pos: number }, b: { first: string; pos: number }): boolean => {
  const c = compareIds(a.first, b.first);
  return c < 0 || (c === 0 && a.pos < b.pos);
};

/**
 * Folds devices (in any order) into a part. `limit`: details kept; `cutoff`: an id no kept detail may exceed
 * (the caller already holds `limit` smaller ones).
 */
export function partBuilder(limit: number, cutoff?: string): { add(p: DevicePlan, c: DeviceChange): void; part(): ReportPart } {
  let devices = 0;
  let changing = 0;
  let disruptiveDevices = 0;
  let unmatched = 0;
  let drifted = 0;
  const steps = emptySteps();
  const byPolicy = new Map<string, { first: string; pos: number; bucket: Bucket }>();
  const byModel = new Map<string, { first: string; pos: number; bucket: Bucket }>();
  let details: DeviceChange[] = [];
  let bound = cutoff;
  const trim = (): void => {
    details.sort(byId);
    details.length = Math.min(details.length, limit);
    if (details.length === limit) bound = details.at(-1)?.deviceId;
  };
  const keyed = (m: typeof byPolicy, key: string, id: string, pos: number): Bucket => {
    const k = m.get(key);
    if (k === undefined) {
      const bucket = emptyBucket();
      m.set(key, { first: id, pos, bucket });
      return bucket;
    }
    if (earlier({ first: id, pos }, k)) {
      k.first = id;
      k.pos = pos;
    }
    return k.bucket;
  };
  return {
    add(p, c) {
      devices++;
      if (p.matched.length === 0) unmatched++;
      if (c.drift.length > 0) drifted++;
      if ((c.writes.length > 0 || c.drift.length > 0) && limit > 0 && (bound === undefined || compareIds(c.deviceId, bound) < 0)) {
        details.push(c);
        if (details.length >= 2 * limit) trim();
      }
      if (c.writes.length === 0) return;
      changing++;
      if (c.disruptive) disruptiveDevices++;
      for (const s of c.writes) steps[s.kind as WriteKind]++;
      countInto(keyed(byModel, c.productClass, c.deviceId, 0), c.writes);
      c.policies.forEach((pol, j) =>
        countInto(
          keyed(byPolicy, pol, c.deviceId, j),
          c.writes.filter((s) => s.policies.includes(pol)),
        ),
      );
    },
    part() {
      trim();
      const list = (m: typeof byPolicy): Keyed[] => [...m].map(([key, k]) => ({ key, ...k }));
      const part: ReportPart = { devices, changing, disruptiveDevices, unmatched, drifted, steps, byPolicy: list(byPolicy), byModel: list(byModel), details };
      details = [];
      return part;
    },
  };
}

/** The summary and the details (at most `limit`) of the parts together, as the accumulator gives them in id order. */
export function mergeParts(parts: readonly ReportPart[], limit: number): { readonly summary: FleetSummary; readonly details: DeviceChange[] } {
  const steps = emptySteps();
  const sum = (f: (p: ReportPart) => number): number => parts.reduce((n, p) => n + f(p), 0);
  for (const p of parts) for (const k of Object.keys(steps) as WriteKind[]) steps[k] += p.steps[k];
  const merged = (of: (p: ReportPart) => readonly Keyed[]): Record<string, Bucket> => {
    const all = new Map<string, { first: string; pos: number; bucket: Bucket }>();
    for (const p of parts)
      for (const k of of(p)) {
        const m = all.get(k.key);
        if (m === undefined) {
          all.set(k.key, { first: k.first, pos: k.pos, bucket: { devices: k.bucket.devices, steps: { ...k.bucket.steps }, disruptive: k.bucket.disruptive } });
          continue;
        }
        if (earlier(k, m)) {
          m.first = k.first;
          m.pos = k.pos;
        }
        m.bucket.devices += k.bucket.devices;
        m.bucket.disruptive += k.bucket.disruptive;
        for (const s of Object.keys(m.bucket.steps) as WriteKind[]) m.bucket.steps[s] += k.bucket.steps[s];
      }
    const ordered = [...all].sort(([, a], [, b]) => (earlier(a, b) ? -1 : earlier(b, a) ? 1 : 0));
    const out: Record<string, Bucket> = {};
    for (const [key, m] of ordered) out[key] = m.bucket;
    return out;
  };
  const summary: FleetSummary = {
    devices: sum((p) => p.devices),
    changing: sum((p) => p.changing),
    disruptiveDevices: sum((p) => p.disruptiveDevices),
    unmatched: sum((p) => p.unmatched),
    drifted: sum((p) => p.drifted),
    byPolicy: merged((p) => p.byPolicy),
    byModel: merged((p) => p.byModel),
    steps,
  };
  const details = parts.flatMap((p) => p.details).sort(byId);
  details.length = Math.min(details.length, limit);
  return { summary, details };
}
