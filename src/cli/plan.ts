/**
 * `converge plan [policies-dir] [--db file] [--device id] [--json | --markdown] [--detailed-exitcode]`
 * Runs the planner for every stored device against a policies folder, without touching a device.
 * Exit codes (as terraform's): 0 ok; with --detailed-exitcode, 0 = nothing would change, 2 = something
 * would change; 1 = errors (policies invalid, database unreadable); 2 also for usage errors without it.
 */
import { existsSync } from "node:fs";
import { parseDeviceId, type DeviceId } from "../domain/device.js";
import { loadPolicySet } from "../policy/load.js";
import { createDesiredResolver } from "../server/desired-resolver.js";
import { DEFAULT_QUIRKS } from "../server/cwmp-deps.js";
import { DEFAULTS } from "../config/config.js";
import { openSqliteStore } from "../store/sqlite-store.js";
import { planDevice } from "../plan/device-plan.js";
import { createAccumulator, deviceChange, type DeviceChange } from "../plan/fleet-plan.js";
import { renderMarkdown, renderText } from "../plan/render.js";
import { flagString, parseArgs } from "./args.js";
import type { CliIo } from "./io.js";

const SPEC = { db: true, device: true, json: false, markdown: false, "detailed-exitcode": false, secrets: true, help: false } as const;
const USAGE = "usage: converge plan [policies-dir] [--db file] [--device id] [--json | --markdown] [--detailed-exitcode]\n";

export async function runPlan(args: string[], io: CliIo, env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const parsed = parseArgs(args, SPEC);
  if (!parsed.ok) return (io.stderr(`converge plan: ${parsed.error}\n${USAGE}`), 2);
  const p = parsed.value;
  if (p.flags.has("help")) return (io.stdout(USAGE), 0);
  const dir = p.positional[0] ?? env["CONVERGE_POLICIES"] ?? DEFAULTS.policies;
  const db = flagString(p, "db") ?? env["CONVERGE_DB"] ?? DEFAULTS.db;
  const deviceArg = flagString(p, "device");
  const device = deviceArg !== undefined ? parseDeviceId(deviceArg) : undefined;
  if (deviceArg !== undefined && !device) return (io.stderr(`converge plan: --device ${deviceArg} is not a device id (OUI-ProductClass-Serial)\n`), 2);
  if (!existsSync(db)) return (io.stderr(`converge plan: no database at ${db} (use --db)\n`), 1);
  const secretsFile = flagString(p, "secrets") ?? env["CONVERGE_SECRETS_FILE"];
  const loaded = await loadPolicySet(dir, secretsFile !== undefined ? { secretsFile } : {});
  if (!loaded.ok) {
    io.stderr(`converge plan: policies in ${dir} are invalid (run converge validate ${dir}):\n`);
    for (const e of loaded.error.filter((x) => x.severity === "error").slice(0, 20)) io.stderr(`  ${e.file}:${e.line}:${e.column}: ${e.message}\n`);
    return 1;
  }
  const set = loaded.value;
  const store = openSqliteStore(db);
  try {
    // The same desired state the server computes, without generating anything: plan never writes.
    const resolver = createDesiredResolver({ current: () => set, store, provisionConnReq: "existing" });
    const ctx = { store, desired: resolver, limits: { ...DEFAULTS.limits, backoffBaseMs: 60_000, backoffMaxMs: 86_400_000 }, quirks: DEFAULT_QUIRKS, now: Date.now() };
    const acc = createAccumulator();
    const details: DeviceChange[] = [];
    const ids: Iterable<DeviceId> = device ? [device] : store.eachDeviceId();
    for (const id of ids) {
      const dp = planDevice(ctx, id);
      if (!dp) return (io.stderr(`converge plan: no device ${id} in ${db}\n`), 1);
      const c = deviceChange(dp);
      acc.accumulate(dp, c);
      if (c.writes.length > 0 && (device || details.length < 10_000)) details.push(c);
    }
    const summary = acc.summary();
    if (p.flags.has("json")) io.stdout(`${JSON.stringify({ revision: set.revision, summary, devices: details })}\n`);
    else if (p.flags.has("markdown")) io.stdout(renderMarkdown(summary, details, set.revision));
    else io.stdout(renderText(summary, device ? details : details.slice(0, 50), set.revision));
    return p.flags.has("detailed-exitcode") && summary.changing > 0 ? 2 : 0;
  } finally {
    store.close();
  }
}
