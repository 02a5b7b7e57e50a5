/** `converge serve` from source, for benchmark child processes (same code path as bin/converge.js serve). */
import { main } from "../../src/cli/main.js";

main(["serve"]).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
