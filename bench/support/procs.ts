/**
 * Child processes for benchmarks, so the load generator never shares the server's event loop: a real
 * `converge serve` (the CLI entry, run from source through tsx) and the bare fastify baseline route.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import net from "node:net";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface Child {
  readonly proc: ChildProcess;
  readonly pid: number;
  /** Resident set size now and its peak (VmRSS, VmHWM) in bytes, from /proc. */
  rss(): { readonly rss: number; readonly peak: number };
  stop(): Promise<void>;
}

function procStatus(pid: number): { rss: number; peak: number } {
  try {
    const s = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(s)?.[1] ?? 0) * 1024;
    return { rss: kb("VmRSS"), peak: kb("VmHWM") };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

/** Server CPU (user + system, all threads) of a child so far, in milliseconds, from /proc/<pid>/stat. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which is in parentheses and may hold spaces): utime is field 14, stime 15.
  const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(rest[11]) + Number(rest[12])) * 1000) / CLOCK_TICKS;
}
/**
 * Bytes the child has passed to write-type system calls so far (`wchar` of /proc/<pid>/io): its SQLite WAL and
 * journal writes plus its socket writes. Steadier than CPU time on a loaded machine for comparing store changes.
 */
export function writtenBytes(pid: number): number {
  return Number(/^wchar:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/io`, "utf8"))?.[1] ?? 0);
}
/** USER_HZ on Linux (sysconf(_SC_CLK_TCK)); 100 on every mainstream kernel. */
const CLOCK_TICKS = 100;

/** BENCH_CPU_PROF=<dir>: the server children run under `node --cpu-prof`, profiles written into <dir> at exit. */
const PROFILE_DIR = process.env["BENCH_CPU_PROF"];

function child(script: string, args: readonly string[], env: Record<string, string>, profile = false, root = ROOT): Child {
  const prof = profile && PROFILE_DIR ? ["--cpu-prof", "--cpu-prof-dir", PROFILE_DIR] : [];
  const proc = spawn(process.execPath, [...prof, "--import", "tsx", script, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const pid = proc.pid ?? 0;
  return {
    proc,
    pid,
    rss: () => procStatus(pid),
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once("exit", () => resolve());
        proc.kill("SIGTERM");
        setTimeout(() => proc.kill("SIGKILL"), 10_000).unref();
      }),
  };
}

async function waitUp(url: string, proc: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (proc.exitCode !== null) throw new Error(`child exited with ${proc.exitCode} before ${url} answered`);
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up in ${timeoutMs} ms`);
}

export interface ServerChild extends Child {
  readonly cwmpUrl: string;
  readonly apiUrl: string;
}

/**
 * `converge serve` on 127.0.0.1 with env configuration (open CPE auth, warn-level logs); `root`: the source tree
 * it runs from (default this one; another checkout for a same-run baseline).
 */
export async function startServe(opts: {
  readonly db: string;
  readonly policies: string;
  readonly env?: Record<string, string>;
  readonly root?: string;
}): Promise<ServerChild> {
  const [cwmpPort, apiPort] = [await freePort(), await freePort()];
  const c = child(
    "bench/support/serve-main.ts",
    [],
    {
      CONVERGE_CWMP_PORT: String(cwmpPort),
      CONVERGE_API_PORT: String(apiPort),
      CONVERGE_BIND: "127.0.0.1",
      CONVERGE_DB: opts.db,
      CONVERGE_POLICIES: opts.policies,
      CONVERGE_LOG_LEVEL: "error",
      ...opts.env,
    },
    true,
    opts.root,
  );
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  await waitUp(`${apiUrl}/api/health`, c.proc);
  return { ...c, cwmpUrl: `http://127.0.0.1:${cwmpPort}/`, apiUrl };
}

/** The bare fastify baseline (bench/support/bare-main.ts) in `mode`. */
export async function startBare(mode: "minimal" | `converge:${string}`): Promise<Child & { readonly url: string }> {
  const port = await freePort();
  const c = child("bench/support/bare-main.ts", [String(port), mode], {});
  const url = `http://127.0.0.1:${port}/`;
  await waitUp(`${url}health`, c.proc);
  return { ...c, url };
}
