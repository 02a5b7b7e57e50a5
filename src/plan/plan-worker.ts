/**
 * A worker thread of `converge plan --db` over a large fleet (parallel-plans.ts): loads the same policies, opens
 * the same SQLite file, plans the row slices of the fleet it is handed (grouped, projected-plans.ts) and posts each
 * slice back folded into a report part (report-parts.ts). I/O at the edge (the policies folder, the store file).
 */
import { parentPort, workerData } from "node:worker_threads";
import { loadPolicySet } from "../policy/load.js";
import { keyedHasher } from "../reconcile/parameter-key.js";
import { openDatabase } from "../store/db.js";
import { planReader } from "../store/plan-reader.js";
import { deviceChange } from "./fleet-plan.js";
import { fleetSettings } from "./fleet-settings.js";
import type { PlanJob, SliceDone, WorkerRequest } from "./parallel-plans.js";
import { projectedPlans, walkState } from "./projected-plans.js";
import { DETAILS } from "./report.js";
import { partBuilder } from "./report-parts.js";

/**
 * Plan inputs remembered per worker. In row order the bench fleet's devices of one group (model, last four digits
 * of the serial) come back every 30,000 rows, not every 5,000 as in id order.
 */
const GROUPS = 40_000;

async function main(job: PlanJob): Promise<void> {
  const port = parentPort;
  if (port === null) return;
  const loaded = await loadPolicySet(job.policies.dir, job.policies.options);
  if (!loaded.ok || loaded.value.revision !== job.revision) throw new Error(`plan worker: the policies in ${job.policies.dir} changed during the run`);
  const ctx = fleetSettings(job.cfg, loaded.value, keyedHasher(job.installationKey), job.now);
  const db = openDatabase(job.file);
  const reader = planReader(db);
  const state = walkState({ groups: GROUPS, diff: false });
  port.on("message", (m: WorkerRequest) => {
    if (m.kind === "stop") {
      db.close();
      port.close();
      return;
    }
    const part = partBuilder(DETAILS, m.cutoff);
    for (const p of projectedPlans(ctx, reader, { rows: { after: m.after, through: m.through } }, state)) part.add(p, deviceChange(p));
    const done: SliceDone = { kind: "part", slice: m.slice, part: part.part() };
    port.postMessage(done);
  });
}

main(workerData as PlanJob).catch((e: unknown) => {
  throw e;
});
