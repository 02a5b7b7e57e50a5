/**
 * The policy loader's worker thread: reads, parses, validates and compiles a policies folder off the server's
 * event loop (a large folder takes seconds; sessions must not wait for it) and posts the result back as plain
 * data (transfer.ts). One request at a time; the worker lives as long as the policy source.
 */
import { parentPort } from "node:worker_threads";
import { loadPolicyParts, type LoadOptions } from "./load.js";
import { toTransfer } from "./transfer.js";

export interface LoadRequest {
  readonly id: number;
  readonly dir: string;
  readonly opts: Omit<LoadOptions, "now">;
}

parentPort?.on("message", (req: LoadRequest) => {
  void loadPolicyParts(req.dir, req.opts).then((r) => {
    parentPort?.postMessage(r.ok ? { id: req.id, ok: true, value: toTransfer(r.value) } : { id: req.id, ok: false, error: r.error });
  });
});
