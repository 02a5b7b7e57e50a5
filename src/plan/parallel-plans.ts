/**
 * `converge plan --db` over a large SQLite fleet on every core (issue 16): the fleet is cut into slices of
 * consecutive ids, worker threads (plan-worker.ts) plan the slices (streamed, projected and grouped, as in
 * process), and this thread yields the plans slice after slice, in id order, so the output is the one the
 * in-process walk gives. A worker is handed a new slice only while fewer than `workers` slices are handed out and
 * not yet consumed: memory stays bounded whatever the fleet. I/O at the edge (threads, the store file).
 */
import { Worker } from "node:worker_threads";
import type { LoadOptions } from "../policy/load.js";
import type { Config } from "../config/config.js";
import type { Database } from "../store/db.js";
import type { DevicePlan } from "./device-plan.js";

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

export type SharedPlan = Omit<DevicePlan, "deviceId" | "productClass">;
export type WorkerRequest =
  { readonly kind: "slice"; readonly slice: number; readonly after: string; readonly through: string | undefined } | { readonly kind: "stop" };
export interface SlicePage {
  readonly kind: "page";
  readonly slice: number;
  /** The plans first used in this page (appended to the slice's table). */
  readonly plans: readonly SharedPlan[];
  /** Per device: id, product class, index of its plan in the slice's table. */
  readonly devices: readonly (readonly [string, string, number])[];
}
export interface SliceDone {
  readonly kind: "done";
  readonly slice: number;
}

/** Slice bounds: "", then the last id of each slice but the last (slice k: ids after bounds[k], up to bounds[k + 1]). */
export function sliceBounds(db: Database, slices: number): string[] {
  const count = db.prepare<[], number>("SELECT count(*) FROM devices").pluck().get() ?? 0;
  const at = db.prepare<[number], string>("SELECT id FROM devices ORDER BY id LIMIT 1 OFFSET ?").pluck();
  const bounds = [""];
  for (let k = 1; k < slices; k++) {
    const id = at.get(Math.floor((k * count) / slices) - 1);
    if (id !== undefined && id > (bounds.at(-1) ?? "")) bounds.push(id);
  }
  return bounds;
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

interface SliceState {
  readonly pages: SlicePage[];
  done: boolean;
}

/** The plans of the fleet in id order, planned by `workers` threads over slices cut at `bounds`. */
export async function* parallelPlans(job: PlanJob, bounds: readonly string[], workers: number): AsyncGenerator<DevicePlan> {
  const slices = new Map<number, SliceState>();
  let next = 0;
  let consuming = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const idle: Worker[] = [];
  const handOut = (): void => {
    while (idle.length > 0 && next < bounds.length && next < consuming + workers) {
      const w = idle.pop() as Worker;
      const slice = next++;
      slices.set(slice, { pages: [], done: false });
      const request: WorkerRequest = { kind: "slice", slice, after: bounds[slice] ?? "", through: bounds[slice + 1] };
      w.postMessage(request);
    }
  };
  const pool = Array.from({ length: Math.max(1, Math.min(workers, bounds.length)) }, () => {
    const w = spawn(job);
    w.on("message", (m: SlicePage | SliceDone) => {
      const s = slices.get(m.slice);
      if (s === undefined) return;
      if (m.kind === "page") s.pages.push(m);
      else {
        s.done = true;
        idle.push(w);
        handOut();
      }
      notify();
    });
    w.on("error", (e) => {
      failure = e;
      notify();
    });
    w.on("exit", (code) => {
      if (code !== 0 && failure === undefined) failure = new Error(`plan worker exited with code ${code}`);
      notify();
    });
    return w;
  });
  idle.push(...pool);
  handOut();
  try {
    for (; consuming < bounds.length; consuming++) {
      const table: SharedPlan[] = [];
      for (;;) {
        if (failure !== undefined) throw failure;
        const s = slices.get(consuming);
        const page = s?.pages.shift();
        if (page !== undefined) {
          table.push(...page.plans);
          for (const [deviceId, productClass, i] of page.devices) {
            const shared = table[i];
            if (shared === undefined) throw new Error(`plan worker: no plan ${i} in slice ${consuming}`);
            yield { deviceId: deviceId as DevicePlan["deviceId"], productClass, ...shared };
          }
          continue;
        }
        if (s?.done === true) break;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      slices.delete(consuming);
      handOut();
    }
  } finally {
    for (const w of pool) w.postMessage({ kind: "stop" } satisfies WorkerRequest);
    await Promise.all(pool.map((w) => w.terminate()));
  }
}
