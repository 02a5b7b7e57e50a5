/**
 * The protocol path end to end over real HTTP on 127.0.0.1: simulated CPEs built from every real data model
 * inform, run queued operator tasks, and the results land in SQLite and the API. Hostile and malformed
 * requests get 4xx while another session runs unaffected.
 */
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import { Agent, request } from "node:http";
import { gzipSync } from "node:zlib";
import { deviceIdOf } from "../../src/domain/device.js";
import { SimDevice } from "../../src/sim/device.js";
import { runSession } from "../../src/sim/client.js";
import { encodeCpeMessage } from "../../src/cwmp/encode-cpe.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { MODEL_FILES, model } from "../support/fleet-models.js";

let server: TestServer;

before(async () => {
  server = await startTestServer({ env: { CONVERGE_CONNREQ_PROVISION: "false" } });
});
after(async () => server.close());

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${server.apiUrl}${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

function raw(body: Buffer | string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const url = new URL(server.cwmpUrl);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: "POST", path: "/", headers: { "content-type": "text/xml", ...headers } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const session = (d: SimDevice) => runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 5000, maxMessages: 100 });

for (const file of MODEL_FILES) {
  void test(`${file}: a session over real HTTP runs queued tasks, recorded in SQLite and visible in the API`, async () => {
    const device = new SimDevice(model(file), { serialNumber: `IT-${file.slice(0, 12)}` });
    const first = await session(device);
    assert.equal(first.ok, true, first.error);
    const id = deviceIdOf(device.deviceId);
    const root = model(file).kind === "tr098" ? "InternetGatewayDevice." : "Device.";
    const path = `${root}ManagementServer.PeriodicInformInterval`;
    const queued = await api("POST", `/api/devices/${encodeURIComponent(id)}/tasks`, {
      method: "SetParameterValues",
      values: [{ name: path, value: 1234, type: "xsd:unsignedInt" }],
    });
    assert.equal(queued.status, 201, JSON.stringify(queued.json));
    await api("POST", `/api/devices/${encodeURIComponent(id)}/tasks`, { method: "GetParameterValues", names: [path] });
    const second = await session(device);
    assert.equal(second.ok, true, second.error);
    assert.deepEqual(second.rpcs, ["SetParameterValues", "GetParameterValues"]);
    assert.equal(device.get(path)?.value, "1234");
    const shown = (await api("GET", `/api/devices/${encodeURIComponent(id)}`)).json as {
      parameters: Record<string, { value: string }>;
      tasks: { state: string }[];
      sessions: { outcome: string }[];
    };
    assert.equal(shown.parameters[path]?.value, "1234");
    assert.deepEqual(shown.tasks.map((t) => t.state).sort(), ["done", "done"]);
    assert.ok(shown.sessions.length >= 2 && shown.sessions.every((s) => s.outcome === "ok"), JSON.stringify(shown.sessions));
  });
}

void test("hostile and malformed requests get 4xx while a concurrent session completes", async () => {
  const device = new SimDevice(model("zte-h199a-tr098.csv"), { serialNumber: "IT-CONCURRENT" });
  const good = session(device);
  const bad = await Promise.all([
    raw("<not xml"),
    raw('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'),
    raw(Buffer.alloc(9 * 1024 * 1024, 0x41)),
    raw(gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)), { "content-encoding": "gzip" }),
    raw(""),
    raw(
      '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><soap:Body><cwmp:GetRPCMethods/></soap:Body></soap:Envelope>',
    ),
    raw("\u0000\u0001garbage", { "content-type": "application/octet-stream" }),
  ]);
  for (const r of bad) assert.ok(r.status >= 400 && r.status < 500, `expected 4xx, got ${r.status} ${r.body}`);
  const result = await good;
  assert.equal(result.ok, true, result.error);
  const health = await api("GET", "/api/health");
  assert.equal(health.status, 200);
});

void test("a second Inform from a device already in session is refused with 503; the first session then completes", async () => {
  const device = new SimDevice(model("huawei-bm632w-tr098.csv"), { serialNumber: "IT-TWICE" });
  const url = new URL(server.cwmpUrl);
  // Session 1 stays open on a kept-alive connection: Inform answered, the empty POST not yet sent.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const post = (body: string, cookie?: string): Promise<{ status: number; cookie: string | undefined }> =>
    new Promise((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, method: "POST", path: "/", agent, headers: { "content-type": "text/xml", ...(cookie ? { cookie } : {}) } },
        (res) => {
          res.resume();
          res.on("end", () => resolve({ status: res.statusCode ?? 0, cookie: res.headers["set-cookie"]?.[0]?.split(";")[0] }));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  try {
    const first = await post(encodeCpeMessage(device.inform(Date.now()), { version: "1.0", id: "1" }));
    assert.equal(first.status, 200);
    // A second Inform of the same device on another connection: refused, the CPE retries later.
    const second = await session(new SimDevice(model("huawei-bm632w-tr098.csv"), { serialNumber: "IT-TWICE" }));
    assert.equal(second.error, "http_503");
    // The first session goes on and ends normally.
    const end = await post("", first.cookie);
    assert.equal(end.status, 204);
  } finally {
    agent.destroy();
  }
});
