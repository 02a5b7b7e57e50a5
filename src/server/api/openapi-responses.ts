/**
 * The error responses every API route can give, added to each route's schema in one place (an onRoute hook), so
 * /openapi.json describes them for every route, including routes added later: 401 and 429 on every route that
 * needs a token, 403 on write-scope routes, 404 on /api/devices/:id routes, 400 where a route takes input, 500
 * everywhere. A route that documents a status itself keeps its own schema. Success responses are each route's
 * own (test/integration/api-openapi.test.ts fails for a route without a 2xx schema).
 *
 * Response schemas also drive fastify's serializer, which drops properties a schema does not list: every
 * object schema here and in the routes' success responses says `additionalProperties: true`.
 */
import type { RouteOptions } from "fastify";
import { ERROR_SCHEMA } from "./errors.js";

/** Routes reachable without a token (guard in app.ts). */
export const PUBLIC_ROUTES: ReadonlySet<string> = new Set(["/api/health", "/openapi.json"]);

const described = (description: string): typeof ERROR_SCHEMA & { description: string } => ({ ...ERROR_SCHEMA, description });

type Schema = NonNullable<RouteOptions["schema"]> & {
  response?: Record<string | number, unknown>;
  params?: unknown;
  body?: unknown;
  querystring?: unknown;
  hide?: boolean;
};

export function withStandardErrors(route: RouteOptions): void {
  const schema = (route.schema ?? {}) as Schema;
  if (schema.hide === true) return;
  const response: Record<string | number, unknown> = { ...(schema.response ?? {}) };
  const add = (status: number, description: string): void => {
    if (response[status] === undefined && response[String(status)] === undefined) response[status] = described(description);
  };
  const url = route.url;
  if (!PUBLIC_ROUTES.has(url)) {
    add(401, "no or an unknown bearer token (when the API has tokens)");
    add(429, "rate limited: retry after the Retry-After header's seconds");
  }
  if (route.config?.scope === "write") add(403, "the token has read scope; this route needs write");
  if (url.startsWith("/api/devices/:id")) add(404, "no such device");
  if (schema.params !== undefined || schema.body !== undefined || schema.querystring !== undefined) add(400, "the request does not match the route's schema");
  add(500, "internal error (logged)");
  route.schema = { ...schema, response };
}

/** A loose success schema: an object whose listed properties are documented and whose others pass through. */
export function okObject(
  description: string,
  properties: Record<string, unknown> = {},
): { type: "object"; description: string; additionalProperties: true; properties: Record<string, unknown> } {
  return { type: "object", description, additionalProperties: true, properties };
}

/** An array of loosely described objects. */
export const objects = (description: string): { type: "array"; description: string; items: { type: "object"; additionalProperties: true } } => ({
  type: "array",
  description,
  items: { type: "object", additionalProperties: true },
});
