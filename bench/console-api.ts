/**
 * Benchmark 7: the API calls behind the console's overview and device search with 100,000 stored devices
 * (BENCH_QUICK: 20,000), each answered by a `converge serve` child over 127.0.0.1. The store is written through
 * the Store API (support/console-store.ts: statuses, matched policies, tags, 3 sessions per device in the last
 * 3 hours, faults on 5%). Target: every call under 1 s. Baseline, same run and server: GET /api/me (a route
 * that reads nothing: HTTP, routing, the guard and serialisation, what every call pays).
 * Run alone: node --import tsx bench/console-api.ts
 */
import { performance } from "node:perf_hooks";
import { consoleStore, CONSOLE_STORE_DEVICES } from "./support/console-store.js";
import { tempWorkspace } from "./support/fleet.js";
import { startServe } from "./support/procs.js";
import { QUICK, emit, log, table } from "./support/report.js";

const REPEAT = QUICK ? 5 : 15;

interface Timing {
  readonly what: string;
  readonly path: string;
  readonly medianMs: number;
  readonly maxMs: number;
  readonly items: number;
}

async function time(base: string, what: string, path: string): Promise<Timing> {
  const ms: number[] = [];
  let items = 0;
  for (let i = 0; i < REPEAT + 1; i++) {
    const t0 = performance.now();
    const res = await fetch(`${base}${path}`);
    const body = (await res.json()) as { devices?: unknown[]; buckets?: unknown[]; faults?: unknown[] };
    const dt = performance.now() - t0;
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
    items = body.devices?.length ?? body.buckets?.length ?? body.faults?.length ?? 1;
    if (i > 0) ms.push(dt); // the first call prepares the statement and warms the page cache
  }
  ms.sort((a, b) => a - b);
  return { what, path, medianMs: Number((ms[Math.floor(ms.length / 2)] ?? 0).toFixed(2)), maxMs: Number((ms.at(-1) ?? 0).toFixed(2)), items };
}

export async function consoleApi(): Promise<Record<string, unknown>> {
  const store = await consoleStore(CONSOLE_STORE_DEVICES);
  log(`console-api: store of ${store.devices} devices ${store.reused ? "reused" : `built in ${store.seconds.toFixed(0)} s`} (${store.file})`);
  const ws = tempWorkspace(undefined);
  const server = await startServe({ db: store.file, policies: ws.policies });
  try {
    const base = server.apiUrl;
    const mid = (await (await fetch(`${base}/api/devices?limit=1&after=${encodeURIComponent(store.middleId)}`)).json()) as { devices: { deviceId: string }[] };
    const after = encodeURIComponent(mid.devices[0]?.deviceId ?? "");
    const baseline = await time(base, "baseline: GET /api/me", "/api/me");
    const calls: [string, string][] = [
      ["overview: counts by condition, policy, model", "/api/overview"],
      ["overview: sessions/faults per minute, 3 h", "/api/activity?minutes=180&bucketSeconds=60"],
      ["overview: top faults, 24 h", "/api/faults/top?hours=24&limit=10"],
      ["devices: first page, no filter, with total", "/api/devices?limit=50&count=true"],
      ["devices: a page in the middle", `/api/devices?limit=50&after=${after}`],
      ["search: serial prefix (1 device), total", `/api/devices?serial=${encodeURIComponent(store.sampleSerial.toLowerCase())}&count=true`],
      ["search: serial prefix (~1/16 of fleet), total", `/api/devices?serial=${encodeURIComponent(store.sampleSerial.slice(0, 1))}&limit=50&count=true`],
      ["search: device id prefix (one model)", `/api/devices?deviceId=${encodeURIComponent(store.sampleOui)}&limit=50&count=true`],
      [
        "search: model + firmware prefix",
        `/api/devices?model=${encodeURIComponent(store.sampleModel.slice(0, 3))}&firmware=${encodeURIComponent(store.sampleFirmware.slice(0, 2))}&limit=50&count=true`,
      ],
      ["search: condition Faulted=true, total", "/api/devices?condition=Faulted%3Dtrue&limit=50&count=true"],
      ["search: condition Converged=true, middle page", `/api/devices?condition=Converged%3Dtrue&limit=50&after=${after}`],
      ["search: IP prefix", "/api/devices?ip=10.3.&limit=50&count=true"],
      ["search: silent for 2 h", "/api/devices?silentFor=2h&limit=50&count=true"],
      ["search: tag, total", "/api/devices?tag=north&limit=50&count=true"],
      ["search: policy, total", "/api/devices?policy=wifi&limit=50&count=true"],
      ["search: fault code, total", "/api/devices?fault=9007&limit=50&count=true"],
      ["search: reported value (one window)", `/api/devices?param=${encodeURIComponent(store.valuePath)}&value=guest&limit=50`],
    ];
    const timings: Timing[] = [];
    for (const [what, path] of calls) timings.push(await time(base, what, path));
    process.stdout.write(
      `\n${table(
        ["call", "median ms", "max ms", "items", "x baseline"],
        [baseline, ...timings].map((t) => [t.what, t.medianMs, t.maxMs, t.items, Number((t.medianMs / Math.max(0.01, baseline.medianMs)).toFixed(1))]),
      )}`,
    );
    const worst = Math.max(...timings.map((t) => t.maxMs));
    process.stdout.write(`worst call ${worst.toFixed(0)} ms with ${store.devices} devices (target: under 1000 ms)\n`);
    return { devices: store.devices, baseline, timings, worstMs: worst, under1s: worst < 1000 };
  } finally {
    await server.stop();
    ws.cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) emit("console-api", await consoleApi());
