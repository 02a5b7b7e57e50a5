/**
 * Random convergence scenarios over real data models and the simulated CPE (src/sim/device.ts): desired values of
 * the right xsd types, a partial and partly stale knowledge of the device, local edits, device quirks. Shared by
 * the convergence properties (test/unit/reconcile-properties.test.ts) and the step properties
 * (test/unit/session-step-properties.test.ts).
 */
import fc from "fast-check";
import { loadDataModel } from "../../src/datamodel/load.js";
import type { DataModel, DataModelNode } from "../../src/datamodel/types.js";
import type { XsdType } from "../../src/domain/xsd.js";
import type { ParamValue } from "../../src/cwmp/types.js";
import { sameAsWritten } from "../../src/reconcile/equality.js";
import type { DesiredValue } from "../../src/policy/desired.types.js";
import type { DeviceQuirks, PlanInput, ReportedParam, ReportedState } from "../../src/reconcile/types.js";
import { SimDevice } from "../../src/sim/device.js";
import { DAY, LIMITS, NOW, desired, dv, inventory, HASH } from "./reconcile-builders.js";

export const MODELS = ["sim-tiny-tr098.csv", "tplink-ex220-tr181.csv", "zte-h199a-tr098.csv"].map((f) =>
  loadDataModel(new URL(`../fixtures/datamodels/${f}`, import.meta.url)),
);
const HIDDEN = /(Password|Passphrase|PreSharedKey|WEPKey)$/;
// Values the device owns itself (the sim overrides what is stored): never policy targets.
const DEVICE_OWNED = /\.(ManagementServer\.ParameterKey|ManagementServer\.ConnectionRequestURL|DeviceInfo\.SoftwareVersion|DeviceInfo\.SerialNumber)$/;

function candidates(model: DataModel): DataModelNode[] {
  return model.nodes.filter((n) => !n.object && n.writable && !DEVICE_OWNED.test(n.path) && !n.path.endsWith("NumberOfEntries"));
}
const CANDIDATES = new Map(MODELS.map((m) => [m, candidates(m)]));

function valueOf(type: XsdType): fc.Arbitrary<string> {
  switch (type) {
    case "xsd:boolean":
      return fc.constantFrom("true", "false", "1", "0", "True", "FALSE");
    case "xsd:int":
      return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map(String);
    case "xsd:unsignedInt":
      return fc.tuple(fc.nat(), fc.boolean()).map(([n, pad]) => (pad ? `00${n}` : String(n)));
    case "xsd:long":
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String);
    case "xsd:unsignedLong":
      return fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String);
    case "xsd:dateTime":
      return fc
        .tuple(fc.date({ min: new Date("1971-01-01T00:00:00Z"), max: new Date("2099-12-31T00:00:00Z"), noInvalidDate: true }), fc.boolean())
        .map(([d, zone]) => (zone ? d.toISOString() : d.toISOString().slice(0, 19)));
    case "xsd:base64":
      return fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b).toString("base64"));
    case "xsd:hexBinary":
      return fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b).toString("hex"));
    case "xsd:string":
      return fc.string({ maxLength: 16 });
  }
}

export interface Scenario {
  /** Index into MODELS (an index, so counterexamples stay readable). */
  readonly model: number;
  readonly values: readonly DesiredValue[];
  /** Paths the ACS already knows, with how old that knowledge is. */
  readonly known: readonly { readonly path: string; readonly age: number }[];
  /** Changes made on the device after it was last read (only where knowledge is stale or absent). */
  readonly local: readonly { readonly path: string; readonly value: string }[];
  readonly quirks: DeviceQuirks;
}

export const arbScenario: fc.Arbitrary<Scenario> = fc.nat(MODELS.length - 1).chain((index) => {
  const model = MODELS[index] as DataModel;
  const nodes = CANDIDATES.get(model) ?? [];
  const pick = fc.uniqueArray(fc.constantFrom(...nodes), { minLength: 1, maxLength: 6, selector: (n) => n.path });
  const desiredValues = pick.chain((ns) =>
    fc.tuple(
      ...ns.map((n) =>
        fc.tuple(valueOf(n.type), fc.boolean()).map(([v, typed]) => dv(n.path, v, { type: typed ? n.type : undefined, writeOnly: HIDDEN.test(n.path) })),
      ),
    ),
  );
  const known = fc.uniqueArray(
    fc.record({ path: fc.constantFrom(...model.nodes.filter((n) => !n.object).map((n) => n.path)), age: fc.constantFrom(1000, 2 * DAY) }),
    { maxLength: 20, selector: (k) => k.path },
  );
  const local = fc.uniqueArray(
    fc.constantFrom(...nodes).chain((n) => valueOf(n.type).map((value) => ({ path: n.path, value }))),
    { maxLength: 4, selector: (l) => l.path },
  );
  const quirks = fc.record({
    booleanAsDigit: fc.boolean(),
    datetimeMilliseconds: fc.boolean(),
    gpvBatchSize: fc.integer({ min: 1, max: 8 }),
    spvBatchSize: fc.integer({ min: 1, max: 8 }),
  });
  return fc.record({ model: fc.constant(index), values: desiredValues, known, local, quirks });
});

/** Reported state as a session would have it: what the Inform carried, plus what earlier sessions read. */
function reportedFrom(device: SimDevice, known: Scenario["known"], inform: readonly ParamValue[]): ReportedState {
  const params = new Map<string, ReportedParam>();
  for (const k of known) {
    const res = device.handle({ method: "GetParameterValues", names: [k.path] });
    if (res.method !== "GetParameterValuesResponse") continue;
    for (const p of res.parameterList) params.set(p.name, { value: p.value, type: p.type, writable: undefined, observedAt: NOW - k.age });
  }
  for (const p of inform) params.set(p.name, { value: p.value, type: p.type, writable: undefined, observedAt: NOW });
  const key = inform.find((p) => p.name.endsWith("ManagementServer.ParameterKey"))?.value ?? "";
  return { params, names: new Map(), objects: new Map(), discovered: new Map(), parameterKey: key, softwareVersion: device.softwareVersion };
}

function withInform(r: ReportedState, inform: readonly ParamValue[]): ReportedState {
  const params = new Map(r.params);
  for (const p of inform) params.set(p.name, { value: p.value, type: p.type, writable: params.get(p.name)?.writable, observedAt: NOW });
  const key = inform.find((p) => p.name.endsWith("ManagementServer.ParameterKey"))?.value ?? "";
  return { ...r, params, parameterKey: key };
}

export function setUp(s: Scenario): { device: SimDevice; input: PlanInput } {
  const device = new SimDevice(MODELS[s.model] as DataModel, { quirks: { booleanAsDigit: s.quirks.booleanAsDigit }, clock: () => NOW });
  // What earlier sessions read, then local edits (web UI) where that knowledge is stale or absent (fresh
  // knowledge is the truth), then this session's Inform, which carries the forced parameters as they are now.
  const earlier = reportedFrom(device, s.known, []);
  for (const l of s.local) if (!s.known.some((k) => k.path === l.path && k.age < DAY)) device.setLocal(l.path, l.value);
  const informParams = device.inform(NOW).parameterList;
  const reported = withInform(earlier, informParams);
  const input: PlanInput = {
    desired: desired({ values: s.values }),
    reported,
    inventory: inventory(),
    now: NOW,
    limits: LIMITS,
    quirks: s.quirks,
    hashWriteOnly: HASH,
  };
  return { device, input };
}

export function deviceHolds(device: SimDevice, v: DesiredValue, quirks: DeviceQuirks): boolean {
  const p = device.get(v.path);
  return p !== undefined && sameAsWritten(v.type ?? p.type, v.value, p.value, quirks);
}
