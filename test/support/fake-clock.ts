/**
 * A fake clock for code that takes `Timers` (src/domain/clock.ts): time moves only when the test says so, and
 * every timer due on the way fires in time order. Tests assert on this clock's time, never on the wall clock.
 */
import type { TimerHandle, Timers } from "../../src/domain/clock.js";

interface Entry {
  at: number;
  readonly fn: () => void;
  readonly every: number | undefined;
}

export class FakeClock implements Timers {
  #now: number;
  #next = 1;
  readonly #timers = new Map<number, Entry>();

  constructor(start = 1_750_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#next++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), fn, every: undefined });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as number);
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const every = Math.max(1, ms);
    const id = this.#next++;
    this.#timers.set(id, { at: this.#now + every, fn, every });
    return id;
  }

  clearInterval(handle: TimerHandle): void {
    this.#timers.delete(handle as number);
  }

  /** Timers waiting to fire (one-shot and repeating). */
  pending(): number {
    return this.#timers.size;
  }

  /** The delays (from now) of the one-shot timers waiting to fire. */
  pendingTimeouts(): number[] {
    return [...this.#timers.values()].filter((e) => e.every === undefined).map((e) => e.at - this.#now);
  }

  /**
   * Moves time forward by `ms`, firing each timer due on the way at its own time (a repeating one as often
   * as it falls due, `late` aside: with `late: true` the clock jumps and each due timer fires once at the end,
   * as an overloaded event loop would).
   */
  advance(ms: number, opts: { readonly late?: boolean } = {}): void {
    const end = this.#now + ms;
    if (opts.late === true) {
      this.#now = end;
      for (const [id, e] of [...this.#timers]) {
        if (e.at > end) continue;
        if (e.every === undefined) this.#timers.delete(id);
        else e.at = end + e.every;
        e.fn();
      }
      return;
    }
    for (;;) {
      let due: [number, Entry] | undefined;
      for (const t of this.#timers) if (t[1].at <= end && (due === undefined || t[1].at < due[1].at)) due = t;
      if (due === undefined) break;
      const [id, e] = due;
      this.#now = e.at;
      if (e.every === undefined) this.#timers.delete(id);
      else e.at += e.every;
      e.fn();
    }
    this.#now = end;
  }
}

/** Lets every queued promise continuation and immediate run (nothing here waits on the clock). */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}
