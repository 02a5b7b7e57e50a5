/**
 * A simulated CPE fleet in one process (I/O): N SimDevices over shared read-only data models (one per model
 * file; each device keeps only its overlay), each with its own identity OUI-ProductClass-Serial, driven
 * against an ACS with bounded concurrency over one keep-alive agent. Periodic Informs with jitter, BOOTSTRAP
 * on first contact (the SimDevice's own event queue), 503 + Retry-After honoured with jittered backoff,
 * other failures retried per TR-069 §3.2.1.1, optional connection requests. Deterministic for a seed.
 */
import http from "node:http";
import https from "node:https";
import { httpDownloader } from "./download.js";
import { performance } from "node:perf_hooks";
import { loadDataModel } from "../datamodel/load.js";
import { runSession, type SessionResult } from "./client.js";
import { ConnReqListener } from "./connreq-listener.js";
import { SimDevice } from "./device.js";
import type { FleetOptions, QuirkSet } from "./fleet-options.js";
import { pickWeighted, seededRng, seedOf, type Rng } from "./fleet-rng.js";
import { DueQueue } from "./fleet-schedule.js";
import { FleetCounters, LatencyHistogram, bump } from "./fleet-stats.js";

export interface FleetMember {
  readonly device: SimDevice;
  /** Model file name (without folder). */
  readonly model: string;
  readonly quirks: QuirkSet;
  readonly rng: Rng;
  /** Successful sessions over the fleet's life, and in the current run. */
  sessions: number;
  runOk: number;
  lastOutcome: string;
  inFlight: boolean;
  /** A connection request arrived during a session: start another right after it. */
  crPending: boolean;
}

export interface FleetProgress {
  readonly elapsedS: number;
  readonly devices: number;
  /** Devices that reached the run's goal (rounds mode). */
  readonly done: number;
  readonly inFlight: number;
  readonly sessionsOk: number;
  readonly shed: number;
  readonly errors: number;
  /** Over the last progress window. */
  readonly windowPerS: number;
  readonly windowP50Ms: number;
  readonly windowP99Ms: number;
}

export interface FleetRunHooks {
  readonly onProgress?: (p: FleetProgress) => void;
  readonly progressEveryMs?: number;
  readonly signal?: AbortSignal;
}

export type StopReason = "done" | "duration" | "deadline" | "aborted";

export interface FleetRunResult {
  readonly counters: FleetCounters;
  readonly elapsedS: number;
  readonly devices: number;
  readonly done: number;
  readonly stopped: StopReason;
  /** How many devices ended the run with each outcome ("ok", "http_503", "timeout", "never", ...). */
  readonly lastOutcomes: Readonly<Record<string, number>>;
}

const SERIAL_DIGITS = 7;

/** Serial of the device at global `index`: a seed tag + the index, so fleets of different seeds never collide. */
export function fleetSerial(seed: string, index: number): string {
  const tag = (seedOf(seed) & 0xffff).toString(16).toUpperCase().padStart(4, "0");
  return `CV${tag}${String(index).padStart(SERIAL_DIGITS, "0")}`;
}

function modelName(file: string): string {
  return file.replace(/^.*[\\/]/, "");
}

/** Builds member `index` (global index `opts.indexOffset + index`): same seed, same device, in any worker split. */
function buildMember(opts: FleetOptions, index: number): FleetMember {
  const global = opts.indexOffset + index;
  const rng = seededRng((seedOf(opts.seed) ^ Math.imul(global + 1, 0x9e3779b1)) >>> 0);
  const modelFile =
    opts.models[
      pickWeighted(
        rng,
        opts.models.map((m) => m.weight),
      )
    ]?.value ?? "";
  const quirks = opts.quirks[
    pickWeighted(
      rng,
      opts.quirks.map((q) => q.weight),
    )
  ]?.value ?? { name: "none", quirks: {} };
  const device = new SimDevice(loadDataModel(modelFile), { serialNumber: fleetSerial(opts.seed, global), quirks: quirks.quirks });
  return { device, model: modelName(modelFile), quirks, rng, sessions: 0, runOk: 0, lastOutcome: "never", inFlight: false, crPending: false };
}

/** The device has a "1 BOOT" to report: it rebooted (or applied firmware) after its last session. */
const rebooting = (m: FleetMember): boolean => m.device.pendingEvents.some((e) => e.code === "1 BOOT");

export class Fleet {
  readonly opts: FleetOptions;
  readonly members: readonly FleetMember[];
  readonly #agent: http.Agent;
  readonly #queue: DueQueue;
  readonly #byDevice = new Map<SimDevice, number>();
  #listener: ConnReqListener | undefined;
  #run: ActiveRun | undefined;

  private constructor(opts: FleetOptions) {
    this.opts = opts;
    const members: FleetMember[] = [];
    for (let i = 0; i < opts.count; i++) members.push(buildMember(opts, i));
    this.members = members;
    members.forEach((m, i) => this.#byDevice.set(m.device, i));
    this.#queue = new DueQueue(opts.count);
    const pool = { keepAlive: true, maxSockets: opts.concurrency, maxFreeSockets: opts.concurrency };
    // An https ACS needs an https agent (an http.Agent cannot carry TLS), trusting --ca when given.
    this.#agent = new URL(opts.acsUrl).protocol === "https:" ? new https.Agent(opts.ca !== undefined ? { ...pool, ca: opts.ca } : pool) : new http.Agent(pool);
    // Downloads are fetched for real (Range resume, the Download's credentials), counted in the run's summary.
    const fetchFile = httpDownloader({ timeoutMs: opts.timeoutMs, ...(opts.ca !== undefined ? { tls: { ca: opts.ca } } : {}) });
    for (const m of members)
      m.device.downloader = async (req) => {
        const outcome = await fetchFile(req);
        this.#run?.counters.download(outcome);
        return outcome;
      };
  }

  /** Builds every device (and the connection-request listener with `listen`). */
  static async create(opts: FleetOptions): Promise<Fleet> {
    const fleet = new Fleet(opts);
    if (opts.listen) {
      fleet.#listener = await ConnReqListener.start({ onRequest: (d) => fleet.connectionRequest(fleet.#byDevice.get(d) ?? -1) });
      for (const m of fleet.members) fleet.#listener.register(m.device);
    }
    return fleet;
  }

  /** Device `index` was asked (or is told) to open a session now (`6 CONNECTION REQUEST` is queued by the listener). */
  connectionRequest(index: number): void {
    const m = this.members[index];
    if (m === undefined) return;
    if (m.inFlight) m.crPending = true;
    else {
      this.#queue.schedule(index, performance.now());
      this.#run?.pump();
    }
  }

  /** Runs the fleet until its goal (rounds, or duration) is reached; can be called again on the same devices. */
  run(hooks: FleetRunHooks = {}): Promise<FleetRunResult> {
    if (this.#run !== undefined) return Promise.reject(new Error("fleet is already running"));
    const run = new ActiveRun(this, this.#queue, this.#agent, hooks);
    this.#run = run;
    return run.start().finally(() => {
      this.#run = undefined;
    });
  }

  async close(): Promise<void> {
    this.#agent.destroy();
    await this.#listener?.close();
  }
}

/** One `Fleet.run`: the pump that starts due sessions while under the concurrency bound. */
class ActiveRun {
  readonly counters = new FleetCounters();
  #window = new LatencyHistogram();
  #windowOk = 0;
  #inFlight = 0;
  #done = 0;
  #stopping: StopReason | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;
  readonly #t0 = performance.now();
  #finish: ((r: FleetRunResult) => void) | undefined;
  readonly #fleet: Fleet;
  readonly #queue: DueQueue;
  readonly #agent: http.Agent;
  readonly #hooks: FleetRunHooks;

  constructor(fleet: Fleet, queue: DueQueue, agent: http.Agent, hooks: FleetRunHooks) {
    this.#fleet = fleet;
    this.#queue = queue;
    this.#agent = agent;
    this.#hooks = hooks;
  }

  start(): Promise<FleetRunResult> {
    const { opts, members } = this.#fleet;
    const ramp = opts.bootStorm ? 0 : opts.rampS * 1000;
    members.forEach((m, i) => {
      m.runOk = 0;
      if (!m.inFlight) this.#queue.schedule(i, this.#t0 + (ramp > 0 ? m.rng() * ramp : 0));
    });
    const limit = opts.durationS !== undefined ? opts.durationS : opts.deadlineS;
    const stopTimer = setTimeout(() => this.#stop(opts.durationS !== undefined ? "duration" : "deadline"), limit * 1000);
    const progress = this.#hooks.onProgress ? setInterval(() => this.#progress(), this.#hooks.progressEveryMs ?? 1000) : undefined;
    const onAbort = (): void => this.#stop("aborted");
    this.#hooks.signal?.addEventListener("abort", onAbort, { once: true });
    return new Promise<FleetRunResult>((resolve) => {
      this.#finish = (r) => {
        clearTimeout(stopTimer);
        if (progress) clearInterval(progress);
        this.#hooks.signal?.removeEventListener("abort", onAbort);
        resolve(r);
      };
      this.pump();
    });
  }

  /** Starts every due session the concurrency bound allows; arms a timer for the next one. */
  pump(): void {
    const { opts } = this.#fleet;
    if (this.#stopping === undefined) {
      for (let now = performance.now(); this.#inFlight < opts.concurrency;) {
        const i = this.#queue.popDue(now);
        if (i === undefined) break;
        this.#startSession(i);
      }
    }
    this.#arm();
    this.#maybeFinish();
  }

  #arm(): void {
    const at = this.#stopping === undefined && this.#inFlight < this.#fleet.opts.concurrency ? (this.#queue.peekAt() ?? Infinity) : Infinity;
    if (at === this.#timerAt) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = at;
    if (at === Infinity) return;
    this.#timer = setTimeout(
      () => {
        this.#timerAt = Infinity;
        this.#timer = undefined;
        this.pump();
      },
      Math.max(0, at - performance.now()),
    );
  }

  #startSession(i: number): void {
    const { opts, members } = this.#fleet;
    const m = members[i] as FleetMember;
    m.inFlight = true;
    this.#inFlight++;
    const agent = m.quirks.quirks.noCookies === true ? undefined : this.#agent; // no cookies: the socket is the session
    void runSession(m.device, {
      acsUrl: opts.acsUrl,
      timeoutMs: opts.timeoutMs,
      maxMessages: opts.maxMessages,
      ...(agent ? { agent } : {}),
      ...(opts.ca !== undefined ? { tls: { ca: opts.ca } } : {}),
      ...(opts.auth ? { auth: opts.auth } : {}),
    }).then((r) => this.#ended(i, m, r));
  }

  #ended(i: number, m: FleetMember, r: SessionResult): void {
    m.inFlight = false;
    this.#inFlight--;
    this.counters.session(r.ok, r.durationMs, r.error, r.rpcs, r.detail);
    m.lastOutcome = r.ok ? "ok" : (r.error ?? "unknown");
    if (r.ok) {
      this.#window.record(r.durationMs);
      this.#windowOk++;
      m.sessions++;
      // A device about to boot (Reboot, firmware Download) has not finished its round: its BOOT Inform comes next.
      if (!rebooting(m)) {
        m.runOk++;
        if (m.runOk === this.#fleet.opts.rounds) this.#done++;
      }
    }
    const next = this.#nextDue(m, r);
    if (next !== undefined) this.#queue.schedule(i, next);
    this.pump();
  }

  /** When the device informs next, or undefined when it has reached the run's goal. */
  #nextDue(m: FleetMember, r: SessionResult): number | undefined {
    const { opts } = this.#fleet;
    const now = performance.now();
    if (m.crPending) {
      m.crPending = false;
      return now;
    }
    // TR-069 A.3.2.8 / A.4.1.5: after a Reboot or a firmware Download the CPE boots and informs at once with
    // "1 BOOT" (and "M Reboot" / "M Download" + "7 TRANSFER COMPLETE"), not at its next periodic time.
    if (r.ok && rebooting(m)) return now + 200 * m.rng();
    if (r.ok) {
      if (opts.durationS === undefined && m.runOk >= opts.rounds) return undefined;
      return now + opts.intervalS * 1000 * (1 + opts.jitter * (2 * m.rng() - 1));
    }
    if (r.error === "http_503") {
      // TR-069 §3.2.1.1: wait at least Retry-After; jitter spreads the retries so the shed load does not return at once.
      const wait = Math.min(r.retryAfterS ?? opts.retryMinS, opts.retryAfterMaxS);
      return now + wait * 1000 * (1 + 0.5 * m.rng());
    }
    // TR-069 §3.2.1.1 session retry: between m·k^(n-1) and m·k^n seconds, k = 2, n capped at 10.
    const n = Math.min(10, Math.max(1, m.device.retryCount));
    const lo = opts.retryMinS * 2 ** (n - 1);
    return now + (lo + m.rng() * lo) * 1000;
  }

  #stop(reason: StopReason): void {
    if (this.#stopping !== undefined) return;
    this.#stopping = reason;
    this.pump();
  }

  #maybeFinish(): void {
    const { opts, members } = this.#fleet;
    const goal = opts.durationS === undefined && this.#done >= members.length;
    if (goal && this.#stopping === undefined) this.#stopping = "done";
    if (this.#stopping === undefined || this.#inFlight > 0 || this.#finish === undefined) return;
    if (this.#timer) clearTimeout(this.#timer);
    const lastOutcomes = new Map<string, number>();
    for (const m of members) bump(lastOutcomes, m.lastOutcome, 1);
    const finish = this.#finish;
    this.#finish = undefined;
    finish({
      counters: this.counters,
      elapsedS: (performance.now() - this.#t0) / 1000,
      devices: members.length,
      done: this.#done,
      stopped: this.#stopping,
      lastOutcomes: Object.fromEntries(lastOutcomes),
    });
  }

  #progress(): void {
    const every = (this.#hooks.progressEveryMs ?? 1000) / 1000;
    const w = this.#window;
    this.#hooks.onProgress?.({
      elapsedS: (performance.now() - this.#t0) / 1000,
      devices: this.#fleet.members.length,
      done: this.#done,
      inFlight: this.#inFlight,
      sessionsOk: this.counters.sessionsOk,
      shed: this.counters.shed,
      errors: this.counters.sessionsFailed - this.counters.shed,
      windowPerS: this.#windowOk / every,
      windowP50Ms: w.quantile(0.5),
      windowP99Ms: w.quantile(0.99),
    });
    this.#window = new LatencyHistogram();
    this.#windowOk = 0;
  }
}
