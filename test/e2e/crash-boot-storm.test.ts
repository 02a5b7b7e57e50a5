/**
 * Issue 10.5 end to end: a boot storm of simulated CPEs against a real `converge serve` child process, `kill -9`
 * in the middle of it, a restart on the same SQLite file; the CPEs retry (their first sessions again carry
 * "0 BOOTSTRAP"). Then every device is converged, none has a duplicated instance, and the inventory still
 * knows the instance Converge created on each (write-ahead AddObject intents, BOOTSTRAP no longer wiping it).
 */
import test, { after } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { deviceIdOf } from "../../src/domain/device.js";
import { SimDevice } from "../../src/sim/device.js";
import { runSession } from "../../src/sim/client.js";
import { model } from "../support/fleet-models.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PM = "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.1.WANPPPConnection.1.PortMapping.";
const DEVICES = 40;
const dir = mkdtempSync(join(tmpdir(), "converge-crash-"));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** `converge serve` as a child process (the sources through tsx); resolves once it logs "converge serving". */
async function serve(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "-e", "import('./src/cli/main.ts').then((m) => m.main(['serve']))"], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`converge serve did not start: ${out}`)), 30_000);
    child.stdout?.on("data", (b: Buffer) => {
      out += b.toString();
      if (out.includes("converge serving")) (clearTimeout(timer), resolve());
    });
    child.stderr?.on("data", (b: Buffer) => void (out += b.toString()));
    child.on("exit", (code) => (clearTimeout(timer), reject(new Error(`converge serve exited ${code}: ${out}`))));
  });
  child.removeAllListeners("exit");
  return child;
}

const instances = (d: SimDevice): number[] => Array.from({ length: 32 }, (_, i) => i + 1).filter((n) => d.hasObject(`${PM}${n}.`));

void test(
  "kill -9 in a boot storm, restart on the same database: every device converged, no duplicated instance, inventory intact",
  { timeout: 240_000 },
  async () => {
    const policies = join(dir, "policies");
    mkdirSync(policies);
    copyFileSync(join(ROOT, "policies/port-forward-tr098.yaml"), join(policies, "port-forward-tr098.yaml"));
    copyFileSync(join(ROOT, "policies/inform-tr098.yaml"), join(policies, "inform-tr098.yaml"));
    const [cwmpPort, apiPort] = [await freePort(), await freePort()];
    const env = {
      CONVERGE_CWMP_PORT: String(cwmpPort),
      CONVERGE_API_PORT: String(apiPort),
      CONVERGE_BIND: "127.0.0.1",
      CONVERGE_DB: join(dir, "converge.db"),
      CONVERGE_POLICIES: policies,
      CONVERGE_LOG_LEVEL: "info",
    };
    const acsUrl = `http://127.0.0.1:${cwmpPort}/`;
    let server = await serve(env);

    const fleet = Array.from(
      { length: DEVICES },
      (_, i) => new SimDevice(model("huawei-eg8145v5-tr098.csv"), { serialNumber: `CRASH${String(i).padStart(3, "0")}` }),
    );
    const before = new Map(fleet.map((d) => [d, instances(d)]));
    let sessions = 0;
    let stop = false;
    /** A CPE: sessions until one needs no RPC; a failed session (the ACS gone) is retried, as TR-069 says. */
    const cpe = async (d: SimDevice): Promise<boolean> => {
      for (let attempt = 0; attempt < 60 && !stop; attempt++) {
        const r = await runSession(d, { acsUrl, timeoutMs: 5_000, maxMessages: 200 });
        sessions++;
        if (r.ok && r.rpcs.length === 0) return true;
        if (!r.ok) await sleep(100 + Math.floor(Math.random() * 200));
      }
      return false;
    };
    const running = fleet.map(cpe);
    // kill -9 in the middle of the storm: some sessions have sent AddObject, some only their Inform.
    while (sessions < DEVICES / 2) await sleep(5);
    server.kill("SIGKILL");
    await new Promise((r) => server.once("exit", r));
    await sleep(300);
    server = await serve(env);
    const done = await Promise.race([Promise.all(running), sleep(180_000).then(() => undefined)]);
    stop = true;
    assert.ok(
      done?.every((x) => x),
      "every device converged",
    );

    const api = `http://127.0.0.1:${apiPort}`;
    for (const d of fleet) {
      const added = instances(d).filter((n) => !(before.get(d) ?? []).includes(n));
      const mapping = added.filter((n) => d.get(`${PM}${n}.ExternalPort`)?.value === "8080" && d.get(`${PM}${n}.PortMappingProtocol`)?.value === "TCP");
      assert.equal(added.length, 1, `${d.deviceId.serialNumber}: exactly one instance added (got ${JSON.stringify(added)})`);
      assert.equal(mapping.length, 1, `${d.deviceId.serialNumber}: the instance carries its key`);
      const res = await fetch(`${api}/api/devices/${encodeURIComponent(deviceIdOf(d.deviceId))}/state`);
      assert.equal(res.status, 200);
      const state = (await res.json()) as { inventory: { created: Record<string, number[]> } };
      assert.deepEqual(state.inventory.created[PM], added, `${d.deviceId.serialNumber}: the inventory knows the instance Converge created`);
    }
    server.kill("SIGTERM");
  },
);
