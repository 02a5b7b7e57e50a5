/**
 * Time as a dependency: what reads the clock or waits takes a `Timers` (the adapters pass `SYSTEM_TIMERS`,
 * tests a fake clock they advance by hand), so no test waits on, or asserts on, wall-clock time.
 * The pure core takes `now` as a value instead; only adapters (the kick pacer, converge-now's wait, the reload debounce,
 * a connection request's budget) hold timers.
 */

/** An opaque timer handle (a Node Timeout for the system timers, anything for a fake clock). */
export type TimerHandle = unknown;

export interface Timers {
  /** Milliseconds since the epoch. */
  now(): number;
  /** A one-shot timer; the system's does not keep the process alive (unref). */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** A repeating timer; the system's does not keep the process alive (unref). */
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
}

/** The process's clock and timers, unref'd. */
export const SYSTEM_TIMERS: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};
