/** Expires idle sessions on a timer (unref'd): `limits.sessionIdleMs`, shorter for sessions with no identity. */
import type { LiveSession, SessionRegistry } from "./sessions.js";

export interface IdleBounds {
  readonly sessionIdleMs: number;
  readonly unauthenticatedIdleMs: number;
}

export class IdleSweeper {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sessions: SessionRegistry,
    private readonly bounds: IdleBounds,
    private readonly clock: () => number,
    private readonly expire: (s: LiveSession, idleMs: number) => Promise<unknown>,
  ) {}

  start(): void {
    if (this.timer) return;
    const every = Math.min(1000, this.bounds.sessionIdleMs, this.bounds.unauthenticatedIdleMs);
    this.timer = setInterval(() => void this.sweep(), Math.max(10, every)).unref();
  }

  /** One pass (the timer's, or a test's, which may await it). */
  async sweep(): Promise<void> {
    const now = this.clock();
    await Promise.all(this.sessions.expired(now, this.bounds.sessionIdleMs, this.bounds.unauthenticatedIdleMs).map((s) => this.expire(s, now - s.lastSeen)));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
