/**
 * How a PostgreSQL test file decides to run: `pgSkip()` is false when a server is available, else the message
 * that says how to run it (node:test prints it as the skip reason). With CONVERGE_TEST_PG_REQUIRED=1 (.ci/run)
 * an unavailable server fails instead of skipping.
 */
import { pgAvailability } from "./pg-cluster.js";

export function pgSkip(): string | false {
  const why = pgAvailability();
  if (why === undefined) return false;
  if (process.env["CONVERGE_TEST_PG_REQUIRED"] === "1") throw new Error(`CONVERGE_TEST_PG_REQUIRED=1 but ${why}`);
  console.log(`# ${why}`);
  return why;
}
