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
