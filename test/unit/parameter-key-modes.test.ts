// The per-model ParameterKey setting (`quirks:` parameterKey: learn | kept | ignored, reconcile/types.ts) in the
// pure core, as tables: what the Inform watch learns, and whether the planner re-sends a write-only value it set.
import test from "node:test";
import assert from "node:assert/strict";
import { watchInform } from "../../src/reconcile/inform-watch.js";
import { plan } from "../../src/reconcile/plan.js";
import { parameterKeyForDesired, writeOnlyHashOf } from "../../src/reconcile/parameter-key.js";
import type { Inventory, ParameterKeyMode } from "../../src/reconcile/types.js";
import { HASH, LIMITS, NOW, QUIRKS, desired, dv, input, inventory, reported } from "../support/reconcile-builders.js";

const PASS = "InternetGatewayDevice.ManagementServer.ConnectionRequestPassword";
const WANT = desired({ values: [dv(PASS, "s3cret-value", { writeOnly: true, type: "xsd:string" })] });
const OURS = parameterKeyForDesired(WANT, HASH);

// What one Inform teaches about the device's ParameterKey, per model setting.
for (const [mode, key, bootstrap, learnt] of [
  ["learn", "", false, false],
  ["learn", OURS, false, true],
  ["learn", "", true, undefined],
  ["learn", "vendor", false, undefined],
  ["kept", "", false, undefined],
  ["kept", OURS, false, undefined],
  ["ignored", "", false, undefined],
  ["ignored", "unsetCommandKey", false, undefined],
] as const) {
  void test(`Inform watch, parameterKey ${mode}: key ${JSON.stringify(key === OURS ? "ours" : key)}${bootstrap ? " on BOOTSTRAP" : ""} -> ${learnt === undefined ? "nothing learnt" : `kept=${learnt}`}`, () => {
    const out = watchInform({
      reported: reported({ parameterKey: key }),
      inventory: inventory({ appliedKeys: [OURS] }),
      desired: WANT,
      bootstrap,
      now: NOW,
      limits: LIMITS,
      parameterKey: mode,
    });
    assert.deepEqual(out.writes, learnt === undefined ? [] : [{ kind: "parameterKeyKept", kept: learnt }]);
    assert.equal(out.inventory.parameterKeyKept, learnt);
  });
}

/** The inventory after Converge set the password once (its keyed hash) under its key. */
const setOnce = (more: Partial<Inventory> = {}): Inventory =>
  inventory({ writeOnlyHashes: new Map([[PASS, writeOnlyHashOf(WANT.values[0]!, HASH)]]), appliedKeys: [OURS], ...more });

const sendsPassword = (mode: ParameterKeyMode, key: string, inv: Inventory): boolean =>
  plan(
    input(WANT, reported({ params: { [PASS]: ["", "xsd:string", NOW - 1000, true] }, parameterKey: key }), inv, { quirks: { ...QUIRKS, parameterKey: mode } }),
  ).steps.some((s) => s.kind === "setValues" && s.values.some((v) => v.name === PASS));

// A write-only value Converge set is re-sent only when someone may have written since (cwmp-notes §7.5 (5)).
for (const [mode, key, kept, resent] of [
  ["learn", OURS, undefined, false],
  ["learn", "", undefined, true],
  ["learn", "", false, false],
  ["learn", "vendor", undefined, true],
  ["kept", "", false, true],
  ["kept", "vendor", undefined, true],
  ["kept", OURS, undefined, false],
  ["ignored", "unsetCommandKey", undefined, false],
  ["ignored", "", undefined, false],
] as const) {
  void test(`planner, parameterKey ${mode}: reported key ${JSON.stringify(key === OURS ? "ours" : key)}, learnt kept=${String(kept)} -> ${resent ? "re-sends" : "keeps"} the password`, () => {
    assert.equal(sendsPassword(mode, key, setOnce(kept === undefined ? {} : { parameterKeyKept: kept })), resent);
  });
}

void test("planner, parameterKey ignored: a password never set is sent all the same", () => {
  assert.equal(sendsPassword("ignored", "unsetCommandKey", inventory()), true);
});

void test("an observed value (read, never written) is not part of the device's ParameterKey", () => {
  const user = "InternetGatewayDevice.ManagementServer.ConnectionRequestUsername";
  const observed = (value: string) => desired({ values: [...WANT.values, dv(user, value, { observe: true, builtin: true })] });
  assert.equal(parameterKeyForDesired(observed(""), HASH), OURS);
  assert.equal(parameterKeyForDesired(observed("anlix"), HASH), OURS);
  // ...and the planner reads it when unknown, never writes it.
  const p = plan(input(observed(""), reported({ params: { [PASS]: ["", "xsd:string", NOW - 1000, true] }, parameterKey: OURS }), setOnce()));
  assert.ok(p.steps.some((s) => s.kind === "refresh" && s.paths.includes(user)));
  const known = plan(input(observed("anlix"), reported({ params: { [user]: ["other", "xsd:string", NOW - 1000, true] }, parameterKey: OURS }), setOnce()));
  assert.deepEqual(known.steps, []);
});
