import { test } from "node:test";
import assert from "node:assert/strict";
import type { Store, StoreWrite } from "../../src/domain/store.js";
import type { FaultCode } from "../../src/domain/faults.js";
import { BACKENDS, facts, idOf, withStore } from "./store-helpers.js";
import { recordInform } from "../support/record-inform.js";

const ID = idOf("S1");
const reported = (path: string, value: string, observedAt = 100): StoreWrite => ({
  kind: "reported",
  params: [{ path, value, type: "xsd:string" }],
  observedAt,
});

async function seeded(store: Store): Promise<void> {
  await recordInform(store, facts("S1", { parameters: [] }), 1);
}

for (const backend of BACKENDS) {
  test(`[${backend}] apply is all or nothing: a write violating a constraint after valid ones keeps none of them`, async () => {
    await withStore(backend, async (store) => {
      await seeded(store);
      const before = await store.loadReported(ID);
      const writes: StoreWrite[] = [
        reported("A.B.C", "1"),
        { kind: "objectAdded", path: "A.T.1.", createdByUs: true, observedAt: 100 },
        { kind: "writeOnlyHash", path: "A.P", hash: "h" },
        { kind: "parameterKey", value: "k9" },
        { kind: "status", status: { conditions: [], matchedPolicies: ["p"], appliedRevision: "r1", attemptedRevision: "r1", lastTransition: 100 } },
        // NaN binds as NULL in SQLite (backoff.until is NOT NULL) and is no bigint in PostgreSQL: either way the write fails.
        { kind: "backoff", path: "A.Bad", until: Number.NaN, code: 9005, attempts: 1 },
      ];
      await assert.rejects(store.apply(ID, writes), /NOT NULL constraint failed: backoff.until|invalid input syntax for type bigint: "NaN"/);
      const after = await store.loadReported(ID);
      assert.deepEqual(after, before);
      assert.deepEqual(await store.loadInventory(ID), { created: new Map(), writeOnlyHashes: new Map(), backoff: new Map(), download: undefined });
      assert.equal((await store.getDevice(ID))?.parameterKey, "");
      assert.equal((await store.getDevice(ID))?.status, undefined);
      // The interned-path cache must not keep ids minted by the rolled back transaction.
      await store.apply(ID, [reported("A.B.C", "2")]);
      assert.equal((await store.loadReported(ID)).params.get("A.B.C")?.value, "2");
    });
  });

  test(`[${backend}] apply to an unknown device, an unknown task or a malformed object path throws and keeps nothing`, async () => {
    await withStore(backend, async (store) => {
      await seeded(store);
      await assert.rejects(store.apply(idOf("ghost"), [reported("A.B", "1")]), /unknown device/);
      await assert.rejects(store.apply(ID, [reported("A.B", "1"), { kind: "task", id: 42, state: "done", outcome: null }]), /no task 42/);
      await assert.rejects(store.apply(ID, [reported("A.B", "1"), { kind: "objectAdded", path: "A.T.1", createdByUs: false, observedAt: 1 }]), /must end with/);
      await assert.rejects(store.apply(ID, [{ kind: "objectAdded", path: "A.T.", createdByUs: true, observedAt: 1 }]), /not an instance path/);
      assert.equal((await store.loadReported(ID)).params.size, 0);
    });
  });

  test(`[${backend}] reported writes upsert value, type and freshness but keep writability and notification`, async () => {
    await withStore(backend, async (store) => {
      await seeded(store);
      await store.apply(ID, [
        { kind: "names", params: [{ path: "A.X", writable: true }], discovered: "A.", observedAt: 50 },
        { kind: "attributes", params: [{ path: "A.X", notification: 2 }] },
        { kind: "reported", params: [{ path: "A.X", value: "5", type: "xsd:int" }], observedAt: 60 },
      ]);
      await store.apply(ID, [{ kind: "reported", params: [{ path: "A.X", value: "6", type: "xsd:unsignedInt" }], observedAt: 70 }]);
      assert.deepEqual((await store.loadReported(ID)).params.get("A.X"), {
        value: "6",
        type: "xsd:unsignedInt",
        writable: true,
        observedAt: 70,
        notification: 2,
      });
      assert.equal((await store.loadReported(ID)).names?.has("A.X"), false);
    });
  });

  test(`[${backend}] names: value-less parameters keep writability in names, objects go to objects, the path is discovered`, async () => {
    await withStore(backend, async (store) => {
      await seeded(store);
      await store.apply(ID, [
        reported("Device.WiFi.SSID.1.SSID", "home"),
        {
          kind: "names",
          discovered: "Device.WiFi.SSID.",
          observedAt: 200,
          params: [
            { path: "Device.WiFi.SSID.1.", writable: true },
            { path: "Device.WiFi.SSID.1.SSID", writable: true },
            { path: "Device.WiFi.SSID.1.Status", writable: false },
            { path: "Device.WiFi.SSID.1.Enable", writable: true },
          ],
        },
      ]);
      const rep = await store.loadReported(ID);
      assert.deepEqual([...rep.params.keys()], ["Device.WiFi.SSID.1.SSID"]);
      assert.equal(rep.params.get("Device.WiFi.SSID.1.SSID")?.writable, true);
      assert.equal(rep.params.get("Device.WiFi.SSID.1.SSID")?.value, "home");
      assert.deepEqual(
        rep.names,
        new Map([
          ["Device.WiFi.SSID.1.Status", { writable: false }],
          ["Device.WiFi.SSID.1.Enable", { writable: true }],
        ]),
      );
      assert.deepEqual(rep.objects, new Map([["Device.WiFi.SSID.1.", 200]]));
      assert.deepEqual(rep.discovered, new Map([["Device.WiFi.SSID.", 200]]));
      // A later read of the value moves it from names to params, still writable=false.
      await store.apply(ID, [{ kind: "reported", params: [{ path: "Device.WiFi.SSID.1.Status", value: "Up", type: "xsd:string" }], observedAt: 300 }]);
      const again = await store.loadReported(ID);
      assert.equal(again.params.get("Device.WiFi.SSID.1.Status")?.writable, false);
      assert.equal(again.names?.has("Device.WiFi.SSID.1.Status"), false);
    });
  });

  test(`[${backend}] names forgets direct children the GetParameterNames answer no longer lists, with their subtree and ownership`, async () => {
    await withStore(backend, async (store) => {
      await seeded(store);
      await store.apply(ID, [
        ...["PM.1.", "PM.2.", "PM.3.", "PM.30."].map((p): StoreWrite => ({ kind: "objectAdded", path: `A.${p}`, createdByUs: true, observedAt: 1 })),
        reported("A.PM.3.Port", "80"),
        reported("A.PM.30.Port", "81"),
        reported("A.PMNumberOfEntries", "4"),
        reported("A.Other.X", "kept: not under the enumerated path"),
        { kind: "writeOnlyHash", path: "A.PM.3.Secret", hash: "h" },
      ]);
      // NextLevel=true on "A.PM.": the CPE now has instances 1, 2 and 30 (someone deleted 3 on the CPE's web UI).
      await store.apply(ID, [
        { kind: "names", discovered: "A.PM.", observedAt: 5, params: ["A.PM.1.", "A.PM.2.", "A.PM.30."].map((path) => ({ path, writable: true })) },
      ]);
      const rep = await store.loadReported(ID);
      assert.deepEqual([...rep.objects.keys()].sort(), ["A.PM.1.", "A.PM.2.", "A.PM.30."]);
      assert.deepEqual([...rep.params.keys()].sort(), ["A.Other.X", "A.PM.30.Port", "A.PMNumberOfEntries"]);
      const inv = await store.loadInventory(ID);
      assert.deepEqual(inv.created, new Map([["A.PM.", [1, 2, 30]]]));
      assert.equal(inv.writeOnlyHashes.size, 0);
      // NextLevel=false from a CPE that omits object names: instance 30 is confirmed through its parameter.
      await store.apply(ID, [{ kind: "names", discovered: "A.PM.", observedAt: 6, params: [{ path: "A.PM.30.Port", writable: true }] }]);
      assert.deepEqual([...(await store.loadReported(ID)).objects.keys()], ["A.PM.30."]);
      assert.equal((await store.loadReported(ID)).params.get("A.PM.30.Port")?.value, "81");
    });
  });

  test(`[${backend}] objectDeleted removes the object and everything beneath it, and nothing that only looks similar`, async () => {
    await withStore(backend, async (store) => {
      await seeded(store);
      const keep = ["A.T_1.X", "A.T%1.X", "A.T.10.X", "A.T.1X", "A.T.1", "A.Tx1.X", "B.T.1.X", "A.T.2.X"];
      const gone = ["A.T.1.X", "A.T.1.Sub.5.Y", "A.T.1._%"];
      await store.apply(ID, [
        // Enumerations first: a names write forgets known children its answer does not list.
        { kind: "names", params: [], discovered: "A.T.", observedAt: 1 },
        { kind: "names", params: [], discovered: "A.T.1.Sub.", observedAt: 1 },
        { kind: "names", params: [{ path: "A.T.1.Name", writable: true }], discovered: "A.T.1.", observedAt: 1 },
        ...[...keep, ...gone].map((path) => reported(path, "v")),
        ...["A.T.1.", "A.T.1.Sub.5.", "A.T.10.", "A.T.2."].map((path): StoreWrite => ({ kind: "objectAdded", path, createdByUs: true, observedAt: 1 })),
        { kind: "objectAdded", path: "A.T_1.", createdByUs: false, observedAt: 1 },
        { kind: "writeOnlyHash", path: "A.T.1.Password", hash: "h" },
        { kind: "writeOnlyHash", path: "A.T.10.Password", hash: "h" },
        { kind: "backoff", path: "A.T.1.Bad", until: 5, code: 9005, attempts: 1 },
      ]);
      await store.apply(ID, [{ kind: "objectDeleted", path: "A.T.1." }]);
      const rep = await store.loadReported(ID);
      assert.deepEqual([...rep.params.keys()].sort(), [...keep].sort());
      assert.deepEqual([...rep.objects.keys()].sort(), ["A.T.10.", "A.T.2.", "A.T_1."]);
      assert.deepEqual([...rep.discovered.keys()], ["A.T."]);
      assert.equal(rep.names?.size, 0);
      const inv = await store.loadInventory(ID);
      assert.deepEqual(inv.created, new Map([["A.T.", [2, 10]]]));
      assert.deepEqual([...inv.writeOnlyHashes.keys()], ["A.T.10.Password"]);
      assert.equal(inv.backoff.size, 0);
    });
  });

  test(`[${backend}] forgetPaths forgets single values exactly and partial paths with their subtree`, async () => {
    await withStore(backend, async (store) => {
      await seeded(store);
      await store.apply(ID, [
        reported("A.X", "1"),
        reported("A.XY", "1"),
        reported("A.S.1.Y", "1"),
        reported("A.S.10.Y", "1"),
        { kind: "objectAdded", path: "A.S.1.", createdByUs: true, observedAt: 1 },
      ]);
      await store.apply(ID, [{ kind: "forgetPaths", paths: ["A.X", "A.S.1.", "A.Missing"] }]);
      const rep = await store.loadReported(ID);
      assert.deepEqual([...rep.params.keys()].sort(), ["A.S.10.Y", "A.XY"]);
      assert.equal(rep.objects.size, 0);
      assert.deepEqual((await store.loadInventory(ID)).created, new Map([["A.S.", [1]]]), "forgetting knowledge keeps ownership");
    });
  });

  test(`[${backend}] inventory writes round trip: created, hashes, backoff set/clear, download set/clear`, async () => {
    await withStore(backend, async (store) => {
      await seeded(store);
      await store.apply(ID, [
        { kind: "objectAdded", path: "A.PM.7.", createdByUs: true, observedAt: 1 },
        { kind: "objectAdded", path: "A.PM.3.", createdByUs: true, observedAt: 1 },
        { kind: "objectAdded", path: "A.PM.4.", createdByUs: false, observedAt: 1 },
        { kind: "writeOnlyHash", path: "A.Pw", hash: "h1" },
        { kind: "writeOnlyHash", path: "A.Pw", hash: "h2" },
        { kind: "backoff", path: "A.B1", until: 10, code: 9005, attempts: 1 },
        { kind: "backoff", path: "A.B1", until: 20, code: 9005, attempts: 2 },
        { kind: "backoff", path: "A.B2", until: 30, code: 9007, attempts: 1 },
        { kind: "clearBackoff", path: "A.B2" },
        { kind: "download", download: { commandKey: "c1", version: "V1", startedAt: 5 } },
      ]);
      assert.deepEqual(await store.loadInventory(ID), {
        created: new Map([["A.PM.", [3, 7]]]),
        writeOnlyHashes: new Map([["A.Pw", "h2"]]),
        backoff: new Map([["A.B1", { until: 20, code: 9005, attempts: 2 }]]),
        download: { commandKey: "c1", version: "V1", startedAt: 5 },
      });
      await store.apply(ID, [{ kind: "download", download: undefined }]);
      assert.equal((await store.loadInventory(ID)).download, undefined);
      assert.deepEqual([...(await store.loadReported(ID)).objects.keys()].sort(), ["A.PM.3.", "A.PM.4.", "A.PM.7."]);
    });
  });

  test(`[${backend}] attributes on a parameter whose value is unknown keep the notification in names`, async () => {
    await withStore(backend, async (store) => {
      await seeded(store);
      await store.apply(ID, [{ kind: "attributes", params: [{ path: "A.N", notification: 1 }] }]);
      assert.deepEqual((await store.loadReported(ID)).names?.get("A.N"), { writable: undefined, notification: 1 });
    });
  });

  test(`[${backend}] status writes the conditions and revisions read back by getDevice; parameterKey write`, async () => {
    await withStore(backend, async (store) => {
      await seeded(store);
      const status = {
        conditions: [
          { type: "Converged", status: false, reason: "Drifted", message: "2 values differ", lastTransition: 9 },
          { type: "Faulted", status: true, reason: "CpeFault", message: "9007", lastTransition: 9 },
        ],
        matchedPolicies: ["wifi", "base"],
        appliedRevision: undefined,
        attemptedRevision: "abc123",
        lastTransition: 9,
      } as const;
      await store.apply(ID, [
        { kind: "status", status },
        { kind: "parameterKey", value: "abc123" },
      ]);
      const d = await store.getDevice(ID);
      assert.deepEqual(d?.status, status);
      assert.equal(d?.parameterKey, "abc123");
      assert.equal((await store.loadReported(ID)).parameterKey, "abc123");
      const converged = { ...status, conditions: [{ ...status.conditions[0], status: true }], appliedRevision: "abc123" };
      for (const next of [converged, converged, status]) {
        await store.apply(ID, [{ kind: "status", status: next }]);
        assert.deepEqual((await store.getDevice(ID))?.status, next);
        assert.equal((await store.listDevices({ limit: 5, condition: { type: "Converged", status: true } })).devices.length, next === converged ? 1 : 0);
      }
    });
  });

  test(`[${backend}] faults are recorded newest first and clearFaults removes those of the given paths`, async () => {
    await withStore(backend, async (store) => {
      await seeded(store);
      const fault = (code: FaultCode, path: string | undefined, at: number): StoreWrite => ({
        kind: "fault",
        fault: { code, message: `m${code}`, path, policy: "wifi", sessionId: "s1", retryable: code === "9005", at },
      });
      await store.apply(ID, [fault("9005", "A.X", 1), fault("9007", "A.Y", 2), fault("too_many_rpcs", undefined, 3)]);
      const all = await store.listFaults(ID, 10);
      assert.deepEqual(
        all.map((f) => f.code),
        ["too_many_rpcs", "9007", "9005"],
      );
      assert.deepEqual(all[2], {
        id: all[2]?.id,
        deviceId: ID,
        code: "9005",
        message: "m9005",
        path: "A.X",
        policy: "wifi",
        sessionId: "s1",
        retryable: true,
        at: 1,
      });
      assert.equal(all[0]?.path, undefined);
      assert.equal((await store.listFaults(ID, 1)).length, 1);
      await store.apply(ID, [{ kind: "clearFaults", paths: ["A.X", "A.Nope"] }]);
      assert.deepEqual(
        (await store.listFaults(ID, 10)).map((f) => f.code),
        ["too_many_rpcs", "9007"],
      );
    });
  });
}

for (const backend of BACKENDS) {
  test(`[${backend}] a status write sets only what changed: conditions, revisions and the policy mirror each follow the last status`, async () => {
    await withStore(backend, async (store) => {
      await seeded(store);
      const cond = (type: "Converged" | "Faulted", status: boolean) => ({ type, status, reason: "r", message: "", lastTransition: 1 });
      const status = (converged: boolean, policies: string[], rev: string): StoreWrite => ({
        kind: "status",
        status: {
          conditions: [cond("Converged", converged), cond("Faulted", false)],
          matchedPolicies: policies,
          appliedRevision: rev,
          attemptedRevision: rev,
          lastTransition: 1,
        },
      });
      await store.apply(ID, [status(false, ["a", "b"], "r1")]);
      assert.deepEqual(await store.countByPolicy(), { a: 1, b: 1 });
      assert.equal((await store.countByCondition())["not_converged"], 1);
      // Only the revision changes: conditions and policies stay.
      await store.apply(ID, [status(false, ["b", "a"], "r2")]);
      assert.equal((await store.getDevice(ID))?.status?.appliedRevision, "r2");
      assert.deepEqual(await store.countByPolicy(), { a: 1, b: 1 });
      assert.deepEqual((await store.getDevice(ID))?.status?.matchedPolicies, ["b", "a"]);
      // A condition moves, the policies change.
      await store.apply(ID, [status(true, ["c"], "r2")]);
      assert.deepEqual(await store.countByCondition(), { converged: 1, not_converged: 0, unknown: 0, drifted: 0, faulted: 0, pending: 0 });
      assert.deepEqual(await store.countByPolicy(), { c: 1 });
      assert.equal((await store.listDevices({ limit: 10, condition: { type: "Converged", status: true } })).devices.length, 1);
    });
  });
}
