/**
 * Scratch benchmark for the SQLite store: `node --import tsx bench/store-bench.ts [--devices N] [--params N]`.
 * Prints operations per second for the calls a session makes, and bytes per device and per parameter of a
 * populated WAL file. Synthetic but realistic TR-098 paths (shared by every device, like one model's fleet).
 */
import { statSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { deviceIdOf, type DeviceId } from "../src/domain/device.js";
import type { XsdType } from "../src/domain/xsd.js";
import { openDatabase } from "../src/store/db.js";
import { sqliteStore } from "../src/store/sqlite-store.js";
import type { InformFacts, Store, StoreWrite } from "../src/domain/store.js";
import { recordInform } from "../test/support/record-inform.js";

const { values: args } = parseArgs({ options: { devices: { type: "string", default: "2000" }, params: { type: "string", default: "1000" } } });
const FLEET = Number(args.devices);
const PARAMS = Number(args.params);

interface Param {
  readonly path: string;
  readonly value: string;
  readonly type: XsdType;
}

/** A device tree of `n` parameters: WLAN, WAN, hosts and counters, paths 40-90 characters long. */
function tree(n: number, serial: string): Param[] {
  const out: Param[] = [];
  const leaves = ["Enable", "Status", "Name", "X_HW_Description", "BytesSent", "BytesReceived", "PacketsSent", "MaxBitRate", "Channel", "SSID"];
  for (let i = 0; out.length < n; i++) {
    const table = [
      "LANDevice.1.WLANConfiguration",
      "WANDevice.1.WANConnectionDevice.1.WANIPConnection",
      "LANDevice.1.Hosts.Host",
      "Services.VoiceService.1.VoiceProfile.1.Line",
    ][i % 4];
    const leaf = leaves[Math.floor(i / 4) % leaves.length] ?? "Value";
    const inst = Math.floor(i / 40) + 1;
    const counter = leaf.startsWith("Bytes") || leaf.startsWith("Packets");
    out.push({
      path: `InternetGatewayDevice.${table}.${inst}.${leaf}`,
      value: counter ? String(1_000_000 + i * 7919) : leaf === "Enable" ? "true" : `${leaf}-${serial.slice(-4)}-${i}`,
      type: counter ? "xsd:unsignedLong" : leaf === "Enable" ? "xsd:boolean" : "xsd:string",
    });
  }
  return out;
}

function informFacts(serial: string, params: readonly Param[], events = [{ code: "2 PERIODIC", commandKey: "" }]): InformFacts {
  return {
    deviceId: deviceIdOf({ manufacturer: "Huawei", oui: "00259E", productClass: "EG8145V5", serialNumber: serial }),
    manufacturer: "Huawei Technologies Co., Ltd",
    oui: "00259E",
    productClass: "EG8145V5",
    serialNumber: serial,
    softwareVersion: "V5R020C10S115",
    hardwareVersion: "15AD.A",
    ip: "10.20.30.40",
    connectionRequestUrl: "http://10.20.30.40:7547/",
    udpConnectionRequestAddress: "",
    parameterKey: "a1b2c3d4",
    dataModel: "tr098",
    events,
    parameters: params.map((p) => ({ name: p.path, value: p.value, type: p.type })),
  };
}

/** Runs `fn` repeatedly for ~`ms` and returns calls per second. */
async function rate(ms: number, fn: (i: number) => unknown): Promise<number> {
  let i = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let k = 0; k < 20; k++) await fn(i++);
    now = performance.now();
  }
  return Math.round((i * 1000) / (now - start));
}

function informParams(serial: string): Param[] {
  // The ~10 forced Inform parameters of a TR-098 device.
  return tree(10, serial).map((p, i) => ({ ...p, path: `InternetGatewayDevice.DeviceInfo.Forced${i}` }));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "converge-bench-"));
  const file = join(dir, "converge.db");
  const db = openDatabase(file);
  const store: Store = sqliteStore(db);
  const bytes = (): number => {
    db.pragma("wal_checkpoint(TRUNCATE)");
    return statSync(file).size;
  };
  try {
    const results: Record<string, number | string> = {};
    const big = informFacts("BIG0001", tree(PARAMS, "BIG0001"));
    await recordInform(store, big, 1);
    const bigId = big.deviceId;

    let n = 0;
    results["recordInform new device (10 params)/s"] = await rate(1500, async () => {
      await recordInform(
        store,
        informFacts(`NEW${n++}`, informParams(`NEW${n}`), [
          { code: "0 BOOTSTRAP", commandKey: "" },
          { code: "1 BOOT", commandKey: "" },
        ]),
        10,
      );
    });
    const same = informFacts("SAME0001", informParams("SAME0001"));
    await recordInform(store, same, 1);
    results["recordInform existing device, unchanged (10 params)/s"] = await rate(1500, (i) => recordInform(store, same, 100 + i));
    results[`recordInform existing device, unchanged (${PARAMS} params)/s`] = await rate(1500, (i) => recordInform(store, big, 100 + i));
    results[`loadReported (${PARAMS} params)/s`] = await rate(1500, () => store.loadReported(bigId));
    results["loadInventory/s"] = await rate(1000, () => store.loadInventory(bigId));
    results["minimal session (Inform, loads, session rows, status)/s"] = await rate(2000, (i) => minimalSession(store, same, i));
    results[`apply 1 GPV result of 100 values (${PARAMS}-param device)/s`] = await rate(1000, async (i) => {
      const writes: StoreWrite[] = [{ kind: "reported", params: tree(100, "BIG0001").map((p) => ({ ...p, value: `${p.value}${i % 2}` })), observedAt: i }];
      await store.apply(bigId, writes);
    });
    const before = bytes();
    await populate(store, FLEET, PARAMS, results);
    const grown = bytes() - before;
    results[`file bytes per fleet device (row, tags, ${PARAMS + 10} params)`] = Math.round(grown / FLEET);
    results["file bytes per stored parameter (all overhead included)"] = (grown / (FLEET * (PARAMS + 10))).toFixed(1);
    await store.close();
    for (const [k, v] of Object.entries(results)) console.log(`${k.padEnd(62)} ${v}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function minimalSession(store: Store, facts: InformFacts, i: number): Promise<void> {
  const id: DeviceId = facts.deviceId;
  await recordInform(store, facts, 1000 + i);
  await store.getDevice(id);
  await store.loadReported(id);
  await store.loadInventory(id);
  await store.pendingTasks(id);
  await store.apply(id, [
    {
      kind: "status",
      status: {
        conditions: [{ type: "Converged", status: true, reason: "UpToDate", message: "", lastTransition: 5 }],
        matchedPolicies: ["base"],
        appliedRevision: "r1",
        attemptedRevision: "r1",
        lastTransition: 5,
      },
    },
  ]);
  store.logSession({
    id: `sess-${i}`,
    deviceId: id,
    startedAt: 1000 + i,
    endedAt: 1001 + i,
    outcome: "ok",
    rpcCount: 1,
    events: ["2 PERIODIC"],
    revision: "r1",
  });
}

/** Stores FLEET devices of PARAMS parameters each, timing the whole boot + full-read pass. */
async function populate(store: Store, fleet: number, params: number, results: Record<string, number | string>): Promise<void> {
  const start = performance.now();
  for (let d = 0; d < fleet; d++) {
    const serial = `FLEET${String(d).padStart(7, "0")}`;
    const f = informFacts(serial, informParams(serial), [{ code: "0 BOOTSTRAP", commandKey: "" }]);
    await recordInform(store, f, 1);
    await store.apply(f.deviceId, [{ kind: "reported", params: tree(params, serial), observedAt: 2 }]);
  }
  const s = (performance.now() - start) / 1000;
  results[`populate ${fleet} devices x ${params} params (s)`] = s.toFixed(1);
  results["  = parameters stored/s"] = Math.round((fleet * params) / s);
  const mid = `FLEET${String(Math.floor(fleet / 2)).padStart(7, "0")}`;
  const after = deviceIdOf({ manufacturer: "", oui: "00259E", productClass: "EG8145V5", serialNumber: mid });
  results["listDevices page of 100 (mid-fleet cursor)/s"] = await rate(1000, () => store.listDevices({ limit: 100, after }));
  results["listDevices page of 100, productClass filter/s"] = await rate(1000, () => store.listDevices({ limit: 100, after, productClass: "EG8145V5" }));
  results["countByCondition (ms)"] = (1000 / (await rate(1000, () => store.countByCondition()))).toFixed(2);
  const walk = performance.now();
  let ids = 0;
  for await (const _ of store.eachDeviceId()) ids++;
  results[`eachDeviceId over ${ids} ids (ms)`] = Math.round(performance.now() - walk);
}

await main();
