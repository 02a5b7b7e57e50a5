/**
 * Fleet administration: DELETE /api/devices/:id (the device and everything stored about it, one transaction)
 * and POST /api/devices/bulk (tags, a task or a connection request for every device matching a filter).
 *
 * A bulk operation is a dry run unless `dryRun: false` is given, and a real run must carry `expect`, the count
 * its dry run returned: when the fleet matching the filter changed size in between, nothing is done and the
 * answer is 409 with the new count. Connection requests are queued to the kick pacer (kick.perSecond,
 * kick.concurrency); every request also passes the API's per-client rate limit like any other.
 */
import type { FastifyInstance } from "fastify";
import { parseDeviceId, type DeviceId } from "../../domain/device.js";
import type { ConditionType, DeviceFilter } from "../../domain/store.js";
import type { ApiDeps } from "./deps.js";
import { ERROR_SCHEMA, sendError } from "./errors.js";
import type { FromSchema } from "json-schema-to-ts";
import { TASK_BODY_SCHEMA, taskRequest } from "./task-body.js";

const ID_PARAMS = { type: "object", required: ["id"], properties: { id: { type: "string", maxLength: 300 } } } as const;
const CONDITIONS: readonly ConditionType[] = ["Matched", "Converged", "Drifted", "Faulted", "Pending"];
/** A bulk operation touches at most this many devices (narrow the filter beyond). */
export const BULK_MAX = 100_000;
const PAGE = 1000;
const SAMPLE = 20;

type Filter = Omit<DeviceFilter, "limit" | "after">;

/** The bulk body as BULK_BODY_SCHEMA admits it (ajv fills `dryRun`'s default). */
type BulkBody = FromSchema<typeof BULK_BODY_SCHEMA>;

const BULK_BODY_SCHEMA = {
  type: "object",
  required: ["filter"],
  additionalProperties: false,
  properties: {
    filter: {
      type: "object",
      additionalProperties: false,
      description: "The device list's filters; {} matches every device",
      properties: {
        productClass: { type: "string", maxLength: 256 },
        softwareVersion: { type: "string", maxLength: 256 },
        tag: { type: "string", maxLength: 64 },
        condition: { type: "string", maxLength: 64, description: "e.g. Converged=false" },
      },
    },
    tags: {
      type: "object",
      additionalProperties: false,
      properties: {
        add: { type: "array", items: { type: "string", pattern: "^[A-Za-z0-9_.:-]{1,64}$" }, maxItems: 64 },
        remove: { type: "array", items: { type: "string", maxLength: 64 }, maxItems: 64 },
      },
    },
    task: TASK_BODY_SCHEMA,
    connectionRequest: { type: "boolean" },
    dryRun: { type: "boolean", default: true, description: "Only count (the default); false to act" },
    expect: { type: "integer", minimum: 0, description: "With dryRun: false, the count the dry run returned" },
  },
} as const;

const BULK_RESPONSE_SCHEMA = {
  type: "object",
  required: ["dryRun", "matched", "sample"],
  properties: {
    dryRun: { type: "boolean" },
    matched: { type: "integer" },
    sample: { type: "array", items: { type: "string" }, description: `the first ${SAMPLE} matching device ids` },
    applied: { type: "integer" },
    action: { type: "string", enum: ["tags", "task", "connectionRequest"] },
  },
} as const;

function conditionOf(s: string | undefined): Filter["condition"] | "bad" | undefined {
  if (s === undefined) return undefined;
  const m = /^(\w+)=(true|false)$/.exec(s);
  const type = CONDITIONS.find((c) => c === m?.[1]);
  return m && type ? { type, status: m[2] === "true" } : "bad";
}

/** Every matching id, page by page (at most BULK_MAX + 1, so an oversized match is detected, not walked). */
async function matching(deps: ApiDeps, filter: Filter): Promise<DeviceId[]> {
  const out: DeviceId[] = [];
  let after: string | undefined;
  do {
    const page = await deps.store.listDevices({ ...filter, limit: PAGE, ...(after !== undefined ? { after } : {}) });
    for (const d of page.devices) out.push(d.deviceId);
    after = page.next;
    // Yield between pages: a large fleet never holds the event loop for the whole walk.
    if (after !== undefined) await new Promise((r) => setImmediate(r));
  } while (after !== undefined && out.length <= BULK_MAX);
  return out;
}

export function deviceAdminRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.delete<{ Params: { id: string } }>(
    "/api/devices/:id",
    {
      config: { scope: "write" },
      schema: {
        summary:
          "Forget a device: its record, tags, reported state, inventory, tasks, faults, sessions, transcripts and secrets, in one transaction. 409 while it is in a session.",
        params: ID_PARAMS,
        response: { 204: { type: "null", description: "deleted" }, 404: ERROR_SCHEMA, 409: ERROR_SCHEMA },
      },
    },
    async (req, reply) => {
      const id = parseDeviceId(req.params.id);
      if (!id || !(await deps.store.getDevice(id))) return sendError(reply, "not_found", `no device ${req.params.id}`);
      if (deps.liveSessions().some((s) => s.deviceId === id)) return sendError(reply, "conflict", `device ${id} is in a session; retry when it ends`);
      // Several nodes: the device's lease, as a session takes it: refused while another node's session holds it.
      const hold = deps.holdDevice ? await deps.holdDevice(id) : undefined;
      if (hold && !hold.ok) return sendError(reply, "conflict", `device ${id} is in a session on node ${hold.node}; retry when it ends`);
      try {
        await deps.store.deleteDevice(id);
      } finally {
        await hold?.release();
      }
      deps.debugDevices.delete(id);
      await deps.changed(id);
      return reply.code(204).send();
    },
  );

  app.post<{ Body: BulkBody }>(
    "/api/devices/bulk",
    {
      config: { scope: "write" },
      schema: {
        summary:
          "Tags, a task or a connection request for every device matching a filter. A dry run (the default) counts; a real run (dryRun: false) needs expect = that count, else 409.",
        body: BULK_BODY_SCHEMA,
        response: {
          200: BULK_RESPONSE_SCHEMA,
          400: ERROR_SCHEMA,
          409: { ...ERROR_SCHEMA, properties: { ...ERROR_SCHEMA.properties, matched: { type: "integer" } } },
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const actions = [
        b.tags !== undefined ? "tags" : undefined,
        b.task !== undefined ? "task" : undefined,
        b.connectionRequest === true ? "connectionRequest" : undefined,
      ].filter((a) => a !== undefined);
      if (actions.length !== 1) return sendError(reply, "bad_request", "give exactly one of tags, task or connectionRequest: true");
      const action = actions[0] as "tags" | "task" | "connectionRequest";
      const condition = conditionOf(b.filter.condition);
      if (condition === "bad") return sendError(reply, "bad_request", `filter.condition: expected Type=true|false with Type one of ${CONDITIONS.join(", ")}`);
      const request = b.task !== undefined ? taskRequest(b.task, deps.clock()) : undefined;
      if (request && !request.ok) return sendError(reply, "bad_request", `task: ${request.error}`);
      if (action === "connectionRequest" && !deps.kick) return sendError(reply, "bad_request", "connection requests are not configured");
      const f = b.filter;
      const filter: Filter = {
        ...(f.productClass !== undefined ? { productClass: f.productClass } : {}),
        ...(f.softwareVersion !== undefined ? { softwareVersion: f.softwareVersion } : {}),
        ...(f.tag !== undefined ? { tag: f.tag } : {}),
        ...(condition ? { condition } : {}),
      };
      const ids = await matching(deps, filter);
      if (ids.length > BULK_MAX) return sendError(reply, "bad_request", `more than ${BULK_MAX} devices match: narrow the filter`);
      const answer = { dryRun: b.dryRun !== false, matched: ids.length, sample: ids.slice(0, SAMPLE), action };
      if (answer.dryRun) return answer;
      if (b.expect === undefined) return sendError(reply, "bad_request", `a real run needs expect: the count of its dry run (${ids.length} now)`);
      if (b.expect !== ids.length)
        return reply.code(409).send({
          error: { code: "conflict", message: `${ids.length} devices match now, ${b.expect} expected: nothing done; dry-run again` },
          matched: ids.length,
        });
      // One transaction per device (the Store port's unit); a device deleted meanwhile is skipped.
      for (const [i, id] of ids.entries()) {
        if (action === "connectionRequest") break;
        if (!(await deps.store.getDevice(id))) continue;
        if (action === "tags") await deps.store.setTags(id, b.tags?.add ?? [], b.tags?.remove ?? []);
        else if (action === "task" && request?.ok) await deps.store.queueTask(id, request.value, deps.clock());
        await deps.changed(id);
        if (i % PAGE === PAGE - 1) await new Promise((r) => setImmediate(r));
      }
      if (action === "connectionRequest") deps.kick?.(ids);
      return { ...answer, applied: ids.length };
    },
  );
}
