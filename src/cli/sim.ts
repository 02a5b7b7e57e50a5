/**
 * `converge sim`: a simulated CPE fleet against an ACS (see src/sim/fleet.ts). Exit codes: 0 when every device
 * reached the goal (or the duration ran out), 1 when some did not, 2 on usage errors.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { err, ok, type Result } from "../domain/result.js";
import { acsCounts, type AcsCounts } from "../sim/fleet-acs.js";
import {
  FLEET_DEFAULTS,
  FLEET_QUIRK_HELP,
  FLEET_QUIRKS,
  NO_QUIRKS_MIX,
  parseMix,
  parseQuirksMix,
  type FleetOptions,
  type Weighted,
} from "../sim/fleet-options.js";
import { progressLine, summaryTable } from "../sim/fleet-report.js";
import { runFleet } from "../sim/fleet-run.js";
import { flagString, parseArgs, type ParsedArgs } from "./args.js";
import type { CliIo } from "./io.js";

type Env = Readonly<Record<string, string | undefined>>;

/** The device models the package ships (datamodels/): src/cli/sim.ts and dist/cli/sim.js are both two levels down. */
export const DEFAULT_MODEL_DIR = fileURLToPath(new URL("../../datamodels/", import.meta.url));

const QUIRK_LINES = FLEET_QUIRKS.map((q) => `                            ${q.padEnd(24)} ${FLEET_QUIRK_HELP[q]}`).join("\n");

const USAGE = `usage: converge sim --acs URL [options]
  --acs URL               CWMP URL of the ACS (required)
  --count N               devices (default 100)
  --model PATH            a data-model CSV, or a folder of them (default: the six real models in
                          ${DEFAULT_MODEL_DIR}; sim-*.csv test models are skipped)
  --models-mix F:W,...    weights per model file (names relative to the --model folder); default: equal
  --quirks-mix Q:W,...    quirk sets with weights, switches combined with + (e.g.
                          none:80,noCookies:5,latin1+chunked:5); default: none. Switches:
${QUIRK_LINES}
  --interval S            periodic inform interval (default ${FLEET_DEFAULTS.intervalS}), jittered by --jitter F (default ${FLEET_DEFAULTS.jitter})
  --concurrency C         sessions in flight at most (default ${FLEET_DEFAULTS.concurrency})
  --boot-storm            every device informs at once at start (bounded by --concurrency)
  --ramp S                spread first informs over S seconds (default: --interval with --duration, else 0)
  --duration S            inform periodically for S seconds; default: until every device completed --rounds
                          successful sessions (default ${FLEET_DEFAULTS.rounds}), at most --deadline S (default ${FLEET_DEFAULTS.deadlineS})
  --seed X                deterministic serials, models, quirks and jitter (default "${FLEET_DEFAULTS.seed}")
  --timeout MS            per HTTP request (default ${FLEET_DEFAULTS.timeoutMs})
  --retry-min S           TR-069 retry wait after a failed session (default ${FLEET_DEFAULTS.retryMinS}, doubling)
  --retry-after-max S     cap on an honoured Retry-After (default: none, as a CPE); for labs and benchmarks
  --listen                start the connection-request listener (127.0.0.1) for every device
  --username U --password P [--auth-scheme basic|digest]   CPE credentials
  --ca FILE               PEM CA(s) to trust for an https --acs (and https firmware URLs); default: Node's roots
  --api URL [--api-token T]  REST API: converged/pending/faulted counts (live and at the end)
  --workers W             split the fleet over W child processes
  --progress              live progress line on stderr (default: when stderr is a TTY)
  --json                  print the summary as JSON on stdout instead of the table

Downloads are fetched for real (Range resume when a transfer breaks off, the Download's credentials); after a
Reboot or a firmware Download a device informs at once with 1 BOOT (+ M Reboot / M Download, 7 TRANSFER
COMPLETE). SIGINT or SIGTERM stops the fleet and prints the summary. A failed session's cause is in the
summary ("network: ECONNREFUSED ..."; for TLS, what to trust).
`;

const SPEC: Readonly<Record<string, boolean>> = {
  acs: true,
  count: true,
  model: true,
  "models-mix": true,
  "quirks-mix": true,
  interval: true,
  jitter: true,
  concurrency: true,
  "boot-storm": false,
  ramp: true,
  duration: true,
  rounds: true,
  deadline: true,
  seed: true,
  timeout: true,
  "retry-min": true,
  "retry-after-max": true,
  listen: false,
  username: true,
  password: true,
  "auth-scheme": true,
  api: true,
  "api-token": true,
  workers: true,
  progress: false,
  json: false,
  help: false,
  ca: true,
};

function num(p: ParsedArgs, name: string, dflt: number, min: number): Result<number, string> {
  const s = flagString(p, name);
  if (s === undefined) return ok(dflt);
  const n = Number(s);
  return Number.isFinite(n) && n >= min ? ok(n) : err(`--${name}: expected a number >= ${min}, got "${s}"`);
}

/** Model files with weights from --model (file or folder) and --models-mix. */
export function resolveModels(model: string | undefined, mix: string | undefined, cwd: string): Result<Weighted<string>[], string> {
  const target = model === undefined ? DEFAULT_MODEL_DIR : resolve(cwd, model);
  let isDir: boolean;
  try {
    isDir = statSync(target).isDirectory();
  } catch {
    return err(`--model: ${target} does not exist`);
  }
  if (!isDir) {
    if (mix !== undefined) return err("--models-mix needs --model to be a folder");
    return ok([{ value: target, weight: 1 }]);
  }
  if (mix === undefined) {
    const files = readdirSync(target)
      .filter((f) => f.endsWith(".csv") && !f.startsWith("sim-"))
      .sort();
    if (files.length === 0) return err(`--model: no .csv data models in ${target}`);
    return ok(files.map((f) => ({ value: join(target, f), weight: 1 })));
  }
  const parsed = parseMix(mix);
  if (!parsed.ok) return err(`--models-mix: ${parsed.error}`);
  const out: Weighted<string>[] = [];
  for (const { value, weight } of parsed.value) {
    const file = isAbsolute(value) ? value : join(target, value);
    try {
      statSync(file);
    } catch {
      return err(`--models-mix: ${file} does not exist`);
    }
    out.push({ value: file, weight });
  }
  return ok(out);
}

interface Parsed {
  readonly opts: FleetOptions;
  readonly workers: number;
  readonly json: boolean;
  readonly progress: boolean;
}

function numbers(p: ParsedArgs): Result<Record<string, number>, string> {
  const specs: [string, number, number][] = [
    ["count", 100, 1],
    ["interval", FLEET_DEFAULTS.intervalS, 0.001],
    ["jitter", FLEET_DEFAULTS.jitter, 0],
    ["concurrency", FLEET_DEFAULTS.concurrency, 1],
    ["rounds", FLEET_DEFAULTS.rounds, 1],
    ["deadline", FLEET_DEFAULTS.deadlineS, 0.001],
    ["timeout", FLEET_DEFAULTS.timeoutMs, 1],
    ["retry-min", FLEET_DEFAULTS.retryMinS, 0],
    ["retry-after-max", Infinity, 0],
    ["workers", 1, 1],
    ["ramp", -1, 0],
    ["duration", -1, 0.001],
  ];
  const out: Record<string, number> = {};
  for (const [name, dflt, min] of specs) {
    const r = num(p, name, dflt, min);
    if (!r.ok) return r;
    out[name] = r.value;
  }
  return ok(out);
}

/** Flags -> fleet options. */
export function simOptions(args: readonly string[], env: Env, cwd: string): Result<Parsed, string> {
  const parsed = parseArgs(args, SPEC);
  if (!parsed.ok) return parsed;
  const p = parsed.value;
  const acs = flagString(p, "acs");
  if (acs === undefined) return err("--acs URL is required");
  if (!/^https?:\/\//.test(acs)) return err(`--acs: expected an http(s) URL, got "${acs}"`);
  const n = numbers(p);
  if (!n.ok) return n;
  const v = n.value as Record<string, number>;
  const models = resolveModels(flagString(p, "model"), flagString(p, "models-mix"), cwd);
  if (!models.ok) return models;
  const qm = flagString(p, "quirks-mix");
  const quirks = qm === undefined ? ok(NO_QUIRKS_MIX) : parseQuirksMix(qm);
  if (!quirks.ok) return err(`--quirks-mix: ${quirks.error}`);
  const caFile = flagString(p, "ca");
  let ca: string | undefined;
  if (caFile !== undefined) {
    try {
      ca = readFileSync(resolve(cwd, caFile), "utf8");
    } catch (e) {
      return err(`--ca: cannot read ${caFile}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!ca.includes("-----BEGIN CERTIFICATE-----")) return err(`--ca: ${caFile} holds no PEM certificate`);
  }
  const username = flagString(p, "username") ?? env["CONVERGE_SIM_USERNAME"];
  const password = flagString(p, "password") ?? env["CONVERGE_SIM_PASSWORD"];
  const scheme = flagString(p, "auth-scheme");
  if (scheme !== undefined && scheme !== "basic" && scheme !== "digest") return err(`--auth-scheme: expected basic or digest, got "${scheme}"`);
  const duration = (v["duration"] ?? -1) < 0 ? undefined : v["duration"];
  const ramp = v["ramp"] ?? -1;
  const apiUrl = flagString(p, "api");
  const apiToken = flagString(p, "api-token") ?? env["CONVERGE_API_TOKEN"];
  const opts: FleetOptions = {
    acsUrl: acs,
    count: Math.floor(v["count"] ?? 100),
    models: models.value,
    quirks: quirks.value,
    seed: flagString(p, "seed") ?? FLEET_DEFAULTS.seed,
    intervalS: v["interval"] ?? FLEET_DEFAULTS.intervalS,
    jitter: Math.min(1, v["jitter"] ?? FLEET_DEFAULTS.jitter),
    concurrency: Math.floor(v["concurrency"] ?? FLEET_DEFAULTS.concurrency),
    bootStorm: p.flags.has("boot-storm"),
    rampS: ramp >= 0 ? ramp : duration !== undefined ? (v["interval"] ?? FLEET_DEFAULTS.intervalS) : 0,
    durationS: duration,
    rounds: Math.floor(v["rounds"] ?? 1),
    deadlineS: v["deadline"] ?? FLEET_DEFAULTS.deadlineS,
    timeoutMs: v["timeout"] ?? FLEET_DEFAULTS.timeoutMs,
    maxMessages: FLEET_DEFAULTS.maxMessages,
    retryMinS: v["retry-min"] ?? FLEET_DEFAULTS.retryMinS,
    retryAfterMaxS: v["retry-after-max"] ?? Infinity,
    listen: p.flags.has("listen"),
    ...(username !== undefined && password !== undefined ? { auth: { username, password, ...(scheme ? { scheme } : {}) } } : {}),
    ...(apiUrl !== undefined ? { apiUrl: apiUrl.replace(/\/+$/, "") } : {}),
    ...(apiToken !== undefined ? { apiToken } : {}),
    ...(ca !== undefined ? { ca } : {}),
    indexOffset: 0,
  };
  return ok({ opts, workers: Math.floor(v["workers"] ?? 1), json: p.flags.has("json"), progress: p.flags.has("progress") });
}

/** Polls the ACS's counts in the background for the progress line (never blocks the fleet). */
function acsPoller(opts: FleetOptions): { latest(): AcsCounts | undefined; stop(): void } {
  let latest: AcsCounts | undefined;
  let busy = false;
  const timer = setInterval(() => {
    if (busy || opts.apiUrl === undefined) return;
    busy = true;
    acsCounts(opts.apiUrl, opts.apiToken)
      .then(
        (c) => (latest = c),
        () => undefined,
      )
      .finally(() => (busy = false));
  }, 2000);
  timer.unref();
  return { latest: () => latest, stop: () => clearInterval(timer) };
}

export async function runSim(args: string[], io: CliIo, env: Env): Promise<number> {
  const help = parseArgs(args, SPEC);
  if (help.ok && help.value.flags.has("help")) {
    io.stdout(USAGE);
    return 0;
  }
  const parsed = simOptions(args, env, process.cwd());
  if (!parsed.ok) {
    io.stderr(`converge sim: ${parsed.error}\n${USAGE}`);
    return 2;
  }
  const { opts, workers, json } = parsed.value;
  const live = parsed.value.progress || process.stderr.isTTY === true;
  const poller = live && opts.apiUrl !== undefined ? acsPoller(opts) : undefined;
  const tty = process.stderr.isTTY === true;
  const abort = new AbortController();
  const onSignal = (): void => abort.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const summary = await runFleet(opts, {
      workers,
      signal: abort.signal,
      ...(live ? { onProgress: (pr) => io.stderr(`${tty ? "\r\x1b[2K" : ""}${progressLine(pr, poller?.latest())}${tty ? "" : "\n"}`) } : {}),
    });
    if (live && tty) io.stderr("\n");
    io.stdout(json ? `${JSON.stringify(summary)}\n` : summaryTable(summary));
    return summary.done === summary.devices || summary.stopped === "duration" ? 0 : 1;
  } catch (e) {
    io.stderr(`converge sim: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    poller?.stop();
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}
