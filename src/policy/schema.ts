/**
 * The policy JSON Schema (schemas/policy.schema.json, draft 2020-12) compiled with ajv, and the translation of
 * ajv's errors into issues an operator can act on: what is wrong, where, what was expected, and for an unknown
 * key the nearest known one.
 */
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import type { RawPolicy } from "./raw.js";
import type { Issue } from "./types.js";
import { ptr } from "./types.js";
import { nearest } from "./suggest.js";

export const SCHEMA_URL = new URL("../../schemas/policy.schema.json", import.meta.url);

/** Compiles the schema. `schema` defaults to the file next to the sources. */
export function compilePolicySchema(schema: object = JSON.parse(readFileSync(SCHEMA_URL, "utf8")) as object): ValidateFunction<RawPolicy> {
  const ajv = new Ajv2020({ allErrors: true, verbose: true, allowUnionTypes: true, strict: true });
  return ajv.compile<RawPolicy>(schema);
}

const typeName = (x: unknown): string =>
  x === null ? "null" : Array.isArray(x) ? "a list" : typeof x === "object" ? "a map" : `${typeof x} ${JSON.stringify(x)}`;

const orList = (xs: readonly unknown[]): string => {
  const s = xs.map((x) => (typeof x === "string" ? x : JSON.stringify(x)));
  return s.length <= 1 ? (s[0] ?? "") : `${s.slice(0, -1).join(", ")} or ${s[s.length - 1] ?? ""}`;
};

function describe(e: ErrorObject): string | undefined {
  const d = (e.parentSchema as { description?: unknown } | undefined)?.description;
  return typeof d === "string" ? d : undefined;
}

function knownKeys(e: ErrorObject): string[] {
  const props = (e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props === undefined ? [] : Object.keys(props);
}

/** One ajv error as an issue, or undefined for errors that only repeat another one. */
function toIssue(e: ErrorObject): Issue | undefined {
  const at = e.instancePath;
  const base = { code: "schema" as const, severity: "error" as const };
  if (e.propertyName !== undefined) {
    const d = describe(e);
    return { ...base, pointer: ptr(at, e.propertyName), atKey: true, message: `"${e.propertyName}" is not a valid key here`, ...withExpected(d) };
  }
  switch (e.keyword) {
    case "propertyNames":
      return undefined;
    case "additionalProperties": {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = knownKeys(e);
      const s = nearest(key, known);
      return {
        ...base,
        code: "unknown-key",
        pointer: ptr(at, key),
        atKey: true,
        message: `unknown key "${key}"${s === undefined ? "" : ` (did you mean "${s}"?)`}`,
        expected: `one of: ${known.join(", ")}`,
      };
    }
    case "required":
      return { ...base, pointer: at, message: `missing required key "${String((e.params as { missingProperty: string }).missingProperty)}"` };
    case "type": {
      const want = String((e.params as { type: string | string[] }).type).split(",");
      return { ...base, pointer: at, message: `expected ${orList(want)}, got ${typeName(e.data)}` };
    }
    case "enum":
      return { ...base, pointer: at, message: `expected one of ${orList((e.params as { allowedValues: unknown[] }).allowedValues)}, got ${typeName(e.data)}` };
    case "pattern":
      return { ...base, pointer: at, message: `${JSON.stringify(e.data)} is not valid here${describeSuffix(e)}` };
    default:
      return { ...base, pointer: at, message: `${e.message ?? e.keyword}${describeSuffix(e)}` };
  }
}

const withExpected = (d: string | undefined): { expected?: string } =>
  d === undefined ? {} : { expected: d.charAt(0).toLowerCase() + d.slice(1).replace(/\.$/, "") };
const describeSuffix = (e: ErrorObject): string => {
  const d = describe(e);
  return d === undefined ? "" : ` (${d.replace(/\.$/, "")})`;
};

/** Validates a parsed document. Returns the typed policy or the issues (deduplicated). */
export function validatePolicyDoc(validate: ValidateFunction<RawPolicy>, doc: unknown): { policy: RawPolicy | undefined; issues: Issue[] } {
  if (validate(doc)) return { policy: doc, issues: [] };
  return { policy: undefined, issues: schemaIssues(validate.errors ?? []) };
}

/**
 * ajv's errors (compiled with `verbose: true`) as issues, deduplicated: the policy loader's and the configuration
 * loader's one translation (unknown keys with the nearest known one, expected types and values).
 */
export function schemaIssues(errors: readonly ErrorObject[]): Issue[] {
  const seen = new Set<string>();
  const issues: Issue[] = [];
  for (const e of errors) {
    const i = toIssue(e);
    if (i === undefined) continue;
    const k = `${i.pointer}|${i.message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    issues.push(i);
  }
  return issues;
}
