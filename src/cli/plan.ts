/**
 * `converge plan [policies-dir] [--db file | --api url [--token T]] [--device id] [--json | --markdown] [--detailed-exitcode]`
 * Runs the planner for every stored device against a policies folder, without touching a device.
 * Exit codes (as terraform's): 0 ok; with --detailed-exitcode, 0 = nothing would change, 2 = something
 * would change; 1 = errors (policies invalid, database unreadable, API unreachable or refusing);
 * 2 also for usage errors without it.
 *
 * --db reads the SQLite file directly. --api reads a running server over REST (write scope; token from --token or
 * CONVERGE_API_TOKEN): `GET /api/devices` pages, then `GET /api/devices/:id/state` per device (8 at a time), and
 * for a device whose desired state has write-only values Converge set before, `POST .../write-only/compare` with
 * each value's SHA-256: the server says which are applied, and never returns its keyed hashes.
 * Connection-request credentials Converge generated never leave the server, so --api plans without them (as
 * if no credentials were stored); a policy that sets ConnectionRequestUsername/Password is planned as usual.
 * With --db the stored credentials are compared ("existing"): on a fleet that has received its credentials both
 * give the same plan; --db alone shows credentials generated but not yet delivered.
 *
 * The configuration is the server's (`--config`, else CONVERGE_CONFIG, else ./converge.yaml, and CONVERGE_*;
 * cli/config-file.ts): the store and policies folder by default, the limits, and per device the quirks of its
 * model (`quirks:`, server/model-selector.ts `modelSettingsFor`), so a plan is what that device's session would do.
 */
import { compileStoredVersion } from "../rollout/versions.js";
import { previewNeedsDevices, previewRollouts, type RolloutPreview } from "../rollout/preview.js";
import { parseStrategy } from "../rollout/strategy.js";
import { IMMEDIATE } from "../rollout/types.js";
import type { MatchSubject } from "../policy/desired.types.js";
import { parseDeviceId, type DeviceId } from "../domain/device.js";
import { loadPolicySet } from "../policy/load.js";
import { desiredStateFor } from "../policy/desired.js";
import type { PolicySet } from "../policy/types.js";
import { DEFAULT_QUIRKS } from "../reconcile/limits.js";
import { planLimitsOf, type Config } from "../config/config.js";
import { modelSettingsFor } from "../server/model-selector.js";
import { loadCommandConfig } from "./config-file.js";
import { openStore, storeProblem } from "../store/open.js";
import { maskUrl } from "../store/target.js";
import { openDatabase } from "../store/db.js";
import { planReader } from "../store/plan-reader.js";
import { projectedPlans } from "../plan/projected-plans.js";
import { fleetSettings } from "../plan/fleet-settings.js";
import { parallelReport, rowSlices, type PlanJob } from "../plan/parallel-plans.js";
import type { ReportPart } from "../plan/report-parts.js";
import { availableParallelism } from "node:os";
import { factsOfRecord, planDevice, planSubject, type DevicePlan, type PlanSettings } from "../plan/device-plan.js";
import { ApiError, compareWriteOnly, fetchDevice, remoteDevices, type ApiSourceOptions, type RemoteDevice } from "../plan/api-source.js";
import { keyedHasher, type WriteOnlyHasher } from "../reconcile/parameter-key.js";
import { randomBytes } from "node:crypto";
import { fleetReport, partsReport } from "../plan/report.js";
import { flagString, parseArgs, type ParsedArgs } from "./args.js";
import type { CliIo } from "./io.js";

const SPEC = {
  db: true,
  api: true,
  token: true,
  device: true,
  json: false,
  markdown: false,
  "detailed-exitcode": false,
  "secrets-file": true,
  files: true,
  config: true,
} as const;
const USAGE = `usage: converge plan [policies-dir] [--db file | --api url [--token T]] [--device id] [--json | --markdown] [--detailed-exitcode] [--secrets-file file] [--config file]
  policies-dir         default: the configuration's policies (CONVERGE_POLICIES or ./policies)
  --db file|url        plan from the store: a SQLite file or a postgres:// URL (default: the configuration's, CONVERGE_DB or ./data/converge.db)
  --api url            plan from a running server's REST API (write-scope token: --token or CONVERGE_API_TOKEN)
  --device id          one device (as the device list shows it)
  --json, --markdown   machine output / a PR comment (default: text)
  --detailed-exitcode  0 = no change, 2 = changes, 1 = errors
  --secrets-file file  a YAML map of secret values (default: CONVERGE_SECRETS_FILE)
  --files dir          the hosted files folder (default: CONVERGE_FILES_DIR or ./files)
  --config file        the server's configuration (default: CONVERGE_CONFIG, else ./converge.yaml when present): its
                       store, policies, limits and per-model quirks, so a plan is what a session would do
`;

type Env = Readonly<Record<string, string | undefined>>;

/** A failure of the fleet source (unknown device, unreadable store or API): reported, exit 1. */
class SourceError extends Error {}

export async function runPlan(args: string[], io: CliIo, env: Env): Promise<number> {
  const parsed = parseArgs(args, SPEC);
  if (!parsed.ok) return (io.stderr(`converge plan: ${parsed.error}\n${USAGE}`), 2);
  const p = parsed.value;
  if (p.flags.has("help")) return (io.stdout(USAGE), 0);
  const deviceArg = flagString(p, "device");
  const device = deviceArg !== undefined ? parseDeviceId(deviceArg) : undefined;
  if (deviceArg !== undefined && !device) return (io.stderr(`converge plan: --device ${deviceArg} is not a device id (OUI-ProductClass-Serial)\n`), 2);
  const api = flagString(p, "api");
  if (api !== undefined && p.flags.has("db")) return (io.stderr(`converge plan: --db and --api exclude each other\n${USAGE}`), 2);
  // The server's configuration (converge.yaml / --config and CONVERGE_*): the same store, policies, limits and
  // per-model quirks as `converge serve`.
  const loaded = loadCommandConfig(env, { config: flagString(p, "config"), secretsFile: flagString(p, "secrets-file") });
  if (!loaded.ok) return (io.stderr(`converge plan: invalid configuration:\n${loaded.error.map((e) => `  - ${e}`).join("\n")}\n`), 1);
  const cfg = loaded.value;
  const db = flagString(p, "db") ?? cfg.db;
  const problem = api === undefined ? storeProblem(db) : undefined;
  if (problem !== undefined) return (io.stderr(`converge plan: ${problem} (use --db or --api)\n`), 1);
  const set = await loadPolicies(p, io, cfg);
  if (!set) return 1;
  try {
    const run = api !== undefined ? apiPlan(set, apiOptions(api, p, env), device, cfg) : dbPlan(set, db, device, cfg, policiesOf(p, cfg));
    // Rollouts are previewed against the version the server last served (stored in the database).
    const previews = api === undefined && device === undefined ? await previewFromDb(set, db, cfg) : [];
    return await run((fleet) => report(fleet, set, p, io, device !== undefined, previews));
  } catch (e) {
    if (!(e instanceof SourceError || e instanceof ApiError)) throw e;
    return (io.stderr(`converge plan: ${e.message}\n`), 1);
  }
}

/** Where the policies come from (the plan worker threads load the same). */
function policiesOf(p: ParsedArgs, cfg: Config): PlanJob["policies"] {
  const secretsFile = cfg.secretsFile;
  return {
    dir: p.positional[0] ?? cfg.policies,
    options: { ...(secretsFile !== undefined && secretsFile !== "" ? { secretsFile } : {}), filesDir: flagString(p, "files") ?? cfg.files.dir },
  };
}

async function loadPolicies(p: ParsedArgs, io: CliIo, cfg: Config): Promise<PolicySet | undefined> {
  const { dir, options } = policiesOf(p, cfg);
  const loaded = await loadPolicySet(dir, options);
  if (loaded.ok) return loaded.value;
  io.stderr(`converge plan: policies in ${dir} are invalid (run converge validate ${dir}):\n`);
  for (const e of loaded.error.filter((x) => x.severity === "error").slice(0, 20)) io.stderr(`  ${e.file}:${e.line}:${e.column}: ${e.message}\n`);
  return undefined;
}

function apiOptions(baseUrl: string, p: ParsedArgs, env: Env): ApiSourceOptions {
  const token = flagString(p, "token") ?? env["CONVERGE_API_TOKEN"];
  return token !== undefined && token !== "" ? { baseUrl, token } : { baseUrl };
}

/** What a session of each device would plan with: the configured limits and its model's quirks. */
function settings(cfg: Config, desired: PlanSettings["desired"], hashWriteOnly: WriteOnlyHasher): PlanSettings {
  const perModel = modelSettingsFor(cfg);
  return { desired, limits: planLimitsOf(cfg.limits), quirks: DEFAULT_QUIRKS, quirksFor: (m) => perModel(m).quirks, now: Date.now(), hashWriteOnly };
}

type Plans = AsyncIterable<DevicePlan>;
/** The plans of the fleet, or (worker threads) the report parts they were folded into. */
type Fleet = { readonly plans: Plans } | { readonly parts: readonly ReportPart[] };
type Run = (consume: (fleet: Fleet) => Promise<number>) => Promise<number>;

/** Fleets from this size on are planned by worker threads, one per core (plan/parallel-plans.ts), when there are several cores. */
const PARALLEL_FROM = 50_000;
const MAX_WORKERS = 4;
const SLICES_PER_WORKER = 8;

function dbPlan(set: PolicySet, db: string, device: DeviceId | undefined, cfg: Config, policies: PlanJob["policies"]): Run {
  return async (consume) => {
    const { store, target } = await openStore(db);
    try {
      // The server's desired state and its key, the configured limits and per-model quirks (plan/fleet-settings.ts).
      const installationKey = await store.installationKey();
      const ctx = { ...fleetSettings(cfg, set, keyedHasher(installationKey), Date.now()), store };
      async function* one(id: DeviceId): Plans {
        const dp = await planDevice(ctx, id);
        if (!dp) throw new SourceError(`no device ${id} in ${maskUrl(db)}`);
        yield dp;
      }
      if (device) return await consume({ plans: one(device) });
      if (target.kind === "postgres") {
        // PostgreSQL: device by device through the port (the projected page reader is SQLite's).
        async function* each(): Plans {
          for await (const id of store.eachDeviceId()) yield* one(id);
        }
        return await consume({ plans: each() });
      }
      // The fleet: streamed in pages, reported values projected on what a plan reads (plan/projected-plans.ts).
      const reading = openDatabase(target.path);
      try {
        const workers = Math.min(MAX_WORKERS, availableParallelism());
        if (workers > 1 && (await store.countDevices()) >= PARALLEL_FROM) {
          const job: PlanJob = { file: target.path, policies, revision: set.revision, installationKey, now: ctx.now, cfg };
          return await consume({ parts: await parallelReport(job, rowSlices(reading, workers * SLICES_PER_WORKER), workers) });
        }
        return await consume({ plans: toAsync(projectedPlans(ctx, planReader(reading))) });
      } finally {
        reading.close();
      }
    } finally {
      await store.close();
    }
  };
}

function apiPlan(set: PolicySet, o: ApiSourceOptions, device: DeviceId | undefined, cfg: Config): Run {
  // Converge-generated connection-request credentials stay on the server: plan without them (see the header).
  // The server's key never leaves it: this run hashes with a key of its own, and marks as applied (with its own
  // hash) what the server confirms by comparison.
  const local = keyedHasher(randomBytes(32).toString("hex"));
  const ctx = settings(cfg, (facts) => desiredStateFor(set, facts), local);
  async function* plans(): Plans {
    const devices = device ? [await one(o, device)] : remoteDevices(o);
    for await (const d of devices) yield planSubject(ctx, await withWriteOnly(o, ctx, d, local));
  }
  return (consume) => consume({ plans: plans() });
}

/** `d` with the write-only values the server confirms applied hashed locally, so the planner sees them as set. */
async function withWriteOnly(o: ApiSourceOptions, ctx: PlanSettings, d: RemoteDevice, local: WriteOnlyHasher): Promise<RemoteDevice> {
  const stored = d.inventory.writeOnlyHashes;
  if (stored.size === 0) return d;
  const desired = ctx.desired(factsOfRecord(d.record, d.reported), new Map());
  if (!desired) return d;
  const remembered = (v: { readonly writeOnly: boolean; readonly drift: string }): boolean => v.writeOnly || v.drift === "report";
  const candidates: { path: string; value: string }[] = desired.values
    .filter((v) => remembered(v) && stored.has(v.path))
    .map((v) => ({ path: v.path, value: v.value }));
  for (const t of desired.tables)
    for (const i of t.instances)
      for (const v of i.values.filter(remembered))
        for (const p of stored.keys()) if (p.startsWith(t.table) && p.endsWith(`.${v.path}`)) candidates.push({ path: p, value: v.value });
  const applied = await compareWriteOnly(o, d.record.deviceId, candidates);
  if (applied.size === 0) return d;
  const hashes = new Map(stored);
  for (const c of candidates) if (applied.has(c.path)) hashes.set(c.path, local(c.value));
  return { ...d, inventory: { ...d.inventory, writeOnlyHashes: hashes } };
}

async function one(o: ApiSourceOptions, id: DeviceId): ReturnType<typeof fetchDevice> {
  try {
    return await fetchDevice(o, id);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) throw new SourceError(`no device ${id} at ${o.baseUrl}`);
    throw e;
  }
}

async function previewFromDb(set: PolicySet, db: string, cfg: Config): Promise<RolloutPreview[]> {
  const opened = await openStore(db);
  const store = opened.store;
  const rollouts = opened.rollouts();
  try {
    const served = await rollouts.getMeta("served_revision");
    const stored = served === undefined ? undefined : await rollouts.loadVersion(served);
    const current = stored === undefined ? undefined : await compileStoredVersion(stored);
    const strategy = parseStrategy(cfg.rollout.default, "").strategy ?? IMMEDIATE;
    // Reading every device's facts costs a fleet walk: only when some policy change would be rolled out in waves.
    if (!previewNeedsDevices(set, current, strategy)) return [];
    const facts: MatchSubject[] = [];
    for await (const id of store.eachDeviceId()) {
      const d = await store.getDevice(id);
      if (d) facts.push(factsOfRecord(d, await store.loadReported(id)));
    }
    return previewRollouts(set, current, facts, strategy);
  } finally {
    await store.close();
    await rollouts.close();
  }
}

async function report(fleet: Fleet, set: PolicySet, p: ParsedArgs, io: CliIo, single: boolean, previews: readonly RolloutPreview[] = []): Promise<number> {
  const format = p.flags.has("json") ? "json" : p.flags.has("markdown") ? "markdown" : "text";
  const options = { format, revision: set.revision, single, previews } as const;
  const { output, changing } = "parts" in fleet ? partsReport(fleet.parts, options) : await fleetReport(fleet.plans, options);
  io.stdout(output);
  return p.flags.has("detailed-exitcode") && changing > 0 ? 2 : 0;
}

async function* toAsync<T>(items: Iterable<T>): AsyncIterable<T> {
  yield* items;
}
