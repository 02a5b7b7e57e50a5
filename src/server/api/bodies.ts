/**
 * JSON Schemas of the device routes' request bodies, `as const` so each route's body type is derived from its
 * schema (json-schema-to-ts `FromSchema`) instead of restated by hand: the schema ajv checks is the type the
 * handler reads. The task and bulk bodies live beside their code (task-body.ts, device-admin-routes.ts).
 */

/** The write-only comparison: each value's path and SHA-256. */
export const COMPARE_BODY = {
  type: "object",
  required: ["values"],
  additionalProperties: false,
  properties: {
    values: {
      type: "array",
      maxItems: 1024,
      items: {
        type: "object",
        required: ["path", "sha256"],
        additionalProperties: false,
        properties: { path: { type: "string", minLength: 1, maxLength: 256 }, sha256: { type: "string", pattern: "^[0-9a-fA-F]{64}$" } },
      },
    },
  },
} as const;

/** Tags to add and to remove. */
export const TAGS_BODY = {
  type: "object",
  additionalProperties: false,
  properties: {
    add: { type: "array", items: { type: "string", pattern: "^[A-Za-z0-9_.:-]{1,64}$" }, maxItems: 64 },
    remove: { type: "array", items: { type: "string" }, maxItems: 64 },
  },
} as const;

/** The device's own CWMP password. */
export const CPE_CREDENTIALS_BODY = {
  type: "object",
  required: ["password"],
  additionalProperties: false,
  properties: { password: { type: "string", minLength: 8, maxLength: 256 } },
} as const;

/** The transcript switch. */
export const DEBUG_BODY = { type: "object", required: ["enabled"], properties: { enabled: { type: "boolean" } } } as const;
