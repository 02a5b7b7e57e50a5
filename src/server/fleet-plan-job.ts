/**
 * The fleet plan behind the console's policies page (`GET /api/plan`): what the serving policy set would change
 * on every stored device, summarised by policy and model as `converge plan` does. Planning a whole fleet is
 * real work (about half a millisecond per device), so it never runs inside a request: one job at a time walks
 * the device ids in pages, yielding to the event loop between small batches, and the result is kept per
 * policy revision until it is `maxAgeMs` old. A request gets the last result and the running job's progress.
 */
import { planDevice, type PlanContext } from "../plan/device-plan.js";
import { createAccumulator, deviceChange, type DeviceChange, type FleetSummary } from "../plan/fleet-plan.js";

export interface FleetPlanResult {
  readonly revision: string;
  readonly computedAt: number;
  readonly durationMs: number;
  readonly summary: FleetSummary;
  /** The first changing devices (at most `sampleSize`), disruptive ones first. */
  readonly devices: readonly DeviceChange[];
}

export interface FleetPlanView {
  readonly revision: string | null;
  readonly result: FleetPlanResult | null;
  readonly running: { readonly revision: string; readonly startedAt: number; readonly planned: number; readonly total: number } | null;
  /** The last job that failed (a store error), if any. */
  readonly error: { readonly revision: string; readonly at: number; readonly message: string } | null;
}

export interface FleetPlanJobOptions {
  /** The planning context of the serving snapshot, or undefined when no policy set is loaded. */
  readonly context: () => { readonly revision: string; readonly ctx: PlanContext } | undefined;
  readonly clock: () => number;
  readonly maxAgeMs?: number;
  /** Devices planned between two yields to the event loop. */
  readonly batch?: number;
  readonly sampleSize?: number;
}

export interface FleetPlanJob {
  /** The last result and progress; starts a job when there is no fresh result for the serving revision. */
  view(): FleetPlanView;
  /** Resolves when the running job (if any) ends. */
  idle(): Promise<void>;
  close(): void;
}

export function createFleetPlanJob(o: FleetPlanJobOptions): FleetPlanJob {
  const maxAgeMs = o.maxAgeMs ?? 60_000;
  const batch = o.batch ?? 50;
  const sampleSize = o.sampleSize ?? 50;
  let result: FleetPlanResult | undefined;
  let running: { revision: string; startedAt: number; planned: number; total: number; done: Promise<void> } | undefined;
  let closed = false;
  let failure: { revision: string; at: number; message: string } | undefined;

  const yieldLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  async function run(revision: string, ctx: PlanContext, state: { planned: number }): Promise<void> {
    const started = o.clock();
    const acc = createAccumulator();
    const sample: DeviceChange[] = [];
    let n = 0;
    for await (const id of ctx.store.eachDeviceId()) {
      if (closed) return;
      const dp = await planDevice({ ...ctx, now: o.clock() }, id);
      if (dp) {
        const c = deviceChange(dp);
        acc.accumulate(dp, c);
        if (c.writes.length > 0 && sample.length < sampleSize * 4) sample.push(c);
      }
      state.planned = ++n;
      if (n % batch === 0) await yieldLoop();
    }
    const devices = [...sample].sort((a, b) => Number(b.disruptive) - Number(a.disruptive)).slice(0, sampleSize);
    result = { revision, computedAt: o.clock(), durationMs: o.clock() - started, summary: acc.summary(), devices };
  }

  return {
    view() {
      const current = o.context();
      if (!current) return { revision: null, result: result ?? null, running: null, error: null };
      const fresh = result !== undefined && result.revision === current.revision && o.clock() - result.computedAt < maxAgeMs;
      if (!fresh && !closed && (running === undefined || running.revision !== current.revision)) {
        const state = { revision: current.revision, startedAt: o.clock(), planned: 0, total: 0, done: Promise.resolve() };
        void current.ctx.store.countDevices().then(
          (n) => (state.total = n),
          () => undefined,
        );
        const previous = running?.done ?? Promise.resolve();
        // A job for an older revision finishes first (its result is kept, marked with its revision).
        state.done = previous
          .then(() => run(current.revision, current.ctx, state))
          .catch((e: unknown) => {
            failure = { revision: current.revision, at: o.clock(), message: e instanceof Error ? e.message : String(e) };
          })
          .finally(() => {
            if (running === state) running = undefined;
          });
        running = state;
      }
      const r = running;
      return {
        revision: current.revision,
        result: result ?? null,
        running: r ? { revision: r.revision, startedAt: r.startedAt, planned: r.planned, total: r.total } : null,
        error: failure ?? null,
      };
    },
    idle: () => running?.done ?? Promise.resolve(),
    close() {
      closed = true;
    },
  };
}
