/**
 * Loads policy folders in a worker thread (load-worker.ts) so that a reload never blocks CWMP sessions or the
 * API: only the rebuild of the result (one selector compile per policy, and the structured clone) runs on the
 * caller's thread. A worker that dies fails its pending load as a rejected revision; the next load starts a
 * new one. I/O at the edge, like load.ts.
 */
import { Worker } from "node:worker_threads";
import type { Result } from "../domain/result.js";
import type { LoadOptions } from "./load.js";
import type { LoadRequest } from "./load-worker.js";
import { fromTransfer, type PolicySetTransfer } from "./transfer.js";
import type { PolicyError, PolicySet } from "./types.js";

type Reply = { readonly id: number } & ({ readonly ok: true; readonly value: PolicySetTransfer } | { readonly ok: false; readonly error: PolicyError[] });

export interface OffThreadLoader {
  load(dir: string, opts: LoadOptions): Promise<Result<PolicySet, PolicyError[]>>;
  close(): Promise<void>;
}

function workerEntry(): URL {
  const ext = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
  return new URL(`./load-worker${ext}`, import.meta.url);
}

const failed = (message: string): Result<PolicySet, PolicyError[]> => ({
  ok: false,
  error: [{ file: ".", line: 1, column: 1, severity: "error", code: "load-failed", path: "", message }],
});

export function createOffThreadLoader(): OffThreadLoader {
  let worker: Worker | undefined;
  let nextId = 1;
  const pending = new Map<number, (r: Result<PolicySet, PolicyError[]>) => void>();

  function failAll(message: string): void {
    for (const done of pending.values()) done(failed(message));
    pending.clear();
  }

  function start(): Worker {
    const entry = workerEntry();
    // From source (tests, `node --import tsx`), the worker registers tsx itself before importing the .ts entry.
    const w = entry.pathname.endsWith(".ts")
      ? new Worker(
          `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((t) => { t.register(); return import(${JSON.stringify(entry.href)}); });`,
          { eval: true },
        )
      : new Worker(entry);
    w.unref();
    w.on("message", (m: Reply) => {
      const done = pending.get(m.id);
      if (done === undefined) return;
      pending.delete(m.id);
      try {
        done(m.ok ? { ok: true, value: fromTransfer(m.value) } : { ok: false, error: m.error });
      } catch (e) {
        done(failed(`policy set could not be rebuilt: ${e instanceof Error ? e.message : String(e)}`));
      }
    });
    w.on("error", (e) => failAll(`policy loader worker failed: ${e.message}`));
    w.on("exit", (code) => {
      if (worker === w) worker = undefined;
      failAll(`policy loader worker exited with code ${code}`);
    });
    return w;
  }

  return {
    load(dir, opts) {
      worker ??= start();
      const id = nextId++;
      const { now, ...rest } = opts;
      const req: LoadRequest = { id, dir, opts: rest };
      return new Promise((resolve) => {
        pending.set(id, (r) => resolve(r.ok && now !== undefined ? { ok: true, value: Object.freeze({ ...r.value, loadedAt: now() }) } : r));
        worker?.postMessage(req);
      });
    },
    async close() {
      const w = worker;
      worker = undefined;
      if (w !== undefined) await w.terminate();
      failAll("policy loader closed");
    },
  };
}
