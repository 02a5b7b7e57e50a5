/**
 * Runs a fleet to completion and summarises it (I/O): in this process, or split across `workers` child
 * processes (each with a disjoint index range, so the devices are the same as in one process), their counters
 * and latency histograms merged. Converged/pending/faulted counts come from the ACS API when one is given.
 */
import { fork, type ChildProcess } from "node:child_process";
import { acsCounts, type AcsCounts } from "./fleet-acs.js";
import { Fleet, type FleetProgress, type FleetRunResult } from "./fleet.js";
import type { FleetOptions } from "./fleet-options.js";
import { summarize, type FleetPart, type FleetSummary } from "./fleet-report.js";
import { FleetCounters, bump } from "./fleet-stats.js";

export interface FleetRunOptions {
  readonly workers?: number;
  readonly onProgress?: (p: FleetProgress) => void;
  readonly signal?: AbortSignal;
}

/** Builds, runs once and closes a fleet in this process. */
export async function runFleetHere(opts: FleetOptions, hooks: Omit<FleetRunOptions, "workers"> = {}): Promise<FleetPart> {
  const fleet = await Fleet.create(opts);
  try {
    const r = await fleet.run({ ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}), ...(hooks.signal ? { signal: hooks.signal } : {}) });
    return partOf(fleet, r);
  } finally {
    await fleet.close();
  }
}

/** A run's result as a mergeable part. */
export function partOf(fleet: Fleet, r: FleetRunResult): FleetPart {
  const models = new Map<string, number>();
  const quirks = new Map<string, number>();
  for (const m of fleet.members) {
    bump(models, m.model, 1);
    bump(quirks, m.quirks.name, 1);
  }
  return {
    counters: r.counters.toJson(),
    devices: r.devices,
    done: r.done,
    elapsedS: r.elapsedS,
    stopped: r.stopped,
    lastOutcomes: r.lastOutcomes,
    models: Object.fromEntries(models),
    quirks: Object.fromEntries(quirks),
  };
}

function addAll(into: Map<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(from)) bump(into, k, v);
}

/** Merges the parts of several processes into one summary. */
export function mergeParts(parts: readonly FleetPart[], acs: AcsCounts | undefined): FleetSummary {
  const counters = new FleetCounters();
  const outcomes = new Map<string, number>();
  const models = new Map<string, number>();
  const quirks = new Map<string, number>();
  for (const p of parts) {
    counters.merge(p.counters);
    addAll(outcomes, p.lastOutcomes);
    addAll(models, p.models);
    addAll(quirks, p.quirks);
  }
  const summary = summarize({
    counters,
    devices: parts.reduce((a, p) => a + p.devices, 0),
    done: parts.reduce((a, p) => a + p.done, 0),
    elapsedS: Math.max(0, ...parts.map((p) => p.elapsedS)),
    stopped: parts.find((p) => p.stopped !== "done")?.stopped ?? "done",
    lastOutcomes: Object.fromEntries(outcomes),
    models: Object.fromEntries(models),
    quirks: Object.fromEntries(quirks),
    workers: parts.length,
  });
  return acs ? { ...summary, acs } : summary;
}

/** Runs the fleet (in `workers` processes when > 1) and returns the merged summary with the ACS's counts. */
export async function runFleet(opts: FleetOptions, o: FleetRunOptions = {}): Promise<FleetSummary> {
  const workers = Math.max(1, Math.min(o.workers ?? 1, opts.count));
  const parts = workers === 1 ? [await runFleetHere(opts, o)] : await runInWorkers(opts, workers, o);
  const acs = opts.apiUrl ? await acsCounts(opts.apiUrl, opts.apiToken) : undefined;
  return mergeParts(parts, acs);
}

// ---- workers -------------------------------------------------------------------------------------------

/** Messages on the IPC channel. Infinity does not survive JSON: a cap of -1 means "none". */
export type ToWorker = { readonly type: "run"; readonly opts: FleetOptions & { readonly retryAfterMaxS: number } };
export type FromWorker =
  | { readonly type: "progress"; readonly p: FleetProgress }
  | { readonly type: "result"; readonly part: FleetPart }
  | { readonly type: "error"; readonly message: string };

function workerEntry(): URL {
  const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
  return new URL(`./fleet-worker${ext}`, import.meta.url);
}

function shares(count: number, workers: number): { offset: number; count: number }[] {
  const out: { offset: number; count: number }[] = [];
  let offset = 0;
  for (let w = 0; w < workers; w++) {
    const n = Math.floor(count / workers) + (w < count % workers ? 1 : 0);
    out.push({ offset, count: n });
    offset += n;
  }
  return out;
}

async function runInWorkers(opts: FleetOptions, workers: number, o: FleetRunOptions): Promise<FleetPart[]> {
  const latest: (FleetProgress | undefined)[] = new Array<FleetProgress | undefined>(workers).fill(undefined);
  const children: ChildProcess[] = [];
  const onAbort = (): void => children.forEach((c) => c.kill("SIGTERM"));
  o.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    return await Promise.all(
      shares(opts.count, workers).map((share, w) => {
        const child = fork(workerEntry(), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
        children.push(child);
        const capped = {
          ...opts,
          count: share.count,
          indexOffset: opts.indexOffset + share.offset,
          retryAfterMaxS: Number.isFinite(opts.retryAfterMaxS) ? opts.retryAfterMaxS : -1,
        };
        return workerResult(child, capped, (p) => {
          latest[w] = p;
          o.onProgress?.(mergeProgress(latest));
        });
      }),
    );
  } finally {
    o.signal?.removeEventListener("abort", onAbort);
  }
}

function workerResult(child: ChildProcess, opts: ToWorker["opts"], onProgress: (p: FleetProgress) => void): Promise<FleetPart> {
  return new Promise((resolve, reject) => {
    let part: FleetPart | undefined;
    child.on("message", (m: FromWorker) => {
      if (m.type === "progress") onProgress(m.p);
      else if (m.type === "result") part = m.part;
      else reject(new Error(`fleet worker: ${m.message}`));
    });
    child.on("error", reject);
    child.on("exit", (code) => (part ? resolve(part) : reject(new Error(`fleet worker exited with code ${code} before reporting`))));
    const msg: ToWorker = { type: "run", opts };
    child.send(msg);
  });
}

/** Sums the workers' latest progress; window percentiles are the worst worker's (an upper bound). */
function mergeProgress(all: readonly (FleetProgress | undefined)[]): FleetProgress {
  const ps = all.filter((p): p is FleetProgress => p !== undefined);
  const sum = (f: (p: FleetProgress) => number): number => ps.reduce((a, p) => a + f(p), 0);
  return {
    elapsedS: Math.max(0, ...ps.map((p) => p.elapsedS)),
    devices: sum((p) => p.devices),
    done: sum((p) => p.done),
    inFlight: sum((p) => p.inFlight),
    sessionsOk: sum((p) => p.sessionsOk),
    shed: sum((p) => p.shed),
    errors: sum((p) => p.errors),
    windowPerS: sum((p) => p.windowPerS),
    windowP50Ms: Math.max(0, ...ps.map((p) => p.windowP50Ms)),
    windowP99Ms: Math.max(0, ...ps.map((p) => p.windowP99Ms)),
  };
}
