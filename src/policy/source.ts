/**
 * The live policy snapshot (I/O): loads the folder, watches it with chokidar, debounces bursts (a `git pull`
 * touches many files), and swaps the snapshot atomically. A change that fails validation is rejected whole:
 * the last good set keeps serving and the errors stay visible through `lastError()`. This is the one piece of
 * mutable state the policy layer has.
 */
import { existsSync, lstatSync, statSync, watch as fsWatch, type FSWatcher as FsWatcher } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { watch as chokidarWatch } from "chokidar";
import type { FSWatcher } from "chokidar";
import type { Result } from "../domain/result.js";
import type { Timers } from "../domain/clock.js";
import type { LoadOptions } from "./load.js";
import { loadPolicySet } from "./load.js";
import { createOffThreadLoader, type OffThreadLoader } from "./off-thread.js";
import type { PolicyError, PolicySet } from "./types.js";

/** The subset of a pino logger the source uses. */
export interface SourceLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** The timers the reload debounce uses (injected by tests, which then fire them instead of waiting). */
export type SourceTimers = Pick<Timers, "setTimeout" | "clearTimeout">;

/**
 * A symbolic link that cannot be followed (a loop, or dangling). The watcher is kept away from it: chokidar would
 * stat it later and reject a promise nobody handles, which ends the process. The loader still reports it.
 */
function brokenLink(path: string): boolean {
  try {
    if (!lstatSync(path).isSymbolicLink()) return false;
    statSync(path);
    return false;
  } catch {
    return true;
  }
}

const REAL_TIMERS: SourceTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface PolicySourceOptions {
  readonly dir: string;
  readonly secretsFile?: string | undefined;
  readonly debounceMs?: number;
  readonly log: SourceLog;
  readonly env?: LoadOptions["env"];
  readonly now?: () => number;
  /** Load and compile in a worker thread, off the event loop (the server does; default false). */
  readonly offThread?: boolean;
  readonly timers?: SourceTimers;
  /** Hosted files (files.dir) a firmware `file:` names. */
  readonly filesDir?: string;
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
  /** Whether the watched folder exists now ("missing" after a delete, until it comes back). */
  folderState(): "present" | "missing";
}

/** Creates the source. Nothing is loaded until `reload()`; nothing is watched until `watch()`. */
export function createPolicySource(opts: PolicySourceOptions): PolicySource {
  const now = opts.now ?? Date.now;
  const listeners: ((set: PolicySet, previous: PolicySet | undefined) => void)[] = [];
  const rejectListeners: ((errors: readonly PolicyError[]) => void)[] = [];
  const beforeListeners: ((set: PolicySet, previous: PolicySet | undefined) => Promise<void>)[] = [];
  let current: PolicySet | undefined;
  let lastError: { at: number; errors: readonly PolicyError[] } | undefined;
  const timers = opts.timers ?? REAL_TIMERS;
  const dir = resolve(opts.dir);
  let watcher: FSWatcher | undefined;
  let parentWatcher: FsWatcher | undefined;
  let watching = false;
  let missing = false;
  let timer: unknown;
  let loader: OffThreadLoader | undefined;
  let inFlight: Promise<Result<PolicySet, PolicyError[]>> | undefined;
  let again = false;

  const loadOpts: LoadOptions = {
    ...(opts.secretsFile === undefined ? {} : { secretsFile: opts.secretsFile }),
    ...(opts.env === undefined ? {} : { env: opts.env }),
    ...(opts.filesDir === undefined ? {} : { filesDir: opts.filesDir }),
    now,
  };

  async function loadOnce(): Promise<Result<PolicySet, PolicyError[]>> {
    let r: Result<PolicySet, PolicyError[]>;
    try {
      if (opts.offThread === true) {
        loader ??= createOffThreadLoader();
        r = await loader.load(opts.dir, loadOpts);
      } else r = await loadPolicySet(opts.dir, loadOpts);
    } catch (e) {
      r = {
        ok: false,
        error: [
          {
            file: ".",
            line: 1,
            column: 1,
            severity: "error",
            code: "load-failed",
            path: "",
            message: `loading ${opts.dir} failed: ${e instanceof Error ? e.message : String(e)}`,
          },
        ],
      };
    }
    if (!r.ok) {
      lastError = { at: now(), errors: r.error };
      const errors = r.error.filter((e) => e.severity === "error");
      opts.log.error(
        { dir: opts.dir, kept: current?.revision, errors: errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`) },
        "policy reload rejected: the previous revision keeps serving",
      );
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
        opts.log.error(
          { dir: opts.dir, revision: r.value.revision, err: e instanceof Error ? e.message : String(e) },
          "a before-change hook failed; the set serves anyway",
        );
      }
    }
    current = r.value;
    opts.log.info(
      { dir: opts.dir, revision: r.value.revision, previous: previous?.revision, policies: r.value.policies.length, warnings: r.value.warnings.length },
      "policies loaded",
    );
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
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = timers.setTimeout(() => {
      timer = undefined;
      void reload();
    }, opts.debounceMs ?? 300);
  }

  const isFolder = (): boolean => {
    try {
      return existsSync(dir) && statSync(dir).isDirectory();
    } catch {
      return false;
    }
  };

  /** (Re)creates the folder's own watcher: after a delete, a re-create or a symlink swap the old one is blind. */
  function arm(): void {
    const old = watcher;
    watcher = undefined;
    void old?.close();
    if (!isFolder()) {
      if (!missing) {
        missing = true;
        opts.log.error(
          { dir: opts.dir, kept: current?.revision },
          "policies folder is missing: hot reload waits for it to come back; the last good revision keeps serving",
        );
      }
      return;
    }
    if (missing) {
      missing = false;
      opts.log.info({ dir: opts.dir }, "policies folder is back: watching and reloading it");
    }
    const w = chokidarWatch(dir, { ignoreInitial: true, ignored: (p) => /(^|[\\/])\.git([\\/]|$)/.test(p) || brokenLink(p) });
    w.on("all", (event, path) => {
      // The folder itself went away (deleted, or renamed over): its watcher is dead, the parent's re-arms.
      if (event === "unlinkDir" && resolve(path) === dir) rearm();
      else schedule();
    });
    w.on("error", (e) => {
      opts.log.error({ dir: opts.dir, err: e instanceof Error ? e.message : String(e) }, "policy watcher error: re-arming");
      rearm();
    });
    watcher = w;
  }

  function rearm(): void {
    if (!watching) return;
    arm();
    schedule();
  }

  return {
    current: () => current,
    lastError: () => lastError,
    reload,
    folderState: () => (missing ? "missing" : "present"),
    watch() {
      if (watching) return;
      watching = true;
      // The parent sees the folder deleted, created again, or swapped (a symlink retargeted by a deploy).
      const name = basename(dir);
      // fs.watch on the parent directory reports every rename/create/delete of its entries by name, including a
      // symlink renamed over the folder's name (chokidar folds that into nothing).
      try {
        parentWatcher = fsWatch(dirname(dir), (_event, file) => {
          if (file === null || file.toString() === name) rearm();
        });
        parentWatcher.on("error", (e) => opts.log.error({ dir: dirname(dir), err: e.message }, "policy folder parent watcher error"));
        parentWatcher.unref();
      } catch (e) {
        opts.log.error(
          { dir: dirname(dir), err: e instanceof Error ? e.message : String(e) },
          "cannot watch the policies folder's parent: a deleted or swapped folder will not be noticed",
        );
      }
      arm();
    },
    async close() {
      watching = false;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      await watcher?.close();
      parentWatcher?.close();
      watcher = undefined;
      parentWatcher = undefined;
      await inFlight;
      await loader?.close();
      loader = undefined;
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
