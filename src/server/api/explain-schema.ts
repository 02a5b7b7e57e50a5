/** JSON Schema of `GET /api/devices/:id/explain` (the `Explanation` of cli/explain.ts), for /openapi.json. */
const PROVENANCE = {
  type: "object",
  required: ["policy", "file", "line"],
  properties: { policy: { type: "string" }, file: { type: "string" }, line: { type: "integer" } },
} as const;

const VALUE = {
  type: "object",
  required: ["path", "value", "type", "writeOnly", "drift", "verifyEverySeconds", "from"],
  properties: {
    path: { type: "string" },
    value: { type: "string", description: "The desired value; (secret) for a write-only value" },
    type: { type: ["string", "null"] },
    writeOnly: { type: "boolean" },
    drift: { type: "string", enum: ["heal", "report"] },
    verifyEverySeconds: { type: "number" },
    from: PROVENANCE,
  },
} as const;

export const EXPLAIN_SCHEMA = {
  type: "object",
  required: ["device", "revision", "matched", "parameters", "tables", "attributes", "firmware", "ignore", "allowReboot", "notes"],
  properties: {
    device: {
      type: "object",
      required: ["id", "manufacturer", "productClass", "dataModel", "softwareVersion"],
      properties: {
        id: { type: "string" },
        manufacturer: { type: "string" },
        productClass: { type: "string" },
        dataModel: { type: ["string", "null"] },
        softwareVersion: { type: "string" },
      },
    },
    revision: { type: "string" },
    matched: {
      type: "array",
      description: "Matching policies, highest precedence first",
      items: {
        type: "object",
        required: ["name", "priority", "file", "line"],
        properties: { name: { type: "string" }, priority: { type: "number" }, file: { type: "string" }, line: { type: "integer" } },
      },
    },
    parameters: { type: "array", items: VALUE },
    tables: {
      type: "array",
      items: {
        type: "object",
        required: ["table", "keyNames", "prune", "from", "instances"],
        properties: {
          table: { type: "string" },
          keyNames: { type: "array", items: { type: "string" } },
          prune: { type: "boolean" },
          from: PROVENANCE,
          instances: {
            type: "array",
            items: { type: "object", required: ["values", "from"], properties: { values: { type: "array", items: VALUE }, from: PROVENANCE } },
          },
        },
      },
    },
    attributes: {
      type: "array",
      items: {
        type: "object",
        required: ["path", "notification", "from"],
        properties: { path: { type: "string" }, notification: { type: "integer" }, from: PROVENANCE },
      },
    },
    firmware: {
      anyOf: [
        { type: "null" },
        {
          type: "object",
          required: ["version", "url", "fileSize", "from"],
          properties: { version: { type: "string" }, url: { type: "string" }, fileSize: { type: "integer" }, from: PROVENANCE },
        },
      ],
    },
    ignore: { type: "array", items: { type: "string" } },
    allowReboot: { type: "boolean" },
    notes: {
      type: "array",
      items: {
        type: "object",
        required: ["kind", "path", "message", "from"],
        properties: { kind: { type: "string" }, path: { type: "string" }, message: { type: "string" }, from: { type: "array", items: PROVENANCE } },
      },
    },
  },
} as const;
