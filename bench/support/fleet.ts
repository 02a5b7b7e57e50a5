/** Fleet options for benchmarks: the six real models, seeded, well-behaved CPEs unless told otherwise. */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeCpeMessage } from "../../src/cwmp/encode-cpe.js";
import { FLEET_DEFAULTS, NO_QUIRKS_MIX, type FleetOptions } from "../../src/sim/fleet-options.js";
import type { Fleet } from "../../src/sim/fleet.js";
import { DEFAULT_MODEL_DIR } from "../../src/cli/sim.js";
import { ROOT } from "./procs.js";

/** The six real models (one list, shared with the tests). */
export { MODEL_FILES as SIX_MODELS } from "../../test/support/fleet-models.js";
import { MODEL_FILES as SIX_MODELS } from "../../test/support/fleet-models.js";

/** Seconds a fleet run may take at most unless told: 600, or 1 s per 50 devices when larger (a 100,000-device storm runs ~700 s). */
export function fleetDeadlineS(devices: number): number {
  return Math.max(600, Math.ceil(devices / 50));
}

export function fleetOptions(acsUrl: string, over: Partial<FleetOptions> = {}): FleetOptions {
  const count = over.count ?? 100;
  return {
    acsUrl,
    count,
    models: SIX_MODELS.map((f) => ({ value: join(DEFAULT_MODEL_DIR, f), weight: 1 })),
    quirks: NO_QUIRKS_MIX,
    seed: "bench",
    intervalS: 0.2,
    jitter: 0.5,
    concurrency: 64,
    bootStorm: true,
    rampS: 0,
    durationS: undefined,
    rounds: 1,
    deadlineS: fleetDeadlineS(count),
    timeoutMs: 60_000,
    maxMessages: FLEET_DEFAULTS.maxMessages,
    retryMinS: 0.5,
    retryAfterMaxS: 1,
    listen: false,
    indexOffset: 0,
    ...over,
  };
}

/** A temp dir with a copy of `policies` (a folder under the repo, or nothing for an empty one). */
export function tempWorkspace(policies: string | undefined): { readonly dir: string; readonly policies: string; readonly db: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "converge-bench-"));
  const p = join(dir, "policies");
  cpSync(join(ROOT, policies ?? "test/fixtures/empty-policies"), p, { recursive: true });
  return { dir, policies: p, db: join(dir, "converge.db"), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Each device's next periodic Inform, encoded once (replayed by the lean generator). */
export function encodedInforms(fleet: Fleet): Buffer[] {
  return fleet.members.map((m, i) => {
    const d = m.device;
    const xml = encodeCpeMessage(d.inform(Date.now()), { version: d.cwmpVersion, id: `bench${i}`, booleanAsDigit: m.quirks.quirks.booleanAsDigit === true });
    return Buffer.from(xml, "utf8");
  });
}

/**
 * One policy per data model, `<prefix>-tr098.yaml` and `<prefix>-tr181.yaml`, setting each of `values` (paths below
 * the model's root object) on every device of that model.
 */
export function writePerModelPolicies(dir: string, prefix: string, values: Readonly<Record<string, string | number>>): void {
  for (const [model, root] of [
    ["tr098", "InternetGatewayDevice."],
    ["tr181", "Device."],
  ] as const) {
    const name = `${prefix}-${model}`;
    const params = Object.entries(values).map(([path, v]) => `  ${root}${path}: ${v}\n`);
    writeFileSync(join(dir, `${name}.yaml`), `name: ${name}\npriority: 10\nmatch:\n  dataModel: ${model}\nparameters:\n${params.join("")}`);
  }
}

/**
 * Benchmark 2's policies (also the A/B harness's and PostgreSQL's converge rounds): ManagementServer.PeriodicInformInterval
 * set to `interval` on every device; a new interval per round makes every device converge again.
 */
export function writeIntervalPolicies(dir: string, interval: number): void {
  writePerModelPolicies(dir, "inform", { "ManagementServer.PeriodicInformInterval": interval });
}
