/**
 * The CWMP app factory (like buildApiApp): a fastify instance for the CWMP port with the endpoint's route.
 * No request to this port gets a framework error page: fastify's content-type parsers are replaced by one that
 * takes any body as bytes whatever its Content-Type (an empty `Content-Type:` header included: the empty POST
 * of some embedded stacks), and every framework error (body too large, aborted, unknown route) is answered,
 * counted and logged as a CWMP refusal. Tests drive it with inject(); runtime.ts listens on it.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { serverFactory, type TlsServerOptions } from "./http-server.js";
import type { CwmpDeps } from "./cwmp-deps.js";
import { CwmpEndpoint } from "./cwmp-route.js";
import { lazyChildLoggerFactory } from "./request-logger.js";

import type {} from "./cwmp-request.js";

export interface CwmpAppOptions {
  readonly logger: FastifyBaseLogger | false;
  /** URL path CPEs post to (ManagementServer.URL); `/` is always accepted too. */
  readonly path: string;
  readonly tls?: TlsServerOptions;
}

export interface CwmpApp {
  readonly app: FastifyInstance;
  readonly endpoint: CwmpEndpoint;
}

interface FrameworkError {
  readonly statusCode?: number;
  readonly code?: string;
  readonly message: string;
}

export function buildCwmpApp(deps: CwmpDeps, opts: CwmpAppOptions): CwmpApp {
  const app = Fastify({
    serverFactory: serverFactory(opts.tls),
    bodyLimit: deps.limits.maxBodyBytes,
    ...(opts.logger ? { loggerInstance: opts.logger, childLoggerFactory: lazyChildLoggerFactory } : { logger: false }),
  });
  const endpoint = new CwmpEndpoint(deps);
  app.decorateRequest("cwmpContentType", undefined);
  // Fastify refuses an empty or unparseable Content-Type with 415 before any route runs: keep the CPE's value
  // for the body decoder (charset) and let the parser see a neutral one.
  app.addHook("onRequest", async (req) => {
    const ct = req.raw.headers["content-type"];
    if (ct === undefined) return;
    req.cwmpContentType = ct;
    req.raw.headers["content-type"] = "application/octet-stream";
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: deps.limits.maxBodyBytes }, (_req, body, done) => done(null, body));
  app.setErrorHandler((error: FrameworkError, req, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      app.log.error({ err: error }, "CWMP request failed");
      return endpoint.refusals.refuse(reply, { status: 500, reason: "store_failed", message: "internal error", ip: req.ip });
    }
    if (status === 413)
      return endpoint.refusals.refuse(reply, {
        status,
        reason: "too_large",
        message: `request body above limits.maxBodyBytes (${deps.limits.maxBodyBytes} bytes)`,
        ip: req.ip,
      });
    return endpoint.refusals.refuse(reply, { status, reason: "bad_request", message: error.message.slice(0, 200), ip: req.ip });
  });
  app.setNotFoundHandler((req, reply) => {
    // GET and HEAD may name hosted files (/files/...): anything unrouted is a 404, whatever the method.
    return endpoint.refusals.refuse(reply, {
      status: 404,
      reason: "not_found",
      message: `${req.method} ${req.url.split("?")[0]?.slice(0, 200) ?? ""}: CPEs POST to ${opts.path}`,
      ip: req.ip,
    });
  });
  endpoint.register(app, opts.path);
  return { app, endpoint };
}
