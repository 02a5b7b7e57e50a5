/**
 * A worker thread of `converge plan --db` over a large fleet (parallel-plans.ts): loads the same policies, opens
 * the same SQLite file, and plans the slices of the fleet it is handed (grouped, projected-plans.ts), posting
 * each page back as the plans it had not sent in this slice and, per device, its id, product class and the index
 * of its plan. I/O at the edge (the policies folder, the store file).
 */
import { parentPort, workerData } from "node:worker_threads";
import { loadPolicySet } from "../policy/load.js";
import { keyedHasher } from "../reconcile/parameter-key.js";
import { openDatabase } from "../store/db.js";
import { planReader } from "../store/plan-reader.js";
import type { Plan } from "../reconcile/types.js";
import { fleetSettings } from "./fleet-settings.js";
import type { PlanJob, SharedPlan, SliceDone, SlicePage, WorkerRequest } from "./parallel-plans.js";
import { projectedPlans, walkState } from "./projected-plans.js";

const PAGE = 1000;

async function main(job: PlanJob): Promise<void> {
  const port = parentPort;
  if (port === null) return;
  const loaded = await loadPolicySet(job.policies.dir, job.policies.options);
  if (!loaded.ok || loaded.value.revision !== job.revision) throw new Error(`plan worker: the policies in ${job.policies.dir} changed during the run`);
  const ctx = fleetSettings(job.cfg, loaded.value, keyedHasher(job.installationKey), job.now);
  const db = openDatabase(job.file);
  const reader = planReader(db);
  const state = walkState();
  port.on("message", (m: WorkerRequest) => {
    if (m.kind === "stop") {
      db.close();
      port.close();
      return;
    }
    // The plans of this slice by identity (a group's devices share theirs): each crosses the thread boundary once.
    const sent = new Map<Plan, number>();
    let size = 0;
    let plans: SharedPlan[] = [];
    let devices: (readonly [string, string, number])[] = [];
    const flush = (): void => {
      const page: SlicePage = { kind: "page", slice: m.slice, plans, devices };
      port.postMessage(page);
      plans = [];
      devices = [];
    };
    for (const p of projectedPlans(ctx, reader, { after: m.after, ...(m.through === undefined ? {} : { through: m.through }) }, state)) {
      let i = p.plan === undefined ? undefined : sent.get(p.plan);
      if (i === undefined) {
        const { deviceId: _id, productClass: _pc, ...shared } = p;
        i = size++;
        plans.push(shared);
        if (p.plan !== undefined) sent.set(p.plan, i);
      }
      devices.push([p.deviceId, p.productClass, i]);
      if (devices.length >= PAGE) flush();
    }
    flush();
    const done: SliceDone = { kind: "done", slice: m.slice };
    port.postMessage(done);
  });
}

main(workerData as PlanJob).catch((e: unknown) => {
  throw e;
});
