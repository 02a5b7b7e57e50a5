/**
 * A served, in-process simulated fleet for rollout tests: a real server on 127.0.0.1 (ephemeral ports, a SQLite
 * file in a temp dir) whose rollouts run on an injected clock, simulated CPEs over real data models, and the
 * REST API over real HTTP. `restart()` reopens the same database and policies folder.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { buildConfig } from "../../src/config/config.js";
import { startServer, type Running } from "../../src/server/runtime.js";
import { SimDevice } from "../../src/sim/device.js";
import { runSession, type SessionResult } from "../../src/sim/client.js";
import { model, type MODEL_FILES } from "./fleet-models.js";

export type ModelFile = (typeof MODEL_FILES)[number];

/** A settable clock: rollouts read it, tests move it. */
export class ManualClock {
  constructor(public now: number) {}
  readonly read = (): number => this.now;
  advance(ms: number): void {
    this.now += ms;
  }
}

export async function pool<T>(items: readonly T[], n: number, work: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const item = items[next++];
        if (item !== undefined) await work(item);
      }
    }),
  );
}

export class RolloutFleet {
  readonly devices: SimDevice[] = [];
  running: Running;
  private constructor(
    readonly dir: string,
    readonly policiesDir: string,
    readonly clock: ManualClock,
    running: Running,
    private readonly env: Readonly<Record<string, string>>,
  ) {
    this.running = running;
  }

  static async start(opts: { files: Readonly<Record<string, string>>; clock: ManualClock; env?: Readonly<Record<string, string>> }): Promise<RolloutFleet> {
    const dir = mkdtempSync(join(tmpdir(), "converge-rollout-"));
    const policiesDir = join(dir, "policies");
    mkdirSync(policiesDir);
    for (const [name, text] of Object.entries(opts.files)) writeFileSync(join(policiesDir, name), text);
    const env = opts.env ?? {};
    const running = await RolloutFleet.serve(dir, policiesDir, opts.clock, env);
    return new RolloutFleet(dir, policiesDir, opts.clock, running, env);
  }

  private static async serve(dir: string, policiesDir: string, clock: ManualClock, env: Readonly<Record<string, string>>): Promise<Running> {
    const cfg = buildConfig(
      {
        CONVERGE_CWMP_PORT: "0",
        CONVERGE_API_PORT: "0",
        CONVERGE_BIND: "127.0.0.1",
        CONVERGE_DB: join(dir, "converge.db"),
        CONVERGE_POLICIES: policiesDir,
        ...env,
      },
      undefined,
    );
    if (!cfg.ok) throw new Error(cfg.error.join("\n"));
    return startServer({ ...cfg.value, reloadDebounceMs: 60_000 }, pino({ level: process.env["TEST_LOG"] ?? "silent" }), { clock: clock.read });
  }

  add(file: ModelFile, count: number, prefix: string): SimDevice[] {
    const out: SimDevice[] = [];
    for (let i = 0; i < count; i++) out.push(new SimDevice(model(file), { serialNumber: `${prefix}${String(i).padStart(5, "0")}` }));
    this.devices.push(...out);
    return out;
  }

  session(d: SimDevice): Promise<SessionResult> {
    return runSession(d, { acsUrl: this.running.cwmpUrl, timeoutMs: 20_000, maxMessages: 200 });
  }

  /** One session for every device; returns each device's result. */
  async round(devices: readonly SimDevice[] = this.devices, concurrency = 24): Promise<Map<SimDevice, SessionResult>> {
    const out = new Map<SimDevice, SessionResult>();
    await pool(devices, concurrency, async (d) => {
      const r = await this.session(d);
      if (!r.ok) throw new Error(`${d.deviceId.serialNumber}: session failed: ${r.error}`);
      out.set(d, r);
    });
    await this.running.rollouts.flushed();
    return out;
  }

  /** Sessions until a device's session sends nothing (at most `max` each). */
  async converge(devices: readonly SimDevice[] = this.devices, max = 6): Promise<void> {
    await pool(devices, 24, async (d) => {
      for (let i = 0; i < max; i++) {
        const r = await this.session(d);
        if (!r.ok) throw new Error(`${d.deviceId.serialNumber}: session failed: ${r.error}`);
        if (r.rpcs.length === 0) return;
      }
      throw new Error(`${d.deviceId.serialNumber} not converged after ${max} sessions`);
    });
    await this.running.rollouts.flushed();
  }

  writePolicy(name: string, text: string): void {
    writeFileSync(join(this.policiesDir, name), text);
  }

  async api<T = unknown>(method: "GET" | "POST", path: string): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.running.apiUrl}${path}`, { method });
    return { status: res.status, body: (await res.json()) as T };
  }

  async reload(): Promise<void> {
    const r = await this.api<{ ok: boolean }>("POST", "/api/policies/reload");
    if (r.status !== 200 || !r.body.ok) throw new Error(`reload failed: ${JSON.stringify(r.body)}`);
    await this.running.rollouts.flushed();
  }

  /** Stops the server (the database and policies stay) and starts a new one on them. */
  async restart(): Promise<void> {
    await this.running.close();
    this.running = await RolloutFleet.serve(this.dir, this.policiesDir, this.clock, this.env);
  }

  async close(): Promise<void> {
    await this.running.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface WaveJson {
  index: number;
  size: string;
  started: boolean;
  devices: number;
  waiting: number;
  pending: number;
  converged: number;
  faulted: number;
}

export interface RolloutJson {
  id: string;
  policy: string;
  state: string;
  stableRevision: string | null;
  canaryRevision: string;
  wave: number;
  waves: WaveJson[];
  reason: {
    kind: string;
    message: string;
    wave: number;
    models: string[];
    faults: { deviceId: string; model: string; code: string; path: string | null }[];
  } | null;
  events?: { at: string; kind: string; message: string }[];
  devices?: { id: string; wave: number; state: string; model: string; applied: string | null }[];
}
