/**
 * The store contract's cross-cutting cases, on every backend (store-helpers.ts BACKENDS: SQLite in memory, a SQLite
 * file, PostgreSQL): deleting a device forgets everything, the installation key, two stores on one database (the
 * server and a CLI, or two nodes), deferred telemetry, the rollout store, and PostgreSQL's migrations under
 * their lock. The per-area cases are store-{apply,devices,inform,memory,records,search}.test.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { DeviceLoad, StoreWrite } from "../../src/domain/store.js";
import { openStore } from "../../src/store/open.js";
import { migratePg } from "../../src/store/pg/migrate.js";
import { PG_MIGRATIONS, type PgMigration } from "../../src/store/pg/migrations/index.js";
import { createPool } from "../../src/store/pg/pool.js";
import type { RolloutRecord } from "../../src/rollout/types.js";
import { recordInform } from "../support/record-inform.js";
import { BACKENDS, facts, freshPgUrl, freshTarget, idOf, withStore } from "./store-helpers.js";

const ID = idOf("C1");
const OTHER = idOf("C2");

const everything: readonly StoreWrite[] = [
  { kind: "reported", params: [{ path: "A.B", value: "1", type: "xsd:string" }], observedAt: 5 },
  { kind: "objectAdded", path: "A.T.1.", createdByUs: true, observedAt: 5 },
  { kind: "writeOnlyHash", path: "A.P", hash: "h1:x" },
  { kind: "backoff", path: "A.Q", until: 99, code: "firmware_not_applied", attempts: 2 },
  { kind: "download", download: { commandKey: "ck", version: "V2", startedAt: 3 } },
  { kind: "parameterKey", value: "cv1-k" },
  { kind: "rebootPending", pending: true },
  { kind: "fault", fault: { code: "9002", message: "m", path: "A.B", policy: "p", sessionId: "s1", retryable: true, at: 5 } },
  { kind: "status", status: { conditions: [], matchedPolicies: ["p"], appliedRevision: "r1", attemptedRevision: "r1", lastTransition: 5 } },
  { kind: "secret", name: "crPassword", value: "pw" },
  { kind: "transcript", sessionId: "s1", entries: [{ at: 5, direction: "in", body: "{}" }] },
];

const rollout = (id: string, over: Partial<RolloutRecord> = {}): RolloutRecord => ({
  id,
  policy: "wifi",
  stableRevision: "r1",
  canaryRevision: "r2",
  stableFingerprint: "f1",
  canaryFingerprint: "f2",
  strategy: {
    kind: "staged",
    waves: [{ kind: "percent", value: 10 }],
    canaryPerModel: false,
    soakMs: 60_000,
    gate: { converged: 0.9, maxFaulted: 0, withinMs: 3_600_000 },
    window: undefined,
    onFailure: "pause",
    kickOnWave: false,
  },
  state: "running",
  wave: 0,
  waveStartedAt: 10,
  createdAt: 10,
  updatedAt: 10,
  reason: undefined,
  supersededBy: undefined,
  ...over,
});

for (const backend of BACKENDS) {
  test(`[${backend}] deleteDevice forgets the record, tags, reported state, inventory, tasks, faults, sessions, transcripts and secrets, and nothing of others`, async () => {
    await withStore(backend, async (store) => {
      for (const id of ["C1", "C2"]) {
        await recordInform(store, facts(id), 1);
        await store.apply(idOf(id), everything);
        await store.setTags(idOf(id), ["lab"], []);
        await store.queueTask(idOf(id), { kind: "Reboot", commandKey: "x" } as never, 2);
        store.logSession({ id: `${id}-s`, deviceId: idOf(id), startedAt: 1, endedAt: 2, outcome: "ok", rpcCount: 1, events: [], revision: undefined });
      }
      // A visit deferred before the delete must not bring the device back, nor fail the batch for the other device.
      store.touchLater(ID, 50, []);
      assert.equal(await store.deleteDevice(ID), true);
      store.touchLater(ID, 60, []);
      await store.flush();
      assert.equal(await store.getDevice(ID), undefined);
      assert.equal((await store.loadReported(ID)).params.size, 0);
      assert.deepEqual(await store.loadInventory(ID), { created: new Map(), writeOnlyHashes: new Map(), backoff: new Map(), download: undefined });
      assert.deepEqual(await store.listTasks(ID, 10), []);
      assert.deepEqual(await store.listFaults(ID, 10), []);
      assert.deepEqual(await store.listSessions(ID, 10), []);
      assert.equal(await store.getTranscript(ID, "s1"), undefined);
      assert.deepEqual(await store.getSecrets(ID), new Map());
      assert.equal(await store.countDevices(), 1);
      assert.equal(await store.countMatching({ tag: "lab", limit: 10 }), 1);
      assert.deepEqual(await store.countByPolicy(), { p: 1 });
      assert.deepEqual(await store.auditTasks({ limit: 10 }).then((ts) => ts.map((t) => t.deviceId)), [OTHER]);
      // The other device keeps all of it.
      const other = await store.loadDevice(OTHER);
      assert.equal(other.reported.params.get("A.B")?.value, "1");
      assert.equal(other.inventory.backoff.get("A.Q")?.code, "firmware_not_applied");
      assert.equal(other.inventory.rebootPending, true);
      assert.equal(other.secrets.get("crPassword"), "pw");
      assert.equal(other.tasks.length, 1);
      assert.equal((await store.listSessions(OTHER, 10)).length, 1);
      assert.equal((await store.getTranscript(OTHER, "s1"))?.length, 1);
      // Unknown device: false, but secrets provisioned ahead of a first Inform are still removed.
      await store.setSecret(idOf("never"), "crPassword", "x");
      assert.equal(await store.deleteDevice(idOf("never")), false);
      assert.equal(await store.getSecret(idOf("never"), "crPassword"), undefined);
    });
  });

  test(`[${backend}] loadAndApply: decide sees what loadDevice reads, its writes commit in the same step, and it resolves with decide's result`, async () => {
    await withStore(backend, async (store) => {
      // A device never seen: decide gets the empty load; an inform write first creates the device.
      const seen: DeviceLoad[] = [];
      const inform = (at: number, ip: string): StoreWrite => ({ kind: "inform", facts: { ...facts("C1"), ip }, events: [], at, booted: false });
      const made = await store.loadAndApply(ID, (loaded) => {
        seen.push(loaded);
        return { writes: [inform(10, "10.0.0.1"), ...everything], result: "made" };
      });
      assert.equal(made, "made");
      assert.equal(seen[0]?.record, undefined);
      assert.equal(seen[0]?.reported.params.size, 0);
      assert.deepEqual(seen[0]?.tasks, []);
      await store.queueTask(ID, { kind: "Reboot", commandKey: "x" } as never, 11);
      // Known: decide gets exactly what loadDevice returns, and the step's writes are visible after.
      const before = await store.loadDevice(ID);
      const n = await store.loadAndApply(ID, (loaded) => {
        seen.push(loaded);
        return { writes: [inform(20, "10.0.0.2"), { kind: "reported", params: [{ path: "A.B", value: "2", type: "xsd:string" }], observedAt: 20 }], result: 2 };
      });
      assert.equal(n, 2);
      assert.deepEqual(seen[1], before);
      assert.equal(seen[1]?.reported.params.get("A.B")?.value, "1");
      assert.equal(seen[1]?.tasks.length, 1);
      assert.equal(seen[1]?.secrets.get("crPassword"), "pw");
      const after = await store.loadDevice(ID);
      assert.equal(after.record?.ip, "10.0.0.2");
      assert.equal(after.record?.lastInform, 20);
      assert.equal(after.reported.params.get("A.B")?.value, "2");
      // Without an inform write the device must exist, as for apply.
      await assert.rejects(
        store.loadAndApply(OTHER, () => ({ writes: [{ kind: "rebootPending", pending: true }], result: 0 })),
        /unknown device/,
      );
      assert.equal(await store.getDevice(OTHER), undefined);
    });
  });

  test(`[${backend}] loadAndApply: when decide throws or a write fails, nothing of the step is written; the device's deferred touch is seen`, async () => {
    await withStore(backend, async (store) => {
      await recordInform(store, facts("C1"), 1);
      store.touchLater(ID, 500, [{ code: "2 PERIODIC", commandKey: "" }]);
      const thrown = new Error("decide failed");
      await assert.rejects(
        store.loadAndApply(ID, (loaded) => {
          assert.equal(loaded.record?.lastInform, 500, "the device's own deferred touch is committed before the load");
          throw thrown;
        }),
        thrown,
      );
      await assert.rejects(
        store.loadAndApply(OTHER, () => {
          throw thrown;
        }),
        thrown,
      );
      assert.equal(await store.getDevice(OTHER), undefined, "a device decide never got to create");
      // A write that fails after the inform write: the step rolls back whole (the inform write too).
      const moved: StoreWrite = { kind: "inform", facts: { ...facts("C1"), ip: "10.9.9.9" }, events: [], at: 600, booted: false };
      const bad = { kind: "no-such-write" } as unknown as StoreWrite;
      await assert.rejects(store.loadAndApply(ID, () => ({ writes: [moved, { kind: "rebootPending", pending: true }, bad], result: 0 })));
      const after = await store.loadDevice(ID);
      assert.equal(after.record?.lastInform, 500);
      assert.notEqual(after.record?.ip, "10.9.9.9");
      assert.notEqual(after.inventory.rebootPending, true);
    });
  });

  test(`[${backend}] the installation key is 32 random bytes in hex, created once and the same on every read`, async () => {
    await withStore(backend, async (store) => {
      const k = await store.installationKey();
      assert.match(k, /^[0-9a-f]{64}$/);
      assert.equal(await store.installationKey(), k);
    });
  });

  test(`[${backend}] deferred telemetry: a device's load sees its own deferred touch, and loading another device loses none of it`, async () => {
    await withStore(backend, async (store) => {
      await recordInform(store, facts("C1"), 1);
      store.touchLater(ID, 500, [{ code: "2 PERIODIC", commandKey: "" }]);
      store.logSession({ id: "s1", deviceId: ID, startedAt: 490, endedAt: 510, outcome: "ok", rpcCount: 0, events: ["2 PERIODIC"], revision: undefined });
      assert.equal((await store.loadDevice(OTHER)).record, undefined);
      const own = await store.loadDevice(ID);
      assert.equal(own.record?.lastInform, 500);
      assert.deepEqual(own.record?.lastEvents, [{ code: "2 PERIODIC", commandKey: "" }]);
      assert.deepEqual(
        (await store.listSessions(ID, 5)).map((s) => s.id),
        ["s1"],
      );
    });
  });

  test(`[${backend}] deferred telemetry: a touch and a session log are visible to the next read, and flush writes them`, async () => {
    await withStore(backend, async (store) => {
      await recordInform(store, facts("C1"), 1);
      store.touchLater(ID, 500, [{ code: "2 PERIODIC", commandKey: "" }]);
      store.touchLater(ID, 700, [{ code: "6 CONNECTION REQUEST", commandKey: "" }]);
      const d = await store.getDevice(ID);
      assert.equal(d?.lastInform, 700, "the last touch of a batch wins");
      assert.deepEqual(d?.lastEvents, [{ code: "6 CONNECTION REQUEST", commandKey: "" }]);
      store.logSession({ id: "s1", deviceId: ID, startedAt: 600, endedAt: 610, outcome: "ok", rpcCount: 0, events: ["2 PERIODIC"], revision: "r" });
      store.logSession({ id: "ghost", deviceId: idOf("ghost"), startedAt: 1, endedAt: 2, outcome: "ok", rpcCount: 0, events: [], revision: undefined });
      await store.flush();
      assert.deepEqual(await store.listSessions(ID, 5), [
        { id: "s1", deviceId: ID, startedAt: 600, endedAt: 610, outcome: "ok", rpcCount: 0, events: ["2 PERIODIC"], revision: "r" },
      ]);
      assert.deepEqual(await store.listSessions(idOf("ghost"), 5), []);
    });
  });

  test(`[${backend}] the rollout store: create with supersession, update, assignments, events, versions, meta`, async () => {
    const t = await freshTarget(backend);
    const opened = await openStore(t.target);
    try {
      const rs = opened.rollouts();
      const a = [
        { deviceId: "D1", wave: 0, state: "pending", model: "M/1", applied: undefined, disruptiveAt: undefined, fault: undefined },
        { deviceId: "D2", wave: 1, state: "waiting", model: "M/1", applied: "r1", disruptiveAt: 7, fault: undefined },
      ] as const;
      await rs.createRollout(rollout("r-1"), a, { at: 10, kind: "started", message: "go" }, []);
      await rs.createRollout(rollout("r-2", { createdAt: 20 }), [], { at: 20, kind: "started", message: "again" }, [
        rollout("r-1", { state: "superseded", supersededBy: "r-2", updatedAt: 20 }),
      ]);
      const list = await rs.listRollouts();
      assert.deepEqual(
        list.map((r) => [r.id, r.state, r.supersededBy]),
        [
          ["r-1", "superseded", "r-2"],
          ["r-2", "running", undefined],
        ],
      );
      // Stored as JSON: a strategy without a window reads back without the key, on every backend.
      assert.deepEqual(list[0]?.strategy, JSON.parse(JSON.stringify(rollout("x").strategy)));
      const fault = { deviceId: "D1", model: "M/1", code: "9007", path: "A.B", message: "bad" };
      await rs.updateRollout(
        rollout("r-2", {
          createdAt: 20,
          state: "paused",
          reason: { at: 30, wave: 0, kind: "operator", message: "stop", faults: [fault], models: ["M/1"] },
        }),
        { at: 30, kind: "paused", message: "stop" },
        [{ deviceId: "D9", wave: 0, state: "faulted", model: "M/1", applied: undefined, disruptiveAt: undefined, fault }],
      );
      await rs.updateAssignments("r-1", [{ ...a[0], state: "converged", applied: "r2" }]);
      const after = await rs.listRollouts();
      assert.equal(after[1]?.state, "paused");
      assert.deepEqual(after[1]?.reason?.faults, [fault]);
      const byId = (xs: readonly { deviceId: string }[]) => [...xs].sort((x, y) => (x.deviceId < y.deviceId ? -1 : 1));
      assert.deepEqual(byId(await rs.loadAssignments("r-1")), [{ ...a[0], state: "converged", applied: "r2" }, a[1]]);
      assert.deepEqual(await rs.loadAssignments("r-2"), [
        { deviceId: "D9", wave: 0, state: "faulted", model: "M/1", applied: undefined, disruptiveAt: undefined, fault },
      ]);
      assert.deepEqual(await rs.events("r-2", 10), [
        { at: 20, kind: "started", message: "again" },
        { at: 30, kind: "paused", message: "stop" },
      ]);
      assert.deepEqual(await rs.events("r-2", 1), [{ at: 30, kind: "paused", message: "stop" }], "the newest, in order");
      await rs.saveVersion({ revision: "r2", sources: [{ rel: "wifi.yaml", text: "name: wifi\n" }] });
      await rs.saveVersion({ revision: "r2", sources: [{ rel: "wifi.yaml", text: "name: wifi2\n" }] });
      assert.deepEqual(await rs.loadVersion("r2"), { revision: "r2", sources: [{ rel: "wifi.yaml", text: "name: wifi2\n" }] });
      assert.equal(await rs.loadVersion("nope"), undefined);
      assert.equal(await rs.getMeta("served_revision"), undefined);
      await rs.setMeta("served_revision", "r1");
      await rs.setMeta("served_revision", "r2");
      assert.equal(await rs.getMeta("served_revision"), "r2");
      await rs.close();
    } finally {
      await opened.store.close();
      t.cleanup();
    }
  });
}

for (const backend of BACKENDS.filter((b) => b !== "memory")) {
  test(`[${backend}] two stores on one database (server and CLI, or two nodes) see each other's committed writes`, async () => {
    const t = await freshTarget(backend);
    const a = (await openStore(t.target)).store;
    const b = (await openStore(t.target)).store;
    try {
      await recordInform(a, facts("C1"), 1);
      await a.apply(ID, [{ kind: "reported", params: [{ path: "X.Y", value: "a", type: "xsd:string" }], observedAt: 2 }]);
      assert.equal((await b.loadReported(ID)).params.get("X.Y")?.value, "a");
      await b.apply(ID, [{ kind: "reported", params: [{ path: "X.Z", value: "b", type: "xsd:string" }], observedAt: 3 }]);
      assert.deepEqual([...(await a.loadReported(ID)).params.keys()].sort(), [
        "InternetGatewayDevice.DeviceInfo.SoftwareVersion",
        "InternetGatewayDevice.ManagementServer.PeriodicInformInterval",
        "X.Y",
        "X.Z",
      ]);
      assert.equal(await a.installationKey(), await b.installationKey(), "one installation key per database");
    } finally {
      await a.close();
      await b.close();
      t.cleanup();
    }
  });
}

if (BACKENDS.includes("pg")) {
  // Probe migrations take the numbers after the last real one (the cluster's tables are 50).
  const P = (PG_MIGRATIONS.at(-1)?.version ?? 0) + 1;
  const probe = (version: number): PgMigration => ({
    version,
    name: `probe-${version}`,
    sql: `CREATE TABLE probe_${version} (n INTEGER); INSERT INTO probe_${version} VALUES (1); SELECT pg_sleep(0.05);`,
  });

  test("[pg] migrations run once whichever node starts first: several migrators at once on a fresh database", async () => {
    const url = await freshPgUrl();
    const list = [...PG_MIGRATIONS, probe(P), probe(P + 1)];
    const pools = Array.from({ length: 5 }, () => createPool(url, { poolSize: 2 }));
    try {
      const applied = await Promise.all(pools.map((p) => migratePg(p, list)));
      // Exactly one migrator applied each migration; the others found it done.
      assert.deepEqual(
        applied.flat().sort((x, y) => x - y),
        list.map((m) => m.version),
      );
      const q = pools[0] ?? assert.fail();
      const rows = await q.query<{ version: number; n: number }>("SELECT version, count(*) AS n FROM schema_migrations GROUP BY version ORDER BY version");
      assert.deepEqual(
        rows.rows,
        list.map((m) => ({ version: m.version, n: 1 })),
      );
      for (const v of [P, P + 1]) assert.equal((await q.query<{ n: number }>(`SELECT count(*) AS n FROM probe_${v}`)).rows[0]?.n, 1);
      // A later start applies nothing more.
      assert.deepEqual(await migratePg(q, list), []);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  test("[pg] a failing migration leaves the database at the previous whole migration", async () => {
    const url = await freshPgUrl();
    const pool = createPool(url, { poolSize: 1 });
    try {
      const bad: PgMigration = { version: P, name: "bad", sql: "CREATE TABLE half (n INTEGER); SELECT no_such_function();" };
      await assert.rejects(migratePg(pool, [...PG_MIGRATIONS, bad]), new RegExp(`migration ${P} \\(bad\\) failed: .*no_such_function`));
      const v = await pool.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
      assert.deepEqual(
        v.rows.map((r) => r.version),
        PG_MIGRATIONS.map((m) => m.version),
      );
      assert.equal((await pool.query<{ t: string | null }>("SELECT to_regclass('half')::text AS t")).rows[0]?.t, null, "no half-applied table");
      assert.deepEqual(await migratePg(pool, [...PG_MIGRATIONS, probe(P)]), [P], "the fixed migration applies next time");
    } finally {
      await pool.end();
    }
  });

  test("[pg] a database migrated by a newer Converge is refused rather than used; an out-of-order list is refused", async () => {
    const url = await freshPgUrl();
    await (await openStore(url)).store.close();
    const pool = createPool(url, { poolSize: 1 });
    try {
      await pool.query("INSERT INTO schema_migrations (version, name) VALUES (999, 'from-the-future')");
      await assert.rejects(openStore(url), /migration\(s\) 999 this Converge does not know/);
      await assert.rejects(migratePg(pool, [probe(2), probe(1)]), /out of order/);
    } finally {
      await pool.end();
    }
  });
}
