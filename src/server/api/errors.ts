/** One catalog of API error codes; every error body is `{ error: { code, message } }`. */
import type { FastifyReply } from "fastify";

export type ApiErrorCode =
  "bad_request" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "rate_limited" | "payload_too_large" | "policy_invalid" | "internal";

const STATUS: Readonly<Record<ApiErrorCode, number>> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  payload_too_large: 413,
  policy_invalid: 422,
  internal: 500,
};

export function sendError(reply: FastifyReply, code: ApiErrorCode, message: string): FastifyReply {
  return reply.code(STATUS[code]).send({ error: { code, message } });
}

export const ERROR_SCHEMA = {
  type: "object",
  // Some errors carry more (a 409's current count, a rejected reload's findings): never dropped by the serializer.
  additionalProperties: true,
  properties: { error: { type: "object", properties: { code: { type: "string" }, message: { type: "string" } }, required: ["code", "message"] } },
  required: ["error"],
} as const;
