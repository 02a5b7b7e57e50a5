/**
 * `npm install` on the Node.js the README names (>= 20.19) must not warn EBADENGINE: every package in the
 * lockfile accepts this Node.js. (light-my-request >= 6.7 pulls cookie@2, which wants Node 22: package.json
 * overrides it to 6.6.0, the last release on cookie@1, see docs/operations.md.)
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";

type Version = readonly [number, number, number];

const parse = (v: string): Version => {
  const [a = "0", b = "0", c = "0"] = v.replace(/^v/, "").split(".");
  const n = (s: string): number => (s === "x" || s === "*" ? 0 : Number.parseInt(s, 10));
  return [n(a), n(b), n(c)];
};
const cmp = (a: Version, b: Version): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** One comparator of an engines range: >=, >, <=, <, ^, ~, =, x-ranges ("20.x", "*"). */
function comparator(c: string, v: Version): boolean {
  const m = /^(>=|<=|>|<|\^|~|=)?\s*v?([\dx*]+(?:\.[\dx*]+){0,2})$/.exec(c.trim());
  if (!m) throw new Error(`engines comparator not understood: "${c}"`);
  const op = m[1] ?? "";
  const text = m[2] as string;
  const r = parse(text);
  const parts = text.split(".");
  switch (op) {
    case ">=":
      return cmp(v, r) >= 0;
    case ">":
      return cmp(v, r) > 0;
    case "<=":
      return cmp(v, r) <= 0;
    case "<":
      return cmp(v, r) < 0;
    case "^":
      return v[0] === r[0] && cmp(v, r) >= 0;
    case "~":
      return v[0] === r[0] && v[1] === r[1] && cmp(v, r) >= 0;
    default:
      // "20", "20.x", "=20.1.2", "*": every given, non-wildcard part must match.
      return parts.every((p, i) => p === "x" || p === "*" || Number(p) === v[i]);
  }
}

export function satisfies(range: string, version: string): boolean {
  const v = parse(version);
  return range.split("||").some((alt) => {
    const cs = alt
      .trim()
      .replace(/(>=|<=|>|<|\^|~|=)\s+/g, "$1")
      .split(/\s+/)
      .filter((c) => c !== "");
    return cs.length === 0 || cs.every((c) => comparator(c, v));
  });
}

describe("engines", () => {
  it("the range checker reads npm's forms", () => {
    assert.equal(satisfies(">=22", "20.20.2"), false);
    assert.equal(satisfies(">= 14.16.0", "20.20.2"), true);
    assert.equal(satisfies("^14.21.3 || >=16", "20.20.2"), true);
    assert.equal(satisfies("20.x || 22.x", "20.20.2"), true);
    assert.equal(satisfies("22.x || 24.x", "20.20.2"), false);
    assert.equal(satisfies("*", "20.20.2"), true);
  });

  it("every locked package accepts Node.js 20.19 (no EBADENGINE on npm install)", () => {
    const lock = JSON.parse(readFileSync(new URL("../../package-lock.json", import.meta.url), "utf8")) as {
      packages: Record<string, { engines?: { node?: string } | string[] }>;
    };
    const bad: string[] = [];
    for (const [name, p] of Object.entries(lock.packages)) {
      const node = Array.isArray(p.engines) ? undefined : p.engines?.node;
      if (node !== undefined && !satisfies(node, "20.19.0")) bad.push(`${name || "(root)"}: node ${node}`);
    }
    assert.deepEqual(bad, []);
  });
});
