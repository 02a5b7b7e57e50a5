/**
 * The live policy snapshot (I/O): loads the folder, watches it with chokidar, debounces bursts (a `git pull`
 * touches many files), and swaps the snapshot atomically. A change that fails validation is rejected whole:
 * the last good set keeps serving and the errors stay visible through `lastError()`. This is the one piece of
 * mutable state the policy layer has.
 */
import { watch as chokidarWatch } from "chokidar";
import type { FSWatcher } from "chokidar";
import type { Result } from "../domain/result.js";
import type { LoadOptions } from "./load.js";
import { loadPolicySet } from "./load.js";
import type { PolicyError, PolicySet } from "./types.js";

/** The subset of a pino logger the source uses. */
export interface SourceLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface PolicySourceOptions {
  readonly dir: string;
  readonly secretsFile?: string | undefined;
  readonly debounceMs?: number;
  readonly log: SourceLog;
  readonly env?: LoadOptions["env"];
  readonly now?: () => number;
}

export interface PolicySource {
  current(): PolicySet | undefined;
  lastError(): { readonly at: number; readonly errors: readonly PolicyError[] } | undefined;
  reload(): Promise<Result<PolicySet, PolicyError[]>>;
  watch(): void;
  close(): Promise<void>;
  onChange(cb: (set: PolicySet, previous: PolicySet | undefined) => void): void;
  /**
   * Awaited before a new set starts serving (rollouts pin devices to versions first, so no session sees the new
   * set unpinned). A callback that throws does not stop the swap; it is logged.
   */
  beforeChange(cb: (set: PolicySet, previous: PolicySet | undefined) => Promise<void>): void;
  /** Called when a load is rejected (the previous set keeps serving). */
  onReject(cb: (errors: readonly PolicyError[]) => void): void;
}

/** Creates the source. Nothing is loaded until `reload()`; nothing is watched until `watch()`. */
export function createPolicySource(opts: PolicySourceOptions): PolicySource {
  const now = opts.now ?? Date.now;
  const listeners: ((set: PolicySet, previous: PolicySet | undefined) => void)[] = [];
  const rejectListeners: ((errors: readonly PolicyError[]) => void)[] = [];
  const beforeListeners: ((set: PolicySet, previous: PolicySet | undefined) => Promise<void>)[] = [];
  let current: PolicySet | undefined;
  let lastError: { at: number; errors: readonly PolicyError[] } | undefined;
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<Result<PolicySet, PolicyError[]>> | undefined;
  let again = false;

  const loadOpts: LoadOptions = { ...(opts.secretsFile === undefined ? {} : { secretsFile: opts.secretsFile }), ...(opts.env === undefined ? {} : { env: opts.env }), now };

  async function loadOnce(): Promise<Result<PolicySet, PolicyError[]>> {
    const r = await loadPolicySet(opts.dir, loadOpts);
    if (!r.ok) {
      lastError = { at: now(), errors: r.error };
      const errors = r.error.filter((e) => e.severity === "error");
      opts.log.error({ dir: opts.dir, kept: current?.revision, errors: errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`) }, "policy reload rejected: the previous revision keeps serving");
      for (const cb of rejectListeners) cb(r.error);
      return r;
    }
    const previous = current;
    lastError = undefined;
    // A new revision, or rotated secrets (outside git, so not in the revision), is a change.
    if (previous?.revision === r.value.revision && previous.secretsDigest === r.value.secretsDigest) return { ok: true, value: previous };
    for (const cb of beforeListeners) {
      try {
        await cb(r.value, previous);
      } catch (e) {
        opts.log.error({ dir: opts.dir, revision: r.value.revision, err: e instanceof Error ? e.message : String(e) }, "a before-change hook failed; the set serves anyway");
      }
    }
    current = r.value;
    opts.log.info({ dir: opts.dir, revision: r.value.revision, previous: previous?.revision, policies: r.value.policies.length, warnings: r.value.warnings.length }, "policies loaded");
    for (const cb of listeners) cb(r.value, previous);
    return r;
  }

  // Reloads never overlap: a request during a load runs once more after it.
  async function reload(): Promise<Result<PolicySet, PolicyError[]>> {
    if (inFlight !== undefined) {
      again = true;
      return inFlight;
    }
    inFlight = loadOnce();
    try {
      let r = await inFlight;
      while (again) {
        again = false;
        inFlight = loadOnce();
        r = await inFlight;
      }
      return r;
    } finally {
      inFlight = undefined;
    }
  }

  function schedule(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      void reload();
    }, opts.debounceMs ?? 300);
  }

  return {
    current: () => current,
    lastError: () => lastError,
    reload,
    watch() {
      if (watcher !== undefined) return;
      watcher = chokidarWatch(opts.dir, { ignoreInitial: true, ignored: (p) => /(^|[\\/])\.git([\\/]|$)/.test(p) });
      watcher.on("all", schedule);
      watcher.on("error", (e) => opts.log.error({ dir: opts.dir, err: e instanceof Error ? e.message : String(e) }, "policy watcher error"));
    },
    async close() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await watcher?.close();
      watcher = undefined;
      await inFlight;
    },
    onChange(cb) {
      listeners.push(cb);
    },
    onReject(cb) {
      rejectListeners.push(cb);
    },
    beforeChange(cb) {
      beforeListeners.push(cb);
    },
  };
}
