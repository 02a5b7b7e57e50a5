/**
 * A lean load generator for minimal sessions: replays pre-encoded Informs (one per device, produced by the
 * devices' own SimDevice) over a keep-alive agent, then the empty POST with the session cookie, and checks
 * the two answers (200 with an InformResponse, then 204) without decoding XML, so the generator costs as
 * little as possible and the server under test is what is measured.
 */
import http from "node:http";
import { performance } from "node:perf_hooks";
import { LatencyHistogram } from "../../src/sim/fleet-stats.js";

export interface LeanResult {
  readonly sessions: number;
  readonly failures: number;
  readonly failureKinds: Readonly<Record<string, number>>;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU the generator itself used, as a fraction of one core (near 1: the generator may be the limit). */
  readonly generatorCpu: number;
}

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly cookie: string | undefined;
}

function post(url: URL, agent: http.Agent, body: Buffer | undefined, cookie: string | undefined): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "Content-Length": String(body?.length ?? 0) };
    if (body) {
      headers["Content-Type"] = 'text/xml; charset="utf-8"';
      headers["SOAPAction"] = "";
    }
    if (cookie) headers["Cookie"] = cookie;
    const req = http.request(url, { method: "POST", agent, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (b: Buffer) => parts.push(b));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString("utf8"), cookie: res.headers["set-cookie"]?.[0]?.split(";")[0] }),
      );
      res.on("error", reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end(body);
  });
}

/** One minimal session: Inform -> 200 InformResponse, empty POST -> 204. Returns an error kind or undefined. */
async function session(url: URL, agent: http.Agent, inform: Buffer): Promise<string | undefined> {
  const a = await post(url, agent, inform, undefined);
  if (a.status !== 200 || !a.body.includes("InformResponse")) return `inform_${a.status}`;
  const b = await post(url, agent, undefined, a.cookie);
  return b.status === 204 ? undefined : `empty_${b.status}${b.body.includes("Request") ? "_rpc" : ""}`;
}

/**
 * Runs sessions for `seconds` with `concurrency` in flight, device i's Inform in turn; each device has at most
 * one session in flight (the ACS refuses a second concurrent Inform from the same device).
 */
export async function leanRun(acsUrl: string, informs: readonly Buffer[], concurrency: number, seconds: number): Promise<LeanResult> {
  const url = new URL(acsUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  const hist = new LatencyHistogram();
  const kinds = new Map<string, number>();
  let failures = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const workers = Math.min(concurrency, informs.length);
  // Worker w owns devices w, w + workers, ...: a device never has two sessions at once.
  const worker = async (w: number): Promise<void> => {
    for (let i = w; performance.now() < end; i = i + workers >= informs.length ? w : i + workers) {
      const inform = informs[i] as Buffer;
      const s = performance.now();
      let kind: string | undefined;
      try {
        kind = await session(url, agent, inform);
      } catch (e) {
        kind = e instanceof Error ? e.message : "error";
      }
      if (kind === undefined) hist.record(performance.now() - s);
      else {
        failures++;
        kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => worker(w)));
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  agent.destroy();
  return {
    sessions: hist.count,
    failures,
    failureKinds: Object.fromEntries(kinds),
    seconds: secs,
    perSecond: hist.count / secs,
    p50Ms: hist.quantile(0.5),
    p99Ms: hist.quantile(0.99),
    generatorCpu: Number(((cpu.user + cpu.system) / 1e6 / secs).toFixed(2)),
  };
}
