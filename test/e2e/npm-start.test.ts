/**
 * A fresh machine, exactly as the README says: `npm start`, then SIGTERM to npm, stops the server. npm does not
 * forward the signal to the script's process (its shell dies and the server is re-parented), so the server
 * must notice its parent is gone. A real `npm start` child: it runs bin/converge.js, i.e. dist/ as built by
 * `npm install` (prepare); after changing src/cli/serve.ts run `npm run build` before this test.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "converge-npm-start-"));
after(() => rmSync(work, { recursive: true, force: true }));

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

describe("npm start", () => {
  it("SIGTERM to npm stops the server", async () => {
    const env = {
      ...process.env,
      CONVERGE_CWMP_PORT: "0",
      CONVERGE_API_PORT: "0",
      CONVERGE_DB: join(work, "c.db"),
      CONVERGE_POLICIES: join(ROOT, "policies"),
      CONVERGE_LOG_LEVEL: "info",
    };
    const npm = spawn("npm", ["start"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    npm.stdout.on("data", (d: Buffer) => (out += d.toString()));
    npm.stderr.on("data", (d: Buffer) => (out += d.toString()));
    let serverPid: number | undefined;
    try {
      const serving = await until(() => /"msg":"converge serving"/.test(out), 60_000);
      assert.ok(serving, `the server did not start:\n${out}`);
      serverPid = Number(/"pid":(\d+)[^\n]*"msg":"converge serving"/.exec(out)?.[1]);
      assert.ok(serverPid > 0 && serverPid !== npm.pid, `server pid from its log: ${serverPid}`);
      npm.kill("SIGTERM");
      const stopped = await until(() => !alive(serverPid as number), 15_000);
      assert.ok(stopped, `the server (pid ${serverPid}) still runs after npm got SIGTERM:\n${out}`);
      assert.match(out, /parent process exited: shutting down|shutting down/);
    } finally {
      if (serverPid !== undefined && serverPid > 0 && alive(serverPid)) process.kill(serverPid, "SIGKILL");
      if (npm.exitCode === null) npm.kill("SIGKILL");
    }
  });
});
