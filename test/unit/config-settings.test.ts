/**
 * One table of settings (src/config/settings.ts): the defaults, the schema's keys, `converge serve --help`, the
 * table in docs/operations.md and the variables in README.md all say the same. After changing a setting:
 * `node --import tsx scripts/render-settings.ts`.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ENV_SETTINGS, SETTINGS, envList, replaceBlock, settingsTable } from "../../src/config/settings.js";
import { buildConfig, DEFAULTS } from "../../src/config/config.js";
import { runServe } from "../../src/cli/serve.js";

const read = (f: string): string => readFileSync(new URL(`../../${f}`, import.meta.url), "utf8");
const HOW = "run `node --import tsx scripts/render-settings.ts`";
/** Variables read outside the table: the config file's name, and the secrets of policies (CONVERGE_SECRET_<NAME>). */
// Variables that are not settings of Converge: the config file's path, and the test suite's PostgreSQL switches.
const OTHER = new Set(["CONVERGE_CONFIG", "CONVERGE_TEST_PG", "CONVERGE_TEST_PG_REQUIRED", "CONVERGE_PG_BIN"]);
const namesIn = (text: string): Set<string> =>
  new Set(
    [...text.matchAll(/\bCONVERGE_[A-Z0-9_]*[A-Z0-9]\b/g)].map((m) => m[0]).filter((n) => !n.startsWith("CONVERGE_SECRET_") || n === "CONVERGE_SECRETS_FILE"),
  );

interface SchemaNode {
  readonly type?: unknown;
  readonly properties?: Record<string, SchemaNode>;
}

/** The leaf keys of the config schema: objects with properties are walked, anything else is a setting. */
function schemaLeaves(node: SchemaNode, prefix = ""): string[] {
  if (node.type !== "object" || node.properties === undefined) return [prefix];
  return Object.entries(node.properties).flatMap(([k, v]) => schemaLeaves(v, prefix === "" ? k : `${prefix}.${k}`));
}

describe("the one settings table", () => {
  it("names each key and variable once, and its keys are exactly the schema's (the top-level legacy `bind` aside)", () => {
    assert.equal(new Set(SETTINGS.map((s) => s.key)).size, SETTINGS.length);
    assert.equal(new Set(ENV_SETTINGS.map((s) => s.env)).size, ENV_SETTINGS.length);
    const schema = JSON.parse(read("schemas/config.schema.json")) as SchemaNode;
    assert.deepEqual(
      SETTINGS.map((s) => s.key).sort(),
      schemaLeaves(schema)
        .filter((k) => k !== "bind")
        .sort(),
    );
  });

  it("the defaults are the table's, and they validate against the schema", () => {
    const c = buildConfig({}, undefined);
    assert.ok(c.ok);
    assert.deepEqual(c.value, DEFAULTS);
    for (const s of SETTINGS)
      assert.deepEqual(
        s.key.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], DEFAULTS),
        s.default,
        s.key,
      );
  });

  it("every variable sets its key", () => {
    for (const s of ENV_SETTINGS) {
      const sample =
        s.kind === "bool"
          ? "true"
          : s.kind === "int" || s.kind === "number"
            ? String(Number(s.default) + 1)
            : s.kind === "json"
              ? s.key === "quirks"
                ? "[]"
                : "staged"
              : undefined;
      if (sample === undefined) continue;
      const c = buildConfig({ [s.env]: sample }, undefined);
      assert.ok(c.ok, `${s.env}: ${c.ok ? "" : c.error.join("; ")}`);
      const got = s.key.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], c.value);
      assert.notEqual(got, undefined, s.env);
    }
  });

  it("docs/operations.md has the generated table, and names no variable the table does not know", () => {
    const ops = read("docs/operations.md");
    assert.equal(replaceBlock(ops, "table", settingsTable()), ops, HOW);
    const known = new Set([...ENV_SETTINGS.map((s) => s.env), ...OTHER]);
    assert.deepEqual(
      [...namesIn(ops)].filter((n) => !known.has(n)),
      [],
    );
  });

  it("README.md lists exactly the table's variables", () => {
    const readme = read("README.md");
    assert.equal(replaceBlock(readme, "env", envList()), readme, HOW);
    const known = new Set([...ENV_SETTINGS.map((s) => s.env), ...OTHER]);
    assert.deepEqual(
      [...namesIn(readme)].filter((n) => !known.has(n)),
      [],
      "README names a variable the table does not know",
    );
    for (const s of ENV_SETTINGS) assert.ok(namesIn(readme).has(s.env), `README misses ${s.env}`);
  });

  it("`converge serve --help` lists every variable with its key and default", async () => {
    let out = "";
    const code = await runServe(["--help"], { stdout: (s) => void (out += s), stderr: () => undefined }, {});
    assert.equal(code, 0);
    for (const s of ENV_SETTINGS) assert.match(out, new RegExp(`^  ${s.env} +${s.key.replace(/\./g, "\\.")} \\(default `, "m"));
  });
});
