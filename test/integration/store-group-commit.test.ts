/**
 * The SQLite store's group commit (src/store/sqlite-store.ts groupCommit): steps whose apply is called in one
 * event-loop turn commit together, on a real WAL file watched from a second connection (what another process,
 * or a crash, would see).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Store, StoreWrite } from "../../src/domain/store.js";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import { recordInform } from "../support/record-inform.js";
import { facts, idOf, tempDir } from "./store-helpers.js";

const reported = (path: string, value: string): StoreWrite => ({ kind: "reported", params: [{ path, value, type: "xsd:string" }], observedAt: 100 });
// NaN binds as NULL (backoff.until is NOT NULL): the step fails on its last write, after valid ones.
const bad: StoreWrite = { kind: "backoff", path: "A.Bad", until: Number.NaN, code: 9005, attempts: 1 };

async function withFile(fn: (store: Store, committed: (serial: string, path: string) => string | undefined) => Promise<void>): Promise<void> {
  const tmp = tempDir();
  const file = join(tmp.dir, "converge.db");
  const store = openSqliteStore(file, { groupCommit: true });
  const other = new Database(file, { readonly: true, fileMustExist: true });
  // What a second connection sees as committed: the device's reported value at `path`.
  const read = other.prepare<[string, string], { value: string }>(
    "SELECT r.value FROM reported r JOIN devices d ON d.dev = r.dev JOIN paths p ON p.id = r.path_id WHERE d.id = ? AND p.path = ?",
  );
  try {
    await fn(store, (serial, path) => read.get(idOf(serial), path)?.value);
  } finally {
    other.close();
    await store.close();
    tmp.cleanup();
  }
}

const seed = async (store: Store, serials: readonly string[]): Promise<void> => {
  for (const s of serials) await recordInform(store, facts(s, { parameters: [] }), 1);
};

test("steps applied in one turn commit together: each promise settles only after its commit, a bad step fails alone", async () => {
  await withFile(async (store, committed) => {
    const serials = ["G1", "G2", "G3", "G4"];
    await seed(store, serials);
    const steps = serials.map((s) =>
      store.apply(idOf(s), s === "G3" ? [reported("A.B.C", s), bad] : [reported("A.B.C", s), { kind: "parameterKey", value: `k-${s}` }]),
    );
    // Queued for the end of the turn: nothing committed yet.
    for (const s of serials) assert.equal(committed(s, "A.B.C"), undefined);
    const seenAtSettle = await Promise.all(
      steps.map((p, i) =>
        p.then(
          () => serials.map((s) => committed(s, "A.B.C")),
          (e: unknown) => (e instanceof Error ? e.message : String(e)) + ` (${i})`,
        ),
      ),
    );
    // When the first promise resolves every good step of its group is already committed (one transaction).
    assert.deepEqual(seenAtSettle[0], ["G1", "G2", undefined, "G4"]);
    assert.deepEqual(seenAtSettle[1], ["G1", "G2", undefined, "G4"]);
    assert.match(String(seenAtSettle[2]), /NOT NULL constraint failed: backoff.until/);
    assert.deepEqual(seenAtSettle[3], ["G1", "G2", undefined, "G4"]);
    for (const s of ["G1", "G2", "G4"]) assert.equal((await store.getDevice(idOf(s)))?.parameterKey, `k-${s}`);
    // The bad step wrote nothing, not even its valid writes.
    assert.equal((await store.loadReported(idOf("G3"))).params.size, 0);
    assert.deepEqual((await store.loadInventory(idOf("G3"))).backoff, new Map());
  });
});

test("a step that fails in a group leaves no path id it minted, and keeps those its group's other steps minted", async () => {
  await withFile(async (store, committed) => {
    await seed(store, ["P1", "P2", "P3"]);
    const [ok, failed] = await Promise.allSettled([
      store.apply(idOf("P1"), [reported("New.Of.P1", "1")]),
      store.apply(idOf("P2"), [reported("New.Of.P2", "2"), bad]),
    ]);
    assert.equal(ok?.status, "fulfilled");
    assert.equal(failed?.status, "rejected");
    // The path P2's step interned was rolled back with its savepoint: a later step must intern it again.
    await Promise.all([store.apply(idOf("P3"), [reported("New.Of.P2", "3")]), store.apply(idOf("P1"), [reported("New.Of.P1", "4")])]);
    assert.equal(committed("P3", "New.Of.P2"), "3");
    assert.equal(committed("P1", "New.Of.P1"), "4");
    assert.equal((await store.loadReported(idOf("P3"))).params.get("New.Of.P2")?.value, "3");
  });
});

test("a read issued while steps wait for their group sees them: the queue commits first", async () => {
  await withFile(async (store, committed) => {
    await seed(store, ["R1", "R2"]);
    const a = store.apply(idOf("R1"), [reported("A.B.C", "r1")]);
    const b = store.apply(idOf("R2"), [reported("A.B.C", "r2")]);
    // The device's own load (the next session's Inform step) and any other read, in the same turn.
    const load = store.loadDevice(idOf("R1"));
    assert.equal(committed("R1", "A.B.C"), "r1");
    const other = store.getDevice(idOf("R2"));
    assert.equal(committed("R2", "A.B.C"), "r2");
    assert.equal((await load).reported.params.get("A.B.C")?.value, "r1");
    assert.equal((await other)?.deviceId, idOf("R2"));
    await Promise.all([a, b]);
    // Deferred telemetry is never committed ahead of a step queued before it: its batch (here the 256th entry's)
    // commits the queue first.
    const c = store.apply(idOf("R2"), [reported("A.B.C", "r2b")]);
    for (let i = 0; i < 256; i++) store.touchLater(idOf("R1"), 5 + i, []);
    assert.equal(committed("R2", "A.B.C"), "r2b");
    await c;
  });
});

test("a group is bounded: the step that fills it commits the group at once, the next waits for the turn's end", async () => {
  await withFile(async (store, committed) => {
    const serials = Array.from({ length: 129 }, (_, i) => `B${i}`);
    await seed(store, serials);
    const steps = serials.map((s) => store.apply(idOf(s), [reported("A.B.C", s)]));
    // The 128th apply committed the first 128 steps in its own call; the 129th is queued.
    assert.equal(committed("B0", "A.B.C"), "B0");
    assert.equal(committed("B127", "A.B.C"), "B127");
    assert.equal(committed("B128", "A.B.C"), undefined);
    await Promise.all(steps);
    assert.equal(committed("B128", "A.B.C"), "B128");
  });
});

test("the Inform step's loadAndApply joins the turn's group: its writes commit with the others' before it settles, and it sees its own device's queued steps", async () => {
  await withFile(async (store, committed) => {
    await seed(store, ["I1", "I2"]);
    const queued = store.apply(idOf("I2"), [reported("A.B.C", "i2")]);
    const inform = store.loadAndApply(idOf("I1"), (loaded) => ({ writes: [reported("A.B.C", "i1")], result: loaded.reported.params.size }));
    // Both wait for the group (the Inform neither commits alone nor cuts the group short).
    assert.equal(committed("I1", "A.B.C"), undefined);
    assert.equal(committed("I2", "A.B.C"), undefined);
    assert.equal(await inform, 0);
    assert.equal(committed("I1", "A.B.C"), "i1");
    assert.equal(committed("I2", "A.B.C"), "i2");
    await queued;
    // A step of the same device still queued is committed before the load reads it.
    const own = store.apply(idOf("I1"), [reported("A.B.D", "again")]);
    const seen = await store.loadAndApply(idOf("I1"), (loaded) => ({ writes: [], result: loaded.reported.params.get("A.B.D")?.value }));
    assert.equal(seen, "again");
    await own;
    // A decide that throws, or a write that fails, writes nothing of the step; the group's other steps commit.
    const other = store.apply(idOf("I2"), [reported("A.B.E", "kept")]);
    const failed = store.loadAndApply(idOf("I1"), () => ({ writes: [reported("A.B.F", "lost"), bad], result: 1 }));
    await assert.rejects(failed, /NOT NULL constraint failed/);
    await other;
    assert.equal(committed("I1", "A.B.F"), undefined);
    assert.equal(committed("I2", "A.B.E"), "kept");
    await assert.rejects(
      store.loadAndApply(idOf("I1"), () => {
        throw new Error("decide failed");
      }),
      /decide failed/,
    );
  });
});
