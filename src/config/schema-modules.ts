/** Which JSON Schemas have an `as const` TypeScript module (scripts/render-schemas.ts writes them), and its text. */

export const SCHEMA_MODULES = [
  { schema: "schemas/config.schema.json", module: "src/config/config-schema.ts", name: "CONFIG_SCHEMA" },
  { schema: "schemas/policy.schema.json", module: "src/policy/policy-schema.ts", name: "POLICY_SCHEMA" },
] as const;

/** The module's text: a header and the schema as a constant (JSON is valid TypeScript; Prettier formats it). */
export function schemaModuleText(schema: string, name: string, json: unknown): string {
  return `// Generated from ${schema} by scripts/render-schemas.ts: edit the schema, then run it.\nexport const ${name} = ${JSON.stringify(json, null, 2)} as const;\n`;
}
