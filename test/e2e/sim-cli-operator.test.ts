/**
 * `converge sim` as an operator runs it: against an https ACS with --ca (the fleet's agent is an https one),
 * a network failure that says what failed, a fleet whose EG8145V5 really downloads the example policy's image
 * and informs with 1 BOOT at once (rounds 1, interval 300 s: no periodic visit could do it), and a summary
 * when the process gets SIGTERM.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { runSim } from "../../src/cli/sim.js";
import { runSession } from "../../src/sim/client.js";
import { SimDevice } from "../../src/sim/device.js";
import type { FleetSummary } from "../../src/sim/fleet-report.js";
import { EXAMPLE_POLICIES, startTestServer, type TestServer } from "../support/server.js";
import { generateTestCert, type TestCert } from "../support/tls-cert.js";
import { model } from "../support/fleet-models.js";
import { apiClient } from "../support/api-client.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FILES = fileURLToPath(new URL("../../files/", import.meta.url));
const EG_ONLY = ["--model", fileURLToPath(new URL("../fixtures/datamodels/huawei-eg8145v5-tr098.csv", import.meta.url))];

async function sim(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runSim(args, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) }, {});
  return { code, out, err };
}

describe("converge sim against an https ACS", () => {
  let cert: TestCert;
  let server: TestServer;
  before(async () => {
    cert = await generateTestCert();
    server = await startTestServer({
      policies: EXAMPLE_POLICIES,
      env: { CONVERGE_TLS_CERT: cert.certPath, CONVERGE_TLS_KEY: cert.keyPath, CONVERGE_FILES_DIR: FILES },
    });
  });
  after(async () => {
    await server.close();
    cert.remove();
  });

  it("--acs https://... --ca file: every device converges, the firmware is fetched over https", { timeout: 60_000 }, async () => {
    assert.match(server.cwmpUrl, /^https:/);
    const r = await sim(["--acs", server.cwmpUrl, "--ca", cert.certPath, "--count", "3", "--concurrency", "3", "--json", "--deadline", "40", ...EG_ONLY]);
    assert.equal(r.code, 0, r.err + r.out);
    const s = JSON.parse(r.out) as FleetSummary;
    assert.equal(s.done, 3);
    assert.deepEqual(s.errors, {});
    // Each EG8145V5 downloaded the 64 KiB image (over https, trusting --ca) and came back with 1 BOOT at once.
    assert.deepEqual(s.counters.downloads, { count: 3, bytes: 3 * 65536, resumed: 0, failed: 0 });
    assert.ok(s.sessionsOk >= 6, `a session after each boot: ${s.sessionsOk}`);
    // (The API is on TLS too, with the same self-signed certificate: read the store.)
    const list = (await server.store.listDevices({ productClass: "EG8145V5", limit: 10 })).devices;
    assert.equal(list.length, 3);
    for (const d of list) {
      assert.equal(d.softwareVersion, "V5R020C10S115");
      // Its last Inform is the one right after the download: what a real CPE sends after a firmware upgrade.
      const codes = d.lastEvents.map((e) => e.code);
      for (const c of ["1 BOOT", "M Download", "7 TRANSFER COMPLETE"]) assert.ok(codes.includes(c), `${c} in ${codes.join(",")}`);
    }
  });

  it("without --ca the failure says it is TLS and what to do", { timeout: 30_000 }, async () => {
    const d = new SimDevice(model("zte-h199a-tr098.csv"), { serialNumber: "NO-CA" });
    const r = await runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 5000, maxMessages: 10 });
    assert.equal(r.error, "network");
    assert.match(r.detail ?? "", /TLS to https:\/\/127\.0\.0\.1:\d+.*--ca/);
    const cli = await sim(["--acs", server.cwmpUrl, "--count", "1", "--deadline", "2", "--retry-min", "1"]);
    assert.equal(cli.code, 1);
    assert.match(cli.out, /network\s+TLS to https:/);
  });
});

it("a refused connection names the error and the address", async () => {
  const d = new SimDevice(model("zte-h199a-tr098.csv"), { serialNumber: "REFUSED" });
  const r = await runSession(d, { acsUrl: "http://127.0.0.1:1/", timeoutMs: 2000, maxMessages: 10 });
  assert.equal(r.error, "network");
  assert.match(r.detail ?? "", /ECONNREFUSED.*127\.0\.0\.1:1/);
});

it("SIGTERM stops converge sim with its summary", { timeout: 60_000 }, async () => {
  const server = await startTestServer();
  try {
    const script = `import("./src/cli/main.ts").then((m) => m.main(${JSON.stringify(["sim", "--acs", server.cwmpUrl, "--count", "4", "--duration", "120", "--interval", "1"])})).then((c) => { process.exitCode = c; })`;
    const child = spawn(process.execPath, ["--import", "tsx", "-e", script], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (out += b.toString()));
    const api = apiClient(server.apiUrl);
    for (let i = 0; i < 200 && (await api<{ devices: number }>("GET", "/api/health")).json.devices < 4; i++) await new Promise((r) => setTimeout(r, 100));
    child.kill("SIGTERM");
    const code = await new Promise<number | null>((resolve) => {
      const t = setTimeout(() => (child.kill("SIGKILL"), resolve(null)), 20_000);
      child.on("exit", (c) => (clearTimeout(t), resolve(c)));
    });
    assert.notEqual(code, null, `still running after SIGTERM:\n${out}`);
    assert.match(out, /goal reached\s+\d+\/4 \(stopped: aborted\)/);
    assert.match(out, /sessions ok\s+[1-9]/);
  } finally {
    await server.close();
  }
});
