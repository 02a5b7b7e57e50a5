import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { bulkWrite, replicate } from "../../bench/support/bulk-store.js";
import { templates } from "../../bench/support/big-store.js";
import { fleetSerial } from "../../src/sim/fleet.js";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import { recordInform } from "../support/record-inform.js";
import { tempDir } from "./store-helpers.js";

test("the bench's bulk store writer stores exactly what the Store API stores for the same Informs (six models, 250+ values each)", async () => {
  const t = tempDir();
  try {
    const models = templates();
    const n = models.length * 2;
    const factsOf = (i: number) => {
      const m = models[i % models.length];
      if (m === undefined) throw new Error("no model");
      return m.facts(fleetSerial("bulk-test", i));
    };
    const informs = Array.from({ length: n }, (_, i) => factsOf(i));
    const now = 1_790_000_000_000;
    bulkWrite(join(t.dir, "bulk.db"), n, (i) => informs[i] ?? factsOf(i), now);
    const viaApi = openSqliteStore(join(t.dir, "api.db"));
    for (const f of informs) await recordInform(viaApi, f, now);
    const bulk = openSqliteStore(join(t.dir, "bulk.db"));
    try {
      assert.equal(await bulk.countDevices(), n);
      let values = 0;
      let long = 0;
      for (const f of informs) {
        const id = f.deviceId;
        assert.deepEqual(await bulk.getDevice(id), await viaApi.getDevice(id), `record of ${id}`);
        const reported = await bulk.loadReported(id);
        assert.deepEqual(reported, await viaApi.loadReported(id), `reported state of ${id}`);
        assert.deepEqual(await bulk.loadInventory(id), await viaApi.loadInventory(id));
        assert.deepEqual(await bulk.getSecrets(id), await viaApi.getSecrets(id));
        values += reported.params.size;
        long += [...reported.params.values()].filter((p) => p.value.length > 1000).length;
      }
      assert.ok(values / n > 250, `${values / n} values per device`);
      assert.ok(long > 0, "the fixture holds long (packed) values");
      // The stored bytes too, not only what reads back: the same encoding row for row.
      const rowsOf = (file: string): unknown[] => {
        const db = new BetterSqlite3(join(t.dir, file), { readonly: true });
        const rows = db
          .prepare(
            "SELECT d.id, p.path, r.value, typeof(r.value) AS kind, r.flags, r.observed_at FROM reported r JOIN devices d ON d.dev = r.dev JOIN paths p ON p.id = r.path_id ORDER BY d.id, p.path",
          )
          .all();
        db.close();
        return rows;
      };
      await bulk.flush();
      await viaApi.flush();
      assert.deepEqual(rowsOf("bulk.db"), rowsOf("api.db"));
    } finally {
      await bulk.close();
      await viaApi.close();
    }
  } finally {
    t.cleanup();
  }
});

test("a store grown by replicate holds exactly the rows bulkWrite writes for the same fleet (ids, serials, URLs, every reported row)", () => {
  const t = tempDir();
  try {
    const models = templates();
    const base = models.length * 2;
    const n = base * 3 + 5; // a partial last copy
    const factsOf = (i: number) => {
      const m = models[i % models.length];
      if (m === undefined) throw new Error("no model");
      return m.facts(fleetSerial("bulk-test", i));
    };
    const now = 1_790_000_000_000;
    bulkWrite(join(t.dir, "whole.db"), n, factsOf, now);
    bulkWrite(join(t.dir, "grown.db"), base, factsOf, now);
    replicate(join(t.dir, "grown.db"), base, n, 7);
    const dump = (file: string): { devices: unknown[]; reported: unknown[]; paths: unknown[] } => {
      const db = new BetterSqlite3(join(t.dir, file), { readonly: true });
      try {
        return {
          devices: db.prepare("SELECT * FROM devices ORDER BY dev").all(),
          reported: db.prepare("SELECT dev, path_id, value, typeof(value) AS kind, flags, observed_at FROM reported ORDER BY dev, path_id").all(),
          paths: db.prepare("SELECT * FROM paths ORDER BY id").all(),
        };
      } finally {
        db.close();
      }
    };
    const whole = dump("whole.db");
    const grown = dump("grown.db");
    assert.equal(grown.devices.length, n);
    assert.deepEqual(grown.devices, whole.devices);
    assert.deepEqual(grown.paths, whole.paths);
    assert.equal(grown.reported.length, whole.reported.length);
    assert.deepEqual(grown.reported, whole.reported);
  } finally {
    t.cleanup();
  }
});
