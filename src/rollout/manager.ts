/**
 * The rollout manager (adapter): holds every rollout in force in memory (the hot path reads it, never the
 * database), starts rollouts when a reload changes a policy, pins each device to the stable or canary version,
 * counts devices per wave from session outcomes, judges gates on a tick, and carries out operator actions.
 * Every change is written through the async RolloutStore, in order; a restart reloads the same rollouts,
 * assignments and counts.
 *
 * One rollout per changed policy (docs/rollouts.md says why). Time comes from the injected clock only.
 *
 * Several nodes (`coordination`): the store is the truth and each node's memory a copy. Starts (a reload on every
 * node), gate judgements and operator actions run in one exclusive section across nodes, each after reloading the
 * rollouts from the store, so the first node to take up a revision starts its rollouts and the others find them;
 * only the leading node judges gates (on its tick); every node writes the assignment of the devices whose sessions
 * it ends (a device is in one session at a time across nodes) and reloads what the others changed on its tick or
 * when they say so (docs/operations.md §15).
 */
import type { DeviceId } from "../domain/device.js";
import type { MatchSubject } from "../policy/desired.types.js";
import { policyMatches, type VersionPins } from "../policy/desired.js";
import type { Policy, PolicySet } from "../policy/types.js";
import { assignWaves, type Candidate } from "./assign.js";
import { judgeWave } from "./gate.js";
import type { RolloutStore } from "./store-port.js";
import type {
  DeviceAssignment,
  DeviceRolloutState,
  FaultSummary,
  PauseReason,
  RolloutEvent,
  RolloutRecord,
  RolloutState,
  StagedStrategy,
  Strategy,
  WaveCounts,
} from "./types.js";
import { DEVICE_STATES, IN_FORCE } from "./types.js";
import { deviceZone, windowOpen } from "./window.js";

export interface RolloutLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** A device as the manager sees it when a rollout starts. */
export interface FleetDevice {
  readonly facts: MatchSubject;
}

export interface RolloutManagerOptions {
  readonly store: RolloutStore;
  /** Every known device with its facts (walked when a rollout starts). */
  readonly fleet: () => AsyncIterable<FleetDevice> | Iterable<FleetDevice>;
  readonly clock: () => number;
  /** For policies whose file says nothing (`rollout.default`). */
  readonly defaultStrategy: Strategy;
  readonly log: RolloutLog;
  /** Compiles a stored version back into a set (restart mid-rollout). */
  readonly compile: (revision: string, sources: NonNullable<PolicySet["sources"]>) => Promise<PolicySet | undefined>;
  /** Connection requests for a wave's devices (kickOnWave), rate-limited by the caller. */
  readonly kick?: (ids: readonly DeviceId[]) => void;
  /** Something changed which version some devices get: their next visit must re-plan (fast path off). */
  readonly onPinsChanged?: () => void;
  /** Several nodes share the rollout store: how they take turns (absent: this process alone). */
  readonly coordination?: RolloutCoordination;
}

/** How the nodes that share one rollout store take turns (server/runtime.ts builds it on the cluster port). */
export interface RolloutCoordination {
  /** Runs `fn` while no other node runs a rollout section (start, judgement, operator action). */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  /** Whether this node judges the gates now (one node at a time; another takes over when it dies). */
  leads(): Promise<boolean>;
  /** Tells the other nodes that rollouts changed in the store. */
  announce(): void;
}

/** What a session contributed to a rollout: its outcome and the faults it recorded. */
export interface SessionOutcome {
  readonly deviceId: string;
  readonly converged: boolean | undefined;
  readonly rpcs: readonly string[];
  readonly faults: readonly { readonly code: string; readonly path: string | undefined; readonly policy: string | undefined; readonly message: string }[];
}

export type ControlAction = "pause" | "resume" | "promote" | "abort";
export type ControlResult =
  { readonly ok: true; readonly rollout: RolloutRecord } | { readonly ok: false; readonly code: "not_found" | "conflict"; readonly message: string };

interface Live {
  record: RolloutRecord;
  readonly devices: Map<string, DeviceAssignment>;
  /** counts[wave][state] */
  readonly counts: Record<DeviceRolloutState, number>[];
}

const META_SERVED = "served_revision";
const MAX_REASON_FAULTS = 50;
const TIMELINE = 200;

const seqOf = (id: string): number => Number(/^r(\d+)-/.exec(id)?.[1] ?? 0);
const emptyCounts = (): Record<DeviceRolloutState, number> => ({ waiting: 0, pending: 0, converged: 0, faulted: 0 });
const modelOf = (f: MatchSubject): string => `${f.productClass}/${f.softwareVersion}`;
const ZONE_PATHS = ["InternetGatewayDevice.Time.LocalTimeZoneName", "Device.Time.LocalTimeZone", "InternetGatewayDevice.Time.LocalTimeZone"];

export class RolloutManager {
  private readonly all = new Map<string, RolloutRecord>();
  /** policy name -> the rollout in force for it. */
  private readonly live = new Map<string, Live>();
  /** Policy sets a rollout may serve a version of, by revision. */
  private readonly sets = new Map<string, PolicySet>();
  private served: PolicySet | undefined;
  private writes: Promise<void> = Promise.resolve();
  private epochN = 0;
  private seq = 0;
  /** Writes queued since start: a section that queued some tells the other nodes. */
  private queued = 0;
  /** Automatic pauses and rollbacks since start. */
  autoPauses = 0;
  /** Called on each automatic pause or rollback (the metrics counter). */
  onAutoPause: (() => void) | undefined;

  private constructor(private readonly o: RolloutManagerOptions) {}

  /** Loads every rollout, the assignments of those in force and their stable versions. */
  static async open(o: RolloutManagerOptions): Promise<RolloutManager> {
    const m = new RolloutManager(o);
    for (const r of await o.store.listRollouts()) {
      m.all.set(r.id, r);
      m.seq = Math.max(m.seq, seqOf(r.id));
      if (!IN_FORCE.has(r.state)) continue;
      const devices = new Map((await o.store.loadAssignments(r.id)).map((a) => [a.deviceId, a]));
      m.live.set(r.policy, m.liveOf(r, devices));
      if (r.stableRevision !== undefined) await m.ensureSet(r.stableRevision);
    }
    return m;
  }

  private liveOf(record: RolloutRecord, devices: Map<string, DeviceAssignment>): Live {
    const counts = record.strategy.waves.map(emptyCounts);
    for (const a of devices.values()) {
      const c = counts[a.wave];
      if (c) c[a.state]++;
    }
    return { record, devices, counts };
  }

  private async ensureSet(revision: string): Promise<PolicySet | undefined> {
    const have = this.sets.get(revision);
    if (have) return have;
    const stored = await this.o.store.loadVersion(revision);
    if (!stored) {
      this.o.log.error({ revision }, "rollout: the stable version's sources are not stored; its devices get the current version");
      return undefined;
    }
    const set = await this.o.compile(revision, stored.sources);
    if (set) this.sets.set(revision, set);
    else this.o.log.error({ revision }, "rollout: the stored stable version no longer compiles; its devices get the current version");
    return set;
  }

  /** Changes whenever some device's version may have changed (part of the fast path's snapshot key). */
  epoch(): number {
    return this.epochN;
  }

  private bump(): void {
    this.epochN++;
    this.o.onPinsChanged?.();
  }

  private write(fn: () => Promise<void>): void {
    this.queued++;
    this.writes = this.writes
      .then(fn)
      .catch((e: unknown) => this.o.log.error({ err: e instanceof Error ? e.message : String(e) }, "rollout: store write failed"));
  }

  /** Resolves once every write queued so far is stored. */
  flushed(): Promise<void> {
    return this.writes;
  }

  private strategyOf(p: Policy): Strategy {
    return p.rollout ?? this.o.defaultStrategy;
  }

  /**
   * A reload brought `set` (the previous serving set, if any, is `previous`). Starts, supersedes or closes
   * rollouts per policy. At start-up `previous` is the last set served before the restart (from the store).
   */
  async changed(set: PolicySet, previous: PolicySet | undefined): Promise<void> {
    await this.shared(async () => {
      await this.changedHere(set, previous);
    });
  }

  /**
   * Several nodes: runs `fn` in the cluster's rollout section after reloading from the store, waits for its
   * writes and tells the other nodes when it wrote something. One node: runs `fn`.
   */
  private async shared<T>(fn: () => Promise<T> | T, judge = false): Promise<T | undefined> {
    const c = this.o.coordination;
    if (!c) return fn();
    let wrote = false;
    const out = await c.exclusive(async () => {
      await this.refresh();
      if (judge && !(await c.leads())) return undefined;
      const before = this.queued;
      const r = await fn();
      await this.writes;
      wrote = this.queued !== before;
      return { r };
    });
    if (wrote) c.announce();
    return out?.r;
  }

  /** Several nodes: reloads the rollouts from the store now (another node said they changed). */
  async reload(): Promise<void> {
    const c = this.o.coordination;
    if (c) await c.exclusive(() => this.refresh());
  }

  /**
   * Reloads every rollout from the store: another node may have started, judged, paused or finished one. The
   * assignments of running and paused rollouts are reloaded each time (other nodes count their sessions); those of
   * the others when their record changed. Bumps the epoch when some device's version may have changed.
   */
  private async refresh(): Promise<void> {
    await this.writes;
    let touched = false;
    for (const r of await this.o.store.listRollouts()) {
      this.seq = Math.max(this.seq, seqOf(r.id));
      const known = this.all.get(r.id);
      this.all.set(r.id, r);
      const l = this.live.get(r.policy);
      const mine = l !== undefined && l.record.id === r.id;
      if (!IN_FORCE.has(r.state)) {
        if (mine) {
          this.live.delete(r.policy);
          touched = true;
        }
        continue;
      }
      const moved = !mine || l.record.state !== r.state || l.record.wave !== r.wave;
      if (!moved && known?.updatedAt === r.updatedAt && r.state !== "running" && r.state !== "paused") continue;
      if (r.stableRevision !== undefined) await this.ensureSet(r.stableRevision);
      const devices = new Map((await this.o.store.loadAssignments(r.id)).map((a) => [a.deviceId, a]));
      this.live.set(r.policy, this.liveOf(r, devices));
      if (moved) touched = true;
    }
    if (touched) this.bump();
  }

  private async changedHere(set: PolicySet, previous: PolicySet | undefined): Promise<void> {
    const now = this.o.clock();
    let before = previous;
    if (before === undefined) {
      const served = await this.o.store.getMeta(META_SERVED);
      if (served !== undefined && served !== set.revision) before = await this.ensureSet(served);
    }
    if (before) this.sets.set(before.revision, before);
    this.sets.set(set.revision, set);
    this.served = set;
    if (set.sources) {
      const sources = set.sources;
      this.write(() => this.o.store.saveVersion({ revision: set.revision, sources }));
    }
    this.write(() => this.o.store.setMeta(META_SERVED, set.revision));
    let touched = false;
    for (const p of set.policies) {
      const l = this.live.get(p.name);
      const strategy = this.strategyOf(p);
      if (l) {
        const r = l.record;
        if (p.fingerprint === r.canaryFingerprint) continue;
        if (p.fingerprint === r.stableFingerprint || strategy.kind === "immediate") {
          this.close(
            l,
            "superseded",
            p.fingerprint === r.stableFingerprint ? `revision ${set.revision} is the stable version again` : `revision ${set.revision} says rollout: immediate`,
            now,
          );
          touched = true;
          continue;
        }
        const stable = r.stableRevision === undefined ? undefined : this.sets.get(r.stableRevision)?.policies.find((q) => q.name === p.name);
        await this.start(p, strategy, set, r.stableRevision, stable, now, l);
        touched = true;
        continue;
      }
      if (before === undefined || strategy.kind === "immediate") continue;
      const old = before.policies.find((q) => q.name === p.name);
      if (old?.fingerprint === p.fingerprint) continue;
      await this.start(p, strategy, set, before.revision, old, now, undefined);
      touched = true;
    }
    for (const l of [...this.live.values()]) {
      if (!set.policies.some((p) => p.name === l.record.policy)) {
        this.close(l, "superseded", `policy removed in revision ${set.revision}`, now);
        touched = true;
      }
    }
    if (touched) this.bump();
  }

  private close(l: Live, state: RolloutState, message: string, now: number): void {
    const record: RolloutRecord = { ...l.record, state, updatedAt: now };
    this.live.delete(record.policy);
    this.all.set(record.id, record);
    this.o.log.info({ rollout: record.id, policy: record.policy, state }, `rollout ${state}: ${message}`);
    this.write(() => this.o.store.updateRollout(record, { at: now, kind: state, message }));
  }

  private async start(
    p: Policy,
    strategy: StagedStrategy,
    set: PolicySet,
    stableRevision: string | undefined,
    stable: Policy | undefined,
    now: number,
    superseding: Live | undefined,
  ): Promise<void> {
    const id = `r${++this.seq}-${p.name}`;
    const candidates: Candidate[] = [];
    for await (const d of this.o.fleet()) {
      const f = d.facts;
      if (policyMatches(p, f) || (stable !== undefined && policyMatches(stable, f))) candidates.push({ id: f.deviceId, model: modelOf(f), tags: f.tags });
    }
    const waves = assignWaves(id, candidates, strategy.waves, strategy.canaryPerModel);
    const devices = new Map<string, DeviceAssignment>();
    for (const c of candidates) {
      const wave = waves.get(c.id) ?? strategy.waves.length - 1;
      devices.set(c.id, {
        deviceId: c.id,
        wave,
        state: wave === 0 ? "pending" : "waiting",
        model: c.model,
        applied: undefined,
        disruptiveAt: undefined,
        fault: undefined,
      });
    }
    const record: RolloutRecord = {
      id,
      policy: p.name,
      stableRevision,
      canaryRevision: set.revision,
      stableFingerprint: stable?.fingerprint,
      canaryFingerprint: p.fingerprint ?? "",
      strategy,
      state: "running",
      wave: 0,
      waveStartedAt: now,
      createdAt: now,
      updatedAt: now,
      reason: undefined,
      supersededBy: undefined,
    };
    const superseded: RolloutRecord[] = [];
    if (superseding) {
      const old: RolloutRecord = { ...superseding.record, state: "superseded", supersededBy: id, updatedAt: now };
      superseded.push(old);
      this.all.set(old.id, old);
      this.write(() => this.o.store.updateRollout(old, { at: now, kind: "superseded", message: `superseded by ${id} (revision ${set.revision})` }));
    }
    const l = this.liveOf(record, devices);
    this.live.set(p.name, l);
    this.all.set(id, record);
    const sizes = l.counts.map((c) => c.pending + c.waiting);
    const message = `rollout of ${p.name} from ${stableRevision ?? "(new policy)"} to ${set.revision}: ${candidates.length} devices, waves ${sizes.join("/")}`;
    this.o.log.info({ rollout: id, policy: p.name, devices: candidates.length, waves: sizes }, message);
    const list = [...devices.values()];
    this.write(() => this.o.store.createRollout(record, list, { at: now, kind: "started", message }, []));
    this.kickWave(l, 0);
  }

  private kickWave(l: Live, wave: number): void {
    if (!l.record.strategy.kickOnWave || !this.o.kick) return;
    const ids = [...l.devices.values()].filter((a) => a.wave === wave).map((a) => a.deviceId as DeviceId);
    if (ids.length > 0) this.o.kick(ids);
  }

  private stablePolicy(r: RolloutRecord): Policy | undefined {
    return r.stableRevision === undefined ? undefined : this.sets.get(r.stableRevision)?.policies.find((q) => q.name === r.policy);
  }

  /** Which version of each governed policy this device gets now, and which disruptive steps wait. Sync, in memory. */
  pinsFor(facts: MatchSubject): VersionPins | undefined {
    if (this.live.size === 0) return undefined;
    const replace = new Map<string, Policy | undefined>();
    const held: string[] = [];
    const versions: Record<string, string> = {};
    let now: number | undefined;
    for (const l of this.live.values()) {
      const r = l.record;
      const a = l.devices.get(facts.deviceId);
      const canary = (r.state === "running" || r.state === "paused") && a !== undefined && a.wave <= r.wave;
      if (!canary) {
        replace.set(r.policy, this.stablePolicy(r));
        versions[r.policy] = r.stableRevision ?? "(none)";
        continue;
      }
      versions[r.policy] = r.canaryRevision;
      const w = r.strategy.window;
      if (w !== undefined) {
        now ??= this.o.clock();
        if (!windowOpen(w, now, deviceZone(ZONE_PATHS.map((p) => facts.parameters.get(p)).find((v) => v !== undefined && v !== "")))) held.push(r.policy);
      }
    }
    return { replace, held, versions };
  }

  private setDevice(l: Live, a: DeviceAssignment, next: DeviceAssignment): void {
    if (a.state !== next.state) {
      const c = l.counts[a.wave];
      if (c) {
        c[a.state]--;
        c[next.state]++;
      }
    }
    l.devices.set(a.deviceId, next);
    const id = l.record.id;
    this.write(() => this.o.store.updateAssignments(id, [next]));
  }

  /** A session ended: count it toward the rollouts whose started waves hold the device. */
  sessionEnded(s: SessionOutcome): void {
    if (this.live.size === 0) return;
    const now = this.o.clock();
    for (const l of this.live.values()) {
      const r = l.record;
      const a = l.devices.get(s.deviceId);
      if (a === undefined) continue;
      const active = (r.state === "running" || r.state === "paused") && a.wave <= r.wave;
      const pinned = active ? r.canaryRevision : (r.stableRevision ?? "(none)");
      if (!active) {
        if (s.converged === true && a.applied !== pinned) this.setDevice(l, a, { ...a, applied: pinned });
        continue;
      }
      if (a.state === "faulted") continue;
      const fault = s.faults.find((f) => f.policy === r.policy || (f.policy === undefined && /^TransferComplete/.test(f.message) && this.firmwareOf(r)));
      let next: DeviceAssignment = a;
      if (fault) next = { ...a, state: "faulted", fault: { deviceId: a.deviceId, model: a.model, code: fault.code, path: fault.path, message: fault.message } };
      else if (s.converged === true) {
        // The hot case (a converged canary's periodic visit) changes nothing and writes nothing.
        if (a.state !== "converged" || a.applied !== pinned || a.disruptiveAt !== undefined)
          next = { ...a, state: "converged", applied: pinned, disruptiveAt: undefined };
      } else if (s.rpcs.some((m) => m === "Download" || m === "Reboot")) next = { ...a, state: "pending", disruptiveAt: now };
      else if (a.state === "converged") next = { ...a, state: "pending" };
      if (next !== a) {
        this.setDevice(l, a, next);
        // Several nodes: the leading node judges (on its tick, from the store); this one only writes the device.
        if (this.o.coordination) continue;
        if (next.state === "faulted" && r.state === "running") this.judge(l, now);
        else if (next.state === "faulted" && r.state === "paused" && r.reason?.kind === "gate-faulted" && r.reason.wave === a.wave) this.addToReason(l, now);
      }
    }
  }

  private firmwareOf(r: RolloutRecord): boolean {
    return this.served?.policies.find((p) => p.name === r.policy)?.firmware !== undefined;
  }

  /**
   * Judges every running rollout's current wave (the server calls it on a timer; tests call it). One node: at
   * once (synchronously). Several: the leading node, in the cluster's section, on what the store holds; the others
   * reload.
   */
  async tick(): Promise<void> {
    if (!this.o.coordination) return this.judgeAll();
    await this.shared(() => this.judgeAll(), true);
  }

  private judgeAll(): void {
    const now = this.o.clock();
    for (const l of [...this.live.values()]) {
      const r = l.record;
      // Several nodes: faults counted by other nodes after an automatic pause join its reason here.
      if (this.o.coordination && r.state === "paused" && r.reason?.kind === "gate-faulted" && r.reason.faults.length < MAX_REASON_FAULTS) {
        const n = this.waveFaults(l, r.reason.wave).length;
        if (n > r.reason.faults.length) this.addToReason(l, now);
      }
      if (l.record.state !== "running") continue;
      // A device that does not come back within `within` after a Download or Reboot is faulted.
      for (const a of l.devices.values()) {
        if (a.wave !== l.record.wave || a.state !== "pending" || a.disruptiveAt === undefined) continue;
        if (now - a.disruptiveAt >= l.record.strategy.gate.withinMs)
          this.setDevice(l, a, {
            ...a,
            state: "faulted",
            fault: {
              deviceId: a.deviceId,
              model: a.model,
              code: "no_return",
              path: undefined,
              message: `did not check in within ${Math.round(l.record.strategy.gate.withinMs / 60_000)} min of a Download or Reboot`,
            },
          });
      }
      this.judge(l, now);
    }
  }

  private waveCounts(l: Live, wave: number): WaveCounts {
    const c = l.counts[wave] ?? emptyCounts();
    return { ...c, total: DEVICE_STATES.reduce((n, s) => n + c[s], 0) };
  }

  private judge(l: Live, now: number): void {
    const r = l.record;
    const d = judgeWave(this.waveCounts(l, r.wave), r.strategy, r.waveStartedAt, now);
    if (d.kind === "wait") return;
    if (d.kind === "advance") {
      this.advance(l, now, d.message, "promoted");
      return;
    }
    const faults = this.waveFaults(l, r.wave);
    const reason: PauseReason = {
      at: now,
      wave: r.wave,
      kind: d.reason,
      message: d.message,
      faults: faults.slice(0, MAX_REASON_FAULTS),
      models: [...new Set(faults.map((f) => f.model))].sort(),
    };
    this.autoPauses++;
    this.onAutoPause?.();
    if (r.strategy.onFailure === "rollback")
      this.finish(l, "rolled-back", now, `gate failed on wave ${r.wave + 1}: ${d.message}; every device back to the stable version`, reason);
    else
      this.update(
        l,
        { ...r, state: "paused", reason, updatedAt: now },
        { at: now, kind: "paused", message: `gate failed on wave ${r.wave + 1}: ${d.message}` },
      );
  }

  /** A paused wave keeps faulting (devices already in a session): the reason lists them too. */
  private addToReason(l: Live, now: number): void {
    const r = l.record;
    if (!r.reason) return;
    const faults = this.waveFaults(l, r.reason.wave);
    const reason: PauseReason = { ...r.reason, faults: faults.slice(0, MAX_REASON_FAULTS), models: [...new Set(faults.map((f) => f.model))].sort() };
    l.record = { ...r, reason, updatedAt: now };
    this.all.set(r.id, l.record);
    const record = l.record;
    this.write(() => this.o.store.updateRollout(record));
  }

  private waveFaults(l: Live, wave: number): FaultSummary[] {
    return [...l.devices.values()].filter((a) => a.wave === wave && a.state === "faulted").flatMap((a) => (a.fault ? [a.fault] : []));
  }

  private update(l: Live, record: RolloutRecord, event: RolloutEvent, bump = false): void {
    l.record = record;
    this.all.set(record.id, record);
    this.o.log.info({ rollout: record.id, policy: record.policy, state: record.state, wave: record.wave }, event.message);
    this.write(() => this.o.store.updateRollout(record, event));
    if (bump) this.bump();
  }

  /** Starts the next wave, or completes the rollout after the last one. */
  private advance(l: Live, now: number, why: string, kind: string): void {
    const r = l.record;
    const next = r.wave + 1;
    if (next >= r.strategy.waves.length) {
      this.finish(l, "completed", now, `wave ${r.wave + 1} of ${r.strategy.waves.length} done (${why}): the canary version is the stable version`, undefined);
      return;
    }
    const changed: DeviceAssignment[] = [];
    for (const a of l.devices.values()) {
      if (a.wave !== next || a.state !== "waiting") continue;
      const b: DeviceAssignment = { ...a, state: "pending" };
      const c = l.counts[next];
      if (c) {
        c.waiting--;
        c.pending++;
      }
      l.devices.set(a.deviceId, b);
      changed.push(b);
    }
    const record: RolloutRecord = { ...r, state: "running", wave: next, waveStartedAt: now, updatedAt: now, reason: undefined };
    l.record = record;
    this.all.set(record.id, record);
    const message = `wave ${next + 1} of ${r.strategy.waves.length} started (${changed.length} devices): ${why}`;
    this.o.log.info({ rollout: r.id, policy: r.policy, wave: next }, message);
    this.write(() => this.o.store.updateRollout(record, { at: now, kind, message }, changed));
    this.bump();
    this.kickWave(l, next);
  }

  private finish(l: Live, state: "completed" | "aborted" | "rolled-back", now: number, message: string, reason: PauseReason | undefined): void {
    const record: RolloutRecord = { ...l.record, state, updatedAt: now, reason: reason ?? l.record.reason };
    // Completed: the canary version is what the folder serves, nothing to pin. Aborted / rolled back: stays in
    // force (every device on stable) until a newer revision of the policy supersedes it.
    if (state === "completed") this.live.delete(record.policy);
    this.update(l, record, { at: now, kind: state, message }, true);
  }

  /** Operator actions (API, CLI); several nodes: in the cluster's section, on what the store holds. */
  async control(id: string, action: ControlAction): Promise<ControlResult> {
    return (await this.shared(() => this.controlHere(id, action))) ?? { ok: false, code: "conflict", message: `rollout ${id}: not carried out` };
  }

  private controlHere(id: string, action: ControlAction): ControlResult {
    const now = this.o.clock();
    const r = this.all.get(id);
    if (!r) return { ok: false, code: "not_found", message: `no rollout ${id}` };
    const l = this.live.get(r.policy);
    if (!l || l.record.id !== id || (r.state !== "running" && r.state !== "paused"))
      return { ok: false, code: "conflict", message: `rollout ${id} is ${r.state}: only a running or paused rollout can ${action}` };
    switch (action) {
      case "pause":
        if (r.state === "paused") return { ok: false, code: "conflict", message: `rollout ${id} is already paused` };
        this.update(
          l,
          {
            ...r,
            state: "paused",
            updatedAt: now,
            reason: { at: now, wave: r.wave, kind: "operator", message: "paused by an operator", faults: [], models: [] },
          },
          { at: now, kind: "paused", message: "paused by an operator" },
        );
        break;
      case "resume": {
        if (r.state !== "paused") return { ok: false, code: "conflict", message: `rollout ${id} is not paused` };
        // The wave is judged afresh: its faulted devices are pending again and its clock restarts.
        for (const a of l.devices.values()) if (a.wave === r.wave && a.state === "faulted") this.setDevice(l, a, { ...a, state: "pending", fault: undefined });
        this.update(
          l,
          { ...r, state: "running", waveStartedAt: now, updatedAt: now, reason: undefined },
          { at: now, kind: "resumed", message: `resumed by an operator at wave ${r.wave + 1}` },
        );
        break;
      }
      case "promote":
        this.advance(l, now, "promoted by an operator", "promoted");
        break;
      case "abort":
        this.finish(l, "aborted", now, "aborted by an operator: every device back to the stable version", undefined);
        break;
    }
    return { ok: true, rollout: this.all.get(id) ?? r };
  }

  list(state?: RolloutState): readonly RolloutRecord[] {
    return [...this.all.values()].filter((r) => state === undefined || r.state === state).sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
  }

  get(id: string): RolloutRecord | undefined {
    return this.all.get(id);
  }

  /** Per-wave counts of a rollout in force (undefined for one no longer in force: read them from the store). */
  counts(id: string): readonly WaveCounts[] | undefined {
    const r = this.all.get(id);
    const l = r ? this.live.get(r.policy) : undefined;
    if (!l || l.record.id !== id) return undefined;
    return l.counts.map((_, w) => this.waveCounts(l, w));
  }

  assignments(id: string): readonly DeviceAssignment[] | undefined {
    const r = this.all.get(id);
    const l = r ? this.live.get(r.policy) : undefined;
    return l && l.record.id === id ? [...l.devices.values()] : undefined;
  }

  /** Assignments of any rollout: from memory when in force, else from the store. */
  async storedAssignments(id: string): Promise<readonly DeviceAssignment[]> {
    await this.writes;
    return this.assignments(id) ?? this.o.store.loadAssignments(id);
  }

  events(id: string): Promise<readonly RolloutEvent[]> {
    return this.writes.then(() => this.o.store.events(id, TIMELINE));
  }

  /** The rollout in force for a policy, if any. */
  forPolicy(name: string): RolloutRecord | undefined {
    return this.live.get(name)?.record;
  }

  /** Per governed policy: the revision this device is pinned to and the one it last converged to. */
  deviceVersions(id: string): readonly {
    readonly policy: string;
    readonly rollout: string;
    readonly wave: number | undefined;
    readonly state: DeviceRolloutState | undefined;
    readonly pinned: string;
    readonly applied: string | undefined;
  }[] {
    return [...this.live.values()].map((l) => {
      const r = l.record;
      const a = l.devices.get(id);
      const canary = (r.state === "running" || r.state === "paused") && a !== undefined && a.wave <= r.wave;
      return {
        policy: r.policy,
        rollout: r.id,
        wave: a?.wave,
        state: a?.state,
        pinned: canary ? r.canaryRevision : (r.stableRevision ?? "(none)"),
        applied: a?.applied,
      };
    });
  }
}
