/**
 * `converge rollout ...` against a real server over 127.0.0.1 with API tokens: list and status (a progress bar
 * per wave), pause/resume/promote/abort with a write token, refused with a read token, exit codes, --json.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import { ManualClock, RolloutFleet, type RolloutJson } from "../support/rollout-fleet.js";

const PATH = "InternetGatewayDevice.ManagementServer.PeriodicInformInterval";
const policy = (interval: number): string => `name: interval
match: { dataModel: tr098 }
parameters:
  ${PATH}: ${interval}
rollout: { waves: [1, 50%, 100%], soak: 1h, gate: { converged: 100%, maxFaulted: 0%, within: 2h } }
`;
const sha = (s: string): string => createHash("sha256").update(s).digest("hex");

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "",
    err = "";
  const code = await main(["rollout", ...args], { stdout: (s) => void (out += s), stderr: (s) => void (err += s) }, {});
  return { code, out, err };
}

void test("converge rollout: list, status with progress bars, pause/resume/promote/abort, scopes and exit codes", async () => {
  const env = { CONVERGE_API_TOKENS: `ops:${sha("write-token")}:write,viewer:${sha("read-token")}:read` };
  const fleet = await RolloutFleet.start({ files: { "interval.yaml": policy(3600) }, clock: new ManualClock(Date.parse("2026-12-01T10:00:00Z")), env });
  try {
    fleet.add("huawei-bm632w-tr098.csv", 4, "CL0");
    fleet.add("zte-h199a-tr098.csv", 4, "CL1");
    await fleet.converge();
    fleet.writePolicy("interval.yaml", policy(1800));
    // converge plan previews the rollout the change would start, against the version the server serves.
    let planOut = "";
    const planCode = await main(
      ["plan", fleet.policiesDir, "--db", join(fleet.dir, "converge.db"), "--json"],
      { stdout: (s) => void (planOut += s), stderr: (s) => void (planOut += s) },
      {},
    );
    assert.equal(planCode, 0, planOut);
    const preview = (JSON.parse(planOut) as { rollouts: { policy: string; waves: { size: string; devices: number }[]; canaryModels: string[] }[] }).rollouts;
    assert.deepEqual(
      preview.map((r) => [r.policy, r.waves.map((w) => w.devices)]),
      [["interval", [2, 2, 4]]],
    );
    assert.equal(preview[0]?.canaryModels.length, 2, "one canary per model");
    let planText = "";
    await main(
      ["plan", fleet.policiesDir, "--db", join(fleet.dir, "converge.db")],
      { stdout: (s) => void (planText += s), stderr: (s) => void (planText += s) },
      {},
    );
    assert.match(
      planText,
      /rollouts this change would start:\n {2}interval: \S+ -> \S+\n {4}waves: 1\) 1 = 2 devices, 2\) 50% = 2 devices, 3\) 100% = 4 devices/,
    );
    await reload(fleet);
    const api = ["--api", fleet.running.apiUrl];
    const read = [...api, "--token", "read-token"];
    const write = [...api, "--token", "write-token"];

    const list = await cli(["list", ...read]);
    assert.equal(list.code, 0, list.err);
    const id = /^(r\d+-interval)\s+running/m.exec(list.out)?.[1] ?? assert.fail(list.out);
    const json = await cli(["list", "--json", "--state", "running", ...read]);
    assert.equal((JSON.parse(json.out) as { rollouts: RolloutJson[] }).rollouts[0]?.id, id);

    await fleet.round();
    const status = await cli(["status", id, ...read]);
    assert.equal(status.code, 0, status.err);
    assert.match(status.out, /RUNNING/);
    assert.match(status.out, /> wave 1 \(\s*1\) \[#{30}\] 100%\s+2 devices: 2 converged, 0 pending, 0 faulted/, "canary wave: one device per model, converged");
    assert.match(status.out, / {2}wave 3 \(100%\) \[\.{30}\]\s+0%\s+\d+ devices: \d+ waiting/);

    const refused = await cli(["pause", id, ...read]);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /forbidden/);
    assert.equal((await cli(["pause", id, ...write])).code, 0);
    const paused = await cli(["status", id, ...read]);
    assert.equal(paused.code, 3, "a paused rollout needs a person");
    assert.match(paused.out, /PAUSED[\s\S]*reason: paused by an operator/);
    assert.equal((await cli(["pause", id, ...write])).code, 1, "pausing twice is refused");
    assert.equal((await cli(["resume", id, ...write])).code, 0);
    const promoted = await cli(["promote", id, ...write, "--json"]);
    assert.equal(promoted.code, 0, promoted.err);
    assert.equal((JSON.parse(promoted.out) as RolloutJson).wave, 1);
    assert.equal((await cli(["abort", id, ...write])).code, 0);
    assert.equal((await cli(["status", id, ...read])).code, 3);
    assert.equal((await cli(["abort", id, ...write])).code, 1, "an aborted rollout cannot be aborted again");
    const missing = await cli(["status", "r999-nope", ...read]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /not_found/);
    assert.equal((await cli(["status", ...read])).code, 2, "status needs an id");
    assert.equal((await cli(["frobnicate", "x", ...read])).code, 2);
    assert.equal((await cli(["list", "--bogus", ...read])).code, 2);
  } finally {
    await fleet.close();
  }
});

/** Reloads over the API with the write token. */
async function reload(fleet: RolloutFleet): Promise<void> {
  const res = await fetch(`${fleet.running.apiUrl}/api/policies/reload`, { method: "POST", headers: { authorization: "Bearer write-token" } });
  assert.equal(res.status, 200);
  await fleet.running.rollouts.flushed();
}
