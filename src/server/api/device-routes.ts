/** /api/devices: list, show, tasks, tags, plan, explain, sessions, debug switch, connection request. */
import type { FastifyInstance } from "fastify";
import type { FromSchema } from "json-schema-to-ts";
import { parseDeviceId, type DeviceId } from "../../domain/device.js";
import { filterFromQuery, MAX_SEARCH_TEXT, SEARCH_PARAMS, type SearchQuery } from "../../store/search-query.js";
import { STATE_RESPONSE_SCHEMA, toJson } from "../../plan/state-json.js";
import { CR_PASSWORD, CR_USERNAME } from "../desired-resolver.js";
import type { ApiDeps } from "./deps.js";
import { ERROR_SCHEMA, sendError } from "./errors.js";
import { TASK_BODY_SCHEMA, TASK_SCHEMA, taskRequest, type TaskBody } from "./task-body.js";
import { COMPARE_BODY, CPE_CREDENTIALS_BODY, DEBUG_BODY, TAGS_BODY } from "./bodies.js";
import { CPE_PASSWORD_SECRET } from "../cpe-auth-wiring.js";
import { renderExplanation } from "../../plan/explain.js";
import { EXPLAIN_SCHEMA } from "./explain-schema.js";
import { objects, okObject } from "./openapi-responses.js";

const DEVICE = { type: "object", additionalProperties: true, description: "device record: deviceId, facts, tags, status conditions" } as const;

const ID_PARAMS = { type: "object", required: ["id"], properties: { id: { type: "string", maxLength: 300 } } } as const;
const DEVICE_LIST_QUERY = {
  type: "object",
  additionalProperties: false,
  properties: {
    ...Object.fromEntries(Object.entries(SEARCH_PARAMS).map(([name, description]) => [name, { type: "string", maxLength: MAX_SEARCH_TEXT, description }])),
    limit: { type: "integer", minimum: 1, maximum: 1000, default: 100 },
    after: { type: "string", maxLength: 300, description: "the next cursor of the previous page" },
    count: { type: "boolean", description: "also return total: how many devices match (not with param)" },
  },
} as const;

const DEVICE_LIST_RESPONSE = {
  type: "object",
  required: ["devices", "next"],
  properties: {
    devices: { type: "array", items: { type: "object", additionalProperties: true } },
    next: { type: ["string", "null"], description: "pass as after= for the next page; null at the end (a page can be short and still have next)" },
    total: { type: ["integer", "null"] },
  },
} as const;

type ListQuery = SearchQuery & { limit?: number; after?: string; count?: boolean };

export function deviceRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const known = async (raw: string): Promise<DeviceId | undefined> => {
    const id = parseDeviceId(raw);
    return id && (await deps.store.getDevice(id)) ? id : undefined;
  };

  app.get<{ Querystring: ListQuery }>(
    "/api/devices",
    {
      schema: {
        summary: "Search devices (filters run in SQL on indexes; keyset pages in device id order)",
        querystring: DEVICE_LIST_QUERY,
        response: { 200: DEVICE_LIST_RESPONSE, 400: ERROR_SCHEMA, 401: ERROR_SCHEMA, 403: ERROR_SCHEMA, 429: ERROR_SCHEMA },
      },
    },
    async (req, reply) => {
      const { limit, after, count, ...query } = req.query;
      const filter = filterFromQuery(query, deps.clock(), { limit: limit ?? 100, after });
      if (!filter.ok) return sendError(reply, "bad_request", filter.error);
      const page = await deps.store.listDevices(filter.value);
      return { devices: page.devices, next: page.next ?? null, ...(count ? { total: (await deps.store.countMatching(filter.value)) ?? null } : {}) };
    },
  );

  app.get<{ Params: { id: string } }>(
    "/api/devices/:id",
    {
      schema: {
        summary: "A device: facts, status, reported parameters, sessions, faults, tasks",
        params: ID_PARAMS,
        response: {
          200: okObject("the device", {
            device: DEVICE,
            parameters: { type: "object", additionalProperties: true },
            sessions: objects("recent sessions"),
            faults: objects("recent faults"),
            tasks: objects("recent tasks"),
          }),
          404: ERROR_SCHEMA,
        },
      },
    },
    async (req, reply) => {
      const id = await known(req.params.id);
      if (!id) return sendError(reply, "not_found", `no device ${req.params.id}`);
      const reported = await deps.store.loadReported(id);
      const inventory = await deps.store.loadInventory(id);
      return {
        device: await deps.store.getDevice(id),
        debug: deps.debugDevices.has(id),
        backoff: [...inventory.backoff].map(([path, b]) => ({ path, until: b.until, code: b.code, attempts: b.attempts })),
        parameters: Object.fromEntries(
          [...reported.params].map(([p, v]) => [p, { value: v.value, type: v.type, writable: v.writable ?? null, observedAt: v.observedAt }]),
        ),
        sessions: await deps.store.listSessions(id, 20),
        faults: await deps.store.listFaults(id, 50),
        tasks: await deps.store.listTasks(id, 50),
        // Per policy a rollout governs: the revision the device is pinned to and the one it last converged to.
        versions: deps.rollouts?.deviceVersions(id) ?? [],
      };
    },
  );

  // `converge plan --api`: what a plan needs, never a secret. Write-only values appear only as the hashes the
  // reconciler compares with; `managedCredentials` says Converge keeps connection-request credentials for the device.
  app.get<{ Params: { id: string } }>(
    "/api/devices/:id/state",
    // Write scope: the inventory holds hashes of write-only values (passwords), which a weak secret could be
    // guessed from offline; only tokens that may change devices may read them.
    {
      config: { scope: "write" },
      schema: {
        summary: "A device's record, reported state and inventory (what converge plan --api plans from). Write scope: it holds hashes of write-only values.",
        params: ID_PARAMS,
        response: { 200: STATE_RESPONSE_SCHEMA, 404: ERROR_SCHEMA },
      },
    },
    async (req, reply) => {
      const id = await known(req.params.id);
      if (!id) return sendError(reply, "not_found", `no device ${req.params.id}`);
      const secrets = await deps.store.getSecrets(id);
      const managedCredentials = secrets.has(CR_USERNAME) && secrets.has(CR_PASSWORD);
      return { device: await deps.store.getDevice(id), ...toJson(await deps.store.loadReported(id), await deps.store.loadInventory(id)), managedCredentials };
    },
  );

  // `converge plan --api` compares the write-only values of its desired state without ever receiving a hash:
  // it sends each value's SHA-256 (over the API's TLS, with a write token), the server answers applied or not.
  app.post<{ Params: { id: string }; Body: FromSchema<typeof COMPARE_BODY> }>(
    "/api/devices/:id/write-only/compare",
    {
      config: { scope: "write" },
      schema: {
        summary: "Compare write-only values with what Converge last set, without returning any hash. Send each value's SHA-256 (hex).",
        params: ID_PARAMS,
        body: COMPARE_BODY,
        response: {
          200: {
            type: "object",
            required: ["results"],
            properties: {
              results: {
                type: "array",
                items: {
                  type: "object",
                  required: ["path", "known", "applied"],
                  properties: { path: { type: "string" }, known: { type: "boolean" }, applied: { type: "boolean" } },
                },
              },
            },
          },
          400: ERROR_SCHEMA,
          404: ERROR_SCHEMA,
        },
      },
    },
    async (req, reply) => {
      const id = await known(req.params.id);
      if (!id) return sendError(reply, "not_found", `no device ${req.params.id}`);
      return { results: await deps.compareWriteOnly(id, req.body.values) };
    },
  );

  app.post<{ Params: { id: string }; Body: TaskBody }>(
    "/api/devices/:id/tasks",
    {
      config: { scope: "write" },
      schema: {
        summary:
          "Queue an operator task for the device's next session (recorded with the token that queued it). SetParameterValues values are typed from the device's data model unless a type is given.",
        params: ID_PARAMS,
        body: TASK_BODY_SCHEMA,
        response: { 201: { type: "object", required: ["task"], properties: { task: TASK_SCHEMA } }, 400: ERROR_SCHEMA, 404: ERROR_SCHEMA },
      },
    },
    async (req, reply) => {
      const id = await known(req.params.id);
      if (!id) return sendError(reply, "not_found", `no device ${req.params.id}`);
      const typeOf = req.body.method === "SetParameterValues" ? await deps.paramTypes(id) : () => undefined;
      const request = taskRequest(req.body, deps.clock(), typeOf);
      if (!request.ok) return sendError(reply, "bad_request", request.error);
      const task = await deps.store.queueTask(id, request.value, deps.clock(), req.actor);
      await deps.changed(id);
      return reply.code(201).send({ task });
    },
  );

  app.get<{ Querystring: { queuedBy?: string; before?: number; limit?: number } }>(
    "/api/tasks",
    {
      schema: {
        summary: "The operator audit trail: tasks across the fleet, newest first, optionally those one token queued (queuedBy = the token's name)",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            queuedBy: { type: "string", maxLength: 64 },
            before: { type: "integer", minimum: 1, description: "task id to page below" },
            limit: { type: "integer", minimum: 1, maximum: 1000, default: 100 },
          },
        },
        response: {
          200: {
            type: "object",
            required: ["tasks", "next"],
            properties: { tasks: { type: "array", items: TASK_SCHEMA }, next: { type: ["integer", "null"] } },
          },
          400: ERROR_SCHEMA,
        },
      },
    },
    async (req) => {
      const limit = req.query.limit ?? 100;
      const tasks = await deps.store.auditTasks({
        limit,
        ...(req.query.queuedBy !== undefined ? { queuedBy: req.query.queuedBy } : {}),
        ...(req.query.before !== undefined ? { before: req.query.before } : {}),
      });
      return { tasks, next: tasks.length === limit ? (tasks.at(-1)?.id ?? null) : null };
    },
  );

  app.post<{ Params: { id: string }; Body: FromSchema<typeof TAGS_BODY> }>(
    "/api/devices/:id/tags",
    {
      config: { scope: "write" },
      schema: {
        summary: "Add or remove device tags (policies match on tags)",
        params: ID_PARAMS,
        body: TAGS_BODY,
        response: { 200: okObject("the device's tags now", { tags: { type: "array", items: { type: "string" } } }) },
      },
    },
    async (req, reply) => {
      const id = await known(req.params.id);
      if (!id) return sendError(reply, "not_found", `no device ${req.params.id}`);
      await deps.store.setTags(id, req.body.add ?? [], req.body.remove ?? []);
      await deps.changed(id);
      return { tags: (await deps.store.getDevice(id))?.tags ?? [] };
    },
  );

  app.put<{ Params: { id: string }; Body: FromSchema<typeof CPE_CREDENTIALS_BODY> }>(
    "/api/devices/:id/cpe-credentials",
    {
      config: { scope: "write" },
      schema: {
        summary: "Set the device's own CWMP password (per-device CPE authentication; the username is the device id). The device need not have informed yet.",
        params: ID_PARAMS,
        body: CPE_CREDENTIALS_BODY,
        response: { 204: { type: "null", description: "stored" }, 400: ERROR_SCHEMA },
      },
    },
    async (req, reply) => {
      const id = parseDeviceId(req.params.id);
      if (!id) return sendError(reply, "bad_request", `${req.params.id} is not a device id (OUI-ProductClass-Serial)`);
      await deps.store.setSecret(id, CPE_PASSWORD_SECRET, req.body.password);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: { id: string } }>(
    "/api/devices/:id/plan",
    {
      schema: {
        summary: "What the next session would do, and the desired-vs-reported diff",
        params: ID_PARAMS,
        response: { 200: okObject("the plan: steps, diff, notes") },
      },
    },
    async (req, reply) => {
      const id = await known(req.params.id);
      if (!id) return sendError(reply, "not_found", `no device ${req.params.id}`);
      return deps.planFor(id);
    },
  );

  app.get<{ Params: { id: string }; Querystring: { format?: "json" | "text" } }>(
    "/api/devices/:id/explain",
    {
      schema: {
        summary:
          "Matched policies and the merged desired state with provenance: JSON, or the text of converge explain with ?format=text (or Accept: text/plain)",
        params: ID_PARAMS,
        querystring: { type: "object", additionalProperties: false, properties: { format: { type: "string", enum: ["json", "text"] } } },
        response: { 200: EXPLAIN_SCHEMA, 404: ERROR_SCHEMA, 409: ERROR_SCHEMA },
      },
    },
    async (req, reply) => {
      const id = await known(req.params.id);
      if (!id) return sendError(reply, "not_found", `no device ${req.params.id}`);
      const e = await deps.explain(id);
      if (!e) return sendError(reply, "conflict", "no policy set loaded");
      const accept = req.headers.accept ?? "";
      const text = req.query.format === "text" || (req.query.format === undefined && accept.startsWith("text/plain"));
      return text ? reply.type("text/plain; charset=utf-8").send(renderExplanation(e)) : e;
    },
  );

  app.get<{ Params: { id: string; session: string } }>(
    "/api/devices/:id/sessions/:session",
    {
      schema: {
        summary: "A recorded session transcript (devices with debug on)",
        params: { type: "object", properties: { id: { type: "string" }, session: { type: "string", maxLength: 64 } } },
        response: { 200: okObject("the transcript", { session: { type: "string" }, entries: objects("at, direction, status, body") }) },
      },
    },
    async (req, reply) => {
      const id = await known(req.params.id);
      if (!id) return sendError(reply, "not_found", `no device ${req.params.id}`);
      const t = await deps.store.getTranscript(id, req.params.session);
      return t ? { session: req.params.session, entries: t } : sendError(reply, "not_found", `no transcript for session ${req.params.session}`);
    },
  );

  app.put<{ Params: { id: string }; Body: FromSchema<typeof DEBUG_BODY> }>(
    "/api/devices/:id/debug",
    {
      config: { scope: "write" },
      schema: {
        summary: "Record full SOAP transcripts of this device's sessions",
        params: ID_PARAMS,
        body: DEBUG_BODY,
        response: { 200: okObject("the switch now", { debug: { type: "boolean" } }) },
      },
    },
    async (req, reply) => {
      const id = await known(req.params.id);
      if (!id) return sendError(reply, "not_found", `no device ${req.params.id}`);
      if (req.body.enabled) deps.debugDevices.add(id);
      else deps.debugDevices.delete(id);
      await deps.changed(id);
      return { debug: req.body.enabled };
    },
  );

  app.post<{ Params: { id: string }; Querystring: { waitMs?: number } }>(
    "/api/devices/:id/connection-request",
    {
      config: { scope: "write" },
      schema: {
        summary: "Converge now: send a connection request and wait (bounded) for the session it triggers",
        params: ID_PARAMS,
        querystring: { type: "object", properties: { waitMs: { type: "integer", minimum: 0, maximum: 120000, default: 30000 } } },
        response: {
          200: okObject("the device opened the session it was asked for", {
            outcome: { type: "string" },
            session: { type: "object", additionalProperties: true },
          }),
          202: okObject("the request was delivered, no session within waitMs", {
            outcome: { type: "string" },
            session: { type: "null" },
            message: { type: "string" },
          }),
          409: { ...ERROR_SCHEMA, description: "the device has no connection-request URL" },
          502: { ...ERROR_SCHEMA, description: "the device refused the connection request (credentials) or answered an HTTP error" },
          503: { ...ERROR_SCHEMA, description: "the device is busy (it answered 503)" },
          504: { ...ERROR_SCHEMA, description: "the device is unreachable or did not answer in time" },
        },
      },
    },
    async (req, reply) => {
      const id = await known(req.params.id);
      if (!id) return sendError(reply, "not_found", `no device ${req.params.id}`);
      if (!deps.connectionRequest) return sendError(reply, "bad_request", "connection requests are not configured");
      const out = await deps.connectionRequest(id, req.query.waitMs ?? 30000);
      return reply.code(out.status).send(out.body);
    },
  );
}
