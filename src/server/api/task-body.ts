/**
 * Operator tasks arrive as JSON and become CWMP requests. The JSON schema (route-level, ajv) checks shape;
 * this module fills defaults and types values. A task's ParameterKey is "op:" + time so the reconciler later
 * sees that someone other than policy wrote, and re-verifies (cwmp-notes §7.5).
 *
 * SetParameterValues values are typed from the data model: an explicit `type` wins, else the type the device
 * reported for the parameter, else the standard TR-098/TR-181 type; only a parameter known to neither falls back
 * to the JSON value's type (a JSON number to an unsignedInt parameter is `xsd:unsignedInt`, to a string one
 * `xsd:string`: the Nokia G-1425G-A refuses `xsd:int` for either with 9006). A value that does not fit its type
 * is refused here (400) rather than by the CPE.
 */
import type { FromSchema } from "json-schema-to-ts";
import { parseXsdType, type XsdType } from "../../domain/xsd.js";
import { err, ok, type Result } from "../../domain/result.js";
import type { AcsRequest, NotificationLevel } from "../../cwmp/types.js";

export const TASK_METHODS = [
  "GetParameterValues",
  "SetParameterValues",
  "GetParameterNames",
  "AddObject",
  "DeleteObject",
  "Reboot",
  "FactoryReset",
  "Download",
  "GetParameterAttributes",
  "SetParameterAttributes",
  "GetRPCMethods",
  "Upload",
  "ScheduleInform",
] as const;

export const TASK_BODY_SCHEMA = {
  type: "object",
  required: ["method"],
  additionalProperties: false,
  properties: {
    method: { enum: TASK_METHODS },
    names: { type: "array", maxItems: 1024, items: { type: "string", minLength: 1, maxLength: 256 } },
    values: {
      type: "array",
      maxItems: 1024,
      items: {
        type: "object",
        required: ["name", "value"],
        additionalProperties: false,
        properties: { name: { type: "string", minLength: 1, maxLength: 256 }, value: { type: ["string", "number", "boolean"] }, type: { type: "string" } },
      },
    },
    path: { type: "string", maxLength: 256 },
    nextLevel: { type: "boolean" },
    objectName: { type: "string", pattern: "\\.$", maxLength: 256 },
    commandKey: { type: "string", maxLength: 32 },
    url: { type: "string", maxLength: 256 },
    fileType: { type: "string", maxLength: 64 },
    fileSize: { type: "integer", minimum: 0 },
    targetFileName: { type: "string", maxLength: 256 },
    username: { type: "string", maxLength: 256 },
    password: { type: "string", maxLength: 256 },
    delaySeconds: { type: "integer", minimum: 0, maximum: 31_536_000, description: "ScheduleInform (at least 1), Upload, Download" },
    attributes: {
      type: "array",
      maxItems: 1024,
      description: "SetParameterAttributes: notification level 0-6 (and optionally the access list) per parameter",
      items: {
        type: "object",
        required: ["name"],
        additionalProperties: false,
        properties: {
          name: { type: "string", minLength: 1, maxLength: 256 },
          notification: { type: "integer", minimum: 0, maximum: 6 },
          accessList: { type: "array", maxItems: 8, items: { type: "string", maxLength: 64 } },
        },
      },
    },
  },
} as const;

/** JSON Schema of a stored task (TaskRecord) in API responses. */
export const TASK_SCHEMA = {
  type: "object",
  required: ["id", "deviceId", "request", "state", "createdAt"],
  properties: {
    id: { type: "integer" },
    deviceId: { type: "string" },
    request: { type: "object", additionalProperties: true, description: "The CWMP request (passwords masked)" },
    state: { type: "string", enum: ["pending", "done", "fault", "expired"] },
    createdAt: { type: "number" },
    doneAt: { type: "number" },
    outcome: {},
    queuedBy: { type: "string", description: "The API token (its configured name) that queued the task; loopback without tokens" },
  },
} as const;

/** A task body as the schema above admits it (derived, not restated: #12.4). */
export type TaskBody = FromSchema<typeof TASK_BODY_SCHEMA>;

/** The xsd type the data model gives a parameter (the device's reported type, else the standard model's). */
export type ParamTypeOf = (name: string) => XsdType | undefined;

const jsonType = (v: string | number | boolean): XsdType | undefined =>
  typeof v === "boolean" ? "xsd:boolean" : typeof v === "number" ? (Number.isInteger(v) ? "xsd:int" : undefined) : "xsd:string";

/** The lexical form of a JSON value for `type`, or why it does not fit. */
function lexical(v: string | number | boolean, type: XsdType): Result<string, string> {
  const s = String(v);
  if (type === "xsd:boolean") {
    if (typeof v === "boolean") return ok(s);
    if (["true", "false", "1", "0"].includes(s)) return ok(s);
    return err(`${JSON.stringify(v)} is not a boolean`);
  }
  if (type === "xsd:unsignedInt" || type === "xsd:unsignedLong" || type === "xsd:int" || type === "xsd:long") {
    if (typeof v === "boolean" || !/^-?[0-9]{1,20}$/.test(s)) return err(`${JSON.stringify(v)} is not an integer (${type})`);
    const n = BigInt(s);
    const [min, max] = INT_RANGE[type];
    if (n < min || n > max) return err(`${s} is out of range for ${type}`);
    return ok(n.toString());
  }
  return ok(s);
}

const INT_RANGE: Readonly<Record<"xsd:int" | "xsd:long" | "xsd:unsignedInt" | "xsd:unsignedLong", readonly [bigint, bigint]>> = {
  "xsd:int": [-(2n ** 31n), 2n ** 31n - 1n],
  "xsd:long": [-(2n ** 63n), 2n ** 63n - 1n],
  "xsd:unsignedInt": [0n, 2n ** 32n - 1n],
  "xsd:unsignedLong": [0n, 2n ** 64n - 1n],
};

function typed(
  v: { readonly name: string; readonly value: string | number | boolean; readonly type?: string },
  typeOf: ParamTypeOf,
): Result<{ value: string; type: XsdType }, string> {
  const t = v.type !== undefined ? parseXsdType(v.type) : (typeOf(v.name) ?? jsonType(v.value));
  if (!t) return err(`unknown or unusable type ${v.type ?? typeof v.value}`);
  const value = lexical(v.value, t);
  return value.ok ? ok({ value: value.value, type: t }) : value;
}

/** Turns a validated task body into the CWMP request the next session sends; `typeOf` types SetParameterValues. */
export function taskRequest(b: TaskBody, now: number, typeOf: ParamTypeOf = () => undefined): Result<AcsRequest, string> {
  const parameterKey = `op:${now.toString(36)}`;
  switch (b.method) {
    case "GetParameterValues":
      return b.names && b.names.length > 0 ? ok({ method: b.method, names: b.names }) : err("names: at least one parameter name");
    case "SetParameterValues": {
      if (!b.values || b.values.length === 0) return err("values: at least one value");
      const values = [];
      for (const v of b.values) {
        const t = typed(v, typeOf);
        if (!t.ok) return err(`values ${v.name}: ${t.error}`);
        values.push({ name: v.name, value: t.value.value, type: t.value.type });
      }
      return ok({ method: b.method, values, parameterKey });
    }
    case "GetParameterNames":
      return ok({ method: b.method, path: b.path ?? "", nextLevel: b.nextLevel ?? true });
    case "GetParameterAttributes":
      return b.names && b.names.length > 0 ? ok({ method: b.method, names: b.names }) : err("names: at least one parameter name");
    case "AddObject":
    case "DeleteObject":
      return b.objectName ? ok({ method: b.method, objectName: b.objectName, parameterKey }) : err("objectName: an object path ending in '.'");
    case "Reboot":
      return ok({ method: b.method, commandKey: b.commandKey ?? parameterKey });
    case "FactoryReset":
    case "GetRPCMethods":
      return ok({ method: b.method });
    case "Download":
      if (!b.url) return err("url: the file URL the CPE downloads");
      return ok({
        method: "Download",
        commandKey: b.commandKey ?? parameterKey,
        fileType: b.fileType ?? "1 Firmware Upgrade Image",
        url: b.url,
        username: b.username ?? "",
        password: b.password ?? "",
        fileSize: b.fileSize ?? 0,
        targetFileName: b.targetFileName ?? "",
        delaySeconds: b.delaySeconds ?? 0,
        successUrl: "",
        failureUrl: "",
      });
    case "Upload":
      // A configuration backup by default: TR-069 A.3.2.9 "1 Vendor Configuration File".
      if (!b.url) return err("url: where the CPE uploads the file (HTTP PUT or POST)");
      return ok({
        method: "Upload",
        commandKey: b.commandKey ?? parameterKey,
        fileType: b.fileType ?? "1 Vendor Configuration File",
        url: b.url,
        username: b.username ?? "",
        password: b.password ?? "",
        delaySeconds: b.delaySeconds ?? 0,
      });
    case "ScheduleInform":
      // TR-069 A.4.1.5: DelaySeconds MUST be greater than zero.
      if (b.delaySeconds === undefined || b.delaySeconds < 1)
        return err("delaySeconds: seconds from now (at least 1) until the CPE informs with M ScheduleInform");
      return ok({ method: "ScheduleInform", delaySeconds: b.delaySeconds, commandKey: b.commandKey ?? parameterKey });
    case "SetParameterAttributes": {
      if (!b.attributes || b.attributes.length === 0) return err("attributes: at least one { name, notification }");
      const attributes = [];
      for (const a of b.attributes) {
        if (a.notification === undefined && a.accessList === undefined) return err(`attributes ${a.name}: notification and/or accessList`);
        attributes.push({
          name: a.name,
          notificationChange: a.notification !== undefined,
          notification: (a.notification ?? 0) as NotificationLevel,
          accessListChange: a.accessList !== undefined,
          accessList: a.accessList ?? [],
        });
      }
      return ok({ method: "SetParameterAttributes", attributes });
    }
  }
}
