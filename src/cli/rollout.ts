/**
 * `converge rollout list | status <id> | pause <id> | resume <id> | promote <id> | abort <id>` over the REST API.
 *
 * --api URL (default $CONVERGE_API_URL or http://127.0.0.1:7557), --token T (default $CONVERGE_API_TOKEN; write
 * scope for pause/resume/promote/abort), --json (the API's JSON), --state S (list only).
 * Exit codes: 0 done; 1 the API refused or failed (unknown rollout, wrong state, network); 2 usage;
 * 3 (status only) the rollout needs a person: paused, aborted or rolled back.
 */
import { parseArgs } from "node:util";
import type { CliIo } from "./io.js";
import { renderRollout, type RolloutView } from "../rollout/view.js";

type Env = Readonly<Record<string, string | undefined>>;

const USAGE = `usage: converge rollout <list | status <id> | pause <id> | resume <id> | promote <id> | abort <id>> [--api url] [--token t] [--json] [--state s]

  list            rollouts, newest first (--state running|paused|completed|aborted|rolled-back|superseded)
  status <id>     one rollout: waves with progress bars, pause reason, timeline (exit 3 when paused, aborted or rolled back)
  pause <id>      stop touching further devices until resumed
  resume <id>     continue a paused rollout (its wave is judged afresh)
  promote <id>    start the next wave now
  abort <id>      every device of the rollout back to the stable version
`;

const ACTIONS = new Set(["pause", "resume", "promote", "abort"]);
const ATTENTION = new Set(["paused", "aborted", "rolled-back"]);

interface Call {
  readonly status: number;
  readonly body: unknown;
}

async function call(base: string, token: string | undefined, method: "GET" | "POST", path: string): Promise<Call> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const res = await fetch(new URL(path, base), { method, headers });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // not JSON: keep the text for the message
  }
  return { status: res.status, body };
}

const errorText = (c: Call): string => {
  const e = (c.body as { error?: { code?: string; message?: string } } | undefined)?.error;
  return e?.message !== undefined ? `${e.code ?? c.status}: ${e.message}` : `HTTP ${c.status}`;
};

function line(v: RolloutView): string {
  const w = v.waves[v.wave];
  const progress = w ? `${w.converged}/${w.devices} converged, ${w.faulted} faulted` : "";
  return `${v.id.padEnd(28)} ${v.state.padEnd(11)} wave ${v.wave + 1}/${v.waves.length}  ${progress}  ${v.stableRevision ?? "(new)"} -> ${v.canaryRevision}`;
}

export async function runRollout(args: string[], io: CliIo, env: Env): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        api: { type: "string" },
        token: { type: "string" },
        json: { type: "boolean" },
        state: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    io.stderr(`converge rollout: ${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) return (io.stdout(USAGE), 0);
  const [sub, id, ...extra] = positionals;
  const needsId = sub !== "list";
  if (
    sub === undefined ||
    (sub !== "list" && sub !== "status" && !ACTIONS.has(sub)) ||
    (needsId && id === undefined) ||
    (!needsId && id !== undefined) ||
    extra.length > 0
  ) {
    io.stderr(`converge rollout: ${sub === undefined ? "missing subcommand" : `bad arguments for "${sub}"`}\n${USAGE}`);
    return 2;
  }
  if (values.state !== undefined && sub !== "list") return (io.stderr(`converge rollout: --state is for list only\n${USAGE}`), 2);
  const base = values.api ?? env["CONVERGE_API_URL"] ?? "http://127.0.0.1:7557";
  const token = values.token ?? env["CONVERGE_API_TOKEN"];
  let c: Call;
  try {
    if (sub === "list") c = await call(base, token, "GET", `/api/rollouts${values.state ? `?state=${encodeURIComponent(values.state)}` : ""}`);
    else if (sub === "status") c = await call(base, token, "GET", `/api/rollouts/${encodeURIComponent(id ?? "")}`);
    else c = await call(base, token, "POST", `/api/rollouts/${encodeURIComponent(id ?? "")}/${sub}`);
  } catch (e) {
    io.stderr(`converge rollout: cannot reach ${base}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  if (c.status !== 200) {
    io.stderr(`converge rollout ${sub}: ${errorText(c)}\n`);
    return 1;
  }
  if (values.json === true) io.stdout(`${JSON.stringify(c.body, null, 2)}\n`);
  if (sub === "list") {
    const list = (c.body as { rollouts: RolloutView[] }).rollouts;
    if (values.json !== true) io.stdout(list.length === 0 ? "no rollouts\n" : `${list.map(line).join("\n")}\n`);
    return 0;
  }
  const v = c.body as RolloutView;
  if (values.json !== true) io.stdout(sub === "status" ? renderRollout(v) : `${sub}: ${line(v)}\n`);
  return sub === "status" && ATTENTION.has(v.state) ? 3 : 0;
}
