/**
 * Operator tasks arrive as JSON and become CWMP requests. The JSON schema (route-level, ajv) checks shape;
 * this module fills defaults and types values. A task's ParameterKey is "op:" + time so the reconciler later
 * sees that someone other than policy wrote, and re-verifies (cwmp-notes §7.5).
 */
import { parseXsdType } from "../../domain/xsd.js";
import { err, ok, type Result } from "../../domain/result.js";
import type { AcsRequest } from "../../cwmp/types.js";

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
  "GetRPCMethods",
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
  },
} as const;

export interface TaskBody {
  readonly method: (typeof TASK_METHODS)[number];
  readonly names?: readonly string[];
  readonly values?: readonly { readonly name: string; readonly value: string | number | boolean; readonly type?: string }[];
  readonly path?: string;
  readonly nextLevel?: boolean;
  readonly objectName?: string;
  readonly commandKey?: string;
  readonly url?: string;
  readonly fileType?: string;
  readonly fileSize?: number;
  readonly targetFileName?: string;
  readonly username?: string;
  readonly password?: string;
}

function typed(v: { readonly value: string | number | boolean; readonly type?: string }): Result<{ value: string; type: NonNullable<ReturnType<typeof parseXsdType>> }, string> {
  const t = v.type !== undefined ? parseXsdType(v.type) : typeof v.value === "boolean" ? "xsd:boolean" : typeof v.value === "number" ? (Number.isInteger(v.value) ? "xsd:int" : undefined) : "xsd:string";
  if (!t) return err(`unknown or unusable type ${v.type ?? typeof v.value}`);
  return ok({ value: String(v.value), type: t });
}

/** Turns a validated task body into the CWMP request the next session sends. */
export function taskRequest(b: TaskBody, now: number): Result<AcsRequest, string> {
  const parameterKey = `op:${now.toString(36)}`;
  switch (b.method) {
    case "GetParameterValues":
      return b.names && b.names.length > 0 ? ok({ method: b.method, names: b.names }) : err("names: at least one parameter name");
    case "SetParameterValues": {
      if (!b.values || b.values.length === 0) return err("values: at least one value");
      const values = [];
      for (const v of b.values) {
        const t = typed(v);
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
        delaySeconds: 0,
        successUrl: "",
        failureUrl: "",
      });
  }
}
