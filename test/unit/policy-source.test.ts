// The live source against a real folder and real chokidar: a valid edit is picked up with a new revision; an
// invalid one is rejected whole and the previous revision keeps serving. Waits are bounded.
import test from "node:test";
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createPolicySource } from "../../src/policy/source.js";
import type { PolicySet } from "../../src/policy/types.js";
import { makePolicyDir, removeDir } from "../support/policy-fixtures.js";
import { FakeClock } from "../support/fake-clock.js";

const PII = "InternetGatewayDevice.ManagementServer.PeriodicInformInterval";
const policy = (interval: string): string => `name: inform\nparameters:\n  ${PII}: ${interval}\n`;

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const silent = { info: () => undefined, error: () => undefined };

void test("policy source: reload on change, reject an invalid change whole, keep serving the last good set", async () => {
  const dir = makePolicyDir({ "inform.yaml": policy("3600") });
  const errors: string[] = [];
  const source = createPolicySource({ dir, debounceMs: 50, log: { ...silent, error: (_o, msg) => void errors.push(msg) }, env: {} });
  const changes: [string, string | undefined][] = [];
  source.onChange((set, prev) => changes.push([set.revision, prev?.revision]));
  try {
    const first = await source.reload();
    assert.ok(first.ok);
    const r1 = first.value.revision;
    assert.match(r1, /^sha256:[0-9a-f]{16}$/);
    source.watch();
    await new Promise((r) => setTimeout(r, 200)); // let chokidar finish its initial scan

    writeFileSync(join(dir, "inform.yaml"), policy("300"));
    await until(() => source.current()?.revision !== r1, "the valid edit to load");
    const set2 = source.current() as PolicySet;
    assert.equal(set2.policies[0]?.values[0]?.literal, "300");
    assert.deepEqual(changes, [
      [r1, undefined],
      [set2.revision, r1],
    ]);

    writeFileSync(join(dir, "inform.yaml"), policy("[not, a, value"));
    await until(() => source.lastError() !== undefined, "the invalid edit to be rejected");
    assert.equal(source.current(), set2, "the previous snapshot keeps serving");
    assert.equal(source.lastError()?.errors[0]?.code, "yaml-syntax");
    assert.equal(errors.length, 1);
    assert.equal(changes.length, 2);

    writeFileSync(join(dir, "inform.yaml"), policy("300")); // back to the served content: same revision, no change event
    await until(() => source.lastError() === undefined, "the fixed edit to load");
    assert.equal(source.current()?.revision, set2.revision);
    assert.equal(changes.length, 2);
  } finally {
    await source.close();
    removeDir(dir);
  }
});

void test("policy source: a burst of writes is debounced into one reload, on a fake clock", async () => {
  const dir = makePolicyDir({ "inform.yaml": policy("1") });
  let loads = 0;
  const clock = new FakeClock();
  let scheduled = 0;
  const timers = { setTimeout: (fn: () => void, ms: number) => (scheduled++, clock.setTimeout(fn, ms)), clearTimeout: (h: unknown) => clock.clearTimeout(h) };
  const source = createPolicySource({ dir, debounceMs: 150, log: { info: () => void loads++, error: () => undefined }, env: {}, timers });
  try {
    await source.reload();
    assert.equal(loads, 1);
    source.watch();
    await new Promise((r) => setTimeout(r, 200)); // chokidar's initial scan
    for (let i = 2; i <= 20; i++) writeFileSync(join(dir, `p${i}.yaml`), `name: p${i}\nparameters:\n  InternetGatewayDevice.X_A.P${i}: ${i}\n`);
    await until(() => scheduled >= 19, "the watcher to report every written file");
    // Each event restarted the one debounce timer: one reload is pending, none has run.
    assert.deepEqual(clock.pendingTimeouts(), [150]);
    assert.equal(loads, 1, "nothing reloads while the burst lasts");
    clock.advance(100);
    writeFileSync(join(dir, "p21.yaml"), `name: p21\nparameters:\n  InternetGatewayDevice.X_A.P21: 21\n`);
    const before = scheduled;
    await until(() => scheduled > before, "the late write to be reported");
    clock.advance(149);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(loads, 1, "a write restarts the delay: still nothing after 249 ms of fake time");
    assert.deepEqual(clock.pendingTimeouts(), [1]);
    clock.advance(1);
    await until(() => source.current()?.policies.length === 21, "all 21 policies");
    assert.equal(loads, 2, "the whole burst is one reload");
    assert.equal(clock.pending(), 0);
  } finally {
    await source.close();
    removeDir(dir);
  }
});

void test("policy source: rotated secrets (outside git, same folder) are a change on reload, with the same revision", async () => {
  const dir = makePolicyDir({ "inform.yaml": policy("3600") });
  const secrets = join(dir, "..", `secrets-${process.pid}-${Date.now()}.yaml`);
  writeFileSync(secrets, "wifiKey: first-key\n");
  const source = createPolicySource({ dir, secretsFile: secrets, debounceMs: 50, log: silent, env: {} });
  const changes: string[] = [];
  source.onChange((set) => changes.push(set.secretsDigest));
  try {
    const first = await source.reload();
    assert.ok(first.ok);
    assert.equal(first.value.lookups.secret("wifiKey"), "first-key");
    writeFileSync(secrets, "wifiKey: rotated-key\n");
    const second = await source.reload();
    assert.ok(second.ok);
    assert.equal(second.value.revision, first.value.revision, "the folder did not change");
    assert.notEqual(second.value.secretsDigest, first.value.secretsDigest);
    assert.equal(source.current()?.lookups.secret("wifiKey"), "rotated-key", "the new secret serves");
    assert.equal(changes.length, 2);
  } finally {
    await source.close();
    removeDir(dir);
    rmSync(secrets, { force: true });
  }
});
