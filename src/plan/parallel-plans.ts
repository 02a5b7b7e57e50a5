/**
 * `converge plan --db` over a large SQLite fleet on every core (issue 16): the fleet is cut into slices of
 * consecutive store rows, worker threads (plan-worker.ts) plan the slices (streamed, projected and grouped, as in
 * process, in row order: the store file is read front to back, not once per model as the id order would) and fold
 * each slice into a report part (report-parts.ts), which this thread merges into the report the in-process walk
 * gives. No per-device message crosses threads; a worker is handed the next slice as soon as it is idle. Memory
 * stays bounded whatever the fleet: a part is counts per policy and model, and at most DETAILS listed devices,
 * fewer once this thread holds DETAILS smaller ids. I/O at the edge (threads, the store file).
 */
import { Worker } from "node:worker_threads";
import type { LoadOptions } from "../policy/load.js";
import type { Config } from "../config/config.js";
import type { Database } from "../store/db.js";
import { rowRange } from "../store/plan-reader.js";
import type { DeviceChange } from "./fleet-plan.js";
import { DETAILS } from "./report.js";
import { compareIds, type ReportPart } from "./report-parts.js";

/** Everything a worker needs to plan exactly as this thread would. */
export interface PlanJob {
  readonly file: string;
  readonly policies: { readonly dir: string; readonly options: Omit<LoadOptions, "now" | "env"> };
  /** The revision this thread loaded: a worker that loads another (the folder changed) fails the run. */
  readonly revision: string;
  readonly installationKey: string;
  readonly now: number;
  /** The server's configuration (plain data): limits, per-model quirks, connection requests (fleet-settings.ts). */
  readonly cfg: Config;
}

export type WorkerRequest =
  | {
      readonly kind: "slice";
      readonly slice: number;
      /** Store rows after `after` and up to `through`. */
      readonly after: number;
      readonly through: number;
      /** Details the part needs not keep: ids past this one (this thread holds enough smaller ones). */
      readonly cutoff: string | undefined;
    }
  | { readonly kind: "stop" };
export interface SliceDone {
  readonly kind: "part";
  readonly slice: number;
  readonly part: ReportPart;
}

/** `slices` ranges of store rows covering the fleet, about equal (row numbers with gaps where devices were deleted). */
export function rowSlices(db: Database, slices: number): { readonly after: number; readonly through: number }[] {
  const { first, last } = rowRange(db);
  if (last < first || last === 0) return [];
  const span = last - first + 1;
  const n = Math.max(1, Math.min(slices, span));
  return Array.from({ length: n }, (_, k) => ({ after: first - 1 + Math.floor((k * span) / n), through: first - 1 + Math.floor(((k + 1) * span) / n) }));
}

function workerEntry(): URL {
  const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
  return new URL(`./plan-worker${ext}`, import.meta.url);
}

function spawn(job: PlanJob): Worker {
  const entry = workerEntry();
  // From source (tests, `node --import tsx`), the worker registers tsx itself before importing the .ts entry.
  return entry.pathname.endsWith(".ts")
    ? new Worker(
        `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((t) => { t.register(); return import(${JSON.stringify(entry.href)}); });`,
        { eval: true, workerData: job },
      )
    : new Worker(entry, { workerData: job });
}

/** The report parts of the fleet, its row slices planned by `workers` threads (a slice to each idle worker until none is left). */
export async function parallelReport(
  job: PlanJob,
  slices: readonly { readonly after: number; readonly through: number }[],
  workers: number,
): Promise<ReportPart[]> {
  const parts: ReportPart[] = [];
  // The listed devices so far, the DETAILS smallest ids: bounded, whatever the fleet; a later part need not keep larger ones.
  let listed: DeviceChange[] = [];
  let next = 0;
  let pending = slices.length;
  if (pending === 0) return [];
  const pool: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const handOut = (w: Worker): void => {
        const s = slices[next];
        if (s === undefined) return;
        const cutoff = listed.length >= DETAILS ? listed.at(-1)?.deviceId : undefined;
        w.postMessage({ kind: "slice", slice: next++, after: s.after, through: s.through, cutoff } satisfies WorkerRequest);
      };
      for (let i = 0; i < Math.max(1, Math.min(workers, slices.length)); i++) {
        const w = spawn(job);
        pool.push(w);
        w.on("message", (m: SliceDone) => {
          listed = [...listed, ...m.part.details].sort((a, b) => compareIds(a.deviceId, b.deviceId));
          listed.length = Math.min(listed.length, DETAILS);
          parts.push({ ...m.part, details: [] });
          if (--pending === 0) resolve();
          else handOut(w);
        });
        w.on("error", reject);
        w.on("exit", (code) => {
          if (code !== 0) reject(new Error(`plan worker exited with code ${code}`));
        });
        handOut(w);
      }
    });
  } finally {
    for (const w of pool) w.postMessage({ kind: "stop" } satisfies WorkerRequest);
    await Promise.all(pool.map((w) => w.terminate()));
  }
  const last = parts.at(-1);
  if (last !== undefined) parts[parts.length - 1] = { ...last, details: listed };
  return parts;
}
