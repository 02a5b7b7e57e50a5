import { keyedHasher } from "../../src/reconcile/parameter-key.js";
/** Small builders for planner inputs in tests: one line per fact, defaults for everything else. */
import type { XsdType } from "../../src/domain/xsd.js";
import type { NotificationLevel } from "../../src/cwmp/types.js";
import type { DesiredInstance, DesiredState, DesiredTable, DesiredValue, Provenance } from "../../src/policy/desired.types.js";
import type { DeviceQuirks, Inventory, KnownName, PlanInput, PlanLimits, ReportedParam, ReportedState } from "../../src/reconcile/types.js";

export const NOW = 1_700_000_000_000;
export const DAY = 86_400_000;
export const PROV: Provenance = { policy: "base", file: "policies/base.yaml", line: 3 };

export const LIMITS: PlanLimits = {
  maxRpcsPerSession: 64,
  maxReplanRounds: 32,
  downloadTimeoutMs: 3_600_000,
  firmwareApplyInforms: 2,
  firmwareApplyTimeoutMs: 3_600_000,
  backoffBaseMs: 60_000,
  backoffMaxMs: 3_600_000,
};
export const QUIRKS: DeviceQuirks = { booleanAsDigit: false, datetimeMilliseconds: true, gpvBatchSize: 64, spvBatchSize: 32 };

export function dv(path: string, value: string, more: Partial<DesiredValue> = {}): DesiredValue {
  return { path, value, type: undefined, writeOnly: false, drift: "heal", verifyEveryMs: DAY, from: PROV, ...more };
}

export function instance(key: Record<string, string>, values: Record<string, string> = {}): DesiredInstance {
  return { key, values: Object.entries(values).map(([k, v]) => dv(k, v)), from: PROV };
}

export function table(path: string, keyNames: readonly string[], instances: readonly DesiredInstance[], more: Partial<DesiredTable> = {}): DesiredTable {
  return { table: path, keyNames, prune: false, instances, drift: "heal", verifyEveryMs: DAY, from: PROV, ...more };
}

export function desired(more: Partial<DesiredState> = {}): DesiredState {
  return { revision: "r1", matched: ["base"], values: [], tables: [], attributes: [], firmware: undefined, ignore: [], allowReboot: false, notes: [], ...more };
}

/** [value, type, observedAt?, writable?, notification?] */
export type P = readonly [string, XsdType, number?, boolean?, NotificationLevel?];

export interface ReportedSpec {
  readonly params?: Readonly<Record<string, P>>;
  readonly names?: Readonly<Record<string, boolean>>;
  readonly objects?: readonly string[];
  readonly discovered?: Readonly<Record<string, number>>;
  readonly parameterKey?: string;
  readonly softwareVersion?: string;
}

export function reported(spec: ReportedSpec = {}): ReportedState {
  const params = new Map<string, ReportedParam>();
  for (const [path, [value, type, at, writable, notification]] of Object.entries(spec.params ?? {})) {
    const base = { value, type, writable, observedAt: at ?? NOW - 1000 };
    params.set(path, notification === undefined ? base : { ...base, notification });
  }
  const names = new Map<string, KnownName>(Object.entries(spec.names ?? {}).map(([p, w]) => [p, { writable: w }]));
  return {
    params,
    names,
    objects: new Map((spec.objects ?? []).map((o) => [o, NOW - 1000])),
    discovered: new Map(Object.entries(spec.discovered ?? {})),
    parameterKey: spec.parameterKey ?? "",
    softwareVersion: spec.softwareVersion ?? "1.0",
  };
}

export function inventory(more: Partial<Inventory> = {}): Inventory {
  return { created: new Map(), writeOnlyHashes: new Map(), backoff: new Map(), download: undefined, ...more };
}

/** A fixed installation key for tests: write-only values hash as a server with this key would. */
export const HASH = keyedHasher("0123456789abcdef".repeat(4));

export function input(d: DesiredState, r: ReportedState, inv: Inventory = inventory(), more: Partial<PlanInput> = {}): PlanInput {
  return { desired: d, reported: r, inventory: inv, now: NOW, limits: LIMITS, quirks: QUIRKS, hashWriteOnly: HASH, ...more };
}
