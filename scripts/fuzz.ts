/**
 * `npm run fuzz`: the hostile-input fuzzer of test/fuzz/harness.ts for minutes (not in CI). Prints the inputs
 * tried, every failure, and the slowest input's time per KB.
 * FUZZ_SECONDS (default 120), FUZZ_SEED (default: the time), FUZZ_MAX_KB (default 64).
 */
import { performance } from "node:perf_hooks";
import { fuzz } from "../test/fuzz/harness.js";

const seconds = Number(process.env["FUZZ_SECONDS"] ?? "120");
const seed = Number(process.env["FUZZ_SEED"] ?? String(Date.now() % 2 ** 31));
const maxKb = Number(process.env["FUZZ_MAX_KB"] ?? "64");
const maxSizeLog2 = Math.max(8, Math.min(24, Math.round(Math.log2(maxKb * 1024))));
process.stdout.write(`fuzzing for ${seconds} s, seed ${seed}, inputs up to ${maxKb} KB\n`);
const report = fuzz(seed, Number.POSITIVE_INFINITY, performance.now() + seconds * 1000, maxSizeLog2);
process.stdout.write(`inputs tried: ${report.tried}\n`);
process.stdout.write(`failures: ${report.failures.length}\n`);
for (const f of report.failures.slice(0, 20)) process.stdout.write(`  ${f.label}: ${f.message}\n    ${JSON.stringify(f.sample)}\n`);
process.stdout.write(`slowest input: ${report.slowest.label}, ${report.slowest.msPerKb.toFixed(3)} ms per KB (${report.slowest.bytes} bytes)\n`);
process.exitCode = report.failures.length > 0 ? 1 : 0;
