import { test } from "node:test";
import assert from "node:assert/strict";
import { BACKENDS, BOOT, BOOTSTRAP, PERIODIC, facts, idOf, p, withStore } from "./store-helpers.js";
import { normaliseEventCode } from "../../src/cwmp/events.js";
import { recordInform } from "../support/record-inform.js";
import { applyInform } from "../../src/session/inform.js";

const SW = "InternetGatewayDevice.DeviceInfo.SoftwareVersion";
const PII = "InternetGatewayDevice.ManagementServer.PeriodicInformInterval";
const SSID = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID";

for (const backend of BACKENDS) {
  test(`[${backend}] a first Inform creates the device with its facts and reported values`, async () => {
    await withStore(backend, async (store) => {
      const r = await recordInform(store, facts("S1", { events: [BOOTSTRAP, BOOT], parameterKey: "k0" }), 1000);
      assert.equal(r.isNew, true);
      const d = await store.getDevice(idOf("S1"));
      assert.ok(d);
      assert.equal(d.serialNumber, "S1");
      assert.equal(d.productClass, "HG8245");
      assert.equal(d.firstSeen, 1000);
      assert.equal(d.lastInform, 1000);
      assert.equal(d.lastBoot, 1000);
      assert.equal(d.parameterKey, "k0");
      assert.equal(d.dataModel, "tr098");
      assert.deepEqual(d.lastEvents, [BOOTSTRAP, BOOT]);
      assert.deepEqual(d.tags, []);
      assert.equal(d.status, undefined);
      const rep = await store.loadReported(idOf("S1"));
      assert.deepEqual(rep.params.get(PII), { value: "3600", type: "xsd:unsignedInt", writable: undefined, observedAt: 1000 });
      assert.equal(rep.parameterKey, "k0");
      assert.equal(rep.softwareVersion, "V3R017C10S100");
    });
  });

  test(`[${backend}] a later Inform updates facts and freshness, keeps first-seen, boot time and unrelated values`, async () => {
    await withStore(backend, async (store) => {
      const id = idOf("S1");
      await recordInform(store, facts("S1", { events: [BOOT] }), 1000);
      await store.apply(id, [{ kind: "reported", params: [{ path: SSID, value: "home", type: "xsd:string" }], observedAt: 1500 }]);
      const r = await recordInform(store, facts("S1", { ip: "10.0.0.9", softwareVersion: "V2", parameterKey: "k1", dataModel: undefined }), 2000);
      assert.equal(r.isNew, false);
      const d = await store.getDevice(id);
      assert.equal(d?.firstSeen, 1000);
      assert.equal(d?.lastInform, 2000);
      assert.equal(d?.lastBoot, 1000, "a PERIODIC Inform does not move the boot time");
      assert.equal(d?.ip, "10.0.0.9");
      assert.equal(d?.dataModel, "tr098", "an Inform without a data model keeps the known one");
      const rep = await store.loadReported(id);
      assert.equal(rep.params.get(SW)?.value, "V2");
      assert.equal(rep.params.get(SW)?.observedAt, 2000);
      assert.equal(rep.params.get(SSID)?.observedAt, 1500, "values the Inform does not carry keep their own freshness");
      assert.equal(rep.softwareVersion, "V2");
      assert.equal(rep.parameterKey, "k1");
      assert.equal(await store.countDevices(), 1);
    });
  });

  test(`[${backend}] BOOT and BOOTSTRAP (any case/spacing, normalised by the decoder) set the boot time`, async () => {
    await withStore(backend, async (store) => {
      await recordInform(store, facts("S1"), 1000);
      assert.equal((await store.getDevice(idOf("S1")))?.lastBoot, undefined);
      await recordInform(store, facts("S1", { events: [{ code: normaliseEventCode("1  boot"), commandKey: "" }] }), 2000);
      assert.equal((await store.getDevice(idOf("S1")))?.lastBoot, 2000);
      await recordInform(store, facts("S1", { events: [PERIODIC] }), 3000);
      assert.equal((await store.getDevice(idOf("S1")))?.lastBoot, 2000);
    });
  });

  test(`[${backend}] BOOTSTRAP forgets reported params, names, objects, discovered paths and the whole inventory`, async () => {
    await withStore(backend, async (store) => {
      const id = idOf("S1");
      await recordInform(store, facts("S1"), 1000);
      await store.apply(id, [
        { kind: "reported", params: [{ path: SSID, value: "home", type: "xsd:string" }], observedAt: 1100 },
        {
          kind: "names",
          params: [
            { path: "InternetGatewayDevice.Q.Y", writable: true },
            { path: "InternetGatewayDevice.Q.1.", writable: true },
          ],
          discovered: "InternetGatewayDevice.Q.",
          observedAt: 1100,
        },
        { kind: "objectAdded", path: "InternetGatewayDevice.PM.3.", createdByUs: true, observedAt: 1100 },
        { kind: "writeOnlyHash", path: "InternetGatewayDevice.X.Password", hash: "h" },
        { kind: "backoff", path: "InternetGatewayDevice.X.Bad", until: 9999, code: 9005, attempts: 2 },
        { kind: "download", download: { commandKey: "fw1", version: "V9", startedAt: 1100 } },
        {
          kind: "fault",
          fault: { code: "9005", message: "x", path: "InternetGatewayDevice.X.Bad", policy: undefined, sessionId: undefined, retryable: true, at: 1100 },
        },
      ]);
      await store.setTags(id, ["lab"], []);
      await store.setSecret(id, "cr", "pw");
      const known = await store.loadReported(id);
      assert.deepEqual(
        [known.params.size, known.names?.size, known.objects.size, known.discovered.size],
        [3, 1, 2, 1],
        "all kinds of knowledge present before",
      );
      const r = await recordInform(store, facts("S1", { events: [BOOTSTRAP], parameters: [p(PII, "60", "xsd:unsignedInt")] }), 2000);
      assert.equal(r.isNew, false);
      const rep = await store.loadReported(id);
      assert.deepEqual([...rep.params.keys()], [PII], "only the BOOTSTRAP Inform's own values remain");
      assert.equal(rep.params.get(PII)?.value, "60");
      assert.equal(rep.objects.size, 0);
      assert.equal(rep.discovered.size, 0);
      assert.equal(rep.names?.size, 0);
      const inv = await store.loadInventory(id);
      assert.deepEqual(inv, { created: new Map(), writeOnlyHashes: new Map(), backoff: new Map(), download: undefined });
      // What the ACS knows about the device itself survives a factory reset.
      assert.deepEqual((await store.getDevice(id))?.tags, ["lab"]);
      assert.equal(await store.getSecret(id, "cr"), "pw");
      assert.equal((await store.listFaults(id, 10)).length, 1);
    });
  });

  test(`[${backend}] a BOOTSTRAP that still carries one of our ParameterKeys (a retried first session) keeps the inventory: created instances, their keys, write-ahead intents`, async () => {
    await withStore(backend, async (store) => {
      const id = idOf("S1");
      await recordInform(store, facts("S1"), 1000);
      const key = { ExternalPort: "8080" };
      const intent = {
        selector: "InternetGatewayDevice.PM.[ExternalPort=9090]",
        table: "InternetGatewayDevice.PM.",
        key: { ExternalPort: "9090" },
        before: [3],
        at: 1200,
      };
      await store.apply(id, [
        { kind: "objectAdded", path: "InternetGatewayDevice.PM.3.", createdByUs: true, observedAt: 1100, key },
        { kind: "parameterKey", value: "cv1-ours" },
        { kind: "addIntent", intent },
      ]);
      await recordInform(store, facts("S1", { events: [BOOTSTRAP], parameterKey: "cv1-ours", parameters: [] }), 2000);
      const kept = await store.loadInventory(id);
      assert.deepEqual(kept.created.get("InternetGatewayDevice.PM."), [3]);
      assert.deepEqual(kept.createdKeys?.get("InternetGatewayDevice.PM.3."), key);
      assert.deepEqual(kept.addIntents, [intent]);
      assert.equal((await store.loadReported(id)).objects.size, 0, "reported knowledge is re-read all the same");
      // A real factory reset (the key emptied) forgets it.
      await recordInform(store, facts("S1", { events: [BOOTSTRAP], parameterKey: "", parameters: [] }), 3000);
      const reset = await store.loadInventory(id);
      assert.equal(reset.created.size, 0);
      assert.equal(reset.addIntents, undefined);
    });
  });

  test(`[${backend}] BOOTSTRAP of one device leaves other devices alone`, async () => {
    await withStore(backend, async (store) => {
      await recordInform(store, facts("A"), 1000);
      await recordInform(store, facts("B"), 1000);
      await store.apply(idOf("B"), [{ kind: "writeOnlyHash", path: "X.P", hash: "h" }]);
      await recordInform(store, facts("A", { events: [BOOTSTRAP], parameters: [] }), 2000);
      assert.equal((await store.loadReported(idOf("B"))).params.size, 2);
      assert.equal((await store.loadInventory(idOf("B"))).writeOnlyHashes.get("X.P"), "h");
    });
  });

  test(`[${backend}] values stay exact text: 64-bit counters, leading zeros, whitespace, empty, unicode`, async () => {
    await withStore(backend, async (store) => {
      const values = ["18446744073709551615", "9223372036854775807", "-9223372036854775808", "007", " padded ", "", "1.10", "1e3", "Wi-Fi ✓ 日本"];
      const params = values.map((v, i) => p(`InternetGatewayDevice.V.${i + 1}.Value`, v, i < 3 ? "xsd:unsignedLong" : "xsd:string"));
      await recordInform(store, facts("S1", { parameters: params }), 1000);
      const rep = await store.loadReported(idOf("S1"));
      values.forEach((v, i) => assert.equal(rep.params.get(`InternetGatewayDevice.V.${i + 1}.Value`)?.value, v));
    });
  });

  test(`[${backend}] loadReported and loadInventory of an unknown device are empty`, async () => {
    await withStore(backend, async (store) => {
      const rep = await store.loadReported(idOf("nobody"));
      assert.equal(rep.params.size, 0);
      assert.equal(rep.parameterKey, "");
      assert.equal((await store.loadInventory(idOf("nobody"))).download, undefined);
      assert.equal(await store.getDevice(idOf("nobody")), undefined);
    });
  });
}

// The Inform step computes the session's starting state without reading back (session/inform.ts): it must be
// exactly what the store holds once its writes are committed.
const STEPS = [
  { name: "new device, BOOTSTRAP", events: [BOOTSTRAP, BOOT] },
  { name: "PERIODIC", events: [PERIODIC] },
  { name: "BOOT", events: [BOOT] },
  { name: "BOOTSTRAP of a known device", events: [BOOTSTRAP] },
] as const;
for (const backend of BACKENDS) {
  for (const row of STEPS) {
    test(`[${backend}] Inform step (${row.name}): the state computed in memory is what the store holds after its writes`, async () => {
      await withStore(backend, async (store) => {
        const id = idOf("S1");
        if (row.name !== "new device, BOOTSTRAP") {
          await recordInform(store, facts("S1", { events: [BOOT] }), 1000);
          await store.apply(id, [
            {
              kind: "names",
              discovered: "InternetGatewayDevice.LANDevice.",
              observedAt: 1100,
              params: [
                { path: `${SSID}`, writable: true },
                { path: PII, writable: true },
              ],
            },
            { kind: "attributes", params: [{ path: PII, notification: 2 }] },
            { kind: "objectAdded", path: "InternetGatewayDevice.LANDevice.1.X.1.", createdByUs: true, observedAt: 1200 },
            { kind: "rebootPending", pending: true },
            { kind: "status", status: { conditions: [], matchedPolicies: ["p"], appliedRevision: "r", attemptedRevision: "r", lastTransition: 1 } },
          ]);
          await store.setTags(id, ["lab"], []);
        }
        const known = await store.loadDevice(id);
        const out = applyInform(facts("S1", { events: row.events, parameterKey: "k9", softwareVersion: "V9" }), known, 2000);
        await store.apply(id, out.writes);
        const after = await store.loadDevice(id);
        assert.deepEqual(after.record, out.record);
        assert.deepEqual(after.reported.params, out.reported.params);
        assert.deepEqual(after.reported.names ?? new Map(), out.reported.names ?? new Map());
        assert.deepEqual(after.reported.objects, out.reported.objects);
        assert.deepEqual(after.reported.discovered, out.reported.discovered);
        assert.equal(after.reported.parameterKey, out.reported.parameterKey);
        assert.equal(after.reported.softwareVersion, out.reported.softwareVersion);
        assert.deepEqual(after.inventory.created, out.inventory.created);
        assert.equal(after.inventory.rebootPending === true, out.inventory.rebootPending === true);
      });
    });
  }
}
