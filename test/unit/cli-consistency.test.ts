/**
 * One flag vocabulary across `converge` (node:util parseArgs behind every command): --help on every subcommand,
 * --secrets-file (and CONVERGE_SECRETS_FILE) on every command that reads policies, --version, token new in
 * the top-level help, validate --format json keeping revision and policies on errors, and an empty `match:`.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import { parseArgs } from "../../src/cli/args.js";
import { loadPolicySet } from "../../src/policy/load.js";
import { desiredStateFor } from "../../src/policy/desired.js";
import { eg8145 } from "../support/policy-fixtures.js";

async function run(argv: string[], env: Record<string, string> = {}, cwd?: string): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io = { stdout: (s: string) => void (out += s), stderr: (s: string) => void (err += s), ...(cwd ? { cwd } : {}) };
  const code = await main(argv, io, env);
  return { code, out, err };
}

const PII = "InternetGatewayDevice.ManagementServer.PeriodicInformInterval";
const USERNAME = "InternetGatewayDevice.ManagementServer.Username";

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "converge-cli-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

void test("--help on every subcommand: usage on stdout, exit 0", async () => {
  for (const cmd of [["serve"], ["validate"], ["plan"], ["explain"], ["sim"], ["token"]]) {
    for (const flag of ["--help", "-h"]) {
      const r = await run([...cmd, flag]);
      assert.equal(r.code, 0, `${cmd.join(" ")} ${flag}: ${r.err}`);
      assert.match(r.out, new RegExp(`usage: converge ${cmd[0]}`), `${cmd.join(" ")} ${flag}`);
    }
  }
});

void test("converge --help lists token new; --version prints the package version", async () => {
  const help = await run(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.out, /token new/);
  assert.match(help.out, /--secrets-file/);
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  for (const flag of ["--version", "-V"]) {
    const v = await run([flag]);
    assert.equal(v.code, 0);
    assert.equal(v.out, `converge ${pkg.version}\n`);
  }
});

void test("one parser: unknown flags, missing values and --flag=value are handled alike on every command", async () => {
  for (const cmd of ["validate", "plan", "explain", "serve", "token", "sim"]) {
    const r = await run([cmd, "--no-such-flag"]);
    assert.equal(r.code, 2, cmd);
    assert.match(r.err, /unknown option --no-such-flag/, cmd);
  }
  assert.deepEqual(parseArgs(["--db=x.db", "dir"], { db: true }), { ok: true, value: { positional: ["dir"], flags: new Map([["db", "x.db"]]) } });
  const missing = parseArgs(["--db"], { db: true });
  assert.equal(missing.ok, false);
  assert.match(missing.ok ? "" : missing.error, /--db needs a value/);
  for (const cmd of ["validate", "plan", "explain"]) assert.match((await run([cmd, "--secrets-file"])).err, /--secrets-file needs a value/, cmd);
});

void test("--secrets-file and CONVERGE_SECRETS_FILE on validate (plan and explain read the same flag)", async () => {
  const dir = folder({ "p.yaml": `name: s\npriority: 1\nmatch: { dataModel: tr098 }\nparameters:\n  ${USERNAME}: "\${secret.acsUser}"\n` });
  const secrets = join(dir, "..", `${dir.split("/").at(-1)}-secrets.yaml`);
  writeFileSync(secrets, "acsUser: lab-user\n");
  try {
    // An unset secret is a warning: --strict makes it fail.
    const without = await run(["validate", dir, "--strict"]);
    assert.equal(without.code, 1, without.out);
    assert.match(without.out, /acsUser/);
    assert.equal((await run(["validate", dir, "--strict", "--secrets-file", secrets])).code, 0);
    assert.equal((await run(["validate", dir, "--strict", `--secrets-file=${secrets}`])).code, 0);
    const fromEnv = await run(["validate", dir, "--strict"], { CONVERGE_SECRETS_FILE: secrets });
    assert.equal(fromEnv.code, 0, fromEnv.out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(secrets, { force: true });
  }
});

void test("validate --format json keeps revision and policies when the folder has errors", async () => {
  const dir = folder({
    "good.yaml": `name: good\npriority: 1\nmatch: { dataModel: tr098 }\nparameters:\n  ${PII}: 300\n`,
    "bad.yaml": `name: bad\npriority: 2\nmatch: { dataModel: tr098 }\nparameters:\n  ${PII}: "not-a-number"\n`,
  });
  try {
    const r = await run(["validate", dir, "--format", "json"]);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.out) as { ok: boolean; revision: string | null; policies: number; errors: number };
    assert.equal(j.ok, false);
    assert.ok(j.errors >= 1);
    assert.match(String(j.revision), /^sha256:/);
    assert.equal(j.policies, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test("an empty match: selects every device, as documented", async () => {
  const dir = folder({ "all.yaml": `name: all\npriority: 1\nmatch:\nparameters:\n  ${PII}: 300\n` });
  try {
    assert.equal((await run(["validate", dir])).code, 0);
    const set = await loadPolicySet(dir);
    assert.ok(set.ok);
    if (set.ok) assert.deepEqual(desiredStateFor(set.value, eg8145()).matched, ["all"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
