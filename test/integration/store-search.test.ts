/**
 * Device search (issue 11 "Search"): every filter, case-insensitive and prefix where documented, over keyset
 * pages; each indexed filter is planned on an index (EXPLAIN QUERY PLAN, no full scan of devices); the
 * `reported` filter pages in bounded windows; the fleet aggregates of the overview. Part of the store contract:
 * every case but the SQLite query plans runs on every backend (store-helpers.ts BACKENDS).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { openDatabase } from "../../src/store/db.js";
import { sqliteStore } from "../../src/store/sqlite-store.js";
import { REPORTED_SCAN_WINDOW, searchSql } from "../../src/store/device-search.js";
import type { DeviceFilter, DeviceStatus, Store } from "../../src/domain/store.js";
import { deviceIdOf } from "../../src/domain/device.js";
import { BACKENDS, facts, freshPgUrl, p, withStore } from "./store-helpers.js";
import { createPool } from "../../src/store/pg/pool.js";
import { openStore } from "../../src/store/open.js";
import { recordInform } from "../support/record-inform.js";

type Filter = Omit<DeviceFilter, "after" | "limit">;

function status(converged: boolean, policies: readonly string[]): DeviceStatus {
  return {
    conditions: [{ type: "Converged", status: converged, reason: "r", message: "", lastTransition: 1 }],
    matchedPolicies: policies,
    appliedRevision: "r1",
    attemptedRevision: "r1",
    lastTransition: 1,
  };
}

/** Twelve devices of three makes; serial, ip, time, tags, policies, faults and one reported value vary. */
async function fleet(store: Store): Promise<void> {
  const makes = [
    { manufacturer: "Huawei Technologies", oui: "00259E", productClass: "EG8145V5", softwareVersion: "V5R019C10S125" },
    { manufacturer: "ZTE", oui: "1C2704", productClass: "ZXHN H199A", softwareVersion: "V9.0.10P1N2" },
    { manufacturer: "Nokia", oui: "ACDE48", productClass: "G-1425G-A", softwareVersion: "3FE49568HJJJ60" },
  ];
  for (let i = 0; i < 12; i++) {
    const m = makes[i % 3]!;
    const serial = `${i < 6 ? "abc" : "XYZ"}${String(i).padStart(3, "0")}`;
    const deviceId = deviceIdOf({ ...m, serialNumber: serial });
    const ssid = i % 4 === 0 ? "Guest-WiFi" : `home-${i}`;
    await recordInform(
      store,
      {
        ...facts(serial),
        ...m,
        deviceId,
        serialNumber: serial,
        ip: `10.0.${i % 2}.${i}`,
        parameters: [p("InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID", ssid)],
      },
      1000 * i,
    );
    if (i % 3 === 0) await store.setTags(deviceId, ["north"], []);
    await store.apply(deviceId, [{ kind: "status", status: status(i % 2 === 0, i < 4 ? ["wifi", "base"] : ["base"]) }]);
    if (i % 5 === 0)
      await store.apply(deviceId, [
        {
          kind: "fault",
          fault: { code: "9007", message: "Invalid parameter value", path: "X", policy: "wifi", sessionId: undefined, retryable: false, at: 1000 * i },
        },
      ]);
  }
}

async function walk(store: Store, filter: Filter, limit: number): Promise<string[]> {
  const serials: string[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await store.listDevices({ ...filter, limit, ...(after === undefined ? {} : { after }) });
    assert.ok(page.devices.length <= limit);
    serials.push(...page.devices.map((d) => d.serialNumber));
    if (page.next === undefined) return serials.sort();
    after = page.next;
  }
  throw new Error("pagination did not end");
}

const range = (from: number, to: number, pick: (i: number) => boolean = () => true): string[] =>
  Array.from({ length: to - from }, (_, k) => from + k)
    .filter(pick)
    .map((i) => `${i < 6 ? "abc" : "XYZ"}${String(i).padStart(3, "0")}`)
    .sort();

const CASES: readonly { readonly name: string; readonly filter: Filter; readonly serials: readonly string[] }[] = [
  { name: "serial prefix, case-insensitive", filter: { serial: "ABC" }, serials: range(0, 6) },
  { name: "serial prefix, longer", filter: { serial: "xyz01" }, serials: range(10, 12) },
  { name: "device id prefix, case-insensitive", filter: { deviceId: "1c2704-zxhn" }, serials: range(0, 12, (i) => i % 3 === 1) },
  { name: "manufacturer prefix", filter: { manufacturer: "huawei" }, serials: range(0, 12, (i) => i % 3 === 0) },
  { name: "OUI exact, case-insensitive", filter: { oui: "acde48" }, serials: range(0, 12, (i) => i % 3 === 2) },
  { name: "OUI is not a prefix", filter: { oui: "ACDE" }, serials: [] },
  { name: "model prefix", filter: { model: "g-14" }, serials: range(0, 12, (i) => i % 3 === 2) },
  { name: "product class exact, case-insensitive", filter: { productClass: "zxhn h199a" }, serials: range(0, 12, (i) => i % 3 === 1) },
  { name: "firmware prefix", filter: { firmware: "v5r019" }, serials: range(0, 12, (i) => i % 3 === 0) },
  { name: "ip prefix", filter: { ip: "10.0.1." }, serials: range(0, 12, (i) => i % 2 === 1) },
  { name: "ip prefix is case-sensitive text", filter: { ip: "10.0.1.1" }, serials: range(0, 12, (i) => i === 1 || i === 11) },
  { name: "informed since", filter: { informedSince: 9000 }, serials: range(9, 12) },
  { name: "silent since (informed before)", filter: { informedBefore: 2000 }, serials: range(0, 2) },
  { name: "policy", filter: { policy: "wifi" }, serials: range(0, 4) },
  { name: "policy + tag", filter: { policy: "wifi", tag: "north" }, serials: range(0, 4, (i) => i % 3 === 0) },
  { name: "fault code", filter: { fault: "9007" }, serials: range(0, 12, (i) => i % 5 === 0) },
  {
    name: "reported value, case-insensitive",
    filter: { reported: { path: "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID", value: "guest-wifi" } },
    serials: range(0, 12, (i) => i % 4 === 0),
  },
  { name: "reports a parameter at all", filter: { reported: { path: "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID" } }, serials: range(0, 12) },
  { name: "unknown parameter", filter: { reported: { path: "Nope.X" } }, serials: [] },
  { name: "condition + serial + firmware", filter: { condition: { type: "Converged", status: true }, serial: "x", firmware: "V9" }, serials: ["XYZ010"] },
];

for (const backend of BACKENDS) {
  for (const c of CASES) {
    test(`[${backend}] search ${c.name}, pages of 1, 4 and 100`, async () => {
      await withStore(backend, async (store) => {
        await fleet(store);
        for (const limit of [1, 4, 100]) assert.deepEqual(await walk(store, c.filter, limit), [...c.serials].sort(), `pages of ${limit}`);
        const n = await store.countMatching({ ...c.filter, limit: 1 });
        if (c.filter.reported === undefined) assert.equal(n, c.serials.length);
        else assert.equal(n, undefined, "the reported filter is not counted");
      });
    });
  }

  test(`[${backend}] a prefix with SQL wildcards or quotes is matched literally`, async () => {
    await withStore(backend, async (store) => {
      await fleet(store);
      for (const serial of ["%", "_", "abc%", "' OR 1=1 --", "a\u{10FFFF}"]) assert.deepEqual(await walk(store, { serial }, 5), [], serial);
    });
  });
}

test("every indexed filter is planned on an index, never a full scan of the devices table", () => {
  const db = openDatabase(":memory:");
  try {
    const filters: Filter[] = [
      { serial: "A" },
      { deviceId: "00259E" },
      { manufacturer: "Hua" },
      { oui: "00259E" },
      { model: "EG" },
      { productClass: "EG8145V5" },
      { firmware: "V5" },
      { softwareVersion: "V5" },
      { ip: "10." },
      { informedSince: 5 },
      { informedBefore: 5 },
      { policy: "wifi" },
      { tag: "x" },
      { condition: { type: "Faulted", status: true } },
      { fault: "9007" },
      { serial: "A", condition: { type: "Converged", status: false } },
    ];
    for (const f of filters) {
      const q = searchSql({ ...f, limit: 50, after: "" });
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(q.params) as { detail: string }[];
      const details = plan.map((r) => r.detail).join(" | ");
      assert.doesNotMatch(details, /SCAN d( |$)|SCAN devices( |$)/, `${JSON.stringify(f)}: ${details}`);
    }
  } finally {
    db.close();
  }
});

const WINDOW_DEVICES = REPORTED_SCAN_WINDOW + 500;
const serialAt = (i: number): string => `W${String(i).padStart(6, "0")}`;

/** Seeds WINDOW_DEVICES devices in one transaction through SQL (as the store writes them): 20,500 Store calls would be the test's time. */
async function seededWindow(backend: (typeof BACKENDS)[number]): Promise<{ readonly store: Store; readonly done: () => Promise<void> }> {
  const n = WINDOW_DEVICES;
  const needle = (i: number): boolean => i === 3 || i === n - 2;
  if (backend === "pg") {
    const url = await freshPgUrl();
    const { store } = await openStore(url);
    const pool = createPool(url, { poolSize: 1 });
    await pool.query(
      `INSERT INTO devices (id, manufacturer, oui, product_class, serial, software_version, hardware_version, ip, cr_url, udp_cr_addr, parameter_key, first_seen)
       SELECT '00259E-P-W' || lpad(i::text, 6, '0'), 'M', '00259E', 'P', 'W' || lpad(i::text, 6, '0'), 'V', 'H', '', '', '', '', 0 FROM generate_series(0, $1::int - 1) AS i`,
      [n],
    );
    await pool.query("INSERT INTO device_visits (dev, last_inform) SELECT dev, 0 FROM devices");
    await pool.query(
      `INSERT INTO reported (dev, path, value, type, observed_at)
       SELECT dev, 'InternetGatewayDevice.X', CASE WHEN serial IN ($1, $2) THEN 'needle' ELSE 'hay' END, 0, 0 FROM devices`,
      [serialAt(3), serialAt(n - 2)],
    );
    await pool.end();
    return { store, done: () => store.close() };
  }
  const db = openDatabase(":memory:");
  db.prepare("INSERT INTO paths (id, path) VALUES (1, 'InternetGatewayDevice.X')").run();
  const dev = db.prepare(
    "INSERT INTO devices (dev, id, manufacturer, oui, product_class, serial, software_version, hardware_version, ip, cr_url, udp_cr_addr, parameter_key, first_seen, last_inform) VALUES (?, ?, 'M', '00259E', 'P', ?, 'V', 'H', '', '', '', '', 0, 0)",
  );
  const rep = db.prepare("INSERT INTO reported (dev, path_id, value, flags, observed_at) VALUES (?, 1, ?, 0, 0)");
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      dev.run(i + 1, `00259E-P-${serialAt(i)}`, serialAt(i));
      rep.run(i + 1, needle(i) ? "needle" : "hay");
    }
  })();
  const store = sqliteStore(db);
  return { store, done: () => store.close() };
}

for (const backend of BACKENDS.filter((b) => b !== "file")) {
  test(`[${backend}] the reported-value filter examines a bounded window per page and says where to go on`, async () => {
    const { store, done } = await seededWindow(backend);
    try {
      const filter = { reported: { path: "InternetGatewayDevice.X", value: "NEEDLE" }, limit: 10 };
      const first = await store.listDevices(filter);
      assert.deepEqual(
        first.devices.map((d) => d.serialNumber),
        ["W000003"],
      );
      assert.ok(first.next !== undefined, "a short page still has a next cursor while the window did not reach the end");
      const second = await store.listDevices({ ...filter, after: first.next });
      assert.deepEqual(
        second.devices.map((d) => d.serialNumber),
        [serialAt(WINDOW_DEVICES - 2)],
      );
      assert.equal(second.next, undefined);
    } finally {
      await done();
    }
  });
}

for (const backend of BACKENDS) {
  test(`[${backend}] overview aggregates: by policy from the mirror, by model and firmware, activity per minute, top faults`, async () => {
    await withStore(backend, async (store) => {
      await fleet(store);
      assert.deepEqual(await store.countByPolicy(), { base: 12, wifi: 4 });
      const first = deviceIdOf({ manufacturer: "Huawei Technologies", oui: "00259E", productClass: "EG8145V5", serialNumber: "abc000" });
      // A changed status re-mirrors the matched policies; an unchanged one writes nothing.
      await store.apply(first, [{ kind: "status", status: status(true, ["base"]) }]);
      assert.deepEqual(await store.countByPolicy(), { base: 12, wifi: 3 });
      assert.deepEqual(await store.countByModel(10), [
        { productClass: "EG8145V5", softwareVersion: "V5R019C10S125", devices: 4 },
        { productClass: "G-1425G-A", softwareVersion: "3FE49568HJJJ60", devices: 4 },
        { productClass: "ZXHN H199A", softwareVersion: "V9.0.10P1N2", devices: 4 },
      ]);
      for (let i = 0; i < 5; i++)
        store.logSession({
          id: `s${i}`,
          deviceId: first,
          startedAt: 60_000 * (i < 3 ? 1 : 2) + i,
          endedAt: 60_000 * 3,
          outcome: i === 4 ? "fault:9007" : "ok",
          rpcCount: 0,
          events: [],
          revision: undefined,
        });
      const buckets = await store.activity(60_000, 60_000);
      assert.deepEqual(buckets, [
        { at: 60_000, sessions: 3, failedSessions: 0, faults: 0 },
        { at: 120_000, sessions: 2, failedSessions: 1, faults: 0 },
      ]);
      assert.deepEqual(
        (await store.activity(0, 60_000)).filter((b) => b.faults > 0).map((b) => [b.at, b.faults]),
        [[0, 3]],
      );
      assert.deepEqual(
        (await store.activity(0, 5_000)).filter((b) => b.faults > 0).map((b) => [b.at, b.faults]),
        [
          [0, 1],
          [5_000, 1],
          [10_000, 1],
        ],
      );
      assert.deepEqual(await store.topFaults(0, 5), [{ code: "9007", faults: 3, devices: 3, lastAt: 10_000, message: "Invalid parameter value" }]);
      assert.deepEqual(await store.topFaults(20_000, 5), []);
    });
  });
}
