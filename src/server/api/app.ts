/**
 * The northbound REST API (fastify). Built by one factory from its dependencies; tests use inject() or a real
 * loopback port. Every route has a JSON schema; /openapi.json is generated from them.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from "fastify";
import { maskJson, scrub } from "../../domain/mask.js";
import { parseDeviceId } from "../../domain/device.js";
import swagger from "@fastify/swagger";
import { serverFactory, type TlsServerOptions } from "../http-server.js";
import type { ApiDeps } from "./deps.js";
import { deviceRoutes } from "./device-routes.js";
import { deviceIdParams } from "./device-id.js";
import { deviceAdminRoutes } from "./device-admin-routes.js";
import { sendError } from "./errors.js";
import { policyRoutes } from "./policy-routes.js";
import { rolloutRoutes } from "./rollout-routes.js";
import { objects, okObject, PUBLIC_ROUTES, withStandardErrors } from "./openapi-responses.js";
import { fleetRoutes } from "./fleet-routes.js";
import { consoleRoutes } from "./console-routes.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The token scope a route needs; "read" when absent. */
    scope?: "read" | "write";
    /** Served without a token (the console's static files: the sign-in page must load). */
    public?: boolean;
  }
  interface FastifyRequest {
    /** Who is asking (the audit trail): the token's configured name, "loopback" for an API without tokens. */
    actor: string;
  }
}

/** The actor of a request on an API bound to loopback without tokens. */
export const LOOPBACK_ACTOR = "loopback";

const PUBLIC = PUBLIC_ROUTES;

const registeredRoutes = new WeakMap<FastifyInstance, readonly { method: string; url: string }[]>();

/** Every route registered on an API app (methods as fastify has them, HEAD included), in order. */
export function apiRoutes(app: FastifyInstance): readonly { method: string; url: string }[] {
  return registeredRoutes.get(app) ?? [];
}

export interface ApiAppOptions {
  readonly logger: FastifyBaseLogger | false;
  readonly bodyLimit: number;
  readonly tls?: TlsServerOptions;
}

function guard(app: FastifyInstance, deps: ApiDeps): void {
  app.decorateRequest("actor", LOOPBACK_ACTOR);
  app.addHook("onRequest", async (req, reply) => {
    const path = req.routeOptions.url ?? req.url.split("?")[0] ?? "";
    if (PUBLIC.has(path) || req.routeOptions.config.public === true || (path === "/metrics" && deps.openMetrics)) return;
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
    req.actor = check.name ?? "token";
  });
}

/**
 * The one masking rule (domain/mask.ts) on every API response: JSON payloads are masked structurally and by
 * value before serialisation; text payloads (metrics, errors) are scrubbed by value. Routes need not remember.
 */
function masking(app: FastifyInstance, deps: ApiDeps): void {
  const secretsOf = (req: FastifyRequest): Promise<readonly string[]> => {
    const params = req.params as Record<string, unknown> | undefined;
    const raw = params && typeof params["id"] === "string" ? params["id"] : undefined;
    return deps.secretValues(raw !== undefined ? parseDeviceId(raw) : undefined);
  };
  app.addHook("preSerialization", async (req, _reply, payload: unknown) => maskJson(payload, await secretsOf(req)));
  app.addHook("onSend", async (req, _reply, payload: unknown) => {
    if (typeof payload !== "string") return payload;
    const secrets = await secretsOf(req);
    return secrets.length > 0 ? scrub(payload, secrets) : payload;
  });
}

/**
 * Where a decoded request holds a number JSON Schema cannot mean: JSON and JSON Schema numbers are finite, but
 * `?limit=Infinity` or `1e309` (query strings coerced by ajv, JSON bodies by JSON.parse) become ±Infinity,
 * which passes "integer" and range keywords in the validator and reaches SQLite as a type error. Iterative, so
 * a deeply nested body cannot overflow the stack; linear in the request.
 */
export function nonFiniteNumberAt(parts: Readonly<Record<string, unknown>>): string | undefined {
  const stack: [string, unknown][] = Object.entries(parts);
  while (stack.length > 0) {
    const [path, v] = stack.pop() as [string, unknown];
    if (typeof v === "number") {
      if (!Number.isFinite(v)) return path;
    } else if (typeof v === "object" && v !== null) {
      for (const [k, x] of Object.entries(v)) stack.push([`${path}/${k}`, x]);
    }
  }
  return undefined;
}

export async function buildApiApp(deps: ApiDeps, opts: ApiAppOptions): Promise<FastifyInstance> {
  const base: FastifyServerOptions = {
    bodyLimit: opts.bodyLimit,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: "array", allErrors: false, allowUnionTypes: true } },
  };
  const app = Fastify({ ...base, serverFactory: serverFactory(opts.tls), ...(opts.logger ? { loggerInstance: opts.logger } : {}) });
  // Before swagger and the routes: every route's schema gets the standard error responses (openapi-responses.ts),
  // and the list of registered routes is kept for the completeness test.
  const routes: { method: string; url: string }[] = [];
  app.addHook("onRoute", (route) => {
    withStandardErrors(route);
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  registeredRoutes.set(app, routes);
  await app.register(swagger, {
    openapi: {
      info: { title: "Converge API", version: "0.1.0" },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
  });
  guard(app, deps);
  // A JSON body before validation (ajv would turn Infinity into the string "Infinity" for a union type), query
  // and path parameters after it (they are strings until ajv coerces them).
  app.addHook("preValidation", async (req, reply) => {
    const at = nonFiniteNumberAt({ body: req.body });
    if (at !== undefined) return sendError(reply, "bad_request", `${at} must be a finite number`);
  });
  app.addHook("preHandler", async (req, reply) => {
    const at = nonFiniteNumberAt({ querystring: req.query, params: req.params });
    if (at !== undefined) return sendError(reply, "bad_request", `${at} must be a finite number`);
  });
  masking(app, deps);
  app.setErrorHandler((error: { statusCode?: number; validation?: unknown; message: string }, _req, reply) => {
    if (error.validation) return sendError(reply, "bad_request", error.message);
    if (error.statusCode === 413) return sendError(reply, "payload_too_large", error.message);
    if (error.statusCode !== undefined && error.statusCode < 500) return sendError(reply, "bad_request", error.message);
    app.log.error({ err: error }, "api error");
    return sendError(reply, "internal", "internal error");
  });
  app.setNotFoundHandler((req, reply) => sendError(reply, "not_found", `no route ${req.method} ${req.url.split("?")[0]}`));
  app.get(
    "/api/health",
    {
      schema: {
        summary: "Liveness and what this server holds",
        security: [],
        response: {
          200: okObject("status", {
            status: { type: "string" },
            devices: { type: "integer" },
            activeSessions: { type: "integer" },
            policyRevision: { type: ["string", "null"] },
            policiesFolder: { type: "string", enum: ["present", "missing"] },
            cluster: okObject('this node among the nodes sharing the database (docs/operations.md "Several nodes")', {
              node: { type: "string" },
              shared: { type: "boolean" },
              nodes: { type: "integer" },
              revision: { type: ["string", "null"] },
              clusterRevision: { type: ["string", "null"] },
              lagging: { type: "boolean" },
              distinctRevisions: { type: "integer" },
              stale: { type: "boolean" },
              members: objects("node, revision"),
            }),
          }),
        },
      },
    },
    async () => {
      return {
        status: "ok",
        devices: await deps.store.countDevices(),
        activeSessions: deps.liveSessions().length,
        policyRevision: deps.policies.revision() ?? null,
        // "missing": the policies folder is gone; the last good revision keeps serving and hot reload waits for it.
        policiesFolder: deps.policies.folder(),
        // A node serving another revision than the cluster's newest says so (status stays "ok": it serves).
        ...(deps.cluster ? { cluster: deps.cluster() } : {}),
      };
    },
  );
  app.get(
    "/api/sessions",
    {
      schema: { summary: "Sessions in progress", response: { 200: okObject("the live sessions", { sessions: objects("id, deviceId, startedAt, rpcCount") }) } },
    },
    async () => ({ sessions: deps.liveSessions() }),
  );
  app.get(
    "/metrics",
    {
      schema: {
        summary: "Prometheus metrics",
        hide: false,
        produces: ["text/plain"],
        response: { 200: { type: "string", description: "Prometheus text exposition format" } },
      },
    },
    async (_req, reply) => reply.type("text/plain; version=0.0.4; charset=utf-8").send(deps.metrics ? await deps.metrics() : ""),
  );
  deviceIdParams(app, async (id) => (await deps.store.getDevice(id)) !== undefined);
  deviceRoutes(app, deps);
  deviceAdminRoutes(app, deps);
  policyRoutes(app, deps);
  fleetRoutes(app, deps);
  if (deps.consoleDir !== undefined) consoleRoutes(app, deps.consoleDir);
  rolloutRoutes(app, deps);
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  return app;
}
