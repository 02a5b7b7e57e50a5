/**
 * /api/rollouts: staged rollouts (docs/rollouts.md). Reading needs the read scope; pause, resume, promote and
 * abort need the write scope. Every route has success and error schemas (in /openapi.json).
 */
import type { FastifyInstance } from "fastify";
import type { ApiDeps } from "./deps.js";
import { ERROR_SCHEMA, sendError } from "./errors.js";

const WAVE_SCHEMA = {
  type: "object",
  properties: {
    index: { type: "integer" },
    size: { type: "string" },
    started: { type: "boolean" },
    devices: { type: "integer" },
    waiting: { type: "integer" },
    pending: { type: "integer" },
    converged: { type: "integer" },
    faulted: { type: "integer" },
  },
  required: ["index", "size", "started", "devices", "waiting", "pending", "converged", "faulted"],
} as const;

export const ROLLOUT_SCHEMA = {
  type: "object",
  properties: {
    id: { type: "string" },
    policy: { type: "string" },
    state: { type: "string", enum: ["running", "paused", "completed", "aborted", "rolled-back", "superseded"] },
    stableRevision: { type: ["string", "null"] },
    canaryRevision: { type: "string" },
    wave: { type: "integer", description: "Index of the latest started wave (0 = the canary wave)" },
    waves: { type: "array", items: WAVE_SCHEMA },
    waveStartedAt: { type: "string" },
    createdAt: { type: "string" },
    updatedAt: { type: "string" },
    strategy: { type: "object", additionalProperties: true },
    reason: {
      type: ["object", "null"],
      additionalProperties: true,
      description: "Why the rollout paused or rolled back: wave, message, faulted devices, models",
    },
    supersededBy: { type: ["string", "null"] },
    events: {
      type: "array",
      items: {
        type: "object",
        properties: { at: { type: "string" }, kind: { type: "string" }, message: { type: "string" } },
        required: ["at", "kind", "message"],
      },
    },
    devices: {
      type: "array",
      items: {
        type: "object",
        properties: {
          id: { type: "string" },
          wave: { type: "integer" },
          state: { type: "string" },
          model: { type: "string" },
          applied: { type: ["string", "null"] },
        },
        required: ["id", "wave", "state", "model", "applied"],
      },
    },
  },
  required: ["id", "policy", "state", "stableRevision", "canaryRevision", "wave", "waves", "strategy", "reason"],
} as const;

const ID_PARAMS = { type: "object", properties: { id: { type: "string", maxLength: 256 } }, required: ["id"] } as const;
const ACTIONS = ["pause", "resume", "promote", "abort"] as const;
const SUMMARY: Readonly<Record<(typeof ACTIONS)[number], string>> = {
  pause: "Pause a running rollout: no further device is touched until resumed",
  resume: "Resume a paused rollout (its current wave is judged afresh)",
  promote: "Start the next wave now (after the last one: complete the rollout)",
  abort: "Abort: every device of the rollout back to the stable version",
};

export function rolloutRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const rollouts = deps.rollouts;
  if (!rollouts) return;
  app.get<{ Querystring: { state?: string } }>(
    "/api/rollouts",
    {
      schema: {
        summary: "Rollouts, newest first (filter by state)",
        querystring: {
          type: "object",
          properties: { state: { type: "string", enum: ["running", "paused", "completed", "aborted", "rolled-back", "superseded"] } },
        },
        response: { 200: { type: "object", properties: { rollouts: { type: "array", items: ROLLOUT_SCHEMA } }, required: ["rollouts"] }, 400: ERROR_SCHEMA },
      },
    },
    async (req) => ({ rollouts: await rollouts.list(req.query.state) }),
  );
  app.get<{ Params: { id: string }; Querystring: { devices?: boolean } }>(
    "/api/rollouts/:id",
    {
      schema: {
        summary:
          "A rollout: policy, stable and canary revisions, strategy, current wave, per-wave counts, pause reason, timeline (devices=true: every assignment)",
        params: ID_PARAMS,
        querystring: { type: "object", properties: { devices: { type: "boolean" } } },
        response: { 200: ROLLOUT_SCHEMA, 404: ERROR_SCHEMA },
      },
    },
    async (req, reply) => {
      const v = await rollouts.get(req.params.id, req.query.devices === true);
      return v ?? sendError(reply, "not_found", `no rollout ${req.params.id}`);
    },
  );
  for (const action of ACTIONS) {
    app.post<{ Params: { id: string } }>(
      `/api/rollouts/:id/${action}`,
      {
        config: { scope: "write" },
        schema: { summary: SUMMARY[action], params: ID_PARAMS, response: { 200: ROLLOUT_SCHEMA, 404: ERROR_SCHEMA, 409: ERROR_SCHEMA } },
      },
      async (req, reply) => {
        const r = await rollouts.control(req.params.id, action);
        if (!r.ok) return sendError(reply, r.code, r.message);
        return r.rollout;
      },
    );
  }
}
