/**
 * The purity fence of docs/ARCHITECTURE.md, invariant 1: the pure core imports no file system, network,
 * process, database, HTTP framework or watcher, directly or through anything it imports. Checked on the
 * sources by following every relative import transitively (type imports too: the core's vocabulary may not
 * come from an adapter), so a change that breaks it fails here.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));
const PURE_DIRS = ["domain", "cwmp", "session", "reconcile"];
const PURE_POLICY =
  /^(match|desired|desired-.*|template|version|glob|suggest|conflicts|compile|compile-value|dm-check|policy-set|raw|types|desired\.types)\.ts$/;
const PURE_FILES = [
  "datamodel/dm-index.ts",
  "plan/device-plan.ts",
  "plan/explain.ts",
  "plan/fleet-plan.ts",
  "plan/render.ts",
  "plan/state-json.ts",
  "plan/plan-key.ts",
  "plan/report.ts",
];
const FORBIDDEN = new Set([
  "fs",
  "node:fs",
  "fs/promises",
  "node:fs/promises",
  "node:http",
  "node:https",
  "node:http2",
  "node:net",
  "node:tls",
  "node:dgram",
  "node:child_process",
  "node:worker_threads",
  "node:cluster",
  "better-sqlite3",
  "fastify",
  "chokidar",
  "pino",
]);
/** Folders of adapters: nothing in the core may import from them, not even a type. */
const ADAPTER_DIRS = ["store/", "server/", "cli/", "sim/", "auth/", "connreq/", "metrics/", "config/"];
const IMPORT = /^\s*(?:import|export)\b[^'"]*?from\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']/gm;

function pureRoots(): string[] {
  const out: string[] = [];
  for (const d of PURE_DIRS) for (const f of readdirSync(join(SRC, d))) if (f.endsWith(".ts")) out.push(join(d, f));
  for (const f of readdirSync(join(SRC, "policy"))) if (PURE_POLICY.test(f)) out.push(join("policy", f));
  return [...out, ...PURE_FILES];
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), "utf8");
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? "");
}

/** A relative import (`../x/y.js`) of `from` as a path under src/ (`x/y.ts`). */
function resolve(from: string, spec: string): string {
  const target = normalize(join(dirname(from), spec)).replace(/\.js$/, ".ts");
  return relative(".", target);
}

/** Every file `root` reaches through relative imports, with the chain that reached it, and its bare imports. */
function closure(root: string): Map<string, readonly string[]> {
  const chains = new Map<string, readonly string[]>([[root, [root]]]);
  const queue = [root];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const spec of importsOf(file)) {
      if (!spec.startsWith(".")) continue;
      const next = resolve(file, spec);
      if (chains.has(next) || !next.endsWith(".ts") || !existsSync(join(SRC, next))) continue;
      chains.set(next, [...(chains.get(file) ?? []), next]);
      queue.push(next);
    }
  }
  return chains;
}

void test("the pure core exists where the architecture says", () => {
  assert.ok(pureRoots().length > 40);
  for (const f of pureRoots()) assert.ok(existsSync(join(SRC, f)), f);
});

void test("the fence can fail: a file that reaches node:fs through an import is caught", () => {
  // policy/load.ts is the policy I/O: it reads the folder (node:fs). Its closure must contain a forbidden import.
  const reached = [...closure("policy/load.ts").keys()].flatMap((f) => importsOf(f).filter((i) => FORBIDDEN.has(i)));
  assert.ok(reached.length > 0);
});

for (const root of pureRoots()) {
  void test(`pure: ${root} reaches no I/O module and no adapter, transitively`, () => {
    const bad: string[] = [];
    for (const [file, chain] of closure(root)) {
      if (ADAPTER_DIRS.some((d) => file.startsWith(d))) bad.push(`${chain.join(" -> ")} (an adapter)`);
      for (const i of importsOf(file)) if (FORBIDDEN.has(i)) bad.push(`${chain.join(" -> ")} imports ${i}`);
    }
    assert.deepEqual(bad, []);
  });
}
