import { test } from "node:test";
import assert from "node:assert/strict";
import type { AcsRequest } from "../../src/cwmp/types.js";
import type { TranscriptEntry } from "../../src/domain/store.js";
import { BACKENDS, facts, idOf, withStore } from "./store-helpers.js";
import { recordInform } from "../support/record-inform.js";

const ID = idOf("S1");
const REBOOT: AcsRequest = { method: "Reboot", commandKey: "op-1" };
const GPV: AcsRequest = { method: "GetParameterValues", names: ["Device.DeviceInfo."] };

for (const backend of BACKENDS) {
  test(`[${backend}] tasks: queued pending oldest first, finished by a task write, listed newest first`, async () => {
    await withStore(backend, async (store) => {
      await recordInform(store, facts("S1"), 1);
      await recordInform(store, facts("S2"), 1);
      const t1 = await store.queueTask(ID, REBOOT, 10);
      const t2 = await store.queueTask(ID, GPV, 20);
      await store.queueTask(idOf("S2"), GPV, 15);
      assert.deepEqual(t1, {
        id: t1.id,
        deviceId: ID,
        request: REBOOT,
        state: "pending",
        createdAt: 10,
        doneAt: undefined,
        outcome: undefined,
        queuedBy: undefined,
      });
      assert.deepEqual(await store.pendingTasks(ID), [t1, t2]);
      await store.apply(ID, [{ kind: "task", id: t1.id, state: "done", outcome: { status: 0 }, at: 30 }]);
      assert.deepEqual(await store.pendingTasks(ID), [t2]);
      const listed = await store.listTasks(ID, 10);
      assert.deepEqual(
        listed.map((t) => t.id),
        [t2.id, t1.id],
      );
      assert.deepEqual(listed[1], { ...t1, state: "done", doneAt: 30, outcome: { status: 0 } });
      assert.equal((await store.listTasks(ID, 1)).length, 1);
      // A task of another device cannot be finished through this device.
      const other = (await store.pendingTasks(idOf("S2")))[0];
      assert.ok(other);
      await assert.rejects(store.apply(ID, [{ kind: "task", id: other.id, state: "fault", outcome: { code: 9001 } }]), /no task/);
      await assert.rejects(store.queueTask(idOf("ghost"), REBOOT, 1), /unknown device/);
      assert.deepEqual(await store.pendingTasks(idOf("ghost")), []);
    });
  });

  test(`[${backend}] a task write without a time uses the store clock`, async () => {
    await withStore(backend, async (store) => {
      await recordInform(store, facts("S1"), 1);
      const t = await store.queueTask(ID, REBOOT, 10);
      const before = Date.now();
      await store.apply(ID, [{ kind: "task", id: t.id, state: "expired", outcome: undefined }]);
      const done = (await store.listTasks(ID, 1))[0];
      assert.equal(done?.state, "expired");
      assert.ok((done?.doneAt ?? 0) >= before);
      assert.equal(done?.outcome, undefined);
    });
  });

  test(`[${backend}] sessions: logged when they end (deferred), visible to the next read, listed newest first`, async () => {
    await withStore(backend, async (store) => {
      await recordInform(store, facts("S1"), 1);
      store.logSession({ id: "s-a", deviceId: ID, startedAt: 100, endedAt: 150, outcome: "ok", rpcCount: 4, events: ["1 BOOT"], revision: "r1" });
      store.logSession({
        id: "s-b",
        deviceId: ID,
        startedAt: 200,
        endedAt: 260,
        outcome: "fault:too_many_rpcs",
        rpcCount: 64,
        events: ["2 PERIODIC"],
        revision: undefined,
      });
      store.logSession({ id: "s-ghost", deviceId: idOf("ghost"), startedAt: 1, endedAt: 2, outcome: "ok", rpcCount: 0, events: [], revision: undefined });
      const list = await store.listSessions(ID, 10);
      assert.deepEqual(list, [
        { id: "s-b", deviceId: ID, startedAt: 200, endedAt: 260, outcome: "fault:too_many_rpcs", rpcCount: 64, events: ["2 PERIODIC"], revision: undefined },
        { id: "s-a", deviceId: ID, startedAt: 100, endedAt: 150, outcome: "ok", rpcCount: 4, events: ["1 BOOT"], revision: "r1" },
      ]);
      assert.deepEqual(await store.listSessions(idOf("ghost"), 5), [], "a session of an unknown device is not logged");
    });
  });

  test(`[${backend}] secrets: set, overwrite, per device and name, before the device is known`, async () => {
    await withStore(backend, async (store) => {
      assert.equal(await store.getSecret(ID, "cr-password"), undefined);
      await store.setSecret(ID, "cr-password", "one");
      await store.setSecret(ID, "cr-password", "two");
      await store.setSecret(ID, "cr-username", "u");
      await store.setSecret(idOf("S2"), "cr-password", "other");
      assert.equal(await store.getSecret(ID, "cr-password"), "two");
      assert.equal(await store.getSecret(ID, "cr-username"), "u");
      assert.equal(await store.getSecret(idOf("S2"), "cr-password"), "other");
    });
  });

  test(`[${backend}] transcripts round trip exactly and only the 10 newest per device are kept`, async () => {
    await withStore(backend, async (store) => {
      await recordInform(store, facts("S1"), 1);
      await recordInform(store, facts("S2"), 1);
      const entries = (n: number): TranscriptEntry[] => [
        { at: n, direction: "in", body: `<soap:Envelope>Inform ${n} ü</soap:Envelope>` },
        { at: n + 1, direction: "out", status: 200, body: "<InformResponse/>" },
        { at: n + 2, direction: "out", status: 204, body: "" },
      ];
      for (let i = 0; i < 15; i++) await store.apply(ID, [{ kind: "transcript", sessionId: `s${i}`, entries: entries(i) }]);
      await store.apply(idOf("S2"), [{ kind: "transcript", sessionId: "other", entries: entries(99) }]);
      assert.deepEqual(await store.getTranscript(ID, "s14"), entries(14));
      assert.deepEqual(await store.getTranscript(ID, "s5"), entries(5));
      assert.equal(await store.getTranscript(ID, "s4"), undefined, "the 11th newest is pruned");
      assert.equal(await store.getTranscript(ID, "other"), undefined, "another device's transcript is not readable through this one");
      assert.deepEqual(await store.getTranscript(idOf("S2"), "other"), entries(99));
      // Saving an old session again makes it the newest (s5 replaced, s6 survives the next prune).
      await store.apply(ID, [{ kind: "transcript", sessionId: "s5", entries: entries(500) }]);
      await store.apply(ID, [{ kind: "transcript", sessionId: "s15", entries: entries(15) }]);
      assert.deepEqual(await store.getTranscript(ID, "s5"), entries(500));
      assert.equal(await store.getTranscript(ID, "s6"), undefined);
      assert.deepEqual(await store.getTranscript(ID, "s7"), entries(7));
    });
  });
}

for (const backend of BACKENDS) {
  test(`[${backend}] retention bounds are options: sessions, faults and finished tasks are pruned per device, pending tasks never`, async () => {
    await withStore(
      backend,
      async (store) => {
        await recordInform(store, facts("S1"), 1);
        for (let i = 0; i < 5; i++)
          store.logSession({ id: `s${i}`, deviceId: ID, startedAt: i, endedAt: i, outcome: "ok", rpcCount: 0, events: [], revision: undefined });
        assert.deepEqual(
          (await store.listSessions(ID, 10)).map((s) => s.id),
          ["s4", "s3"],
        );
        for (let i = 0; i < 5; i++) {
          await store.apply(ID, [
            { kind: "fault", fault: { code: `${9000 + i}`, message: "", path: undefined, policy: undefined, sessionId: undefined, retryable: false, at: i } },
          ]);
        }
        assert.deepEqual(
          (await store.listFaults(ID, 10)).map((f) => f.code),
          ["9004", "9003", "9002"],
        );
        const tasks = [];
        for (const i of [0, 1, 2, 3]) tasks.push(await store.queueTask(ID, REBOOT, i));
        await store.apply(
          ID,
          tasks.slice(0, 3).map((t) => ({ kind: "task", id: t.id, state: "done", outcome: null, at: 9 }) as const),
        );
        await store.queueTask(ID, GPV, 10);
        assert.deepEqual(
          (await store.listTasks(ID, 10)).map((t) => t.state),
          ["pending", "pending", "done"],
        );
        await store.apply(ID, [{ kind: "transcript", sessionId: "a", entries: [] }]);
        await store.apply(ID, [{ kind: "transcript", sessionId: "b", entries: [] }]);
        assert.equal(await store.getTranscript(ID, "a"), undefined);
        assert.deepEqual(await store.getTranscript(ID, "b"), []);
      },
      { sessionsPerDevice: 2, faultsPerDevice: 3, finishedTasksPerDevice: 1, transcriptsPerDevice: 1 },
    );
  });
}
