/**
 * Secrets never leave (issue 11): a real server and simulated CPEs holding every kind of secret — a Wi-Fi
 * passphrase from the secrets file and one from a variables file (write-only values), a firmware password from
 * the secrets file, a Download task's password, per-device CPE credentials, the connection-request password
 * Converge generated and that a CPE with the `revealPasswords` quirk reports back in clear — then every API route
 * in /openapi.json (and /openapi.json, /metrics, the transcripts, explain as JSON and text), every CLI output
 * format (plan text/JSON/Markdown through --db and --api, explain) and every log line is searched for the clear
 * values, their plain SHA-256 and the stored keyed hashes. None may appear.
 */
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deviceIdOf, type DeviceId } from "../../src/domain/device.js";
import { SimDevice } from "../../src/sim/device.js";
import { runSession } from "../../src/sim/client.js";
import { runPlan } from "../../src/cli/plan.js";
import { runExplain } from "../../src/cli/explain-cmd.js";
import { openSqliteStore } from "../../src/store/sqlite-store.js";
import { CR_PASSWORD } from "../../src/server/desired-resolver.js";
import { EXAMPLE_POLICIES, startTestServer, type TestServer } from "../support/server.js";
import { model } from "../support/fleet-models.js";

const WIFI = "Wifi-Secret-7781-from-file";
const FW_PASSWORD = "Fw-Secret-3391-from-file";
const TASK_PASSWORD = "Task-Secret-5521-in-a-task";
const CPE_PASSWORD = "Cpe-Secret-8842-per-device";
const OPERATOR_WIFI = "Operator-Set-Passphrase-0042";
const VARS_WIFI = "converge-fleet-default"; // policies/vars/wifi.csv, the `*` row (the TR-181 device's passphrase)

let server: TestServer;
let secretsDir: string;
const logLines: string[] = [];
const ids: DeviceId[] = [];
let crPasswords: string[] = [];
let storedHashes: string[] = [];

async function call(method: string, path: string, body?: unknown, accept?: string): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (accept !== undefined) headers["accept"] = accept;
  const res = await fetch(`${server.apiUrl}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, text: await res.text() };
}

function policiesWithSecrets(): string {
  const dir = join(secretsDir, "policies");
  cpSync(EXAMPLE_POLICIES, dir, { recursive: true });
  const wifi = join(dir, "wifi-tr098.yaml");
  writeFileSync(wifi, readFileSync(wifi, "utf8").replace('"${vars.wifiKey}"', '"${secret.wifiKey}"'));
  const fw = join(dir, "firmware-eg8145v5.yaml");
  writeFileSync(fw, readFileSync(fw, "utf8").replace("  fileSize: 32112640", '  fileSize: 32112640\n  username: fw-user\n  password: "${secret.fwPassword}"'));
  return dir;
}

before(async () => {
  secretsDir = mkdtempSync(join(tmpdir(), "converge-secrets-"));
  const secretsFile = join(secretsDir, "secrets.yaml");
  writeFileSync(secretsFile, `wifiKey: ${WIFI}\nfwPassword: ${FW_PASSWORD}\n`);
  server = await startTestServer({ policies: policiesWithSecrets(), env: { CONVERGE_SECRETS_FILE: secretsFile }, logLines });
  const devices = [
    new SimDevice(model("huawei-eg8145v5-tr098.csv"), { serialNumber: "SECRETS0001", quirks: { revealPasswords: true } }),
    new SimDevice(model("tplink-ex220-tr181.csv"), { serialNumber: "SECRETS0002", quirks: { revealPasswords: true } }),
  ];
  for (const d of devices) {
    const id = deviceIdOf(d.deviceId);
    ids.push(id);
    const first = await runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 10_000, maxMessages: 200 });
    assert.equal(first.ok, true, first.error);
    assert.equal((await call("PUT", `/api/devices/${encodeURIComponent(id)}/debug`, { enabled: true })).status, 200);
    assert.equal((await call("PUT", `/api/devices/${encodeURIComponent(id)}/cpe-credentials`, { password: CPE_PASSWORD })).status, 204);
    const task = await call("POST", `/api/devices/${encodeURIComponent(id)}/tasks`, {
      method: "Download",
      url: "http://127.0.0.1:9/cfg.bin",
      username: "ops",
      password: TASK_PASSWORD,
      fileType: "3 Vendor Configuration File",
    });
    assert.equal(task.status, 201, task.text);
    // An operator reads the ManagementServer object: the quirky CPE answers with its passwords in clear.
    const root = d.deviceId.productClass === "EG8145V5" ? "InternetGatewayDevice." : "Device.";
    const read = await call("POST", `/api/devices/${encodeURIComponent(id)}/tasks`, { method: "GetParameterValues", names: [`${root}ManagementServer.`] });
    assert.equal(read.status, 201, read.text);
    // An operator sets the passphrase by hand: the reconciler then re-sets the policy's (both in the transcript).
    const wifiPath =
      root === "Device." ? "Device.WiFi.AccessPoint.1.Security.KeyPassphrase" : "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.KeyPassphrase";
    const set = await call("POST", `/api/devices/${encodeURIComponent(id)}/tasks`, {
      method: "SetParameterValues",
      values: [{ name: wifiPath, value: OPERATOR_WIFI }],
    });
    assert.equal(set.status, 201, set.text);
    for (let i = 0; i < 3; i++) {
      const r = await runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 10_000, maxMessages: 200 });
      assert.equal(r.ok, true, r.error);
    }
  }
  // The CPE with revealPasswords really reports the generated connection-request password: the test has a leak to find.
  const store = openSqliteStore(server.dbPath);
  try {
    crPasswords = await Promise.all(ids.map(async (id) => (await store.getSecret(id, CR_PASSWORD)) ?? ""));
    storedHashes = (await Promise.all(ids.map(async (id) => [...(await store.loadInventory(id)).writeOnlyHashes.values()]))).flat();
    const reported = (await store.loadReported(ids[0] as DeviceId)).params.get("InternetGatewayDevice.ManagementServer.ConnectionRequestPassword")?.value;
    assert.equal(reported, crPasswords[0], "the device reported its connection-request password back (the quirk)");
  } finally {
    await store.close();
  }
  assert.ok(crPasswords.every((p) => p.length >= 8));
  assert.ok(storedHashes.length >= 3, `write-only hashes stored: ${storedHashes.length}`);
});

after(async () => {
  await server.close();
  rmSync(secretsDir, { recursive: true, force: true });
});

const sha = (s: string): string => createHash("sha256").update(s, "utf8").digest("hex");

/** Every string that must never appear in an output, with a name for the failure message. */
function forbidden(): [string, string][] {
  const clear: [string, string][] = [
    ["wifi passphrase (secret)", WIFI],
    ["wifi passphrase (vars)", VARS_WIFI],
    ["firmware password", FW_PASSWORD],
    ["Download task password", TASK_PASSWORD],
    ["SetParameterValues task passphrase", OPERATOR_WIFI],
    ["CPE password", CPE_PASSWORD],
    ...crPasswords.map((p, i): [string, string] => [`connection-request password ${i}`, p]),
  ];
  return [
    ...clear,
    ...clear.map(([n, v]): [string, string] => [`plain SHA-256 of ${n}`, sha(v)]),
    ...storedHashes.map((h, i): [string, string] => [`stored keyed hash ${i}`, h]),
  ];
}

function assertClean(where: string, text: string): void {
  for (const [name, value] of forbidden()) assert.equal(text.includes(value), false, `${where} shows the ${name}`);
}

void test("every API route, the transcripts, /metrics and /openapi.json: no secret in clear, no hash of one", async () => {
  const doc = JSON.parse((await call("GET", "/openapi.json")).text) as { paths: Record<string, Record<string, unknown>> };
  assertClean("/openapi.json", JSON.stringify(doc));
  let walked = 0;
  for (const id of ids) {
    const device = JSON.parse((await call("GET", `/api/devices/${encodeURIComponent(id)}`)).text) as { sessions: { id: string }[] };
    const sessions = device.sessions.map((s) => s.id);
    assert.ok(sessions.length > 0);
    for (const [template, methods] of Object.entries(doc.paths)) {
      if (!("get" in methods)) continue;
      const paths = template.includes("{session}") ? sessions.map((s) => template.replace("{session}", encodeURIComponent(s))) : [template];
      for (const p of paths) {
        const url = p.replace("{id}", encodeURIComponent(id));
        for (const suffix of url.endsWith("/explain") ? ["", "?format=text"] : [""]) {
          const r = await call("GET", `${url}${suffix}`);
          assert.ok(r.status < 500, `${url}${suffix}: ${r.status}`);
          assertClean(`GET ${url}${suffix}`, r.text);
          walked++;
        }
      }
    }
    // The routes that change something answer too: their bodies are outputs as well.
    const task = await call("POST", `/api/devices/${encodeURIComponent(id)}/tasks`, {
      method: "Download",
      url: "http://127.0.0.1:9/x.bin",
      password: TASK_PASSWORD,
    });
    assertClean("POST tasks", task.text);
    const compare = await call("POST", `/api/devices/${encodeURIComponent(id)}/write-only/compare`, {
      values: [{ path: "Device.WiFi.AccessPoint.1.Security.KeyPassphrase", sha256: sha(VARS_WIFI) }],
    });
    assert.equal(compare.status, 200, compare.text);
    assertClean("POST write-only/compare", compare.text);
  }
  assert.ok(walked >= 20, `walked ${walked} GET responses`);
  // The transcripts hold the raw SOAP (SetParameterValues with the passphrases, Download with the passwords).
  const t = await call("GET", `/api/devices/${encodeURIComponent(ids[0] as DeviceId)}`);
  const sessions = (JSON.parse(t.text) as { sessions: { id: string }[] }).sessions;
  const transcripts = await Promise.all(
    sessions.map((s) => call("GET", `/api/devices/${encodeURIComponent(ids[0] as DeviceId)}/sessions/${encodeURIComponent(s.id)}`)),
  );
  const bodies = transcripts.filter((x) => x.status === 200).map((x) => x.text);
  assert.ok(
    bodies.some((b) => b.includes("SetParameterValues") && b.includes("KeyPassphrase")),
    "a transcript with the passphrase's SetParameterValues",
  );
  assert.ok(
    bodies.some((b) => b.includes('"raw"') && b.includes("cwmp:Inform")),
    "transcripts keep the raw SOAP the CPE sent",
  );
  for (const b of bodies) assertClean("transcript", b);
});

async function cli(run: typeof runPlan, args: string[]): Promise<string> {
  let out = "";
  const code = await run(args, { stdout: (s) => (out += s), stderr: (s) => (out += s) }, {});
  assert.ok(code === 0 || code === 2, `${args.join(" ")}: exit ${code}: ${out.slice(0, 400)}`);
  return out;
}

void test("every CLI output: plan text, JSON and Markdown through --db and --api, and explain", async () => {
  const secretsFile = join(secretsDir, "secrets.yaml");
  // An edited secret makes the plan set the passphrase (and show the step, masked); the firmware pin stays.
  const edited = join(secretsDir, "edited-secrets.yaml");
  writeFileSync(edited, `wifiKey: ${WIFI}-rotated\nfwPassword: ${FW_PASSWORD}\n`);
  const outputs: [string, string][] = [];
  for (const source of [
    ["--db", server.dbPath],
    ["--api", server.apiUrl],
  ]) {
    for (const format of [[], ["--json"], ["--markdown"]]) {
      for (const s of [secretsFile, edited]) {
        const args = [server.policiesDir, ...source, ...format, "--secrets-file", s, "--detailed-exitcode"];
        outputs.push([args.join(" "), await cli(runPlan, args)]);
      }
    }
  }
  const rotated = outputs.find(([a]) => a.includes("--db") && a.includes("--json") && a.includes("edited"))?.[1] ?? "";
  assert.match(rotated, /KeyPassphrase/, "the rotated passphrase is planned (and masked)");
  for (const id of ids)
    outputs.push([`explain ${id}`, await cli(runExplain, [id, "--db", server.dbPath, "--policies", server.policiesDir, "--secrets-file", secretsFile])]);
  for (const [where, text] of outputs) {
    assertClean(where, text);
    assert.equal(text.includes(`${WIFI}-rotated`), false, `${where} shows the rotated passphrase`);
  }
});

void test("every log line (debug level) is masked", () => {
  assert.ok(logLines.length > 5, `captured ${logLines.length} log lines`);
  assertClean("the server log", logLines.join("\n"));
});
