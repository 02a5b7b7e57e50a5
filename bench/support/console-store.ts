/**
 * A store for benchmark 7 (the console's API): N devices over six makes written through the Store API with
 * few parameters each (the console's queries read the devices row, status mirrors, tags, sessions and faults,
 * not the reported parameters beyond one), statuses (90% converged, 5% faulted, 3% drifted), matched policies,
 * a tag on 10%, three sessions per device within the last three hours, a fault on 5%, one Wi-Fi SSID per
 * device of which 1% are "Guest". Cached in the temp dir by size.
 */
import { existsSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { deviceIdOf, type DeviceId } from "../../src/domain/device.js";
import { fleetSerial } from "../../src/sim/fleet.js";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import type { DeviceStatus, InformFacts } from "../../src/domain/store.js";
import { QUICK, log } from "./report.js";
import { recordInform } from "../../test/support/record-inform.js";

export const CONSOLE_STORE_DEVICES = QUICK ? 20_000 : 100_000;

const MAKES = [
  {
    manufacturer: "Huawei Technologies Co., Ltd",
    oui: "00259E",
    productClass: "EG8145V5",
    softwareVersion: "V5R020C10S115",
    policies: ["wifi", "inform", "ntp"],
  },
  {
    manufacturer: "Huawei Technologies Co., Ltd",
    oui: "E0A3AC",
    productClass: "BM632w",
    softwareVersion: "V100R001IRQC56B017",
    policies: ["wifi-bm", "inform"],
  },
  { manufacturer: "Nokia", oui: "ACDE48", productClass: "G-1425G-A", softwareVersion: "3FE49568IJIJ23", policies: ["wifi", "inform", "ntp"] },
  { manufacturer: "ZTE", oui: "1C2704", productClass: "ZXHN H199A", softwareVersion: "V9.1.0P4N3_MUL", policies: ["wifi", "inform"] },
  { manufacturer: "TP-Link", oui: "50C7BF", productClass: "EC220-G5", softwareVersion: "1.12.0 Build 220820", policies: ["wifi-181", "inform-181"] },
  { manufacturer: "TP-Link", oui: "3C52A1", productClass: "Device2", softwareVersion: "0.14.0 2.0.0 v605f.0", policies: ["wifi-181", "inform-181"] },
] as const;

const VALUE_PATH = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID";

export interface ConsoleStore {
  readonly file: string;
  readonly devices: number;
  readonly seconds: number;
  readonly reused: boolean;
  readonly sampleSerial: string;
  readonly sampleOui: string;
  readonly sampleModel: string;
  readonly sampleFirmware: string;
  readonly middleId: string;
  readonly valuePath: string;
}

function status(i: number, now: number, policies: readonly string[]): DeviceStatus {
  const faulted = i % 20 === 7;
  const drifted = i % 33 === 5;
  const converged = !faulted && !drifted;
  const c = (type: "Matched" | "Converged" | "Drifted" | "Faulted" | "Pending", s: boolean, reason: string) => ({
    type,
    status: s,
    reason,
    message: "",
    lastTransition: now - 3_600_000,
  });
  return {
    conditions: [
      c("Matched", true, "PoliciesMatched"),
      c("Converged", converged, converged ? "Converged" : "NotConverged"),
      c("Drifted", drifted, "x"),
      c("Faulted", faulted, "x"),
      c("Pending", false, "x"),
    ],
    matchedPolicies: policies,
    appliedRevision: "sha256:bench",
    attemptedRevision: "sha256:bench",
    lastTransition: now - 3_600_000,
  };
}

export async function consoleStore(n: number): Promise<ConsoleStore> {
  const file = join(tmpdir(), `converge-bench-console-${n}-v2.db`);
  const m0 = MAKES[0];
  const sample = {
    sampleSerial: fleetSerial("console", Math.floor(n / 2)),
    sampleOui: m0.oui,
    sampleModel: m0.productClass,
    sampleFirmware: m0.softwareVersion,
    middleId: deviceIdOf({ ...MAKES[Math.floor(n / 2) % MAKES.length]!, serialNumber: fleetSerial("console", Math.floor(n / 2)) }),
    valuePath: VALUE_PATH,
  };
  if (existsSync(file)) return { file, devices: n, seconds: 0, reused: true, ...sample };
  const partial = `${file}.partial`;
  for (const f of [partial, `${partial}-wal`, `${partial}-shm`]) rmSync(f, { force: true });
  const store = openSqliteStore(partial);
  const t0 = performance.now();
  const now = Date.now();
  const CHUNK = 5000;
  for (let start = 0; start < n; start += CHUNK) {
    {
      for (let i = start; i < Math.min(n, start + CHUNK); i++) {
        const m = MAKES[i % MAKES.length]!;
        const serialNumber = fleetSerial("console", i);
        const deviceId: DeviceId = deviceIdOf({ ...m, serialNumber });
        const facts: InformFacts = {
          deviceId,
          manufacturer: m.manufacturer,
          oui: m.oui,
          productClass: m.productClass,
          serialNumber,
          softwareVersion: m.softwareVersion,
          hardwareVersion: "1.0",
          ip: `10.${i % 8}.${(i >> 8) % 256}.${i % 256}`,
          connectionRequestUrl: `http://10.0.0.1:7547/${serialNumber}`,
          udpConnectionRequestAddress: "",
          parameterKey: "",
          dataModel: "tr098",
          events: [{ code: "2 PERIODIC", commandKey: "" }],
          parameters: [{ name: VALUE_PATH, value: i % 100 === 42 ? "Guest" : `isp-${serialNumber.slice(-4)}`, type: "xsd:string" }],
        };
        // Last informs spread over the last 4 hours (so "silent for 2 h" matches about half).
        await recordInform(store, facts, now - (i % 240) * 60_000);
        await store.apply(deviceId, [{ kind: "status", status: status(i, now, m.policies) }]);
        if (i % 10 === 3) await store.setTags(deviceId, ["north"], []);
        if (i % 20 === 7)
          await store.apply(deviceId, [
            {
              kind: "fault",
              fault: {
                code: i % 40 === 7 ? "9007" : "too_many_rpcs",
                message: "Invalid parameter value",
                path: VALUE_PATH,
                policy: "wifi",
                sessionId: undefined,
                retryable: true,
                at: now - (i % 180) * 60_000,
              },
            },
          ]);
        for (let s = 0; s < 3; s++) {
          const at = now - ((i * 3 + s) % 180) * 60_000;
          store.logSession({
            id: `b${i}-${s}`,
            deviceId,
            startedAt: at,
            endedAt: at + 20,
            outcome: i % 50 === 1 && s === 0 ? "fault:9007" : "ok",
            rpcCount: 0,
            events: ["2 PERIODIC"],
            revision: "sha256:bench",
          });
        }
      }
    }
    await store.flush();
    if (start > 0 && start % 20_000 === 0) log(`console store: ${start}/${n} devices (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  await store.close();
  renameSync(partial, file);
  for (const suffix of ["-wal", "-shm"]) if (existsSync(`${partial}${suffix}`)) renameSync(`${partial}${suffix}`, `${file}${suffix}`);
  return { file, devices: n, seconds: (performance.now() - t0) / 1000, reused: false, ...sample };
}
