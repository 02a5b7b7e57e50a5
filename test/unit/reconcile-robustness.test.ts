/**
 * The pure core never crashes and never mutates its input, whatever it is fed (cloudformation-diff's "fullDiff
 * never throws" property): arbitrary desired and reported states for plan(), arbitrary CPE answers for fold().
 */
import test from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { XSD_TYPES } from "../../src/domain/xsd.js";
import type { CpeMessage, NotificationLevel } from "../../src/cwmp/types.js";
import { fold } from "../../src/reconcile/fold.js";
import { plan } from "../../src/reconcile/plan.js";
import { requestFor } from "../../src/reconcile/rpc.js";
import type { PlanInput, ReportedParam } from "../../src/reconcile/types.js";
import { LIMITS, NOW, PROV, QUIRKS, desired, dv, instance, inventory, table, HASH } from "../support/reconcile-builders.js";

const SEG = fc.constantFrom("A", "B", "Table", "1", "2", "X_Y", "Enable", "Name");
const PARAM = fc.array(SEG, { minLength: 1, maxLength: 4 }).map((s) => `Device.${s.join(".")}`);
const OBJECT = fc.array(SEG, { minLength: 0, maxLength: 3 }).map((s) => `Device.${s.map((x) => `${x}.`).join("")}`);
const TYPE = fc.constantFrom(...XSD_TYPES);
const VALUE = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("1", "0", "true", "007", "2024-01-01T00:00:00", "-5", "18446744073709551615"));
const LEVEL = fc.constantFrom<NotificationLevel>(0, 1, 2);

const arbReportedParam: fc.Arbitrary<ReportedParam> = fc.record({
  value: VALUE,
  type: TYPE,
  writable: fc.option(fc.boolean(), { nil: undefined }),
  observedAt: fc.integer({ min: NOW - 3 * 86_400_000, max: NOW }),
});

const arbInput: fc.Arbitrary<PlanInput> = fc
  .record({
    values: fc.array(fc.record({ path: PARAM, value: VALUE, type: fc.option(TYPE, { nil: undefined }), writeOnly: fc.boolean(), report: fc.boolean() }), {
      maxLength: 6,
    }),
    tables: fc.array(
      fc.record({ path: OBJECT, prune: fc.boolean(), keys: fc.array(fc.record({ k: fc.constantFrom("Name", "Port"), v: VALUE }), { maxLength: 3 }) }),
      { maxLength: 2 },
    ),
    attributes: fc.array(fc.record({ path: PARAM, notification: LEVEL }), { maxLength: 3 }),
    ignore: fc.array(fc.oneof(PARAM, OBJECT, fc.constant("Device.*.Enable")), { maxLength: 2 }),
    params: fc.array(fc.tuple(PARAM, arbReportedParam), { maxLength: 12 }),
    objects: fc.array(OBJECT, { maxLength: 6 }),
    discovered: fc.array(fc.tuple(OBJECT, fc.integer({ min: NOW - 3 * 86_400_000, max: NOW })), { maxLength: 4 }),
    created: fc.array(fc.tuple(OBJECT, fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 3 })), { maxLength: 2 }),
    backoff: fc.array(fc.tuple(PARAM, fc.integer({ min: NOW - 10, max: NOW + 10 })), { maxLength: 3 }),
    rebootPending: fc.boolean(),
    allowReboot: fc.boolean(),
    gpv: fc.integer({ min: 1, max: 4 }),
  })
  .map((g) => ({
    desired: desired({
      values: g.values.map((v) => dv(v.path, v.value, { type: v.type, writeOnly: v.writeOnly, drift: v.report ? "report" : "heal" })),
      tables: g.tables.map((t) => table(t.path, ["Name"], [instance(Object.fromEntries(t.keys.map((k) => [k.k, k.v])), { Port: "1" })], { prune: t.prune })),
      attributes: g.attributes.map((a) => ({ ...a, from: PROV })),
      ignore: g.ignore,
      allowReboot: g.allowReboot,
    }),
    // fast-check records have a null prototype; spread them into plain objects so structuredClone compares equal.
    reported: {
      params: new Map(g.params.map(([k, v]) => [k, { ...v }])),
      names: new Map(),
      objects: new Map(g.objects.map((o) => [o, NOW])),
      discovered: new Map(g.discovered),
      parameterKey: "",
      softwareVersion: "1",
    },
    inventory: inventory({
      created: new Map(g.created),
      backoff: new Map(g.backoff.map(([p, until]) => [p, { until, code: 9005, attempts: 1 }])),
      rebootPending: g.rebootPending,
    }),
    now: NOW,
    limits: LIMITS,
    quirks: { ...QUIRKS, gpvBatchSize: g.gpv, spvBatchSize: g.gpv },
    hashWriteOnly: HASH,
  }));

void test("property: plan() never throws, is deterministic, never mutates its input, and batches within the quirks", () => {
  fc.assert(
    fc.property(arbInput, (input) => {
      const { hashWriteOnly, ...data } = input;
      const before = structuredClone(data);
      const p = plan(input);
      assert.deepStrictEqual(plan(input), p);
      assert.deepStrictEqual({ ...input, hashWriteOnly: undefined }, { ...before, hashWriteOnly: undefined });
      assert.equal(input.hashWriteOnly, hashWriteOnly);
      for (const s of p.steps) {
        if (s.kind === "refresh" || s.kind === "readAttributes") assert.ok(s.paths.length >= 1 && s.paths.length <= input.quirks.gpvBatchSize);
        if (s.kind === "setValues") assert.ok(s.values.length >= 1 && s.values.length <= input.quirks.spvBatchSize);
        if (s.kind === "setValues") for (const v of s.values) assert.ok(!input.desired.ignore.includes(v.name), "ignored paths are never set");
      }
      assert.equal(p.converged, p.steps.length === 0 && p.converged);
    }),
    { numRuns: 300 },
  );
});

const arbAnswer: fc.Arbitrary<CpeMessage> = fc.oneof(
  fc.record({
    method: fc.constant("GetParameterValuesResponse" as const),
    parameterList: fc.array(fc.record({ name: PARAM, value: VALUE, type: TYPE }), { maxLength: 4 }),
  }),
  fc.record({
    method: fc.constant("GetParameterNamesResponse" as const),
    parameterList: fc.array(fc.record({ name: fc.oneof(PARAM, OBJECT), writable: fc.boolean() }), { maxLength: 4 }),
  }),
  fc.record({ method: fc.constant("SetParameterValuesResponse" as const), status: fc.constantFrom<0 | 1>(0, 1) }),
  fc.record({ method: fc.constant("AddObjectResponse" as const), instanceNumber: fc.integer({ min: 1, max: 9 }), status: fc.constantFrom<0 | 1>(0, 1) }),
  fc.record({ method: fc.constant("DeleteObjectResponse" as const), status: fc.constantFrom<0 | 1>(0, 1) }),
  fc.record({
    method: fc.constant("GetParameterAttributesResponse" as const),
    parameterList: fc.array(fc.record({ name: PARAM, notification: LEVEL, accessList: fc.constant([]) }), { maxLength: 3 }),
  }),
  fc.constant<CpeMessage>({ method: "SetParameterAttributesResponse" }),
  fc.constant<CpeMessage>({ method: "RebootResponse" }),
  fc.constant<CpeMessage>({ method: "DownloadResponse", status: 1, startTime: "", completeTime: "" }),
  fc.record({
    method: fc.constant("Fault" as const),
    fault: fc.record({
      faultCode: fc.constant("Client"),
      faultString: fc.constant("CWMP fault"),
      code: fc.constantFrom(8005, 9000, 9002, 9003, 9005, 9006, 9007, 9008, 9010),
      message: fc.string({ maxLength: 8 }),
      setParameterValuesFaults: fc.array(fc.record({ name: PARAM, code: fc.constantFrom(9005, 9007, 9008), string: fc.string({ maxLength: 4 }) }), {
        maxLength: 2,
      }),
    }),
  }),
);

void test("property: fold() never throws and never mutates its input, whatever the CPE answers to any planned step", () => {
  fc.assert(
    fc.property(arbInput, fc.array(arbAnswer, { minLength: 1, maxLength: 6 }), (input, answers) => {
      let state = { reported: input.reported, inventory: input.inventory };
      for (const answer of answers) {
        const p = plan({ ...input, ...state });
        const head = p.steps[0];
        if (head === undefined) return;
        const before = structuredClone(state);
        const out = fold(state, head, requestFor(head, p.parameterKey, input.quirks), answer, NOW, LIMITS, HASH);
        assert.deepStrictEqual(state, before);
        for (const f of out.faults) assert.equal(typeof f.code, "string");
        state = { reported: out.reported, inventory: out.inventory };
      }
    }),
    { numRuns: 300 },
  );
});
