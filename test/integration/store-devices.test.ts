import { test } from "node:test";
import assert from "node:assert/strict";
import type { DeviceId } from "../../src/domain/device.js";
import type { ConditionType, DeviceFilter, DeviceStatus, Store } from "../../src/domain/store.js";
import { BACKENDS, facts, idOf, withStore } from "./store-helpers.js";
import { recordInform } from "../support/record-inform.js";

function status(converged: boolean, faulted: boolean | undefined): DeviceStatus {
  const conditions = [{ type: "Converged" as ConditionType, status: converged, reason: "r", message: "", lastTransition: 1 }];
  if (faulted !== undefined) conditions.push({ type: "Faulted", status: faulted, reason: "r", message: "", lastTransition: 1 });
  return { conditions, matchedPolicies: [], appliedRevision: "r1", attemptedRevision: "r1", lastTransition: 1 };
}

/** 12 devices: serials D00..D11; even ones are "EG8145", every third runs V2; tags and conditions vary. */
async function fleet(store: Store): Promise<void> {
  for (let i = 0; i < 12; i++) {
    const serial = `D${String(i).padStart(2, "0")}`;
    const productClass = productClassOf(serial);
    await recordInform(store, facts(serial, { productClass, softwareVersion: i % 3 === 0 ? "V2" : "V1" }), 1000 + i);
    const id = idOf(serial, productClass);
    if (i % 4 === 0) await store.setTags(id, ["lab", "north"], []);
    if (i < 9) await store.apply(id, [{ kind: "status", status: status(i % 2 === 1, i >= 6 ? true : undefined) }]);
  }
}

const productClassOf = (serial: string): string => (Number(serial.slice(1)) % 2 === 0 ? "EG8145" : "HG8245");
/** Pages are in device id order (OUI-ProductClass-Serial), not serial order. */
const inIdOrder = (serials: readonly string[]): string[] => [...serials].sort((a, b) => (idOf(a, productClassOf(a)) < idOf(b, productClassOf(b)) ? -1 : 1));

async function walk(store: Store, filter: Omit<DeviceFilter, "after">): Promise<string[]> {
  const serials: string[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await store.listDevices(after === undefined ? filter : { ...filter, after });
    assert.ok(page.devices.length <= filter.limit);
    serials.push(...page.devices.map((d) => d.serialNumber));
    if (page.next === undefined) return serials;
    after = page.next;
  }
  throw new Error("pagination did not end");
}

const CASES: readonly { readonly name: string; readonly filter: Omit<DeviceFilter, "after" | "limit">; readonly serials: readonly string[] }[] = [
  { name: "no filter", filter: {}, serials: ["D00", "D01", "D02", "D03", "D04", "D05", "D06", "D07", "D08", "D09", "D10", "D11"] },
  { name: "productClass", filter: { productClass: "HG8245" }, serials: ["D01", "D03", "D05", "D07", "D09", "D11"] },
  { name: "softwareVersion", filter: { softwareVersion: "V2" }, serials: ["D00", "D03", "D06", "D09"] },
  { name: "tag", filter: { tag: "lab" }, serials: ["D00", "D04", "D08"] },
  { name: "unknown tag", filter: { tag: "nope" }, serials: [] },
  { name: "Converged=true", filter: { condition: { type: "Converged", status: true } }, serials: ["D01", "D03", "D05", "D07"] },
  {
    name: "Converged=false (devices without status excluded)",
    filter: { condition: { type: "Converged", status: false } },
    serials: ["D00", "D02", "D04", "D06", "D08"],
  },
  { name: "Faulted=true", filter: { condition: { type: "Faulted", status: true } }, serials: ["D06", "D07", "D08"] },
  { name: "productClass + softwareVersion + tag", filter: { productClass: "EG8145", softwareVersion: "V2", tag: "north" }, serials: ["D00"] },
  { name: "tag + condition", filter: { tag: "lab", condition: { type: "Converged", status: false } }, serials: ["D00", "D04", "D08"] },
];

for (const backend of BACKENDS) {
  for (const c of CASES) {
    for (const limit of [1, 5, 100]) {
      test(`[${backend}] listDevices ${c.name}, pages of ${limit}`, async () => {
        await withStore(backend, async (store) => {
          await fleet(store);
          assert.deepEqual(await walk(store, { ...c.filter, limit }), inIdOrder(c.serials));
        });
      });
    }
  }

  test(`[${backend}] a full last page has no next cursor; ids order the pages`, async () => {
    await withStore(backend, async (store) => {
      await fleet(store);
      const page = await store.listDevices({ limit: 12 });
      assert.equal(page.devices.length, 12);
      assert.equal(page.next, undefined);
      const first = await store.listDevices({ limit: 11 });
      assert.equal(first.next, first.devices.at(-1)?.deviceId);
      assert.equal(await store.countDevices(), 12);
    });
  });

  test(`[${backend}] countByCondition counts devices per condition from the status columns`, async () => {
    await withStore(backend, async (store) => {
      assert.deepEqual(await store.countByCondition(), { converged: 0, not_converged: 0, unknown: 0, drifted: 0, faulted: 0, pending: 0 });
      await fleet(store);
      assert.deepEqual(await store.countByCondition(), { converged: 4, not_converged: 5, unknown: 3, drifted: 0, faulted: 3, pending: 0 });
    });
  });

  test(`[${backend}] setTags adds and removes idempotently; the tag filter follows`, async () => {
    await withStore(backend, async (store) => {
      await recordInform(store, facts("T1"), 1);
      const id = idOf("T1");
      await store.setTags(id, ["b", "a", "b"], []);
      await store.setTags(id, ["c"], ["a", "zz"]);
      assert.deepEqual((await store.getDevice(id))?.tags, ["b", "c"]);
      assert.deepEqual((await store.listDevices({ tag: "a", limit: 10 })).devices, []);
      assert.deepEqual(
        (await store.listDevices({ tag: "c", limit: 10 })).devices.map((d) => d.serialNumber),
        ["T1"],
      );
      await assert.rejects(store.setTags(idOf("ghost"), ["x"], []), /unknown device/);
    });
  });

  test(`[${backend}] eachDeviceId walks every id across pages and tolerates writes during the walk`, async () => {
    await withStore(backend, async (store) => {
      const ids: DeviceId[] = [];
      for (let i = 0; i < 2500; i++) {
        const serial = `E${String(i).padStart(5, "0")}`;
        await recordInform(store, facts(serial, { parameters: [] }), i);
        ids.push(idOf(serial));
      }
      const seen: DeviceId[] = [];
      for await (const id of store.eachDeviceId()) {
        seen.push(id);
        if (seen.length === 10) await store.apply(id, [{ kind: "parameterKey", value: "during-walk" }]);
      }
      assert.deepEqual(seen, [...ids].sort());
      assert.equal((await store.getDevice(seen[9] ?? ids[0]!))?.parameterKey, "during-walk");
    });
  });
}
