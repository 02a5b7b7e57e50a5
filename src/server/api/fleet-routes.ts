/**
 * What the console's overview and policies pages read (issue 14), each one SQL aggregate (or a cached
 * background result): GET /api/overview, /api/activity, /api/faults/top, /api/plan, and /api/me (what the
 * presented token may do, so the console hides what it may not).
 */
import type { FastifyInstance } from "fastify";
import type { ApiDeps } from "./deps.js";
import { ERROR_SCHEMA, sendError } from "./errors.js";

/** What any read route can answer besides its result: no or a bad token, too many requests. */
const READ_ERRORS = { 401: ERROR_SCHEMA, 403: ERROR_SCHEMA, 429: ERROR_SCHEMA } as const;

const COUNT_MAP = { type: "object", additionalProperties: { type: "integer" } } as const;
const ERRORS = { type: "array", items: { type: "object", additionalProperties: true } } as const;

const OVERVIEW_SCHEMA = {
  type: "object",
  required: ["devices", "conditions", "byPolicy", "byModel", "policies", "activeSessions"],
  properties: {
    devices: { type: "integer" },
    conditions: { ...COUNT_MAP, description: "converged, not_converged, unknown (no status yet), drifted, faulted, pending" },
    byPolicy: COUNT_MAP,
    byModel: {
      type: "array",
      items: {
        type: "object",
        required: ["productClass", "softwareVersion", "devices"],
        properties: { productClass: { type: "string" }, softwareVersion: { type: "string" }, devices: { type: "integer" } },
      },
    },
    policies: {
      type: "object",
      properties: {
        revision: { type: ["string", "null"] },
        loadedAt: { type: ["integer", "null"] },
        count: { type: "integer" },
        failing: { type: "boolean", description: "the folder's current content is rejected (the revision above keeps serving)" },
        lastRejected: { type: ["object", "null"], properties: { at: { type: "integer" }, errors: ERRORS } },
      },
    },
    activeSessions: { type: "integer" },
  },
} as const;

const BUCKET = {
  type: "object",
  properties: { at: { type: "integer" }, sessions: { type: "integer" }, failedSessions: { type: "integer" }, faults: { type: "integer" } },
} as const;

const FAULT_SUMMARY = {
  type: "object",
  properties: { code: { type: "string" }, faults: { type: "integer" }, devices: { type: "integer" }, lastAt: { type: "integer" }, message: { type: "string" } },
} as const;

const PLAN_VIEW = {
  type: "object",
  properties: {
    revision: { type: ["string", "null"] },
    result: {
      type: ["object", "null"],
      additionalProperties: true,
      description: "revision, computedAt, durationMs, summary (as converge plan --json), devices (a sample of changing devices)",
    },
    running: {
      type: ["object", "null"],
      properties: { revision: { type: "string" }, startedAt: { type: "integer" }, planned: { type: "integer" }, total: { type: "integer" } },
    },
    error: { type: ["object", "null"], properties: { revision: { type: "string" }, at: { type: "integer" }, message: { type: "string" } } },
  },
} as const;

export function fleetRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get(
    "/api/overview",
    {
      schema: {
        summary: "Fleet overview: devices by condition, policy, model and firmware; the serving policy revision and the last rejected change",
        response: { 200: OVERVIEW_SCHEMA, ...READ_ERRORS },
      },
    },
    async () => {
      const p = await deps.policies.summary();
      return {
        devices: await deps.store.countDevices(),
        conditions: await deps.store.countByCondition(),
        byPolicy: await deps.store.countByPolicy(),
        byModel: await deps.store.countByModel(50),
        policies: {
          revision: p.revision ?? null,
          loadedAt: p.loadedAt ?? null,
          count: p.policies.length,
          failing: p.errors.length > 0,
          lastRejected: p.lastRejected ?? null,
        },
        activeSessions: deps.liveSessions().length,
      };
    },
  );

  app.get<{ Querystring: { minutes?: number; bucketSeconds?: number } }>(
    "/api/activity",
    {
      schema: {
        summary: "Sessions (and failed sessions) and faults per time bucket over the last minutes",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            minutes: { type: "integer", minimum: 1, maximum: 10080, default: 180 },
            bucketSeconds: { type: "integer", minimum: 10, maximum: 86400, default: 60 },
          },
        },
        response: {
          200: {
            type: "object",
            properties: { from: { type: "integer" }, to: { type: "integer" }, bucketMs: { type: "integer" }, buckets: { type: "array", items: BUCKET } },
          },
          400: ERROR_SCHEMA,
          ...READ_ERRORS,
        },
      },
    },
    async (req, reply) => {
      const minutes = req.query.minutes ?? 180;
      const bucketMs = (req.query.bucketSeconds ?? 60) * 1000;
      if ((minutes * 60_000) / bucketMs > 2000) return sendError(reply, "bad_request", "at most 2000 buckets: widen bucketSeconds or shorten minutes");
      const to = deps.clock();
      const from = to - minutes * 60_000;
      return { from, to, bucketMs, buckets: await deps.store.activity(from, bucketMs) };
    },
  );

  app.get<{ Querystring: { hours?: number; limit?: number } }>(
    "/api/faults/top",
    {
      schema: {
        summary: "The most common fault codes recorded in the last hours, by devices affected (GET /api/devices?fault=CODE lists them)",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: { hours: { type: "integer", minimum: 1, maximum: 8760, default: 24 }, limit: { type: "integer", minimum: 1, maximum: 100, default: 10 } },
        },
        response: {
          200: { type: "object", properties: { since: { type: "integer" }, faults: { type: "array", items: FAULT_SUMMARY } } },
          400: ERROR_SCHEMA,
          ...READ_ERRORS,
        },
      },
    },
    async (req) => {
      const since = deps.clock() - (req.query.hours ?? 24) * 3_600_000;
      return { since, faults: await deps.store.topFaults(since, req.query.limit ?? 10) };
    },
  );

  app.get(
    "/api/plan",
    {
      schema: {
        summary:
          "What the serving policy set would change on the stored fleet, by policy and model (as converge plan). Computed in the background and kept a minute per revision: poll until result.revision is the revision",
        response: { 200: PLAN_VIEW, ...READ_ERRORS },
      },
    },
    async () => deps.fleetPlan(),
  );

  app.get(
    "/api/me",
    {
      schema: {
        summary: "What the presented token may do (the console shows write actions only to write tokens)",
        response: {
          200: {
            type: "object",
            properties: {
              scope: { enum: ["read", "write"] },
              tokens: { type: "boolean", description: "false: no tokens configured (loopback only), everything is allowed" },
            },
          },
          ...READ_ERRORS,
        },
      },
    },
    async (req) => {
      if (!deps.auth) return { scope: "write", tokens: false };
      return { scope: deps.auth(req.headers.authorization, "write").ok ? "write" : "read", tokens: true };
    },
  );
}
