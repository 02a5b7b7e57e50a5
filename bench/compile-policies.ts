/**
 * Issue 3's benchmark: desired-state compiles per second for one device against 1,000 generated policies
 * (varied selectors: product class lists, software-version ranges, serial globs, tags; templated values), the
 * baseline being the same loop over a set of 1 policy. Run alone: node --import tsx bench/compile-policies.ts
 */
import { eg8145 } from "../test/support/policy-fixtures.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { loadPolicySet } from "../src/policy/load.js";
import { desiredStateFor } from "../src/policy/desired.js";
import type { MatchSubject } from "../src/policy/desired.types.js";
import type { PolicySet } from "../src/policy/types.js";
import { QUICK, emit, log, ratio, table } from "./support/report.js";

const POLICIES = 1000;
const SECONDS = QUICK ? 1 : 3;

const CLASSES = ["EG8145V5", "HG8245H", "G-1425G-A", "ZXHN H199A", "BM632w", "F670L"];
const PARAMS = [
  "InternetGatewayDevice.ManagementServer.PeriodicInformInterval",
  "InternetGatewayDevice.Time.NTPServer1",
  "InternetGatewayDevice.Time.NTPServer2",
  "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.SSID",
  "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.Channel",
  "InternetGatewayDevice.LANDevice.1.LANHostConfigManagement.DNSServers",
];

/** Policy i: a unique priority (so no two collide), a selector that one device in ~6 matches, 2-3 values. */
function policy(i: number): string {
  const cls = CLASSES[i % CLASSES.length] ?? "EG8145V5";
  const sel = [
    `  productClass: [${cls}, ${CLASSES[(i + 1) % CLASSES.length]}]`,
    i % 3 === 0 ? `  softwareVersion: ">=V5R019C00S000 <V5R021C00S000"` : "",
    i % 5 === 0 ? `  serialNumber: "4857*"` : "",
    i % 7 === 0 ? `  tags: { none: [lab] }` : "",
  ].filter((l) => l !== "");
  const p1 = PARAMS[i % PARAMS.length] ?? "";
  const p2 = PARAMS[(i + 2) % PARAMS.length] ?? "";
  const value = (p: string): string => (p.endsWith("Interval") || p.endsWith("Channel") ? String(1 + (i % 11)) : `"p${i}-\${device.serialNumber | last(4)}"`);
  return `name: bench-${i}\npriority: ${i + 1}\nmatch:\n  dataModel: tr098\n${sel.join("\n")}\nparameters:\n  ${p1}: ${value(p1)}\n  ${p2}: ${value(p2)}\n`;
}

async function load(n: number): Promise<PolicySet> {
  const dir = mkdtempSync(join(tmpdir(), "converge-compile-"));
  try {
    for (let i = 0; i < n; i++) writeFileSync(join(dir, `bench-${String(i).padStart(4, "0")}.yaml`), policy(i));
    const t = performance.now();
    const r = await loadPolicySet(dir, { env: {} });
    if (!r.ok)
      throw new Error(
        `generated policies rejected: ${r.error
          .slice(0, 3)
          .map((e) => `${e.file}:${e.line}: ${e.message}`)
          .join("; ")}`,
      );
    log(`compile: loaded ${n} policies in ${(performance.now() - t).toFixed(0)} ms`);
    return r.value;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const FACTS: MatchSubject = eg8145();

function loop(set: PolicySet): { perSecond: number; matched: number; values: number } {
  let n = 0;
  let last = desiredStateFor(set, FACTS);
  const end = performance.now() + SECONDS * 1000;
  const t0 = performance.now();
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) last = desiredStateFor(set, FACTS);
    n += 50;
  }
  return { perSecond: n / ((performance.now() - t0) / 1000), matched: last.matched.length, values: last.values.length };
}

export async function compilePolicies(): Promise<Record<string, unknown>> {
  const big = await load(POLICIES);
  const one = await load(1);
  loop(one); // warm-up
  const a = loop(big);
  const b = loop(one);
  process.stdout.write(`\nCompile: desired state for one device (EG8145V5) per second\n`);
  process.stdout.write(
    table(
      ["policy set", "compiles/s", "µs/compile", "matched", "values"],
      [
        [`${POLICIES} policies`, a.perSecond, 1e6 / a.perSecond, a.matched, a.values],
        ["1 policy (baseline)", b.perSecond, 1e6 / b.perSecond, b.matched, b.values],
      ],
    ),
  );
  return { policies: POLICIES, compilesPerSecond: a.perSecond, baselinePerSecond: b.perSecond, ratio: ratio(a.perSecond, b.perSecond), matched: a.matched };
}

if (import.meta.url === `file://${process.argv[1]}`) emit("compile-policies", await compilePolicies());
