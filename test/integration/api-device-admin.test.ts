/**
 * Device ids as the list shows them (a `-` in a serial is `%2D`), DELETE /api/devices/:id, and bulk operations
 * with a dry-run count, over real HTTP on 127.0.0.1 with simulated CPEs and real SQLite.
 */
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import { Agent, request } from "node:http";
import { deviceIdOf } from "../../src/domain/device.js";
import { SimDevice } from "../../src/sim/device.js";
import { runSession } from "../../src/sim/client.js";
import { encodeCpeMessage } from "../../src/cwmp/encode-cpe.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { model } from "../support/fleet-models.js";
import { apiClient } from "../support/api-client.js";

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { CONVERGE_CONNREQ_PROVISION: "false", CONVERGE_KICK_PER_SECOND: "100", CONVERGE_SESSION_IDLE_MS: "1000" } });
});
after(async () => server.close());

const session = (d: SimDevice) => runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 5000, maxMessages: 50 });

async function informed(serial: string, file: Parameters<typeof model>[0] = "zte-h199a-tr098.csv"): Promise<{ device: SimDevice; id: string }> {
  const device = new SimDevice(model(file), { serialNumber: serial });
  const r = await session(device);
  assert.equal(r.ok, true, r.error);
  return { device, id: deviceIdOf(device.deviceId) };
}

void test("an id with %2D (a '-' in the serial) works as the device list shows it, and double-encoded as before", async () => {
  const api = apiClient(server.apiUrl);
  const { id } = await informed("4857-DASH-1");
  assert.match(id, /%2D/);
  const listed = (await api<{ devices: { deviceId: string }[] }>("GET", "/api/devices")).json.devices.map((d) => d.deviceId);
  assert.ok(listed.includes(id));
  // Pasted from the list: the %2D stays literal in the URL.
  const pasted = await api<{ device: { deviceId: string } }>("GET", `/api/devices/${id}`);
  assert.equal(pasted.status, 200, JSON.stringify(pasted.json));
  assert.equal(pasted.json.device.deviceId, id);
  assert.equal((await api("GET", `/api/devices/${id}/plan`)).status, 200);
  // What clients did until now (encodeURIComponent of the id: %252D) keeps working.
  assert.equal((await api("GET", `/api/devices/${encodeURIComponent(id)}`)).status, 200);
  // A lower-case escape and an encoded letter are the same id.
  assert.equal((await api("GET", `/api/devices/${id.replace(/%2D/g, "%2d").replace("DASH", "D%41SH")}`)).status, 200);
  // The dashes themselves are not the id: decoding %2D would name another (unknown) device.
  assert.equal((await api("GET", `/api/devices/${id.replace(/%2D/g, "-")}`)).status, 404);
});

void test("DELETE /api/devices/:id forgets the device and all it holds in one go; 404 after; 409 in session", async () => {
  const api = apiClient(server.apiUrl);
  const { device, id } = await informed("DEL-ME-1");
  assert.equal((await api("POST", `/api/devices/${id}/tasks`, { method: "Reboot" })).status, 201);
  assert.equal((await api("POST", `/api/devices/${id}/tags`, { add: ["lab"] })).status, 200);
  assert.equal((await api("PUT", `/api/devices/${id}/cpe-credentials`, { password: "a-long-password" })).status, 204);
  const store = server.store;
  const did = id as Parameters<typeof store.getDevice>[0];
  assert.ok((await store.loadReported(did)).params.size > 0);
  assert.equal((await store.pendingTasks(did)).length, 1);

  // A session in progress (an Inform answered, the session kept open): the device cannot be deleted under it.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(server.cwmpUrl);
  const informBody = encodeCpeMessage(device.inform(Date.now()), { version: "1.0", id: "1" });
  const status = await new Promise<number>((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: "POST", path: "/", agent, headers: { "content-type": "text/xml" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(informBody);
  });
  assert.equal(status, 200);
  const busy = await api<{ error: { code: string } }>("DELETE", `/api/devices/${id}`);
  assert.equal(busy.status, 409);
  assert.equal(busy.json.error.code, "conflict");
  agent.destroy();
  // The session expires (idle 1 s here); then the delete goes through.
  let deleted = 0;
  for (let i = 0; i < 50 && deleted !== 204; i++) {
    await new Promise((r) => setTimeout(r, 100));
    deleted = (await api("DELETE", `/api/devices/${id}`)).status;
  }
  assert.equal(deleted, 204);
  assert.equal((await api("GET", `/api/devices/${id}`)).status, 404);
  assert.equal((await api("DELETE", `/api/devices/${id}`)).status, 404);
  assert.equal(await store.getDevice(did), undefined);
  assert.equal((await store.loadReported(did)).params.size, 0);
  assert.equal((await store.pendingTasks(did)).length, 0);
  assert.equal((await store.listSessions(did, 10)).length, 0);
  assert.equal((await store.listFaults(did, 10)).length, 0);
  assert.equal(await store.getSecret(did, "cpe.password"), undefined);
  // The device informs again: a new device, nothing carried over.
  const again = await session(device);
  assert.equal(again.ok, true, again.error);
  const back = await api<{ device: { tags: string[] }; tasks: unknown[] }>("GET", `/api/devices/${id}`);
  assert.deepEqual(back.json.device.tags, []);
  assert.deepEqual(back.json.tasks, []);
});

void test("bulk: a dry run counts; a real run needs that count; tags, tasks and connection requests for every match", async () => {
  const api = apiClient(server.apiUrl);
  const ids: string[] = [];
  for (const s of ["BULK-1", "BULK-2", "BULK-3"]) ids.push((await informed(s, "huawei-eg8145v5-tr098.csv")).id);
  const filter = { productClass: "EG8145V5" };
  type Bulk = { dryRun: boolean; matched: number; sample: string[]; applied?: number; error?: { code: string }; matched2?: number };
  const dry = await api<Bulk>("POST", "/api/devices/bulk", { filter, tags: { add: ["wave-1"] } });
  assert.equal(dry.status, 200, JSON.stringify(dry.json));
  assert.equal(dry.json.dryRun, true);
  assert.equal(dry.json.matched, 3);
  assert.deepEqual([...dry.json.sample].sort(), [...ids].sort());
  assert.equal((await api("GET", `/api/devices/${ids[0]}`)).json !== undefined, true);
  const untouched = await api<{ device: { tags: string[] } }>("GET", `/api/devices/${ids[0]}`);
  assert.deepEqual(untouched.json.device.tags, [], "a dry run changes nothing");

  assert.equal((await api("POST", "/api/devices/bulk", { filter, tags: { add: ["wave-1"] }, dryRun: false })).status, 400, "a real run without expect");
  const stale = await api<Bulk>("POST", "/api/devices/bulk", { filter, tags: { add: ["wave-1"] }, dryRun: false, expect: 2 });
  assert.equal(stale.status, 409);
  assert.equal(stale.json.matched, 3);
  assert.equal((await api("POST", "/api/devices/bulk", { filter, tags: { add: ["x"] }, task: { method: "Reboot" } })).status, 400, "one action at a time");

  const real = await api<Bulk>("POST", "/api/devices/bulk", { filter, tags: { add: ["wave-1"] }, dryRun: false, expect: 3 });
  assert.equal(real.status, 200, JSON.stringify(real.json));
  assert.equal(real.json.applied, 3);
  for (const id of ids) assert.deepEqual((await api<{ device: { tags: string[] } }>("GET", `/api/devices/${id}`)).json.device.tags, ["wave-1"]);

  // Filtered by the tag just set: a task for each.
  const task = await api<Bulk>("POST", "/api/devices/bulk", {
    filter: { tag: "wave-1" },
    task: { method: "GetParameterValues", names: ["InternetGatewayDevice.DeviceInfo.UpTime"] },
    dryRun: false,
    expect: 3,
  });
  assert.equal(task.json.applied, 3);
  for (const id of ids) {
    const tasks = (await api<{ tasks: { state: string; request: { method: string } }[] }>("GET", `/api/devices/${id}`)).json.tasks;
    assert.deepEqual(
      tasks.map((t) => [t.request.method, t.state]),
      [["GetParameterValues", "pending"]],
    );
  }

  // Connection requests go through the kick pacer: the simulated CPEs listen nowhere, so each gets a recorded fault.
  const kick = await api<Bulk>("POST", "/api/devices/bulk", { filter: { tag: "wave-1" }, connectionRequest: true, dryRun: false, expect: 3 });
  assert.equal(kick.json.applied, 3);
  for (const id of ids) {
    let codes: string[] = [];
    for (let i = 0; i < 100 && !codes.some((c) => c.startsWith("connection_request:")); i++) {
      await new Promise((r) => setTimeout(r, 100));
      codes = (await api<{ faults: { code: string }[] }>("GET", `/api/devices/${id}`)).json.faults.map((f) => f.code);
    }
    assert.ok(
      codes.some((c) => c.startsWith("connection_request:")),
      `${id}: ${codes.join(",")}`,
    );
  }
  // An empty filter is every device.
  const all = await api<Bulk>("POST", "/api/devices/bulk", { filter: {}, connectionRequest: true });
  assert.equal(all.json.matched, (await api<{ devices: unknown[] }>("GET", "/api/devices")).json.devices.length);
});
