/**
 * Preloaded into a benchmark server child (`--import tsx --import <this file>`, any tree: it imports nothing of the
 * project): SIGUSR2 starts the V8 CPU profiler in-process, the next SIGUSR2 stops it and writes
 * `<BENCH_PROF_OUT>.<n>.cpuprofile`, so a profile covers the measured rounds only (no start-up, no warm-up).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { Session } from "node:inspector";

const out = process.env["BENCH_PROF_OUT"];
if (out !== undefined) {
  const session = new Session();
  session.connect();
  let running = false;
  let n = 0;
  process.on("SIGUSR2", () => {
    if (!running) {
      running = true;
      session.post("Profiler.enable", () => session.post("Profiler.setSamplingInterval", { interval: 250 }, () => session.post("Profiler.start")));
      return;
    }
    running = false;
    session.post("Profiler.stop", (err, r) => {
      if (err !== null || r === undefined) return void process.stderr.write(`prof-hook: ${String(err)}\n`);
      const file = `${out}.${n++}.cpuprofile`;
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(r.profile));
    });
  });
}
