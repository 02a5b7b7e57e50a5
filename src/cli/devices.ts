/**
 * `converge devices [filters] [--db file | --api url [--token t]] [--limit n] [--after cursor] [--all] [--json]`
 * Device search from the command line with the API's filters (store/search-query.ts): over the SQLite file
 * directly, or through a running server's REST API (read scope). Exit codes: 0 ok (also when nothing matches),
 * 1 failure (no database, API unreachable or refusing), 2 usage error.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { DEFAULTS } from "../config/config.js";
import { openStore, storeProblem } from "../store/open.js";
import { filterFromQuery, SEARCH_PARAMS, type SearchParam, type SearchQuery } from "../store/search-query.js";
import type { DeviceRecord } from "../domain/store.js";
import type { CliIo } from "./io.js";

type Env = Readonly<Record<string, string | undefined>>;

/** camelCase search parameter -> its flag (serial -> --serial, deviceId -> --device-id). */
const flagOf = (p: string): string => p.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const PARAMS = Object.keys(SEARCH_PARAMS) as SearchParam[];

const OPTIONS = {
  ...Object.fromEntries(PARAMS.map((p) => [flagOf(p), { type: "string" }])),
  db: { type: "string" },
  api: { type: "string" },
  token: { type: "string" },
  limit: { type: "string" },
  after: { type: "string" },
  all: { type: "boolean" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

const USAGE = `usage: converge devices [filters] [--db file | --api url [--token t]] [--limit n] [--after cursor] [--all] [--json]

Search the stored devices (the filters of GET /api/devices; text is case-insensitive):
${PARAMS.map((p) => `  --${flagOf(p).padEnd(18)} ${SEARCH_PARAMS[p]}`).join("\n")}

  --db file|url        the store: a SQLite file or a postgres:// URL (default: CONVERGE_DB or ${DEFAULTS.db})
  --api url            a running server's REST API instead, e.g. http://127.0.0.1:7557 (token: --token or CONVERGE_API_TOKEN)
  --limit n            devices per page, 1..1000 (default 50)
  --after cursor       start after this cursor (the "next" of a previous page)
  --all                every page, not only the first
  --json               one JSON object: { devices, next }
`;

interface Page {
  readonly devices: readonly DeviceRecord[];
  readonly next: string | null;
}

class CliFailure extends Error {}

export async function runDevices(args: string[], io: CliIo, env: Env): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args, options: OPTIONS, allowPositionals: false, strict: true }).values;
  } catch (e) {
    io.stderr(`converge devices: ${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  if (values["help"]) return (io.stdout(USAGE), 0);
  const str = (k: string): string | undefined => (typeof values[k] === "string" ? (values[k] as string) : undefined);
  const limit = str("limit") === undefined ? 50 : Number(str("limit"));
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return (io.stderr(`converge devices: --limit must be an integer from 1 to 1000\n`), 2);
  const query: SearchQuery = {};
  for (const p of PARAMS) {
    const v = str(flagOf(p));
    if (v !== undefined) query[p] = v;
  }
  const api = str("api");
  if (api !== undefined && str("db") !== undefined) return (io.stderr(`converge devices: --db and --api exclude each other\n`), 2);
  // Validate once here, for both sources: a usage error is exit 2 whichever answers.
  const checked = filterFromQuery(query, Date.now(), { limit, after: str("after") });
  if (!checked.ok) return (io.stderr(`converge devices: ${checked.error}\n`), 2);
  const all = values["all"] === true;
  try {
    const pages =
      api !== undefined
        ? apiPages(api, str("token") ?? env["CONVERGE_API_TOKEN"], query, limit, str("after"))
        : dbPages(str("db") ?? env["CONVERGE_DB"] ?? DEFAULTS.db, query, limit, str("after"));
    const devices: DeviceRecord[] = [];
    let next: string | null = null;
    for await (const page of pages) {
      devices.push(...page.devices);
      next = page.next;
      if (!values["json"]) io.stdout(render(page.devices, devices.length === page.devices.length));
      if (!all) break;
    }
    if (values["json"]) io.stdout(`${JSON.stringify({ devices, next })}\n`);
    else io.stdout(`${devices.length} device(s)${next !== null && !all ? `; more: --after ${next}` : ""}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof CliFailure)) throw e;
    io.stderr(`converge devices: ${e.message}\n`);
    return 1;
  }
}

async function* dbPages(db: string, query: SearchQuery, limit: number, after: string | undefined): AsyncGenerator<Page> {
  const problem = storeProblem(db);
  if (problem !== undefined) throw new CliFailure(`${problem} (use --db or --api)`);
  const { store } = await openStore(db);
  try {
    let cursor = after;
    for (;;) {
      const f = filterFromQuery(query, Date.now(), { limit, after: cursor });
      if (!f.ok) throw new CliFailure(f.error);
      const page = await store.listDevices(f.value);
      yield { devices: page.devices, next: page.next ?? null };
      if (page.next === undefined) return;
      cursor = page.next;
    }
  } finally {
    await store.close();
  }
}

async function* apiPages(base: string, token: string | undefined, query: SearchQuery, limit: number, after: string | undefined): AsyncGenerator<Page> {
  let cursor = after;
  for (;;) {
    const q = new URLSearchParams({ ...(query as Record<string, string>), limit: String(limit), ...(cursor !== undefined ? { after: cursor } : {}) });
    const url = `${base.replace(/\/+$/, "")}/api/devices?${q}`;
    let res: Response;
    try {
      res = await fetch(url, { headers: { accept: "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) } });
    } catch (e) {
      throw new CliFailure(`${base}: ${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}`);
    }
    const body = (await res.json().catch(() => undefined)) as (Page & { error?: { message: string } }) | undefined;
    if (!res.ok || body === undefined) throw new CliFailure(`${url}: HTTP ${res.status}${body?.error ? `: ${body.error.message}` : ""}`);
    yield body;
    if (body.next === null) return;
    cursor = body.next;
  }
}

const ago = (ms: number): string => {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 120 ? `${s}s ago` : s < 7200 ? `${Math.round(s / 60)}m ago` : s < 172800 ? `${Math.round(s / 3600)}h ago` : `${Math.round(s / 86400)}d ago`;
};

function state(d: DeviceRecord): string {
  const c = d.status?.conditions;
  if (!c) return "no status";
  const on = c.filter((x) => x.status && x.type !== "Matched" && x.type !== "Converged").map((x) => x.type);
  return [c.some((x) => x.type === "Converged" && x.status) ? "Converged" : "NotConverged", ...on].join(",");
}

function render(devices: readonly DeviceRecord[], header: boolean): string {
  const rows = devices.map((d) => [d.deviceId, d.productClass, d.softwareVersion, d.ip, ago(d.lastInform), state(d), d.tags.join(",")]);
  const all = header ? [["DEVICE", "MODEL", "FIRMWARE", "IP", "LAST INFORM", "STATUS", "TAGS"], ...rows] : rows;
  const widths = [0, 1, 2, 3, 4, 5].map((i) => Math.min(60, Math.max(...all.map((r) => (r[i] ?? "").length), 0)));
  return (
    all
      .map((r) =>
        r
          .map((c, i) => (i < widths.length ? c.padEnd(widths[i] ?? 0) : c))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + (all.length ? "\n" : "")
  );
}
