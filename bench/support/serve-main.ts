/** `converge serve` from source, for benchmark child processes (same code path as bin/converge.js serve). */
import { writeFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { main } from "../../src/cli/main.js";

// BENCH_LOOP_OUT=<file>: the server's event-loop delay over its life (10 ms resolution), written as JSON at exit
// (bench/boot-storm.ts: does a change make the loop answer sockets later?).
const loopOut = process.env["BENCH_LOOP_OUT"];
if (loopOut !== undefined) {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
  process.on("exit", () =>
    writeFileSync(loopOut, JSON.stringify({ p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max), meanMs: ms(h.mean) })),
  );
}

main(["serve"]).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
