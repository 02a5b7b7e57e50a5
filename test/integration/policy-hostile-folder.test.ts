/**
 * #10.3: a policies folder cannot kill the process. Each hostile change (a YAML alias bomb, a directory named
 * *.yaml under vars/, a symlink loop, a dangling *.yaml symlink, an oversized file) reaches a real server through
 * its watcher and is a rejected revision with its error: logged, shown by /api/policies and by `converge
 * validate`, while the last good set keeps serving.
 */
import assert from "node:assert/strict";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runValidate } from "../../src/cli/validate.js";
import { startTestServer, type TestServer } from "../support/server.js";

const GOOD = "name: inform\nparameters:\n  InternetGatewayDevice.ManagementServer.PeriodicInformInterval: 3600\n";
const BOMB = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
  "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
  "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
  "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
  "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]",
].join("\n");

type Summary = { revision?: string; errors: { file: string; code: string; message: string }[] };

async function until<T>(f: () => Promise<T | undefined>, what: string, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function validate(dir: string): Promise<{ code: number; out: string }> {
  let out = "";
  const code = await runValidate([dir], { stdout: (s) => void (out += s), stderr: (s) => void (out += s) }, {});
  return { code, out };
}

describe("hostile policy folders are rejected revisions", () => {
  let s: TestServer;
  let good: string;
  before(async () => {
    s = await startTestServer();
    writeFileSync(join(s.policiesDir, "inform.yaml"), GOOD);
    const r = await fetch(`${s.apiUrl}/api/policies/reload`, { method: "POST" });
    assert.equal(r.status, 200);
    good = ((await r.json()) as { revision: string }).revision;
    await new Promise((r) => setTimeout(r, 300)); // the watcher's initial scan
  });
  after(async () => s.close());

  const cases: [string, (dir: string) => void, (dir: string) => void, RegExp][] = [
    ["a six-line YAML alias bomb", (d) => writeFileSync(join(d, "bomb.yaml"), BOMB), (d) => rmSync(join(d, "bomb.yaml")), /bomb\.yaml.*(alias|Excessive)/i],
    [
      "a directory named *.yaml under vars/",
      (d) => mkdirSync(join(d, "vars", "site.yaml"), { recursive: true }),
      (d) => rmSync(join(d, "vars"), { recursive: true }),
      /vars\/site\.yaml.*is a directory/,
    ],
    [
      "a symlink loop named *.yaml",
      (d) => (symlinkSync(join(d, "loop-b.yaml"), join(d, "loop-a.yaml")), symlinkSync(join(d, "loop-a.yaml"), join(d, "loop-b.yaml"))),
      (d) => (rmSync(join(d, "loop-a.yaml")), rmSync(join(d, "loop-b.yaml"))),
      /loop-a\.yaml.*symbolic link loop/,
    ],
    [
      "a dangling *.yaml symlink",
      (d) => symlinkSync(join(d, "nowhere.yaml"), join(d, "dangling.yaml")),
      (d) => rmSync(join(d, "dangling.yaml")),
      /dangling\.yaml.*dangling symbolic link/,
    ],
    [
      "a file over the size bound",
      (d) => writeFileSync(join(d, "huge.yaml"), `name: huge\n# ${"x".repeat(17 * 1024 * 1024)}\n`),
      (d) => rmSync(join(d, "huge.yaml")),
      /huge\.yaml.*exceeds/,
    ],
  ];

  for (const [what, make, undo, expected] of cases) {
    it(`${what}: the server lives, /api/policies and validate show the error, the last good set serves`, async () => {
      make(s.policiesDir);
      writeFileSync(join(s.policiesDir, "inform.yaml"), GOOD); // "at the next edit"
      try {
        const sum = await until(async () => {
          const r = (await (await fetch(`${s.apiUrl}/api/policies`)).json()) as Summary;
          return r.errors.length > 0 ? r : undefined;
        }, `the rejection of ${what}`);
        assert.equal(sum.revision, good, "the last good revision keeps serving");
        assert.match(sum.errors.map((e) => `${e.file}: ${e.message}`).join("\n"), expected);
        const v = await validate(s.policiesDir);
        assert.equal(v.code, 1);
        assert.match(v.out, expected);
        const health = await fetch(`${s.apiUrl}/api/health`);
        assert.equal(health.status, 200);
      } finally {
        undo(s.policiesDir);
        writeFileSync(join(s.policiesDir, "inform.yaml"), GOOD);
      }
      await until(async () => {
        const r = (await (await fetch(`${s.apiUrl}/api/policies`)).json()) as Summary;
        return r.errors.length === 0 ? r : undefined;
      }, "the folder to load clean again");
    });
  }
});
