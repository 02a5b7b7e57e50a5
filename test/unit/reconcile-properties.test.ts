/**
 * Properties of the reconciler against the simulated CPE (src/sim/device.ts) over real data models, through the
 * real session machine (`step()` of src/session/machine.ts, driven by test/support/drive-session.ts): for random
 * desired values over a random partial knowledge of the device, one session converges within its bounds, the
 * device ends up holding the desired values, and a replan (and the next session, ParameterKey matching) has
 * nothing to write.
 */
import test from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { DataModel } from "../../src/datamodel/types.js";
import { driveSession } from "../support/drive-session.js";
import { parameterKeyForDesired } from "../../src/reconcile/parameter-key.js";
import { plan } from "../../src/reconcile/plan.js";
import type { DesiredValue } from "../../src/policy/desired.types.js";
import { SimDevice } from "../../src/sim/device.js";
import { LIMITS, NOW, desired, instance, table, HASH } from "../support/reconcile-builders.js";
import { MODELS, arbScenario, deviceHolds, setUp, type Scenario } from "../support/sim-scenarios.js";

void test("property: random desired values over a random known tree converge in one session (the real step()); replanning writes nothing", () => {
  fc.assert(
    fc.property(arbScenario, (s) => {
      const { device, input } = setUp(s);
      const result = driveSession(input, (req) => device.handle(req));
      assert.equal(result.outcome, "converged", `outcome after ${result.requests.length} requests: ${JSON.stringify(result.plan.notes)}`);
      assert.ok(result.requests.length <= LIMITS.maxRpcsPerSession);
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
      const one = driveSession({ ...base, desired: desiredOf(first) }, (req) => device.handle(req));
      assert.equal(one.outcome, "converged");
      const two = driveSession({ ...base, desired: desiredOf(second), reported: one.reported, inventory: one.inventory }, (req) => device.handle(req));
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
      const result = driveSession(input, (req) => device.handle(req));
      assert.ok(result.outcome === "converged" || result.outcome === "blocked", result.outcome);
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
