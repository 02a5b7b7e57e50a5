/**
 * The purity fence of docs/ARCHITECTURE.md, invariant 1: the pure core imports no file system, network,
 * database, HTTP framework or watcher. Checked on the sources, so a change that breaks it fails here.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));
const PURE_DIRS = ["domain", "cwmp", "session", "reconcile"];
const PURE_POLICY = /^(match|desired|desired-.*|template|version|glob|suggest|conflicts|compile|compile-value|dm-index|dm-check|policy-set|raw|types|desired\.types)\.ts$/;
const FORBIDDEN = ["fs", "node:fs", "fs/promises", "node:fs/promises", "node:http", "node:https", "node:net", "node:dgram", "better-sqlite3", "fastify", "chokidar"];
const IMPORT = /^\s*(?:import|export)\b[^'"]*?from\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']/gm;

function pureFiles(): string[] {
  const out: string[] = [];
  for (const d of PURE_DIRS) for (const f of readdirSync(join(SRC, d))) if (f.endsWith(".ts")) out.push(join(d, f));
  for (const f of readdirSync(join(SRC, "policy"))) if (PURE_POLICY.test(f)) out.push(join("policy", f));
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), "utf8");
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? "");
}

void test("store/types.ts, the vocabulary the core shares with the store, is types only", () => {
  const text = readFileSync(join(SRC, "store/types.ts"), "utf8");
  assert.deepEqual([...text.matchAll(/^import (?!type )/gm)].length, 0);
});

void test("the pure core exists where the architecture says", () => {
  assert.ok(pureFiles().length > 40);
});

for (const file of pureFiles()) {
  void test(`pure: ${file} imports no I/O module`, () => {
    // The store's vocabulary (store/types.ts: types only) is shared; its implementation is not.
    const bad = importsOf(file).filter((i) => FORBIDDEN.includes(i) || (i.includes("/store/") && !i.endsWith("/store/types.js")) || i.includes("/server/"));
    assert.deepEqual(bad, []);
  });
}
