/**
 * /openapi.json is complete: the document is valid (OpenAPI 3 structure, every schema compiles with ajv), and
 * every route the API app registered (listed by fastify's onRoute hook) is in it with a 2xx response that has a
 * schema, and with the error responses it can give: 401 and 429 behind tokens, 403 on write-scope routes, 404
 * on device routes. A route added without its success response documented fails here.
 */
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import { Ajv } from "ajv";
import { apiRoutes } from "../../src/server/api/app.js";
import { PUBLIC_ROUTES } from "../../src/server/api/openapi-responses.js";
import { startTestServer, type TestServer } from "../support/server.js";

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => server.close());

interface Operation {
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
}
interface OpenApi {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
}

/** fastify's /api/devices/:id is OpenAPI's /api/devices/{id}; the wildcard stays as swagger writes it. */
const openapiPath = (url: string): string => url.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

void test("/openapi.json is a valid document and lists every registered route with a 2xx and its errors", async () => {
  const res = await fetch(`${server.apiUrl}/openapi.json`);
  assert.equal(res.status, 200);
  const doc = (await res.json()) as OpenApi;
  assert.match(doc.openapi, /^3\.\d+\.\d+$/);
  assert.equal(typeof doc.info.title, "string");
  assert.equal(typeof doc.paths, "object");

  // Every schema in the document compiles (OpenAPI 3.0 schemas are JSON Schema with a few keywords ajv knows as annotations).
  const ajv = new Ajv({ strict: false, allErrors: true });
  for (const [path, ops] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(ops))
      for (const [status, r] of Object.entries(op.responses ?? {})) {
        assert.equal(typeof r.description, "string", `${method} ${path} ${status}: description`);
        for (const [type, c] of Object.entries(r.content ?? {}))
          if (c.schema !== undefined) assert.doesNotThrow(() => ajv.compile(c.schema as object), `${method} ${path} ${status} ${type}`);
      }

  const routes = apiRoutes(server.api).filter((r) => r.method !== "HEAD" && r.url !== "/openapi.json" && !r.url.startsWith("/documentation"));
  assert.ok(routes.length >= 15, `routes seen by onRoute: ${routes.length}`);
  const problems: string[] = [];
  for (const r of routes) {
    const op = doc.paths[openapiPath(r.url)]?.[r.method.toLowerCase()];
    const where = `${r.method} ${r.url}`;
    if (!op) {
      problems.push(`${where}: not in /openapi.json`);
      continue;
    }
    const responses = op.responses ?? {};
    const success = Object.entries(responses).filter(([s]) => /^2\d\d$/.test(s));
    if (success.length === 0) problems.push(`${where}: no 2xx response`);
    for (const [s, body] of success) if (s !== "204" && body.content === undefined) problems.push(`${where}: ${s} without a schema`);
    const need = [...(PUBLIC_ROUTES.has(r.url) ? [] : ["401", "429"]), ...(r.url.startsWith("/api/devices/:id") ? ["404"] : [])];
    for (const s of need) {
      if (responses[s] === undefined) problems.push(`${where}: no ${s}`);
      else if (!Object.values(responses[s].content ?? {}).some((c) => c.schema !== undefined)) problems.push(`${where}: ${s} without a schema`);
    }
  }
  // Write-scope routes document 403 (a read token is refused).
  for (const [path, method] of [
    ["/api/devices/{id}/tasks", "post"],
    ["/api/devices/{id}", "delete"],
    ["/api/devices/bulk", "post"],
    ["/api/policies/reload", "post"],
  ] as const)
    if (doc.paths[path]?.[method]?.responses?.["403"] === undefined) problems.push(`${method} ${path}: no 403`);
  for (const [path, method, status] of [
    ["/api/devices/{id}", "delete", "409"],
    ["/api/devices/bulk", "post", "409"],
    ["/api/devices/{id}/connection-request", "post", "503"],
  ] as const)
    if (doc.paths[path]?.[method]?.responses?.[status] === undefined) problems.push(`${method} ${path}: no ${status}`);
  assert.deepEqual(problems, []);
});

void test("documenting errors does not change what the API sends: extra error fields survive the serializer", async () => {
  // A bulk run with a stale count answers 409 with the current count beside the error.
  const r = await fetch(`${server.apiUrl}/api/devices/bulk`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ filter: {}, tags: { add: ["x"] }, dryRun: false, expect: 5 }),
  });
  assert.equal(r.status, 409);
  assert.deepEqual(await r.json(), { error: { code: "conflict", message: "0 devices match now, 5 expected: nothing done; dry-run again" }, matched: 0 });
  const health = (await (await fetch(`${server.apiUrl}/api/health`)).json()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(health).sort(), ["activeSessions", "cluster", "devices", "policiesFolder", "policyRevision", "status"]);
});
