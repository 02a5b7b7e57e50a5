/**
 * One schema, one type: the `as const` modules the TypeScript types are derived from (json-schema-to-ts) are the
 * schemas of `schemas/`, and the derived configuration and raw policy types say what the schemas say (checked by the compiler:
 * `npx tsc --noEmit` fails if a line below stops holding).
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { SCHEMA_MODULES } from "../../src/config/schema-modules.js";
import { CONFIG_SCHEMA } from "../../src/config/config-schema.js";
import { POLICY_SCHEMA } from "../../src/policy/policy-schema.js";
import { XSD_TYPES } from "../../src/domain/xsd.js";
import type { Config, QuirkRule } from "../../src/config/config.js";
import type { RawPolicy, RawStringMatch } from "../../src/policy/raw.js";

const MODULES: Record<string, unknown> = { CONFIG_SCHEMA, POLICY_SCHEMA };

it("each generated schema module is its JSON Schema (run `node --import tsx scripts/render-schemas.ts` after editing one)", () => {
  for (const { schema, name } of SCHEMA_MODULES) {
    const json: unknown = JSON.parse(readFileSync(new URL(`../../${schema}`, import.meta.url), "utf8"));
    assert.deepEqual(MODULES[name], json, `${name} differs from ${schema}`);
  }
});

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const holds = <T extends true>(): T => true as T;

it("the configuration type is derived from the schema (enums, optional switches, required match, unset keys)", () => {
  holds<Equal<Config["cpeAuth"]["mode"], "open" | "basic" | "digest" | "any">>();
  holds<Equal<Config["files"]["auth"], "open" | "cpe">>();
  holds<Equal<Config["logLevel"], "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent">>();
  holds<Equal<Config["cwmp"]["port"], number>>();
  holds<Equal<Config["secretsFile"], string | undefined>>();
  holds<Equal<Config["tls"]["cert"], string | undefined>>();
  holds<Equal<QuirkRule["booleanAsDigit"], boolean | undefined>>();
  holds<Equal<QuirkRule["match"]["oui"], string | undefined>>();
  holds<Equal<Config["api"]["tokens"][number]["scope"], "read" | "write">>();
  assert.ok(true);
});

it("the raw policy type is derived from the policy schema", () => {
  holds<Equal<RawPolicy["name"], string>>();
  holds<Equal<RawPolicy["drift"], "heal" | "report" | undefined>>();
  holds<Equal<RawStringMatch, string | readonly string[] | { readonly pattern: string }>>();
  holds<Equal<NonNullable<RawPolicy["match"]>["dataModel"], "tr098" | "tr181" | undefined>>();
  assert.ok(true);
});

it("the policy schema's xsd type enum is XSD_TYPES, each with and without its 'xsd:' prefix (JSON cannot import the constant)", () => {
  const type = POLICY_SCHEMA.$defs.value.properties.type;
  assert.deepEqual([...type.enum], [...XSD_TYPES, ...XSD_TYPES.map((t) => t.slice("xsd:".length))]);
});
