/**
 * Entry of a `converge sim --workers` child process: receives its share of the fleet over IPC, runs it, and
 * sends progress once a second and its mergeable result at the end.
 */
import type { FleetOptions } from "./fleet-options.js";
import { runFleetHere, type FromWorker, type ToWorker } from "./fleet-run.js";

function send(m: FromWorker): void {
  process.send?.(m);
}

process.once("message", (m: ToWorker) => {
  const opts: FleetOptions = { ...m.opts, retryAfterMaxS: m.opts.retryAfterMaxS < 0 ? Infinity : m.opts.retryAfterMaxS };
  const abort = new AbortController();
  process.once("SIGTERM", () => abort.abort());
  runFleetHere(opts, { onProgress: (p) => send({ type: "progress", p }), signal: abort.signal }).then(
    (part) => {
      send({ type: "result", part });
      process.disconnect?.();
    },
    (e: unknown) => {
      send({ type: "error", message: e instanceof Error ? e.message : String(e) });
      process.disconnect?.();
    },
  );
});
