/**
 * The code catalogs (issue 12 point 3): the CWMP endpoint's refusals, the session's faults and ends, and the
 * connection request outcomes. For each: every code the sources emit is listed (the emitters are typed by the
 * catalog, and this scan catches a cast or a string built by hand), every listed code is emitted somewhere, and
 * docs/codes.md shows exactly the catalog (the expected table is printed when it does not).
 */
import test from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SESSION_ENDS, SESSION_FAULTS } from "../../src/domain/faults.js";
import { CONNREQ_OUTCOMES, CONNREQ_PUBLIC, type ConnReqOutcomeKind } from "../../src/domain/connreq-outcomes.js";
import { REFUSALS } from "../../src/server/refusals.js";
import type { ReachOutcome } from "../../src/server/reach.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function sources(dir: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...sources(rel));
    else if (e.name.endsWith(".ts")) out.push({ file: rel, text: readFileSync(join(ROOT, rel), "utf8") });
  }
  return out;
}

/** The sources with the catalogs' own declarations cut out, so a code counts as emitted only where it is used. */
const CATALOG_BLOCK = /export const (?:SESSION_FAULTS|SESSION_ENDS|REFUSALS|CONNREQ_OUTCOMES|CONNREQ_PUBLIC) = \{[\s\S]*?\} as const satisfies/g;
const SRC = sources("src")
  .filter((s) => !s.file.startsWith("src/sim/"))
  .map((s) => ({ ...s, text: s.text.replace(CATALOG_BLOCK, "") }));
/** The sources under `dirs`; the REST API (its own catalog, server/api/errors.ts) is never one of them. */
const inDirs = (dirs: readonly string[]): string =>
  SRC.filter((s) => dirs.some((d) => s.file.startsWith(d)) && !s.file.startsWith("src/server/api/"))
    .map((s) => s.text)
    .join("\n");

const matches = (text: string, re: RegExp): Set<string> => new Set([...text.matchAll(re)].map((m) => m[1] ?? ""));
const quoted = (text: string, code: string): boolean => text.includes(`"${code}"`) || text.includes(`"fault:${code}"`);

const SESSION_CODE_DIRS = ["src/session/", "src/reconcile/", "src/server/"];

void test("session faults: every emitted one is listed, every listed one is emitted", () => {
  const text = inDirs(SESSION_CODE_DIRS);
  const core = inDirs(["src/session/", "src/reconcile/"]);
  const listed = new Set([...Object.keys(SESSION_FAULTS), ...Object.keys(SESSION_ENDS)]);
  const emitted = new Set([
    ...matches(text, /"fault:([a-z_]+)"/g),
    ...matches(text, /\.fail\(\s*[^,]+,\s*"([a-z_]+)"/g),
    ...matches(core, /endWithFault\([^,]+,\s*"([a-z_]+)"/g),
    ...matches(core, /\{ code: "([a-z_]+)", message/g),
    ...matches(core, /giveUp\(input, "([a-z_]+)"/g),
    ...matches(core, /export const [A-Z_]+ = "([a-z_]+)";/g),
  ]);
  const unlisted = [...emitted].filter((c) => !listed.has(c));
  assert.deepEqual(unlisted, [], "emitted but not in SESSION_FAULTS/SESSION_ENDS (src/domain/faults.ts)");
  const silent = [...listed].filter((c) => !quoted(text, c));
  assert.deepEqual(silent, [], "listed in src/domain/faults.ts but emitted nowhere: remove them or emit them");
  for (const c of Object.keys(SESSION_FAULTS)) assert.ok(!(c in SESSION_ENDS), `${c} is both a fault and an end`);
});

void test("CWMP refusals: every emitted reason is listed, every listed one is emitted", () => {
  const text = inDirs(["src/server/"]);
  const emitted = new Set([...matches(text, /reason: "([a-z_]+)"/g), ...matches(text, /this\.refuse\(\s*req,\s*reply,\s*"([a-z_]+)"/g)]);
  const unlisted = [...emitted].filter((c) => !(c in REFUSALS));
  assert.deepEqual(unlisted, [], "refused with a reason not in REFUSALS (src/server/refusals.ts)");
  const silent = Object.keys(REFUSALS).filter((c) => !quoted(text, c));
  assert.deepEqual(silent, [], "listed in REFUSALS but never refused with");
  for (const [code, r] of Object.entries(REFUSALS)) assert.ok(r.status === 204 || (r.status >= 400 && r.status < 600), `${code}: ${r.status}`);
});

/** Compile-time: the connection request emitters' union is exactly the catalog (a new kind fails tsc here). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const REACH_KINDS_ARE_THE_CATALOG: Same<ReachOutcome["kind"], ConnReqOutcomeKind> = true;

void test("connection requests: every outcome is listed and emitted; the public ones are outcomes with a status", () => {
  assert.equal(REACH_KINDS_ARE_THE_CATALOG, true);
  const text = inDirs(["src/connreq/", "src/server/reach.ts", "src/server/connreq-guard.ts"]);
  const emitted = new Set([...matches(text, /kind: "([a-z_]+)"/g), ...matches(text, /case "([a-z_]+)":/g)]);
  emitted.delete("sent"); // the UDP sender's own result, reported as udp_sent
  emitted.delete("fault"); // the StoreWrite that records a failed request
  const unlisted = [...emitted].filter((c) => !(c in CONNREQ_OUTCOMES));
  assert.deepEqual(unlisted, [], "connection request outcomes not in CONNREQ_OUTCOMES (src/domain/connreq-outcomes.ts)");
  const silent = Object.keys(CONNREQ_OUTCOMES).filter((c) => !quoted(text, c));
  assert.deepEqual(silent, [], "listed in CONNREQ_OUTCOMES but never produced");
  for (const c of Object.keys(CONNREQ_PUBLIC)) assert.ok(c in CONNREQ_OUTCOMES, `public outcome ${c} is not an outcome`);
});

/** The table docs/codes.md must hold for a catalog, in catalog order. */
function table(rows: Readonly<Record<string, string | { readonly status: number; readonly meaning: string }>>, prefix = ""): string {
  const withStatus = Object.values(rows).some((r) => typeof r !== "string");
  const head = withStatus ? "| code | HTTP | meaning |\n|---|---|---|" : "| code | meaning |\n|---|---|";
  const lines = Object.entries(rows).map(([code, r]) =>
    typeof r === "string" ? `| \`${prefix}${code}\` | ${r} |` : `| \`${prefix}${code}\` | ${r.status} | ${r.meaning} |`,
  );
  return [head, ...lines].join("\n");
}

void test("docs/codes.md lists exactly the catalogs", () => {
  const doc = readFileSync(join(ROOT, "docs/codes.md"), "utf8");
  const sections: [string, string][] = [
    ["SESSION_FAULTS", table(SESSION_FAULTS)],
    ["SESSION_ENDS", table(SESSION_ENDS, "fault:")],
    ["REFUSALS", table(REFUSALS)],
    ["CONNREQ_OUTCOMES", table(CONNREQ_OUTCOMES)],
    ["CONNREQ_PUBLIC", table(CONNREQ_PUBLIC)],
  ];
  for (const [name, expected] of sections) {
    const start = doc.indexOf(`<!-- catalog: ${name} -->\n`);
    assert.ok(start >= 0, `docs/codes.md has no "<!-- catalog: ${name} -->" marker`);
    const body = doc.slice(start + `<!-- catalog: ${name} -->\n`.length);
    const got = body.slice(0, body.indexOf("\n\n") < 0 ? body.length : body.indexOf("\n\n")).trimEnd();
    assert.equal(got, expected, `docs/codes.md's ${name} table is out of date; it should read:\n${expected}\n`);
  }
});
