/**
 * Fastify gives every request a child logger (its `reqId` binding). A pino child serialises its bindings and sets
 * up its level methods when made: paid by every CWMP request (three per converge session), though at the usual
 * levels no line of most requests is ever logged. This factory hands fastify a stand-in that makes the real child
 * the first time a line at an enabled level is logged through it; what is logged, and with which bindings, is the same.
 */
import pino, { type Bindings, type ChildLoggerOptions, type LogFn } from "pino";
import type { FastifyBaseLogger, FastifyServerOptions } from "fastify";

type Level = "fatal" | "error" | "warn" | "info" | "debug" | "trace";

const enabled = (threshold: string, level: Level): boolean => (pino.levels.values[level] ?? 0) >= (pino.levels.values[threshold] ?? Number.POSITIVE_INFINITY);

/** One request's logger: the real pino child is made on the first line logged at an enabled level. */
class LazyChild {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly opts: ChildLoggerOptions,
  ) {}

  private real(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings, this.opts));
  }

  /** The child's level: a route's own (`logLevel`, passed as `opts.level`), else the parent's. */
  get level(): string {
    return this.made?.level ?? this.opts.level ?? this.parent.level;
  }

  set level(l: string) {
    this.real().level = l;
  }

  private log(level: Level, args: Parameters<LogFn>): void {
    if (this.made !== undefined || enabled(this.opts.level ?? this.parent.level, level)) this.real()[level](...args);
  }

  fatal(...args: Parameters<LogFn>): void {
    this.log("fatal", args);
  }
  error(...args: Parameters<LogFn>): void {
    this.log("error", args);
  }
  warn(...args: Parameters<LogFn>): void {
    this.log("warn", args);
  }
  info(...args: Parameters<LogFn>): void {
    this.log("info", args);
  }
  debug(...args: Parameters<LogFn>): void {
    this.log("debug", args);
  }
  trace(...args: Parameters<LogFn>): void {
    this.log("trace", args);
  }
  silent(): void {}
  child(bindings: Bindings, opts?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real().child(bindings, opts);
  }
}

export const lazyChildLoggerFactory: NonNullable<FastifyServerOptions["childLoggerFactory"]> = (parent, bindings, opts) =>
  new LazyChild(parent, bindings, opts);
