/** /api/devices: list, show, tasks, tags, plan, explain, sessions, debug switch, connection request. */
import type { FastifyInstance } from "fastify";
import { parseDeviceId, type DeviceId } from "../../domain/device.js";
import type { ConditionType, DeviceFilter } from "../../domain/store.js";
import { STATE_RESPONSE_SCHEMA, toJson } from "../../plan/state-json.js";
import { CR_PASSWORD, CR_USERNAME } from "../desired-resolver.js";
import type { ApiDeps } from "./deps.js";
import { ERROR_SCHEMA, sendError } from "./errors.js";
import { TASK_BODY_SCHEMA, taskRequest, type TaskBody } from "./task-body.js";
import { CPE_PASSWORD_SECRET } from "../cpe-auth-wiring.js";

const ID_PARAMS = { type: "object", required: ["id"], properties: { id: { type: "string", maxLength: 300 } } } as const;
const CONDITIONS: readonly ConditionType[] = ["Matched", "Converged", "Drifted", "Faulted", "Pending"];

interface ListQuery {
  productClass?: string;
  softwareVersion?: string;
  tag?: string;
  condition?: string;
  limit?: number;
  after?: string;
}

function parseCondition(s: string | undefined): DeviceFilter["condition"] | "bad" | undefined {
  if (s === undefined) return undefined;
  const m = /^(\w+)=(true|false)$/.exec(s);
  const type = CONDITIONS.find((c) => c === m?.[1]);
  return m && type ? { type, status: m[2] === "true" } : "bad";
}

export function deviceRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const known = async (raw: string): Promise<DeviceId | undefined> => {
    const id = parseDeviceId(raw);
    return id && (await deps.store.getDevice(id)) ? id : undefined;
  };

  app.get<{ Querystring: ListQuery }>(
    "/api/devices",
    {
      schema: {
        summary: "List devices, filtered and paginated by device id",
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            productClass: { type: "string" },
            softwareVersion: { type: "string" },
            tag: { type: "string" },
            condition: { type: "string", description: "e.g. Converged=false, Faulted=true" },
            limit: { type: "integer", minimum: 1, maximum: 1000, default: 100 },
            after: { type: "string" },
          },
        },
        response: { 400: ERROR_SCHEMA },
      },
    },
    async (req, reply) => {
      const condition = parseCondition(req.query.condition);
      if (condition === "bad") return sendError(reply, "bad_request", `condition: expected Type=true|false with Type one of ${CONDITIONS.join(", ")}`);
      const q = req.query;
      const page = await deps.store.listDevices({
        limit: q.limit ?? 100,
        ...(q.productClass !== undefined ? { productClass: q.productClass } : {}),
        ...(q.softwareVersion !== undefined ? { softwareVersion: q.softwareVersion } : {}),
        ...(q.tag !== undefined ? { tag: q.tag } : {}),
        ...(q.after !== undefined ? { after: q.after } : {}),
        ...(condition ? { condition } : {}),
      });
      return { devices: page.devices, next: page.next ?? null };
    },
  );

  app.get<{ Params: { id: string } }>("/api/devices/:id", { schema: { summary: "A device: facts, status, reported parameters, sessions, faults, tasks", params: ID_PARAMS, response: { 404: ERROR_SCHEMA } } }, async (req, reply) => {
    const id = await known(req.params.id);
    if (!id) return sendError(reply, "not_found", `no device ${req.params.id}`);
    const reported = await deps.store.loadReported(id);
    return {
      device: await deps.store.getDevice(id),
      parameters: Object.fromEntries([...reported.params].map(([p, v]) => [p, { value: v.value, type: v.type, writable: v.writable ?? null, observedAt: v.observedAt }])),
      sessions: await deps.store.listSessions(id, 20),
      faults: await deps.store.listFaults(id, 50),
      tasks: await deps.store.listTasks(id, 50),
    };
  });

  // `converge plan --api`: what a plan needs, never a secret. Write-only values appear only as the hashes the
  // reconciler compares with; `managedCredentials` says Converge keeps connection-request credentials for the device.
  app.get<{ Params: { id: string } }>(
    "/api/devices/:id/state",
    // Write scope: the inventory holds hashes of write-only values (passwords), which a weak secret could be
    // guessed from offline; only tokens that may change devices may read them.
    { config: { scope: "write" }, schema: { summary: "A device's record, reported state and inventory (what converge plan --api plans from). Write scope: it holds hashes of write-only values.", params: ID_PARAMS, response: { 200: STATE_RESPONSE_SCHEMA, 404: ERROR_SCHEMA } } },
    async (req, reply) => {
      const id = await known(req.params.id);
      if (!id) return sendError(reply, "not_found", `no device ${req.params.id}`);
      const secrets = await deps.store.getSecrets(id);
      const managedCredentials = secrets.has(CR_USERNAME) && secrets.has(CR_PASSWORD);
      return { device: await deps.store.getDevice(id), ...toJson(await deps.store.loadReported(id), await deps.store.loadInventory(id)), managedCredentials };
    },
  );

  app.post<{ Params: { id: string }; Body: TaskBody }>(
    "/api/devices/:id/tasks",
    { config: { scope: "write" }, schema: { summary: "Queue an operator task for the device's next session", params: ID_PARAMS, body: TASK_BODY_SCHEMA, response: { 400: ERROR_SCHEMA, 404: ERROR_SCHEMA } } },
    async (req, reply) => {
      const id = await known(req.params.id);
      if (!id) return sendError(reply, "not_found", `no device ${req.params.id}`);
      const request = taskRequest(req.body, deps.clock());
      if (!request.ok) return sendError(reply, "bad_request", request.error);
      const task = await deps.store.queueTask(id, request.value, deps.clock());
      deps.changed(id);
      return reply.code(201).send({ task });
    },
  );

  app.post<{ Params: { id: string }; Body: { add?: string[]; remove?: string[] } }>(
    "/api/devices/:id/tags",
    {
      config: { scope: "write" },
      schema: {
        summary: "Add or remove device tags (policies match on tags)",
        params: ID_PARAMS,
        body: { type: "object", additionalProperties: false, properties: { add: { type: "array", items: { type: "string", pattern: "^[A-Za-z0-9_.:-]{1,64}$" }, maxItems: 64 }, remove: { type: "array", items: { type: "string" }, maxItems: 64 } } },
      },
    },
    async (req, reply) => {
      const id = await known(req.params.id);
      if (!id) return sendError(reply, "not_found", `no device ${req.params.id}`);
      await deps.store.setTags(id, req.body.add ?? [], req.body.remove ?? []);
      deps.changed(id);
      return { tags: (await deps.store.getDevice(id))?.tags ?? [] };
    },
  );

  app.put<{ Params: { id: string }; Body: { password: string } }>(
    "/api/devices/:id/cpe-credentials",
    {
      config: { scope: "write" },
      schema: {
        summary: "Set the device's own CWMP password (per-device CPE authentication; the username is the device id). The device need not have informed yet.",
        params: ID_PARAMS,
        body: { type: "object", required: ["password"], additionalProperties: false, properties: { password: { type: "string", minLength: 8, maxLength: 256 } } },
        response: { 400: ERROR_SCHEMA },
      },
    },
    async (req, reply) => {
      const id = parseDeviceId(req.params.id);
      if (!id) return sendError(reply, "bad_request", `${req.params.id} is not a device id (OUI-ProductClass-Serial)`);
      await deps.store.setSecret(id, CPE_PASSWORD_SECRET, req.body.password);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: { id: string } }>("/api/devices/:id/plan", { schema: { summary: "What the next session would do, and the desired-vs-reported diff", params: ID_PARAMS } }, async (req, reply) => {
    const id = await known(req.params.id);
    if (!id) return sendError(reply, "not_found", `no device ${req.params.id}`);
    return deps.planFor(id);
  });

  app.get<{ Params: { id: string } }>("/api/devices/:id/explain", { schema: { summary: "Matched policies and the merged desired state with provenance", params: ID_PARAMS } }, async (req, reply) => {
    const id = await known(req.params.id);
    if (!id) return sendError(reply, "not_found", `no device ${req.params.id}`);
    return deps.explain(id);
  });

  app.get<{ Params: { id: string; session: string } }>(
    "/api/devices/:id/sessions/:session",
    { schema: { summary: "A recorded session transcript (devices with debug on)", params: { type: "object", properties: { id: { type: "string" }, session: { type: "string", maxLength: 64 } } } } },
    async (req, reply) => {
      const id = await known(req.params.id);
      if (!id) return sendError(reply, "not_found", `no device ${req.params.id}`);
      const t = await deps.store.getTranscript(id, req.params.session);
      return t ? { session: req.params.session, entries: t } : sendError(reply, "not_found", `no transcript for session ${req.params.session}`);
    },
  );

  app.put<{ Params: { id: string }; Body: { enabled: boolean } }>(
    "/api/devices/:id/debug",
    { config: { scope: "write" }, schema: { summary: "Record full SOAP transcripts of this device's sessions", params: ID_PARAMS, body: { type: "object", required: ["enabled"], properties: { enabled: { type: "boolean" } } } } },
    async (req, reply) => {
      const id = await known(req.params.id);
      if (!id) return sendError(reply, "not_found", `no device ${req.params.id}`);
      if (req.body.enabled) deps.debugDevices.add(id);
      else deps.debugDevices.delete(id);
      deps.changed(id);
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
