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
/** Folders that are pure but for the adapters named here (docs/ARCHITECTURE.md, "Map"): every other file is a root. */
const PURE_BUT: Readonly<Record<string, readonly string[]>> = {
  // The policy language core; these do the I/O (the folder, variable files, the worker thread, the watcher, git, the schema file).
  policy: ["load.ts", "load-files.ts", "load-vars.ts", "load-worker.ts", "off-thread.ts", "source.ts", "revision.ts", "schema.ts"],
  // Staged rollouts: the manager (in memory, write-through) and the recompiling of stored versions are adapters.
  rollout: ["manager.ts", "versions.ts"],
};
const PURE_FILES = [
  "cluster/port.ts",
  "datamodel/dm-index.ts",
  "plan/device-plan.ts",
  "plan/explain.ts",
  "plan/fleet-plan.ts",
  "plan/projection.ts",
  "plan/render.ts",
  "plan/state-json.ts",
  "plan/plan-key.ts",
  "plan/report.ts",
];
/** Node's I/O modules, with and without the `node:` prefix. */
const NODE_IO = ["fs", "fs/promises", "http", "https", "http2", "net", "tls", "dgram", "child_process", "worker_threads", "cluster"];
const FORBIDDEN = new Set([
  ...NODE_IO.flatMap((m) => [m, `node:${m}`]),
  "better-sqlite3",
  "pg",
  "fastify",
  "@fastify/swagger",
  "chokidar",
  "pino",
  "prom-client",
]);
/** Folders of adapters: nothing in the core may import from them, not even a type. */
const ADAPTER_DIRS = ["store/", "server/", "cli/", "sim/", "auth/", "connreq/", "metrics/", "config/", "files/"];
/** Static imports and re-exports (type ones too), side-effect imports, and dynamic `import("...")`. */
const IMPORT = /^\s*(?:import|export)\b[^'"]*?from\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)/gm;

function pureRoots(): string[] {
  const out: string[] = [];
  for (const d of PURE_DIRS) for (const f of readdirSync(join(SRC, d))) if (f.endsWith(".ts")) out.push(join(d, f));
  for (const [d, io] of Object.entries(PURE_BUT)) for (const f of readdirSync(join(SRC, d))) if (f.endsWith(".ts") && !io.includes(f)) out.push(join(d, f));
  return [...out, ...PURE_FILES];
}

function specsIn(text: string): string[] {
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3] ?? "");
}

function importsOf(file: string): string[] {
  return specsIn(readFileSync(join(SRC, file), "utf8"));
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
  // policy/revision.ts runs git: node:child_process, and the fence knows it.
  assert.ok(importsOf("policy/revision.ts").some((i) => FORBIDDEN.has(i) && i.endsWith("child_process")));
});

void test("the fence knows every way in: child_process and tls with or without node:, type imports, re-exports, dynamic import()", () => {
  const text = [
    'import { execFile } from "node:child_process";',
    'import { connect } from "tls";',
    'import type { Socket } from "node:net";',
    "import {",
    "  a,",
    "  b,",
    '} from "../server/runtime.js";',
    'export { x } from "../store/db.js";',
    'import "pino";',
    'const m = await import("node:fs");',
  ].join("\n");
  assert.deepEqual(specsIn(text), ["node:child_process", "tls", "node:net", "../server/runtime.js", "../store/db.js", "pino", "node:fs"]);
  for (const spec of ["node:child_process", "child_process", "node:tls", "tls", "node:net", "pino", "node:fs", "pg"]) assert.ok(FORBIDDEN.has(spec), spec);
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
