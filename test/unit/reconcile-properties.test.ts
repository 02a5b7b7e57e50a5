/**
 * Properties of the reconciler against the simulated CPE (src/sim/device.ts) over real data models: for random
 * desired values over a random partial knowledge of the device, plan -> request -> CPE -> fold -> replan
 * converges within the replan bound, the device ends up holding the desired values, and a replan (and the next
 * session, ParameterKey matching) has nothing to write.
 */
import test from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { loadDataModel } from "../../src/datamodel/load.js";
import type { DataModel, DataModelNode } from "../../src/datamodel/types.js";
import type { XsdType } from "../../src/domain/xsd.js";
import type { ParamValue } from "../../src/cwmp/types.js";
import { sameAsWritten } from "../../src/reconcile/equality.js";
import { converge } from "../../src/reconcile/loop.js";
import { parameterKeyForDesired } from "../../src/reconcile/parameter-key.js";
import { plan } from "../../src/reconcile/plan.js";
import type { DesiredValue } from "../../src/policy/desired.types.js";
import type { DeviceQuirks, PlanInput, ReportedParam, ReportedState } from "../../src/reconcile/types.js";
import { SimDevice } from "../../src/sim/device.js";
import { DAY, LIMITS, NOW, desired, dv, instance, inventory, table, HASH } from "../support/reconcile-builders.js";

const MODELS = ["sim-tiny-tr098.csv", "tplink-ex220-tr181.csv", "zte-h199a-tr098.csv"].map((f) =>
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

interface Scenario {
  /** Index into MODELS (an index, so counterexamples stay readable). */
  readonly model: number;
  readonly values: readonly DesiredValue[];
  /** Paths the ACS already knows, with how old that knowledge is. */
  readonly known: readonly { readonly path: string; readonly age: number }[];
  /** Changes made on the device after it was last read (only where knowledge is stale or absent). */
  readonly local: readonly { readonly path: string; readonly value: string }[];
  readonly quirks: DeviceQuirks;
}

const arbScenario: fc.Arbitrary<Scenario> = fc.nat(MODELS.length - 1).chain((index) => {
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

function setUp(s: Scenario): { device: SimDevice; input: PlanInput } {
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

function deviceHolds(device: SimDevice, v: DesiredValue, quirks: DeviceQuirks): boolean {
  const p = device.get(v.path);
  return p !== undefined && sameAsWritten(v.type ?? p.type, v.value, p.value, quirks);
}

void test("property: random desired values over a random known tree converge within maxReplanRounds; replanning writes nothing", () => {
  fc.assert(
    fc.property(arbScenario, (s) => {
      const { device, input } = setUp(s);
      const result = converge(input, (req) => device.handle(req));
      assert.equal(result.outcome, "converged", `outcome after ${result.rounds} rounds: ${JSON.stringify(result.plan.notes)}`);
      assert.ok(result.rounds <= LIMITS.maxReplanRounds);
      for (const v of s.values) assert.ok(deviceHolds(device, v, s.quirks), `device holds ${v.path}=${v.value}, has ${device.get(v.path)?.value}`);
      // The next session: a fresh Inform; the ParameterKey matches (if anything was written) and nothing is planned.
      device.sessionEnded(true);
      const inform = device.inform(NOW + 1000).parameterList;
      const params = new Map(result.reported.params);
      for (const p of inform) params.set(p.name, { value: p.value, type: p.type, writable: params.get(p.name)?.writable, observedAt: NOW + 1000 });
      const key = inform.find((p) => p.name.endsWith("ManagementServer.ParameterKey"))?.value ?? "";
      if (result.writes.some((w) => w.kind === "parameterKey")) assert.equal(key, parameterKeyForDesired(input.desired, HASH));
      const next = plan({
        ...input,
        now: NOW + 1000,
        reported: { ...result.reported, params, parameterKey: key },
        inventory: { ...result.inventory, readback: undefined, bisect: undefined },
      });
      assert.deepStrictEqual(next.steps, []);
      assert.equal(next.converged, true);
    }),
    { numRuns: 150 },
  );
});

const PM = "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANIPConnection.1.PortMapping.";
const TINY = MODELS[0] as DataModel;

void test("property: keyed instances are added, matched and pruned (created only) until replanning writes nothing", () => {
  const arbInstances = fc.uniqueArray(
    fc.record({
      port: fc.constantFrom("8080", "2222", "80", "443", "53"),
      description: fc.string({ maxLength: 8 }),
      enabled: fc.constantFrom("true", "false"),
    }),
    { maxLength: 4, selector: (i) => i.port },
  );
  fc.assert(
    fc.property(arbInstances, arbInstances, fc.boolean(), (first, second, prune) => {
      const device = new SimDevice(TINY, { clock: () => NOW });
      const s: Scenario = {
        model: 0,
        values: [],
        known: [],
        local: [],
        quirks: { booleanAsDigit: false, datetimeMilliseconds: true, gpvBatchSize: 3, spvBatchSize: 2 },
      };
      const base = setUp(s).input;
      const desiredOf = (list: typeof first) =>
        desired({
          tables: [
            table(
              PM,
              ["ExternalPort"],
              list.map((i) => instance({ ExternalPort: i.port }, { Description: i.description, PortMappingEnabled: i.enabled })),
              { prune },
            ),
          ],
        });
      // Converge to a first set of instances, then to a second: instances Converge created may be pruned.
      const one = converge({ ...base, desired: desiredOf(first) }, (req) => device.handle(req));
      assert.equal(one.outcome, "converged");
      const two = converge({ ...base, desired: desiredOf(second), reported: one.reported, inventory: one.inventory }, (req) => device.handle(req));
      assert.equal(two.outcome, "converged", JSON.stringify(two.plan));
      for (const i of second) {
        const matches = [1, 2, 3, 4, 5, 6, 7, 8, 9].filter((n) => device.get(`${PM}${n}.ExternalPort`)?.value === i.port);
        assert.ok(matches.length >= 1, `an instance with ExternalPort ${i.port}`);
        const n = matches[0] as number;
        assert.equal(device.get(`${PM}${n}.Description`)?.value, i.description);
      }
      // The model's own instances (1: 8080, 2: 2222) are never deleted; created ones not declared are pruned.
      assert.ok(device.hasObject(`${PM}1.`) && device.hasObject(`${PM}2.`));
      const created = two.inventory.created.get(PM) ?? [];
      const declared = new Set<string>(second.map((i) => i.port));
      for (const n of created)
        assert.ok(!prune || declared.has(device.get(`${PM}${n}.ExternalPort`)?.value ?? ""), `created instance ${n} is declared or prune is off`);
      const again = plan({ ...base, desired: desiredOf(second), reported: two.reported, inventory: { ...two.inventory, readback: undefined } });
      assert.deepStrictEqual(again.steps, []);
    }),
    { numRuns: 100 },
  );
});

void test("property: a path that faults backs off and the device converges on all the others", () => {
  fc.assert(
    fc.property(arbScenario, fc.constantFrom(9007, 9002, 9001), (s, code) => {
      fc.pre(s.values.length >= 2);
      const { device, input } = setUp(s);
      const bad = s.values[0] as DesiredValue;
      device.failPaths.set(bad.path, code);
      const result = converge(input, (req) => device.handle(req));
      assert.notEqual(result.outcome, "not_converging");
      for (const v of s.values.slice(1)) assert.ok(deviceHolds(device, v, s.quirks), `device holds ${v.path}`);
      if (result.outcome === "blocked") assert.ok(result.plan.notes.some((n) => n.kind === "backoff"));
      assert.deepStrictEqual(result.plan.steps, []);
      if (result.outcome === "blocked")
        assert.ok(
          result.faults.some((f) => f.path === bad.path && f.code === String(code)),
          "the fault is recorded against its path",
        );
    }),
    { numRuns: 100 },
  );
});
