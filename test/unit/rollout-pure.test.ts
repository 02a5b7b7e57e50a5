// The pure parts of staged rollouts, as tables: strategy parsing, wave assignment, the gate, maintenance windows.
import test from "node:test";
import assert from "node:assert/strict";
import { parseStrategy, parseDurationText, STAGED_DEFAULTS } from "../../src/rollout/strategy.js";
import { assignWaves, cumulativeTarget, type Candidate } from "../../src/rollout/assign.js";
import { judgeWave } from "../../src/rollout/gate.js";
import { deviceZone, localTime, windowOpen } from "../../src/rollout/window.js";
import type { MaintenanceWindow, StagedStrategy } from "../../src/rollout/types.js";
import { progressBar } from "../../src/rollout/view.js";

void test("strategies: immediate, staged defaults, and a full mapping", () => {
  assert.deepEqual(parseStrategy("immediate", "/rollout").strategy, { kind: "immediate" });
  assert.equal(parseStrategy("staged", "/rollout").strategy, STAGED_DEFAULTS);
  assert.equal(parseStrategy(undefined, "/rollout").strategy, undefined);
  const s = parseStrategy(
    {
      waves: ["2%", 20, "100%"],
      canaryPerModel: false,
      soak: "30s",
      gate: { converged: "90%", maxFaulted: "1%", within: "1h" },
      window: { days: ["Sat", "sun"], from: "22:00", to: "04:00", tz: "device" },
      onFailure: "rollback",
      kickOnWave: true,
    },
    "/rollout",
  );
  assert.deepEqual(s.issues, []);
  assert.deepEqual(s.strategy, {
    kind: "staged",
    waves: [
      { kind: "percent", value: 2 },
      { kind: "count", value: 20 },
      { kind: "percent", value: 100 },
    ],
    canaryPerModel: false,
    soakMs: 30_000,
    gate: { converged: 0.9, maxFaulted: 0.01, withinMs: 3_600_000 },
    window: { days: ["sat", "sun"], fromMinute: 22 * 60, toMinute: 240, tz: "device" },
    onFailure: "rollback",
    kickOnWave: true,
  });
});

void test("strategy errors carry the pointer of what is wrong", () => {
  const cases: [unknown, string, RegExp][] = [
    [{ waves: ["50%", "50%"] }, "/rollout/waves/1", /waves must grow/],
    [{ waves: ["100%", 200] }, "/rollout/waves/1", /after a wave of 100%/],
    [{ waves: [] }, "/rollout/waves", /1 to 20 sizes/],
    [{ waves: ["0%"] }, "/rollout/waves/0", /not a percentage/],
    [{ waves: [2.5] }, "/rollout/waves/0", /not a device count/],
    [{ soak: "15 minutes" }, "/rollout/soak", /not a duration/],
    [{ soak: "3h" }, "/rollout/soak", /gate can never hold/],
    [{ gate: { converged: "0%" } }, "/rollout/gate/converged", /can never hold/],
    [{ gate: { maxFaulted: "-1%" } }, "/rollout/gate/maxFaulted", /not a percentage/],
    [{ window: { from: "25:00" } }, "/rollout/window/from", /not a time of day/],
    [{ window: { from: "03:00", to: "03:00" } }, "/rollout/window/to", /never opens/],
    [{ window: { tz: "Nowhere/Land" } }, "/rollout/window/tz", /not a time zone/],
    [{ onFailure: "retry" }, "/rollout/onFailure", /pause or rollback/],
    [{ wave: ["1%"] }, "/rollout/wave", /unknown key/],
    ["sometimes", "/rollout", /must be "immediate"/],
  ];
  for (const [input, pointer, message] of cases) {
    const r = parseStrategy(input, "/rollout");
    assert.equal(r.strategy, undefined, JSON.stringify(input));
    const e = r.issues.find((i) => i.severity === "error");
    assert.equal(e?.pointer, pointer, JSON.stringify(input));
    assert.match(e?.message ?? "", message);
  }
});

void test("durations parse in linear time and refuse what is not one", () => {
  assert.equal(parseDurationText("0s"), 0);
  assert.equal(parseDurationText("15m"), 900_000);
  assert.equal(parseDurationText("2d"), 172_800_000);
  for (const bad of ["", "m", "1.5h", "-1m", "1w", `${"9".repeat(100)}s`]) assert.equal(parseDurationText(bad), undefined, bad);
});

const fleet = (n: number, models = 3): Candidate[] =>
  Array.from({ length: n }, (_, i) => ({ id: `OUI-M${i % models}-${i}`, model: `M${i % models}/1.0`, tags: [] }));

void test("wave assignment: cumulative sizes, deterministic, every model in the canary wave", () => {
  const devices = fleet(500);
  const waves = [
    { kind: "percent", value: 2 },
    { kind: "percent", value: 20 },
    { kind: "percent", value: 100 },
  ] as const;
  const a = assignWaves("r1-x", devices, waves, true);
  const b = assignWaves("r1-x", [...devices].reverse(), waves, true);
  assert.deepEqual([...a].sort(), [...b].sort(), "input order does not matter");
  const sizes = [0, 1, 2].map((w) => [...a.values()].filter((x) => x === w).length);
  assert.ok(sizes[0] !== undefined && sizes[0] >= 10 && sizes[0] <= 12, `canary ${sizes[0]}`);
  assert.equal((sizes[0] ?? 0) + (sizes[1] ?? 0), 100);
  assert.equal(
    sizes.reduce((x, y) => x + y, 0),
    500,
  );
  assert.equal(new Set(devices.filter((d) => a.get(d.id) === 0).map((d) => d.model)).size, 3);
  const other = assignWaves("r2-x", devices, waves, true);
  assert.notDeepEqual(
    [...a].filter(([, w]) => w === 0),
    [...other].filter(([, w]) => w === 0),
    "another rollout draws other canaries",
  );
});

void test("wave assignment: a rare model gets a canary; canary and no-canary tags", () => {
  const devices: Candidate[] = [
    ...fleet(200, 1),
    { id: "RARE-1", model: "rare/9", tags: [] },
    { id: "TAGGED", model: "M0/1.0", tags: ["canary"] },
    { id: "SHY", model: "shy/1", tags: ["no-canary"] },
  ];
  const a = assignWaves(
    "r3-y",
    devices,
    [
      { kind: "count", value: 1 },
      { kind: "percent", value: 100 },
    ],
    true,
  );
  assert.equal(a.get("RARE-1"), 0);
  assert.equal(a.get("TAGGED"), 0);
  assert.equal(a.get("SHY"), 1, "no-canary is never in the first wave, even as the only device of its model");
  const without = assignWaves(
    "r3-y",
    devices,
    [
      { kind: "count", value: 1 },
      { kind: "percent", value: 100 },
    ],
    false,
  );
  assert.equal([...without.values()].filter((w) => w === 0).length, 1, "the tagged canary fills the single slot");
  assert.equal(cumulativeTarget({ kind: "percent", value: 1 }, 10), 1);
  assert.equal(cumulativeTarget({ kind: "count", value: 50 }, 10), 10);
  assert.equal(cumulativeTarget({ kind: "percent", value: 50 }, 0), 0);
});

const S: StagedStrategy = { ...STAGED_DEFAULTS, soakMs: 60_000, gate: { converged: 0.9, maxFaulted: 0.05, withinMs: 3_600_000 } };
const counts = (pending: number, converged: number, faulted: number) => ({ waiting: 0, pending, converged, faulted, total: pending + converged + faulted });

void test("the gate: fault share fails at once, converged share advances after the soak, not in time fails", () => {
  const rows: [ReturnType<typeof counts>, number, string][] = [
    [counts(10, 0, 0), 0, "wait"],
    [counts(0, 10, 0), 59_999, "wait"],
    [counts(0, 10, 0), 60_000, "advance"],
    [counts(1, 9, 0), 60_000, "advance"],
    [counts(2, 8, 0), 60_000, "wait"],
    [counts(0, 9, 1), 0, "fail:gate-faulted"],
    [counts(0, 39, 1), 60_000, "advance"],
    [counts(2, 8, 0), 3_600_000, "fail:gate-timeout"],
    [counts(0, 0, 0), 60_000, "advance"],
  ];
  for (const [c, elapsed, want] of rows) {
    const d = judgeWave(c, S, 1000, 1000 + elapsed);
    assert.equal(d.kind === "fail" ? `fail:${d.reason}` : d.kind, want, `${JSON.stringify(c)} after ${elapsed} ms`);
  }
});

const W = (from: string, to: string, days: MaintenanceWindow["days"], tz: string): MaintenanceWindow => {
  const m = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3));
  return { days, fromMinute: m(from), toMinute: m(to), tz };
};

void test("maintenance windows: named zones, wrapping midnight, the device's zone", () => {
  const at = (iso: string) => Date.parse(iso);
  const utc = deviceZone(undefined);
  const w = W("02:00", "05:00", ["mon", "tue", "wed", "thu", "fri"], "UTC");
  assert.equal(windowOpen(w, at("2026-12-01T02:00:00Z"), utc), true, "Tuesday 02:00");
  assert.equal(windowOpen(w, at("2026-12-01T04:59:00Z"), utc), true);
  assert.equal(windowOpen(w, at("2026-12-01T05:00:00Z"), utc), false, "to is exclusive");
  assert.equal(windowOpen(w, at("2026-12-05T03:00:00Z"), utc), false, "Saturday");
  const berlin = { ...w, tz: "Europe/Berlin" };
  assert.equal(windowOpen(berlin, at("2026-12-01T01:30:00Z"), utc), true, "02:30 in Berlin (UTC+1 in winter)");
  assert.equal(windowOpen(berlin, at("2026-07-01T00:30:00Z"), utc), true, "02:30 in Berlin (UTC+2 in summer)");
  const night = W("22:00", "04:00", ["fri"], "UTC");
  assert.equal(windowOpen(night, at("2026-12-04T23:00:00Z"), utc), true, "Friday night");
  assert.equal(windowOpen(night, at("2026-12-05T03:00:00Z"), utc), true, "Saturday early belongs to Friday's window");
  assert.equal(windowOpen(night, at("2026-12-05T23:00:00Z"), utc), false);
  const device = { ...w, tz: "device" };
  assert.equal(windowOpen(device, at("2026-12-01T01:30:00Z"), deviceZone("CET-1CEST,M3.5.0,M10.5.0/3")), true, "POSIX CET-1 = UTC+1");
  assert.equal(windowOpen(device, at("2026-12-01T07:30:00Z"), deviceZone("EST+5EDT,M3.2.0,M11.1.0")), true, "POSIX EST+5 = UTC-5");
  assert.equal(windowOpen(device, at("2026-12-01T01:30:00Z"), deviceZone("+01:00")), true);
  assert.equal(windowOpen(device, at("2026-12-01T11:30:00Z"), deviceZone("Asia/Tokyo")), false);
  assert.equal(windowOpen(device, at("2026-11-30T17:30:00Z"), deviceZone("Asia/Tokyo")), true, "Tuesday 02:30 in Tokyo");
  assert.deepEqual(localTime(at("2026-12-01T10:00:00Z"), deviceZone("garbage value ")), { day: "tue", minute: 600 }, "not understood: UTC");
  assert.deepEqual(deviceZone("x".repeat(10_000)), { name: "UTC" }, "bounded");
});

void test("progress bars fill by state and always span the width", () => {
  assert.equal(progressBar({ devices: 10, converged: 5, faulted: 1, pending: 2, waiting: 2 }, 10), "[#####!~~..]");
  assert.equal(progressBar({ devices: 3, converged: 1, faulted: 1, pending: 1, waiting: 0 }, 10), "[###!!!~~~.]");
  assert.equal(progressBar({ devices: 0, converged: 0, faulted: 0, pending: 0, waiting: 0 }, 4), "[    ]");
});
