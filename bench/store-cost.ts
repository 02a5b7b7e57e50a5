/**
 * Benchmark 5: store cost. Bytes per device and per reported parameter of the SQLite file holding 100,000
 * devices (BENCH_QUICK: 10,000) after VACUUM (written as benchmark 4's; target: <= 40 bytes per parameter), and the RSS of a `converge serve`
 * child holding it after serving a sample of stored devices, against an empty server serving the same sample.
 * Run alone: node --import tsx bench/store-cost.ts
 */
import Database from "better-sqlite3";
import { rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { Fleet } from "../src/sim/fleet.js";
import { bigStore, STORE_SEED } from "./support/big-store.js";
import { fleetOptions, tempWorkspace } from "./support/fleet.js";
import { startServe } from "./support/procs.js";
import { QUICK, emit, log, table } from "./support/report.js";

const SAMPLE = QUICK ? 300 : 2000;
/** The store measured (BENCH_STORE_DEVICES=n for another size): the bytes per value hardly depend on the size. */
const STORE_DEVICES = Number(process.env["BENCH_STORE_DEVICES"] ?? (QUICK ? 10_000 : 100_000));

interface FileCost {
  readonly bytes: number;
  readonly devices: number;
  readonly reported: number;
  readonly paths: number;
}

function vacuumInto(src: string, dst: string): FileCost {
  rmSync(dst, { force: true });
  const db = new Database(src);
  db.prepare(`VACUUM INTO ?`).run(dst);
  db.close();
  const out = new Database(dst, { readonly: true });
  const count = (table: string): number => out.prepare<[], { n: number }>(`SELECT count(*) AS n FROM ${table}`).get()?.n ?? 0;
  const cost = { bytes: statSync(dst).size, devices: count("devices"), reported: count("reported"), paths: count("paths") };
  out.close();
  return cost;
}

/** RSS of a serve child on `db` after a sample of the stored devices has informed (one round each). */
async function servedRss(db: string, policies: string): Promise<{ rss: number; peak: number; sessions: number }> {
  const server = await startServe({ db, policies });
  try {
    const fleet = await Fleet.create(fleetOptions(server.cwmpUrl, { count: SAMPLE, concurrency: 32, seed: STORE_SEED }));
    const r = await fleet.run();
    await fleet.close();
    await new Promise((res) => setTimeout(res, 500));
    return { ...server.rss(), sessions: r.counters.sessionsOk };
  } finally {
    await server.stop();
  }
}

export async function storeCost(): Promise<Record<string, unknown>> {
  const big = await bigStore(STORE_DEVICES);
  const ws = tempWorkspace("policies");
  try {
    log(`store: VACUUM INTO a copy of the ${STORE_DEVICES}-device store`);
    const copy = join(ws.dir, "big.db");
    const cost = vacuumInto(big.file, copy);
    const held = await servedRss(copy, ws.policies);
    const empty = await servedRss(join(ws.dir, "empty.db"), ws.policies);
    const perDevice = cost.bytes / cost.devices;
    const perParam = cost.bytes / cost.reported;
    process.stdout.write(`\nBenchmark 5: store cost (SQLite after VACUUM) and RSS of converge serve after serving ${SAMPLE} sample sessions\n`);
    process.stdout.write(
      table(
        ["measure", "value"],
        [
          ["file size MB", cost.bytes / 1e6],
          ["devices", cost.devices],
          ["reported parameters", cost.reported],
          ["distinct paths (interned)", cost.paths],
          ["bytes per device (all tables)", perDevice],
          ["bytes per reported parameter", perParam],
          [`serve RSS, ${cost.devices} devices stored, MB`, held.rss / 1e6],
          [`serve RSS, empty store (baseline), MB`, empty.rss / 1e6],
          ["serve peak RSS stored / empty, MB", `${(held.peak / 1e6).toFixed(0)} / ${(empty.peak / 1e6).toFixed(0)}`],
        ],
      ),
    );
    return {
      ...cost,
      bytesPerDevice: perDevice,
      bytesPerParameter: perParam,
      sample: SAMPLE,
      serveRss: held,
      baselineServeRss: empty,
      rssRatio: held.rss / empty.rss,
    };
  } finally {
    ws.cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) emit("store-cost", await storeCost());
