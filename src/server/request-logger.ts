/**
 * Fastify gives every request a child logger (its `reqId` binding). A pino child serialises its bindings and sets
 * up its level methods when made: paid by every CWMP request (three per converge session), though at the usual
 * levels no line of most requests is ever logged. This factory hands fastify a stand-in that makes the real child
 * the first time a line at an enabled level is logged through it; what is logged, and with which bindings, is the same.
 */
import pino, { type LogFn } from "pino";
import type { FastifyBaseLogger, FastifyServerOptions } from "fastify";

type Level = "fatal" | "error" | "warn" | "info" | "debug" | "trace";

const enabled = (threshold: string, level: Level): boolean => (pino.levels.values[level] ?? 0) >= (pino.levels.values[threshold] ?? Number.POSITIVE_INFINITY);

export const lazyChildLoggerFactory: NonNullable<FastifyServerOptions["childLoggerFactory"]> = (parent, bindings, opts) => {
  let child: FastifyBaseLogger | undefined;
  const real = (): FastifyBaseLogger => (child ??= parent.child(bindings, opts));
  // The child's level: a route's own (`logLevel`, passed as `opts.level`), else the parent's.
  const at =
    (level: Level): LogFn =>
    (...args: Parameters<LogFn>) => {
      if (child !== undefined || enabled(opts.level ?? parent.level, level)) real()[level](...args);
    };
  return {
    get level() {
      return child?.level ?? opts.level ?? parent.level;
    },
    set level(l) {
      real().level = l;
    },
    fatal: at("fatal"),
    error: at("error"),
    warn: at("warn"),
    info: at("info"),
    debug: at("debug"),
    trace: at("trace"),
    silent: () => undefined,
    child: (b, o) => real().child(b, o),
  };
};
