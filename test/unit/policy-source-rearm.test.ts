/**
 * #10.6: hot reload survives the policies folder being deleted, re-created or swapped (a `git checkout` of the
 * folder, a deploy that retargets a symlink). The source watches the parent, re-arms, and says when the folder is
 * missing. Real folders and real chokidar; the debounce runs on injected timers, so nothing waits on the clock:
 * the test fires the debounce itself once the watcher has asked for it.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { createPolicySource, type SourceTimers } from "../../src/policy/source.js";
import { startTestServer } from "../support/server.js";

const policy = (interval: number): string => `name: inform\nparameters:\n  InternetGatewayDevice.ManagementServer.PeriodicInformInterval: ${interval}\n`;

/** Debounce timers the test fires by hand. */
function manualTimers(): SourceTimers & { pending(): number; fire(): void } {
  const queue = new Map<number, () => void>();
  let next = 1;
  return {
    setTimeout(fn) {
      const id = next++;
      queue.set(id, fn);
      return id;
    },
    clearTimeout(h) {
      queue.delete(h as number);
    },
    pending: () => queue.size,
    fire() {
      const fns = [...queue.values()];
      queue.clear();
      for (const f of fns) f();
    },
  };
}

/** Waits for an event (a condition), bounded; never asserts on elapsed time. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never happened: ${what}`);
}

it("the source re-arms after the folder is deleted and re-created, and after a symlink swap; it logs the missing folder", async () => {
  const root = mkdtempSync(join(tmpdir(), "converge-rearm-"));
  const dir = join(root, "policies");
  mkdirSync(dir);
  writeFileSync(join(dir, "inform.yaml"), policy(100));
  const timers = manualTimers();
  const logs: string[] = [];
  const log = { info: (_o: object, m: string) => void logs.push(m), error: (_o: object, m: string) => void logs.push(m) };
  const source = createPolicySource({ dir, log, env: {}, timers, debounceMs: 300 });
  const interval = (): string | undefined => source.current()?.policies[0]?.values[0]?.literal;
  /** Fires the debounce once the watcher scheduled it, then waits for the reload it starts. */
  const settle = async (what: string, expected: string): Promise<void> => {
    await until(() => timers.pending() > 0, `a reload to be scheduled after ${what}`);
    timers.fire();
    await until(() => interval() === expected, `the reload after ${what}`);
  };
  try {
    assert.ok((await source.reload()).ok);
    source.watch();
    await new Promise((r) => setTimeout(r, 300)); // chokidar's initial scan
    writeFileSync(join(dir, "inform.yaml"), policy(200));
    await settle("an edit", "200");

    // Deleted: the folder's watcher dies with it. The source says so and keeps serving.
    rmSync(dir, { recursive: true });
    await until(() => source.folderState() === "missing", "the missing folder to be noticed");
    assert.ok(
      logs.some((m) => /policies folder is missing/.test(m)),
      logs.join("\n"),
    );
    assert.equal(interval(), "200", "the last good set keeps serving");
    if (timers.pending() > 0) timers.fire();
    await until(() => source.lastError() !== undefined, "the reload of a missing folder to be rejected");
    assert.equal(interval(), "200");

    // Re-created (git checkout): watched again, and edits after it are picked up.
    mkdirSync(dir);
    writeFileSync(join(dir, "inform.yaml"), policy(300));
    await settle("the re-create", "300");
    assert.equal(source.folderState(), "present");
    assert.ok(logs.some((m) => /policies folder is back/.test(m)));
    await new Promise((r) => setTimeout(r, 300));
    writeFileSync(join(dir, "inform.yaml"), policy(301));
    await settle("an edit in the re-created folder", "301");

    // A deploy swaps a symlink: policies -> releases/a, then atomically -> releases/b.
    rmSync(dir, { recursive: true });
    for (const [rel, n] of [
      ["a", 400],
      ["b", 500],
    ] as const) {
      mkdirSync(join(root, "releases", rel), { recursive: true });
      writeFileSync(join(root, "releases", rel, "inform.yaml"), policy(n));
    }
    symlinkSync(join(root, "releases", "a"), dir);
    await settle("the symlink's creation", "400");
    symlinkSync(join(root, "releases", "b"), join(root, "policies.new"));
    renameSync(join(root, "policies.new"), dir);
    await settle("the symlink swap", "500");
    await new Promise((r) => setTimeout(r, 300));
    writeFileSync(join(root, "releases", "b", "inform.yaml"), policy(501));
    await settle("an edit behind the swapped symlink", "501");
  } finally {
    await source.close();
    rmSync(root, { recursive: true, force: true });
  }
});

it("/api/health says when the policies folder is missing, and the server picks it up again", async () => {
  const s = await startTestServer();
  try {
    writeFileSync(join(s.policiesDir, "inform.yaml"), policy(600));
    assert.equal((await fetch(`${s.apiUrl}/api/policies/reload`, { method: "POST" })).status, 200);
    const health = async (): Promise<{ policiesFolder: string; policyRevision: string | null }> =>
      (await (await fetch(`${s.apiUrl}/api/health`)).json()) as { policiesFolder: string; policyRevision: string | null };
    const before = await health();
    assert.equal(before.policiesFolder, "present");
    rmSync(s.policiesDir, { recursive: true });
    let h = before;
    for (let i = 0; i < 200 && h.policiesFolder !== "missing"; i++) {
      await new Promise((r) => setTimeout(r, 25));
      h = await health();
    }
    assert.equal(h.policiesFolder, "missing");
    assert.equal(h.policyRevision, before.policyRevision, "the last good revision keeps serving");
    mkdirSync(s.policiesDir);
    writeFileSync(join(s.policiesDir, "inform.yaml"), policy(700));
    for (let i = 0; i < 200 && (h.policiesFolder !== "present" || h.policyRevision === before.policyRevision); i++) {
      await new Promise((r) => setTimeout(r, 25));
      h = await health();
    }
    assert.equal(h.policiesFolder, "present");
    assert.notEqual(h.policyRevision, before.policyRevision);
  } finally {
    await s.close();
  }
});
