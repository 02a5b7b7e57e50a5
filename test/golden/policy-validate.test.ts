// Golden output of `converge validate` over every broken policy folder: the exact text an operator (or CI) sees.
// Each case folder is copied to a fresh temp dir (outside git) so the revision and paths are stable.
// UPDATE_GOLDEN=1 rewrites the .txt files; review their diff like code.
import test from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runValidate } from "../../src/cli/validate.js";

const BROKEN = fileURLToPath(new URL("../fixtures/policies-broken/", import.meta.url));
const CASES = readdirSync(BROKEN, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

async function run(name: string, extra: string[]): Promise<string> {
  const tmp = mkdtempSync(join(tmpdir(), "converge-golden-"));
  try {
    cpSync(join(BROKEN, name), join(tmp, name), { recursive: true });
    let out = "";
    const code = await runValidate([name, ...extra], { stdout: (s) => (out += s), stderr: (s) => (out += `stderr: ${s}`), cwd: tmp, env: {} });
    return `${out}exit: ${code}\n`;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function golden(file: string, actual: string): void {
  const path = join(BROKEN, file);
  if (process.env["UPDATE_GOLDEN"] === "1") writeFileSync(path, actual);
  assert.equal(actual, readFileSync(path, "utf8"));
}

void test("every broken case has a golden file", () => {
  assert.ok(CASES.length >= 10, `cases: ${CASES.join(", ")}`);
});

for (const name of CASES) {
  void test(`validate ${name} (text)`, async () => golden(`${name}.txt`, await run(name, [])));
}

void test("validate conflict (github annotations)", async () => golden("conflict.github.txt", await run("conflict", ["--format", "github"])));
void test("validate warnings --strict fails on warnings", async () => golden("warnings.strict.txt", await run("warnings", ["--strict"])));
