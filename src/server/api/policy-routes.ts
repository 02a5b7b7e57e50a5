/** /api/policies: the serving snapshot (revision, load time, policies, last rejected change) and reload. */
import type { FastifyInstance } from "fastify";
import type { ApiDeps } from "./deps.js";
import { ERROR_SCHEMA } from "./errors.js";
import { objects, okObject } from "./openapi-responses.js";

export function policyRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get(
    "/api/policies",
    {
      schema: {
        summary: "The policy snapshot serving now, and the last rejected change",
        response: {
          200: okObject("the serving snapshot", {
            revision: { type: ["string", "null"] },
            loadedAt: { type: ["integer", "null"] },
            policies: objects("name, file, priority, matches"),
            errors: objects("the last rejected change's findings"),
            lastErrorAt: { type: ["integer", "null"] },
          }),
        },
      },
    },
    async () => deps.policies.summary(),
  );
  app.post(
    "/api/policies/reload",
    {
      config: { scope: "write" },
      schema: {
        summary: "Reload policies now (as a file change would); a failing set is rejected whole",
        response: {
          200: okObject("loaded", { ok: { type: "boolean" }, revision: { type: "string" } }),
          422: { ...ERROR_SCHEMA, description: "rejected whole; the previous revision keeps serving; errors lists the findings" },
        },
      },
    },
    async (_req, reply) => {
      const r = await deps.policies.reload();
      if (r.ok) return { ok: true, revision: r.revision };
      return reply.code(422).send({
        error: { code: "policy_invalid", message: `rejected: ${r.errors.length} error(s); revision ${r.revision ?? "none"} keeps serving` },
        errors: r.errors,
      });
    },
  );
}
