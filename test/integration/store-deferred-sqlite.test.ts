/**
 * SQLite: the deferred telemetry batch (a converged visit's touch, the session log) is committed in one
 * transaction per batch, not at every new device's Inform step. A second connection on the file sees what is
 * committed: loading a device the batch holds nothing of leaves the batch deferred; loading the device it holds
 * writes of commits it first (issue 16: that flush made the session log one extra commit per new-device session).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import { recordInform } from "../support/record-inform.js";
import { facts, idOf, tempDir } from "./store-helpers.js";

test("a device's loadDevice commits only a deferred batch that holds writes of that device", async () => {
  const t = tempDir();
  const file = join(t.dir, "converge.db");
  const store = openSqliteStore(file);
  const reader = new BetterSqlite3(file, { readonly: true });
  try {
    await recordInform(store, facts("C1"), 1);
    const logged = (): number => reader.prepare<[], number>("SELECT count(*) FROM sessions").pluck().get() ?? 0;
    store.logSession({ id: "s1", deviceId: idOf("C1"), startedAt: 1, endedAt: 2, outcome: "ok", rpcCount: 0, events: [], revision: undefined });
    await store.loadDevice(idOf("NEW1"));
    assert.equal(logged(), 0, "a new device's load leaves another device's session log deferred");
    await store.loadDevice(idOf("C1"));
    assert.equal(logged(), 1, "the device's own load commits the batch holding its rows");
  } finally {
    reader.close();
    await store.close();
    t.cleanup();
  }
});
