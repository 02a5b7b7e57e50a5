/**
 * Inventory that outlives a session (migration 2): reboot pending, and the ParameterKeys Converge set
 * (cwmp-notes §7.5). On every backend of the store contract (store-helpers.ts BACKENDS).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { openStore } from "../../src/store/open.js";
import type { Store, StoreWrite } from "../../src/domain/store.js";
import { BACKENDS, BOOT, BOOTSTRAP, PERIODIC, facts, freshTarget, idOf, withStore } from "./store-helpers.js";
import { recordInform } from "../support/record-inform.js";

const ID = idOf("M1");

async function seeded(store: Store): Promise<void> {
  await recordInform(store, facts("M1", { parameters: [] }), 1);
}

interface Row {
  readonly name: string;
  readonly writes: readonly StoreWrite[];
  /** An Inform after the writes, with these events (none: no Inform). */
  readonly inform?: readonly (typeof BOOT)[];
  readonly rebootPending: boolean | undefined;
  readonly appliedKeys: readonly string[] | undefined;
}

const ROWS: readonly Row[] = [
  { name: "an untouched device has neither", writes: [], rebootPending: undefined, appliedKeys: undefined },
  { name: "reboot pending round-trips", writes: [{ kind: "rebootPending", pending: true }], rebootPending: true, appliedKeys: undefined },
  {
    name: "reboot pending cleared by a write",
    writes: [
      { kind: "rebootPending", pending: true },
      { kind: "rebootPending", pending: false },
    ],
    rebootPending: undefined,
    appliedKeys: undefined,
  },
  {
    name: "reboot pending cleared by an Inform with 1 BOOT",
    writes: [{ kind: "rebootPending", pending: true }],
    inform: [BOOT],
    rebootPending: undefined,
    appliedKeys: undefined,
  },
  {
    name: "reboot pending survives a periodic Inform",
    writes: [{ kind: "rebootPending", pending: true }],
    inform: [PERIODIC],
    rebootPending: true,
    appliedKeys: undefined,
  },
  {
    name: "parameterKey writes are remembered newest last, 4 kept, repeats moved to the end",
    writes: ["k1", "k2", "k3", "k1", "k4", "k5"].map((value): StoreWrite => ({ kind: "parameterKey", value })),
    rebootPending: undefined,
    appliedKeys: ["k3", "k1", "k4", "k5"],
  },
  {
    name: "BOOTSTRAP forgets both",
    writes: [
      { kind: "rebootPending", pending: true },
      { kind: "parameterKey", value: "k1" },
    ],
    inform: [BOOTSTRAP],
    rebootPending: undefined,
    appliedKeys: undefined,
  },
  { name: "keys survive a BOOT", writes: [{ kind: "parameterKey", value: "k1" }], inform: [BOOT], rebootPending: undefined, appliedKeys: ["k1"] },
];

for (const backend of BACKENDS) {
  for (const row of ROWS) {
    test(`[${backend}] inventory memory: ${row.name}`, async () => {
      await withStore(backend, async (store) => {
        await seeded(store);
        await store.apply(ID, row.writes);
        if (row.inform) await recordInform(store, facts("M1", { parameters: [], events: row.inform }), 2);
        const inv = await store.loadInventory(ID);
        assert.equal(inv.rebootPending, row.rebootPending);
        assert.deepEqual(inv.appliedKeys, row.appliedKeys);
      });
    });
  }
}

for (const backend of BACKENDS.filter((b) => b !== "memory")) {
  test(`[${backend}] inventory memory survives closing and reopening the database`, async () => {
    const t = await freshTarget(backend);
    try {
      const a = (await openStore(t.target)).store;
      await seeded(a);
      await a.apply(ID, [
        { kind: "parameterKey", value: "cv1-a" },
        { kind: "rebootPending", pending: true },
      ]);
      await a.close();
      const b = (await openStore(t.target)).store;
      assert.deepEqual(await b.loadInventory(ID), {
        created: new Map(),
        writeOnlyHashes: new Map(),
        backoff: new Map(),
        download: undefined,
        rebootPending: true,
        appliedKeys: ["cv1-a"],
      });
      assert.equal((await b.getDevice(ID))?.parameterKey, "cv1-a");
      await b.close();
    } finally {
      t.cleanup();
    }
  });
}
