/**
 * The kick pacer (kick-on-reload): drains queued devices at `perSecond` with at most `concurrency` sends in
 * flight. Kicks arrive as lazy sequences (a reload's changed devices are found one by one) and are pulled a
 * little at a time, so a reload of a large fleet never blocks the event loop. A token bucket refilled while a
 * backlog waits (empty when idle, so a kick starts without a burst), banking at most 50 ms of sends to make up
 * for a late timer: rates above 100/s (one send per 10 ms tick) are honoured too. All time comes from the
 * injected `Timers`, so tests drive it with a fake clock.
 */
import type { DeviceId } from "../domain/device.js";
import type { Timers } from "../domain/clock.js";

export interface KickPacerDeps {
  readonly perSecond: number;
  readonly concurrency: number;
  readonly timers: Timers;
  /** Sends one device's kick; resolves with the outcome's kind (counted in the run's log line). */
  readonly send: (id: DeviceId) => Promise<string>;
  readonly log: {
    info(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
  };
}

export interface KickPacer {
  /** Queues devices (deduplicated); `label` names the run in its two log lines (started; done with the outcome counts). */
  kick(ids: AsyncIterable<DeviceId> | Iterable<DeviceId>, label: string): void;
  /** What waits and what is being sent now (for tests and health). */
  state(): { readonly queued: number; readonly inFlight: number; readonly sources: number };
  close(): void;
}

/** One kick (a reload's changed devices): counted for its log lines. */
interface KickRun {
  readonly label: string;
  readonly started: number;
  queued: number;
  pending: number;
  drained: boolean;
  readonly outcomes: Map<string, number>;
}

/** The pacer's tick: 10 ms, or slower for rates below 100/s (one send per tick). */
export const kickTickMs = (perSecond: number): number => Math.max(10, Math.floor(1000 / perSecond));

/** The most sends banked for a late timer: 50 ms worth, at least one. */
export const kickMaxCredit = (perSecond: number): number => Math.max(1, perSecond * 0.05);

export function createKickPacer(deps: KickPacerDeps): KickPacer {
  const { perSecond, concurrency, timers } = deps;
  const queue = new Set<DeviceId>();
  const sources: { readonly it: AsyncIterator<DeviceId> | Iterator<DeviceId>; readonly run: KickRun }[] = [];
  const runOf = new Map<DeviceId, KickRun>();
  let inFlight = 0;
  const maxCredit = kickMaxCredit(perSecond);
  let credit = 0;
  let lastRefill = timers.now();
  const drain = timers.setInterval(() => pump(), kickTickMs(perSecond));

  /** Tops the queue up from pending kick sources, spending at most ~10 ms of this tick; one refill at a time. */
  let refilling = false;
  async function refill(): Promise<void> {
    if (refilling) return;
    refilling = true;
    try {
      const until = timers.now() + 10;
      const want = Math.max(concurrency, Math.ceil(perSecond));
      while (sources.length > 0 && queue.size < want && timers.now() < until) {
        const source = sources[0] as (typeof sources)[number];
        const next = await source.it.next();
        if (next.done) {
          sources.shift();
          source.run.drained = true;
          finish(source.run);
        } else if (!queue.has(next.value)) {
          queue.add(next.value);
          runOf.set(next.value, source.run);
          source.run.queued++;
          source.run.pending++;
        }
      }
    } finally {
      refilling = false;
    }
  }

  function finish(run: KickRun): void {
    if (!run.drained || run.pending > 0) return;
    deps.log.info({ kick: run.label, devices: run.queued, outcomes: Object.fromEntries(run.outcomes), ms: timers.now() - run.started }, "kick done");
  }

  function settled(id: DeviceId, kind: string): void {
    const run = runOf.get(id);
    if (!run) return;
    runOf.delete(id);
    run.outcomes.set(kind, (run.outcomes.get(kind) ?? 0) + 1);
    run.pending--;
    finish(run);
  }

  function pump(): void {
    void refill()
      .then(sendSome)
      .catch((e: unknown) => deps.log.error({ err: e }, "kick refill failed"));
  }

  function sendSome(): void {
    const now = timers.now();
    credit = queue.size === 0 ? 0 : Math.min(maxCredit, credit + ((now - lastRefill) * perSecond) / 1000);
    lastRefill = now;
    while (credit >= 1 && inFlight < concurrency) {
      const next = queue.values().next();
      if (next.done) return;
      const id = next.value;
      queue.delete(id);
      credit--;
      inFlight++;
      void deps
        .send(id)
        .then((kind) => settled(id, kind))
        .catch((e: unknown) => (deps.log.error({ err: e, device: id }, "kick failed"), settled(id, "error")))
        .finally(() => inFlight--);
    }
  }

  return {
    kick(ids, label) {
      const run: KickRun = { label, started: timers.now(), queued: 0, pending: 0, drained: false, outcomes: new Map() };
      deps.log.info({ kick: label, perSecond, concurrency }, "kick started");
      sources.push({ it: Symbol.asyncIterator in ids ? ids[Symbol.asyncIterator]() : ids[Symbol.iterator](), run });
    },
    state: () => ({ queued: queue.size, inFlight, sources: sources.length }),
    close() {
      timers.clearInterval(drain);
      queue.clear();
      sources.length = 0;
      runOf.clear();
    },
  };
}
