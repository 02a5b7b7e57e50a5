/**
 * The lazy per-request logger of the CWMP app (src/server/request-logger.ts): the lines fastify and a route log
 * through `req.log` are the ones a plain pino child would log, with the request's binding, at the parent's level.
 */
import test, { describe } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import Fastify from "fastify";
import pino from "pino";
import { lazyChildLoggerFactory } from "../../src/server/request-logger.js";

interface Line {
  readonly level: number;
  readonly msg: string;
  readonly reqId?: string;
  readonly part?: string;
}

async function linesOf(level: string, lazy: boolean): Promise<Line[]> {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString("utf8").split("\n")) if (l !== "") lines.push(JSON.parse(l) as Line);
      done();
    },
  });
  const log = pino({ level }, sink).child({ part: "cwmp" });
  const app = Fastify({ loggerInstance: log, ...(lazy ? { childLoggerFactory: lazyChildLoggerFactory } : {}) });
  app.post("/", async (req) => {
    req.log.debug("a debug line");
    req.log.info({ x: 1 }, "an info line");
    req.log.warn("a warn line");
    req.log.child({ step: 2 }).error("an error line of a grandchild");
    return "ok";
  });
  // A route with its own level: its lines follow that level, not the parent's.
  app.post("/verbose", { logLevel: "debug" }, async (req) => {
    req.log.debug("a debug line of a verbose route");
    return "ok";
  });
  await app.inject({ method: "POST", url: "/", payload: "" });
  await app.inject({ method: "POST", url: "/verbose", payload: "" });
  await app.close();
  return lines.map(({ level: l, msg, reqId, part }) => ({ level: l, msg, part, ...(reqId !== undefined ? { reqId } : {}) }));
}

describe("lazy request logger", () => {
  for (const level of ["trace", "info", "warn", "error", "silent"]) {
    test(`at level ${level} the same lines as fastify's own child loggers`, async () => {
      const [plain, lazy] = [await linesOf(level, false), await linesOf(level, true)];
      assert.deepEqual(lazy, plain);
      if (level === "info") {
        assert.ok(lazy.some((l) => l.msg === "incoming request" && l.reqId !== undefined && l.part === "cwmp"));
        assert.ok(!lazy.some((l) => l.msg === "a debug line"));
      }
      if (level === "warn")
        assert.deepEqual(
          lazy.map((l) => l.msg),
          ["a warn line", "an error line of a grandchild", "incoming request", "a debug line of a verbose route", "request completed"],
        );
    });
  }

  test("no child is made when nothing is logged at an enabled level", async () => {
    let made = 0;
    const parent = pino({ level: "error" });
    const counting = Object.assign(Object.create(parent) as typeof parent, {
      child: (...a: Parameters<typeof parent.child>) => (made++, parent.child(...a)),
    });
    // fastify passes the server's level as the child's (route.js: `loggerOpts.level = context.logLevel`).
    for (const opts of [{}, { level: "error" }]) {
      const child = lazyChildLoggerFactory.call(Fastify(), counting, { reqId: "r1" }, opts, undefined as never);
      child.info("not logged");
      child.warn("not logged");
      assert.equal(made, 0);
      assert.equal(child.level, "error");
    }
  });
});
