/**
 * `converge serve` selects its store from CONVERGE_DB: a postgres:// URL is PostgreSQL (here one nobody listens
 * on), never a local SQLite file named after the URL (what versions before did), and the URL's password never
 * appears in what the server prints; another scheme is refused at start-up.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../../src/cli/main.ts", import.meta.url));
const POLICIES = fileURLToPath(new URL("../../policies/", import.meta.url));
const TSX = import.meta.resolve("tsx");

/** Runs `converge serve` in an empty temporary folder; resolves with its exit code and output (or fails after 30 s). */
async function serve(db: string): Promise<{ readonly code: number | null; readonly out: string; readonly left: readonly string[] }> {
  const cwd = mkdtempSync(join(tmpdir(), "converge-select-"));
  try {
    const env = {
      PATH: process.env["PATH"] ?? "",
      HOME: cwd,
      CONVERGE_CWMP_PORT: "0",
      CONVERGE_API_PORT: "0",
      CONVERGE_BIND: "127.0.0.1",
      CONVERGE_API_BIND: "127.0.0.1",
      CONVERGE_DB: db,
      CONVERGE_POLICIES: POLICIES,
      CONVERGE_LOG_LEVEL: "info",
    };
    const script = `import(${JSON.stringify(MAIN)}).then((m) => m.main(["serve"])).then((c) => { process.exitCode = c; })`;
    const child = spawn(process.execPath, ["--import", TSX, "--input-type=module", "-e", script], { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (out += b.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        resolve(null);
      }, 30_000);
      child.once("exit", (c) => (clearTimeout(timer), resolve(c)));
    });
    return { code, out, left: readdirSync(cwd) };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

test("CONVERGE_DB=postgres://... selects PostgreSQL: an unreachable server stops start-up, no SQLite file appears, the password is masked", async () => {
  const r = await serve("postgres://conv:s3cret-pw@127.0.0.1:9/converge");
  assert.equal(r.code, 1, r.out);
  assert.deepEqual(r.left, [], "nothing created in the working folder");
  assert.match(r.out, /postgres:\/\/conv:\*\*\*@127\.0\.0\.1:9\/converge/);
  assert.match(r.out, /ECONNREFUSED/);
  assert.doesNotMatch(r.out, /s3cret-pw/);
});

test("CONVERGE_DB with another URL scheme is refused at start-up with what is accepted", async () => {
  const r = await serve("mysql://root:hunter2@127.0.0.1/converge");
  assert.equal(r.code, 2, r.out);
  assert.deepEqual(r.left, []);
  assert.match(r.out, /unsupported scheme "mysql:\/\/"/);
  assert.doesNotMatch(r.out, /hunter2/);
});
