/** The fleet's pure parts: mixes, the due queue, the latency histogram, seeded identities and CLI flags. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseMix, parseQuirksMix } from "../../src/sim/fleet-options.js";
import { DueQueue } from "../../src/sim/fleet-schedule.js";
import { FleetCounters, LatencyHistogram } from "../../src/sim/fleet-stats.js";
import { fleetSerial } from "../../src/sim/fleet.js";
import { pickWeighted, seededRng } from "../../src/sim/fleet-rng.js";
import { simOptions } from "../../src/cli/sim.js";

test("parseMix: names with weights", () => {
  const rows: [string, { value: string; weight: number }[] | string][] = [
    [
      "a:3,b:1",
      [
        { value: "a", weight: 3 },
        { value: "b", weight: 1 },
      ],
    ],
    [
      "a, b:2.5",
      [
        { value: "a", weight: 1 },
        { value: "b", weight: 2.5 },
      ],
    ],
    ["a:0,b", [{ value: "b", weight: 1 }]],
    ["C:\\m\\x.csv:2", [{ value: "C:\\m\\x.csv", weight: 2 }]],
    ["a:0", "empty mix: expected name:weight[,name:weight...] with a weight > 0"],
    ["", "empty mix: expected name:weight[,name:weight...] with a weight > 0"],
  ];
  for (const [text, want] of rows) {
    const r = parseMix(text);
    if (typeof want === "string") assert.deepEqual(r, { ok: false, error: want }, text);
    else assert.deepEqual(r, { ok: true, value: want }, text);
  }
});

test("parseQuirksMix: known switches, combinations, and the forbidden pair", () => {
  const rows: [string, Record<string, Record<string, boolean>> | RegExp][] = [
    ["none:9,noCookies:1", { none: {}, noCookies: { noCookies: true } }],
    ["latin1+chunked", { "latin1+chunked": { latin1: true, chunked: true } }],
    [
      "booleanAsDigit,lyingArrayCounts,newConnectionPerRequest",
      { booleanAsDigit: { booleanAsDigit: true }, lyingArrayCounts: { lyingArrayCounts: true }, newConnectionPerRequest: { newConnectionPerRequest: true } },
    ],
    ["noCookies+newConnectionPerRequest", /cannot be combined/],
    ["nocookies", /unknown quirk "nocookies"/],
  ];
  for (const [text, want] of rows) {
    const r = parseQuirksMix(text);
    if (want instanceof RegExp) {
      assert.equal(r.ok, false, text);
      if (!r.ok) assert.match(r.error, want);
    } else {
      assert.ok(r.ok, text);
      if (r.ok) assert.deepEqual(Object.fromEntries(r.value.map((w) => [w.value.name, w.value.quirks])), want, text);
    }
  }
});

test("DueQueue: earliest first, ties by index, rescheduling voids the old entry, cancel removes", () => {
  const q = new DueQueue(5);
  q.schedule(0, 30);
  q.schedule(1, 10);
  q.schedule(2, 10);
  q.schedule(3, 20);
  q.schedule(4, 5);
  q.schedule(4, 25); // moved later
  q.cancel(3);
  assert.equal(q.peekAt(), 10);
  const order: number[] = [];
  for (let i = q.popDue(100); i !== undefined; i = q.popDue(100)) order.push(i);
  assert.deepEqual(order, [1, 2, 4, 0]);
  q.schedule(1, 50);
  assert.equal(q.popDue(49), undefined, "not due yet");
  assert.equal(q.popDue(50), 1);
});

test("LatencyHistogram: quantiles within 1% of the exact values, and merging equals recording", () => {
  const rng = seededRng(7);
  const values = Array.from({ length: 5000 }, () => 0.05 + rng() ** 3 * 2000);
  const h = new LatencyHistogram();
  const a = new FleetCounters();
  const b = new FleetCounters();
  values.forEach((v, i) => {
    h.record(v);
    (i % 2 === 0 ? a : b).session(true, v, undefined, []);
  });
  const sorted = [...values].sort((x, y) => x - y);
  for (const q of [0.5, 0.9, 0.99]) {
    const exact = sorted[Math.ceil(q * sorted.length) - 1] ?? 0;
    const got = h.quantile(q);
    assert.ok(got >= exact && got <= exact * 1.0101, `q${q}: ${got} vs ${exact}`);
  }
  a.merge(b.toJson());
  assert.equal(a.latency.count, values.length);
  assert.equal(a.latency.quantile(0.99), h.quantile(0.99));
  assert.equal(a.latency.maxMs, h.maxMs);
});

test("FleetCounters: 503 counted as shed, other failures by kind, RPCs by method", () => {
  const c = new FleetCounters();
  c.session(false, 1, "http_503", []);
  c.session(false, 1, "timeout", []);
  c.session(true, 3, undefined, ["GetParameterValues", "SetParameterValues", "GetParameterValues"]);
  assert.deepEqual(
    { ok: c.sessionsOk, failed: c.sessionsFailed, shed: c.shed, errors: Object.fromEntries(c.errors), rpcs: Object.fromEntries(c.rpcs) },
    {
      ok: 1,
      failed: 2,
      shed: 1,
      errors: { timeout: 1 },
      rpcs: { GetParameterValues: 2, SetParameterValues: 1 },
    },
  );
});

test("seeded identities: same seed and index give the same serial, different seeds differ", () => {
  assert.equal(fleetSerial("s", 42), fleetSerial("s", 42));
  assert.notEqual(fleetSerial("s", 42), fleetSerial("t", 42));
  assert.match(fleetSerial("s", 42), /^CV[0-9A-F]{4}0000042$/);
  const picks = (seed: number): number[] => {
    const r = seededRng(seed);
    return Array.from({ length: 20 }, () => pickWeighted(r, [1, 0, 3]));
  };
  assert.deepEqual(picks(3), picks(3));
  assert.ok(!picks(3).includes(1), "a zero weight is never picked");
});

test("converge sim flags: defaults, validation, usage errors", () => {
  const cwd = process.cwd();
  const ok = simOptions(["--acs", "http://127.0.0.1:7547/", "--count", "12", "--boot-storm", "--duration", "5", "--quirks-mix", "none:1,latin1:1"], {}, cwd);
  assert.ok(ok.ok);
  if (ok.ok) {
    const o = ok.value.opts;
    assert.equal(o.models.length, 6, "the six real models by default");
    assert.deepEqual([o.count, o.bootStorm, o.durationS, o.rampS, o.quirks.length], [12, true, 5, 300, 2]);
  }
  const bad: [string[], RegExp][] = [
    [[], /--acs URL is required/],
    [["--acs", "127.0.0.1"], /expected an http/],
    [["--acs", "http://x/", "--count", "0"], /--count: expected a number >= 1/],
    [["--acs", "http://x/", "--quirks-mix", "noCookies+newConnectionPerRequest"], /cannot be combined/],
    [["--acs", "http://x/", "--model", "/nonexistent"], /does not exist/],
    [["--acs", "http://x/", "--models-mix", "nope.csv:1"], /nope.csv does not exist/],
    [["--acs", "http://x/", "--bogus"], /unknown option --bogus/],
  ];
  for (const [args, want] of bad) {
    const r = simOptions(args, {}, cwd);
    assert.equal(r.ok, false, args.join(" "));
    if (!r.ok) assert.match(r.error, want);
  }
});
