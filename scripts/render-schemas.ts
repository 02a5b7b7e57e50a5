/**
 * Writes each JSON Schema of `schemas/` the TypeScript needs as an `as const` module, so its type is derived from
 * the schema (json-schema-to-ts `FromSchema`) and the validator compiles the same object: one schema, one type.
 * `node --import tsx scripts/render-schemas.ts && npx prettier --write src/config/config-schema.ts src/policy/policy-schema.ts`
 * after editing a schema; test/unit/schema-modules.test.ts fails
 * while a module differs from its schema.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { SCHEMA_MODULES, schemaModuleText } from "../src/config/schema-modules.js";

for (const { schema, module, name } of SCHEMA_MODULES) {
  const json: unknown = JSON.parse(readFileSync(new URL(`../${schema}`, import.meta.url), "utf8"));
  writeFileSync(new URL(`../${module}`, import.meta.url), schemaModuleText(schema, name, json));
}
