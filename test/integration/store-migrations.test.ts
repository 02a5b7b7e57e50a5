import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createHash } from "node:crypto";
import { keyedHasher } from "../../src/reconcile/parameter-key.js";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { migrate, openDatabase, registerFunctions, schemaVersion } from "../../src/store/db.js";
import { MIGRATIONS } from "../../src/store/migrations/index.js";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import { facts, idOf, p, tempDir } from "./store-helpers.js";
import { recordInform } from "../support/record-inform.js";
import type { XsdType } from "../../src/domain/xsd.js";
import type { NotificationLevel } from "../../src/cwmp/types.js";

const LATEST = MIGRATIONS.at(-1)?.version ?? 0;

test("openDatabase creates the parent directory, sets WAL and the pragmas, and migrates to the latest version", async () => {
  const t = tempDir();
  try {
    const path = join(t.dir, "a", "b", "converge.db");
    const db = openDatabase(path);
    assert.equal(existsSync(path), true);
    assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
    assert.equal(db.pragma("synchronous", { simple: true }), 1); // NORMAL
    assert.equal(db.pragma("foreign_keys", { simple: true }), 1);
    assert.equal(db.pragma("busy_timeout", { simple: true }), 5000);
    assert.equal(schemaVersion(db), LATEST);
    db.close();
  } finally {
    t.cleanup();
  }
});

test("migrations are idempotent: reopening applies nothing twice and keeps the data", async () => {
  const t = tempDir();
  try {
    const path = join(t.dir, "converge.db");
    const first = openSqliteStore(path);
    await recordInform(first, facts("S1"), 1000);
    await first.close();
    for (let i = 0; i < 3; i++) {
      const again = openSqliteStore(path);
      assert.equal(await again.countDevices(), 1);
      assert.equal((await again.getDevice(idOf("S1")))?.lastInform, 1000);
      await again.close();
    }
    const db = openDatabase(path);
    assert.equal(schemaVersion(db), LATEST);
    db.close();
  } finally {
    t.cleanup();
  }
});

test("a migration applies in one transaction with its user_version: a failing one leaves the previous version", async () => {
  const db = new BetterSqlite3(":memory:");
  registerFunctions(db);
  const broken = [...MIGRATIONS, { version: LATEST + 1, name: "broken", sql: "CREATE TABLE extra (x); INSERT INTO nope VALUES (1);" }];
  assert.throws(() => migrate(db, broken), /no such table: nope/);
  assert.equal(schemaVersion(db), LATEST);
  const extra = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'extra'").get();
  assert.deepEqual(extra, { n: 0 });
  db.close();
});

test("a database from a newer Converge is refused rather than used", async () => {
  const t = tempDir();
  try {
    const path = join(t.dir, "converge.db");
    const raw = new BetterSqlite3(path);
    raw.pragma(`user_version = ${LATEST + 5}`);
    raw.close();
    assert.throws(() => openDatabase(path), /newer than this Converge/);
  } finally {
    t.cleanup();
  }
});

test("a reopened WAL file keeps reported values, inventory and records written before close", async () => {
  const t = tempDir();
  try {
    const path = join(t.dir, "converge.db");
    const id = idOf("S2");
    const s1 = openSqliteStore(path);
    await recordInform(s1, facts("S2", { parameters: [p("InternetGatewayDevice.X.Counter", "18446744073709551615", "xsd:unsignedLong")] }), 5);
    await s1.apply(id, [{ kind: "writeOnlyHash", path: "InternetGatewayDevice.X.Password", hash: "h1" }]);
    await s1.setSecret(id, "cr-password", "pw");
    await s1.close();
    const s2 = openSqliteStore(path);
    assert.equal((await s2.loadReported(id)).params.get("InternetGatewayDevice.X.Counter")?.value, "18446744073709551615");
    assert.equal((await s2.loadInventory(id)).writeOnlyHashes.get("InternetGatewayDevice.X.Password"), "h1");
    assert.equal(await s2.getSecret(id, "cr-password"), "pw");
    await s2.close();
  } finally {
    t.cleanup();
  }
});

test("two stores on one file (server and CLI): each sees the other's committed writes; interned paths stay consistent", async () => {
  const t = tempDir();
  try {
    const path = join(t.dir, "converge.db");
    const a = openSqliteStore(path);
    const b = openSqliteStore(path);
    try {
      await recordInform(a, facts("S1", { parameters: [p("X.Shared", "a")] }), 1);
      assert.equal((await b.loadReported(idOf("S1"))).params.get("X.Shared")?.value, "a");
      // b interns paths a already created and new ones; a reads them back under the same names.
      await recordInform(b, facts("S2", { parameters: [p("X.Shared", "b"), p("X.OnlyB", "b")] }), 2);
      await a.apply(idOf("S1"), [{ kind: "reported", params: [{ path: "X.OnlyB", value: "a2", type: "xsd:string" }], observedAt: 3 }]);
      assert.deepEqual([...(await b.loadReported(idOf("S1"))).params.keys()].sort(), ["X.OnlyB", "X.Shared"]);
      assert.equal((await a.loadReported(idOf("S2"))).params.get("X.OnlyB")?.value, "b");
      assert.equal(await a.countDevices(), 2);
    } finally {
      await a.close();
      await b.close();
    }
  } finally {
    t.cleanup();
  }
});

test("migration 3 re-keys the plain SHA-256 write-only hashes of older versions: same value, same decision, no plain digest left", async () => {
  const t = tempDir();
  try {
    const path = join(t.dir, "converge.db");
    // A database as version 2 left it, with the plain SHA-256 of a passphrase Converge had set.
    const old = new BetterSqlite3(path);
    registerFunctions(old);
    migrate(
      old,
      MIGRATIONS.filter((m) => m.version <= 2),
    );
    old
      .prepare(
        "INSERT INTO devices (id, manufacturer, oui, product_class, serial, software_version, hardware_version, ip, cr_url, udp_cr_addr, parameter_key, first_seen, last_inform) VALUES (?, 'Huawei', '00259E', 'HG8245', 'S9', 'V1', 'H1', '127.0.0.1', '', '', '', 1, 1)",
      )
      .run(idOf("S9"));
    const dev = old.prepare("SELECT dev FROM devices").pluck().get();
    const plain = createHash("sha256").update("wifi-passphrase-1", "utf8").digest("hex");
    old
      .prepare("INSERT INTO write_only (dev, path, hash) VALUES (?, ?, ?)")
      .run(dev, "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.KeyPassphrase", plain);
    old.close();
    const store = openSqliteStore(path);
    try {
      const key = await store.installationKey();
      assert.match(key, /^[0-9a-f]{64}$/);
      assert.equal(await store.installationKey(), key, "one key per installation");
      const stored = (await store.loadInventory(idOf("S9"))).writeOnlyHashes.get("InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.KeyPassphrase");
      assert.notEqual(stored, plain, "the plain SHA-256 is gone");
      assert.equal(stored, keyedHasher(key)("wifi-passphrase-1"), "what the reconciler computes for the same value");
      assert.notEqual(stored, keyedHasher("f".repeat(64))("wifi-passphrase-1"), "keyed: another installation's key gives another hash");
    } finally {
      await store.close();
    }
  } finally {
    t.cleanup();
  }
});

test("migration 7 converts a store written at version 6 in place: the same reported state reads back, long values packed", async () => {
  const t = tempDir();
  try {
    const path = join(t.dir, "converge.db");
    const log = Array.from(
      { length: 200 },
      (_, i) => `1981-01-02 00:${String(i % 60).padStart(2, "0")} [Critical] Terminal:ACS(192.168.89.1),Result:Success\r\n`,
    ).join("");
    const unicode = "Wi-Fi ☕ ".repeat(40); // multi-byte, longer than the packing threshold
    const random = createHash("sha512").update("x").digest("base64").repeat(3); // long, barely compressible
    // Version 6 as its code wrote it: type, writable and notification columns, every value TEXT.
    const v6 = new BetterSqlite3(path);
    registerFunctions(v6);
    migrate(v6, MIGRATIONS.slice(0, 6));
    assert.equal(schemaVersion(v6), 6);
    v6.prepare(
      `INSERT INTO devices (dev, id, manufacturer, oui, product_class, serial, software_version, hardware_version, ip, cr_url, udp_cr_addr,
       parameter_key, data_model, first_seen, last_inform) VALUES (1, ?, 'Huawei', '00259E', 'HG8245', 'S1', 'V1', 'H', '', '', '', 'k1', 'tr098', 0, 0)`,
    ).run(idOf("S1"));
    const rows: [string, string | null, number | null, number | null, number | null, number | null][] = [
      ["InternetGatewayDevice.DeviceInfo.DeviceLog", log, 0, 0, null, 1000],
      ["InternetGatewayDevice.DeviceInfo.Description", unicode, 0, null, 2, 1001],
      ["InternetGatewayDevice.DeviceInfo.X_Key", random, 7, 1, null, 1002],
      ["InternetGatewayDevice.ManagementServer.PeriodicInformInterval", "3600", 2, 1, 0, 1003],
      ["InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.Enable", "true", 5, null, 6, 1004],
      ["InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID", null, null, 1, 1, null], // a name, value unread
      ["InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.Channel", null, null, 0, null, null],
    ];
    const insertPath = v6.prepare("INSERT INTO paths (path) VALUES (?)");
    const insertRow = v6.prepare("INSERT INTO reported (dev, path_id, value, type, writable, notification, observed_at) VALUES (1, ?, ?, ?, ?, ?, ?)");
    for (const [p6, value, type, writable, notification, at] of rows)
      insertRow.run(insertPath.run(p6).lastInsertRowid, value, type, writable, notification, at);
    v6.close();

    const store = openSqliteStore(path);
    const got = await store.loadReported(idOf("S1"));
    await store.close();
    const param = (value: string, type: XsdType, writable: boolean | undefined, observedAt: number, notification?: NotificationLevel) =>
      notification === undefined ? { value, type, writable, observedAt } : { value, type, writable, observedAt, notification };
    assert.deepEqual(
      got.params,
      new Map([
        ["InternetGatewayDevice.DeviceInfo.DeviceLog", param(log, "xsd:string", false, 1000)],
        ["InternetGatewayDevice.DeviceInfo.Description", param(unicode, "xsd:string", undefined, 1001, 2)],
        ["InternetGatewayDevice.DeviceInfo.X_Key", param(random, "xsd:base64", true, 1002)],
        ["InternetGatewayDevice.ManagementServer.PeriodicInformInterval", param("3600", "xsd:unsignedInt", true, 1003, 0)],
        ["InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.Enable", param("true", "xsd:boolean", undefined, 1004, 6)],
      ]),
    );
    assert.deepEqual(
      got.names,
      new Map([
        ["InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID", { writable: true, notification: 1 }],
        ["InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.Channel", { writable: false }],
      ]),
    );
    assert.equal(got.parameterKey, "k1");
    const db = new BetterSqlite3(path, { readonly: true });
    const kinds = db
      .prepare<[], { path: string; kind: string }>("SELECT p.path, typeof(r.value) AS kind FROM reported r JOIN paths p ON p.id = r.path_id")
      .all();
    const kindOf = new Map(kinds.map((k) => [k.path, k.kind]));
    assert.equal(kindOf.get("InternetGatewayDevice.DeviceInfo.DeviceLog"), "blob", "a long compressible value is packed");
    assert.equal(kindOf.get("InternetGatewayDevice.DeviceInfo.Description"), "blob");
    assert.equal(kindOf.get("InternetGatewayDevice.ManagementServer.PeriodicInformInterval"), "text");
    const columns = db
      .prepare<[], { name: string }>("SELECT name FROM pragma_table_info('reported')")
      .all()
      .map((c) => c.name);
    assert.deepEqual(columns, ["dev", "path_id", "value", "flags", "observed_at"]);
    assert.equal(schemaVersion(db), LATEST);
    db.close();
  } finally {
    t.cleanup();
  }
});

test("a store written at version 7 reads long values back exactly and search matches them by value (case-insensitive)", async () => {
  const t = tempDir();
  try {
    const log = "kernel: eth0 link up 1000 Mbps full duplex\n".repeat(30);
    const fresh = openSqliteStore(join(t.dir, "v7.db"));
    await recordInform(fresh, facts("S1", { parameters: [p("InternetGatewayDevice.DeviceInfo.DeviceLog", log), p("InternetGatewayDevice.X", "short")] }), 5000);
    const found = await fresh.listDevices({ reported: { path: "InternetGatewayDevice.DeviceInfo.DeviceLog", value: log.toUpperCase() }, limit: 10 });
    assert.deepEqual(
      found.devices.map((d) => d.serialNumber),
      ["S1"],
    );
    const other = await fresh.listDevices({ reported: { path: "InternetGatewayDevice.DeviceInfo.DeviceLog", value: `${log}x` }, limit: 10 });
    assert.equal(other.devices.length, 0);
    const reported = await fresh.loadReported(idOf("S1"));
    await fresh.close();
    assert.equal(reported.params.get("InternetGatewayDevice.DeviceInfo.DeviceLog")?.value, log);
    assert.equal(reported.params.get("InternetGatewayDevice.X")?.value, "short");
  } finally {
    t.cleanup();
  }
});

test("migration 8 drops the unused BINARY model indexes and makes the condition indexes partial: counts and condition search keep their answers", async () => {
  const t = tempDir();
  try {
    const path = join(t.dir, "converge.db");
    // Version 7: three devices, two with a status (converged, not converged and faulted), one without.
    const v7 = new BetterSqlite3(path);
    registerFunctions(v7);
    migrate(v7, MIGRATIONS.slice(0, 7));
    const insert = v7.prepare(
      `INSERT INTO devices (id, manufacturer, oui, product_class, serial, software_version, hardware_version, ip, cr_url, udp_cr_addr,
       parameter_key, data_model, first_seen, last_inform, status, c_converged, c_faulted) VALUES (?, 'Huawei', '00259E', 'HG8245', ?, 'V1', 'H', '', '', '', '', 'tr098', 0, 0, ?, ?, ?)`,
    );
    insert.run(idOf("S1"), "S1", "{}", 1, 0);
    insert.run(idOf("S2"), "S2", "{}", 0, 1);
    insert.run(idOf("S3"), "S3", null, null, null);
    v7.close();

    const store = openSqliteStore(path);
    const counts = await store.countByCondition();
    assert.deepEqual(
      { converged: counts["converged"], not_converged: counts["not_converged"], unknown: counts["unknown"], faulted: counts["faulted"] },
      { converged: 1, not_converged: 1, unknown: 1, faulted: 1 },
    );
    const ids = async (type: "Converged" | "Faulted", status: boolean): Promise<string[]> =>
      (await store.listDevices({ condition: { type, status }, limit: 10 })).devices.map((d) => d.deviceId);
    assert.deepEqual(await ids("Converged", false), [idOf("S2")]);
    assert.deepEqual(await ids("Faulted", false), [idOf("S1")]);
    assert.equal(await store.countMatching({ condition: { type: "Converged", status: true }, limit: 0 }), 1);
    await store.close();

    const db = new BetterSqlite3(path, { readonly: true });
    const indexes = new Map(
      db
        .prepare<[], { name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'devices' AND sql IS NOT NULL")
        .all()
        .map((r) => [r.name, r.sql] as const),
    );
    assert.equal(indexes.has("devices_by_product_class"), false);
    assert.equal(indexes.has("devices_by_software_version"), false);
    for (const c of ["matched", "converged", "drifted", "faulted", "pending"])
      assert.match(indexes.get(`devices_by_${c}`) ?? "", new RegExp(`WHERE c_${c} IS NOT NULL`));
    // A device without a status is in none of the condition indexes.
    assert.equal(db.prepare("SELECT count(*) AS n FROM devices INDEXED BY devices_by_converged WHERE c_converged IS NOT NULL").pluck().get(), 2);
    assert.equal(schemaVersion(db), LATEST);
    db.close();
  } finally {
    t.cleanup();
  }
});

test("every foreign key's child columns lead an index: a cascade or a per-device statement never scans the child table", () => {
  const db = new BetterSqlite3(":memory:");
  registerFunctions(db);
  migrate(db, MIGRATIONS);
  const tables = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all();
  const unindexed: string[] = [];
  let keys = 0;
  for (const table of tables) {
    const fks = db.pragma(`foreign_key_list(${table})`) as { id: number; seq: number; from: string }[];
    const leading = new Set<string>();
    for (const ix of db.pragma(`index_list(${table})`) as { name: string }[]) {
      const cols = (db.pragma(`index_info(${ix.name})`) as { seqno: number; name: string | null }[]).sort((a, b) => a.seqno - b.seqno);
      for (let n = 1; n <= cols.length; n++)
        leading.add(
          cols
            .slice(0, n)
            .map((c) => c.name ?? "")
            .join(","),
        );
    }
    const rowidPk = (db.pragma(`table_info(${table})`) as { name: string; type: string; pk: number }[]).find((c) => c.pk === 1 && c.type === "INTEGER");
    if (rowidPk !== undefined) leading.add(rowidPk.name);
    for (const id of new Set(fks.map((f) => f.id))) {
      const cols = fks
        .filter((f) => f.id === id)
        .sort((a, b) => a.seq - b.seq)
        .map((f) => f.from)
        .join(",");
      keys++;
      if (!leading.has(cols)) unindexed.push(`${table}(${cols})`);
    }
  }
  db.close();
  assert.ok(keys >= 10, `found only ${keys} foreign keys: the walk is wrong`);
  assert.deepEqual(unindexed, []);
});

test("migration 9: a status write's clear of the device's policy mirror plans on an index, not a scan", () => {
  const db = new BetterSqlite3(":memory:");
  registerFunctions(db);
  migrate(db, MIGRATIONS);
  for (const sql of ["DELETE FROM device_policies WHERE id = 'x'", "DELETE FROM device_tags WHERE id = 'x'"]) {
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(" | ");
    assert.match(plan, /^SEARCH .* USING (COVERING )?INDEX .*_by_id \(id=\?\)/, `${sql}: ${plan}`);
  }
  db.close();
});
