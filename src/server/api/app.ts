/**
 * The northbound REST API (fastify). Built by one factory from its dependencies; tests use inject() or a real
 * loopback port. Every route has a JSON schema; /openapi.json is generated from them.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from "fastify";
import swagger from "@fastify/swagger";
import { serverFactory, type TlsServerOptions } from "../http-server.js";
import type { ApiDeps } from "./deps.js";
import { deviceRoutes } from "./device-routes.js";
import { sendError } from "./errors.js";
import { policyRoutes } from "./policy-routes.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The token scope a route needs; "read" when absent. */
    scope?: "read" | "write";
  }
}

const PUBLIC = new Set(["/api/health", "/openapi.json"]);

export interface ApiAppOptions {
  readonly logger: FastifyBaseLogger | false;
  readonly bodyLimit: number;
  readonly tls?: TlsServerOptions;
}

function guard(app: FastifyInstance, deps: ApiDeps): void {
  app.addHook("onRequest", async (req, reply) => {
    const path = req.routeOptions.url ?? req.url.split("?")[0] ?? "";
    if (PUBLIC.has(path) || (path === "/metrics" && deps.openMetrics)) return;
    if (deps.rateLimit) {
      const r = deps.rateLimit(req.ip);
      if (!r.ok) {
        reply.header("retry-after", String(r.retryAfterSeconds));
        return sendError(reply, "rate_limited", "too many requests");
      }
    }
    if (!deps.auth) return;
    const check = deps.auth(req.headers.authorization, req.routeOptions.config.scope ?? "read");
    if (!check.ok) {
      if (check.status === 401) reply.header("www-authenticate", 'Bearer realm="converge"');
      return sendError(reply, check.status === 401 ? "unauthorized" : "forbidden", check.message);
    }
  });
}

export async function buildApiApp(deps: ApiDeps, opts: ApiAppOptions): Promise<FastifyInstance> {
  const base: FastifyServerOptions = { bodyLimit: opts.bodyLimit, ajv: { customOptions: { removeAdditional: false, coerceTypes: "array", allErrors: false, allowUnionTypes: true } } };
  const app = Fastify({ ...base, serverFactory: serverFactory(opts.tls), ...(opts.logger ? { loggerInstance: opts.logger } : {}) });
  await app.register(swagger, { openapi: { info: { title: "Converge API", version: "0.1.0" }, components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } }, security: [{ bearer: [] }] } });
  guard(app, deps);
  app.setErrorHandler((error: { statusCode?: number; validation?: unknown; message: string }, _req, reply) => {
    if (error.validation) return sendError(reply, "bad_request", error.message);
    if (error.statusCode === 413) return sendError(reply, "payload_too_large", error.message);
    if (error.statusCode !== undefined && error.statusCode < 500) return sendError(reply, "bad_request", error.message);
    app.log.error({ err: error }, "api error");
    return sendError(reply, "internal", "internal error");
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, "not_found", `no route ${req.method} ${req.url.split("?")[0]}`));
  app.get("/api/health", { schema: { summary: "Liveness and what this server holds", security: [] } }, async () => ({
    status: "ok",
    devices: await deps.store.countDevices(),
    activeSessions: deps.liveSessions().length,
    policyRevision: (await deps.policies.summary()).revision ?? null,
  }));
  app.get("/api/sessions", { schema: { summary: "Sessions in progress" } }, async () => ({ sessions: deps.liveSessions() }));
  app.get("/metrics", { schema: { summary: "Prometheus metrics", hide: false } }, async (_req, reply) =>
    reply.type("text/plain; version=0.0.4; charset=utf-8").send(deps.metrics ? await deps.metrics() : ""),
  );
  deviceRoutes(app, deps);
  policyRoutes(app, deps);
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  return app;
}
