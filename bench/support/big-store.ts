/**
 * A large store for benchmarks 4 and 5, written in bulk (bulk-store.ts: the real Inform step, the store's own
 * repositories and value encoding, many devices per transaction; held to the Store API by a test): N devices spread over
 * the six real models, each with the Inform's forced parameters plus a few hundred reported parameters taken
 * from its model, identities from the fleet's seeded serials (seed "store") so a simulated sample can
 * inform as stored devices. Cached in the temp dir by size, so benchmark 5 reuses benchmark 4's file.
 */
import { existsSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { loadDataModel } from "../../src/datamodel/load.js";
import { deviceIdOf } from "../../src/domain/device.js";
import { fleetSerial } from "../../src/sim/fleet.js";
import { SimDevice } from "../../src/sim/device.js";
import type { InformFacts } from "../../src/domain/store.js";
import { DEFAULT_MODEL_DIR } from "../../src/cli/sim.js";
import { SIX_MODELS } from "./fleet.js";
import { log } from "./report.js";
import { bulkWrite, replicate } from "./bulk-store.js";

export const STORE_SEED = "store";
const EXTRA_PARAMS = 250;
/** fleetSerial's index digits (the serial ends with the device index). */
const SERIAL_DIGITS = 7;
/** Stores larger than this are grown from their first BASE devices by `replicate` (a multiple of the six models). */
const REPLICATE_ABOVE = 100_000;
const BASE = 30_000;

type Param = InformFacts["parameters"][number];

export function templates(): { readonly facts: (serial: string) => InformFacts; readonly params: number }[] {
  return SIX_MODELS.map((file) => {
    const model = loadDataModel(join(DEFAULT_MODEL_DIR, file));
    const extra: Param[] = model.nodes
      .filter((n) => !n.object)
      .slice(0, EXTRA_PARAMS)
      .map((n) => ({ name: n.path, value: n.value, type: n.type }));
    return {
      params: extra.length,
      facts: (serial: string): InformFacts => {
        const d = new SimDevice(model, { serialNumber: serial });
        const inform = d.inform(Date.now());
        const forced: Param[] = inform.parameterList.map((p) => ({ name: p.name, value: p.value, type: p.type }));
        const names = new Set(forced.map((p) => p.name));
        const id = d.deviceId;
        return {
          deviceId: deviceIdOf(id),
          manufacturer: id.manufacturer,
          oui: id.oui,
          productClass: id.productClass,
          serialNumber: id.serialNumber,
          softwareVersion: d.softwareVersion,
          hardwareVersion: "1.0",
          ip: "10.0.0.1",
          connectionRequestUrl: `http://10.0.0.1:7547/${serial}`,
          udpConnectionRequestAddress: "",
          parameterKey: "",
          dataModel: model.kind,
          events: [{ code: "1 BOOT", commandKey: "" }],
          parameters: [...forced, ...extra.filter((p) => !names.has(p.name))],
        };
      },
    };
  });
}

export interface BigStore {
  readonly file: string;
  readonly devices: number;
  readonly seconds: number;
  readonly reused: boolean;
}

/** The store file with `n` devices (built if missing). */
export async function bigStore(n: number): Promise<BigStore> {
  // v7: the layout of SQLite migration 7 (a store of an older layout is not reused).
  const file = join(tmpdir(), `converge-bench-store-${n}-v7.db`);
  if (existsSync(file)) return { file, devices: n, seconds: 0, reused: true };
  const partial = `${file}.partial`;
  for (const f of [partial, `${partial}-wal`, `${partial}-shm`]) rmSync(f, { force: true });
  const t = templates();
  const t0 = performance.now();
  const now = Date.now();
  // Above REPLICATE_ABOVE devices, the first BASE are written through the Inform step and the rest copied in SQL.
  const base = n > REPLICATE_ABOVE ? BASE : n;
  bulkWrite(
    partial,
    base,
    (i) => {
      const tpl = t[i % t.length];
      if (tpl === undefined) throw new Error("no model");
      return tpl.facts(fleetSerial(STORE_SEED, i));
    },
    now,
    (done) => {
      if (done % 100_000 === 0 && done < n) log(`store: ${done}/${n} devices (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    },
  );
  if (base < n)
    replicate(partial, base, n, SERIAL_DIGITS, (done) => {
      if (done % 100_000 < base && done < n) log(`store: ${done}/${n} devices (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    });
  renameSync(partial, file);
  for (const suffix of ["-wal", "-shm"]) if (existsSync(`${partial}${suffix}`)) renameSync(`${partial}${suffix}`, `${file}${suffix}`);
  return { file, devices: n, seconds: (performance.now() - t0) / 1000, reused: false };
}
