/**
 * Issue 10 point 10 against the real server, with 127.0.0.1 listeners only: a CPE that reports the ACS's own
 * API or CWMP port as its ConnectionRequestURL gets no request sent there; userinfo in the URL is never sent
 * as credentials; thirty parallel "converge now" calls on one device send one connection request; and a
 * closed port, the ACS's own port and an HTTP server that is no CPE answer alike.
 */
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { createServer, type AddressInfo } from "node:net";
import { deviceIdOf, type DeviceId } from "../../src/domain/device.js";
import { SimDevice } from "../../src/sim/device.js";
import { runSession } from "../../src/sim/client.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { model } from "../support/fleet-models.js";
import { apiClient } from "../support/api-client.js";

let server: TestServer;
let listener: http.Server;
let port = 0;
const seen: { path: string; authorization: string | undefined }[] = [];
let delayMs = 0;

before(async () => {
  server = await startTestServer();
  listener = http.createServer((req, res) => {
    seen.push({ path: req.url ?? "", authorization: req.headers.authorization });
    const answer = (): void => {
      if (req.url?.startsWith("/not-a-cpe")) res.writeHead(404).end("nothing here");
      else res.writeHead(204).end();
    };
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
  await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
  port = (listener.address() as AddressInfo).port;
});
after(async () => {
  await new Promise<void>((r) => listener.close(() => r()));
  await server.close();
});

async function deviceAt(serial: string, url: string): Promise<DeviceId> {
  const d = new SimDevice(model("zte-h199a-tr098.csv"), { serialNumber: serial });
  d.setConnectionRequestUrl(url);
  const r = await runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 5_000, maxMessages: 50 });
  assert.equal(r.ok, true, r.error);
  const id = deviceIdOf(d.deviceId);
  assert.equal((await server.store.getDevice(id))?.connectionRequestUrl, url);
  return id;
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const p = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

const convergeNow = (id: string) =>
  apiClient(server.apiUrl)<{ outcome?: string; error?: { code: string; message: string } }>(
    "POST",
    `/api/devices/${encodeURIComponent(id)}/connection-request?waitMs=300`,
  );

function refusalsAtCwmp(text: string): number {
  return [...text.matchAll(/^converge_cwmp_refusals_total\{reason="(?:not_found|method_not_allowed)"\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

void test("the ACS's own ports are never targeted; a closed port and a non-CPE HTTP server answer exactly alike", async () => {
  const apiPort = new URL(server.apiUrl).port;
  const cwmpPort = new URL(server.cwmpUrl).port;
  const before = refusalsAtCwmp(await (await fetch(`${server.apiUrl}/metrics`)).text());
  const ids = [
    await deviceAt("SSRF-API", `http://127.0.0.1:${apiPort}/api/devices`),
    await deviceAt("SSRF-CWMP", `http://127.0.0.1:${cwmpPort}/`),
    await deviceAt("SSRF-CLOSED", `http://127.0.0.1:${await closedPort()}/cr`),
    await deviceAt("SSRF-404", `http://127.0.0.1:${port}/not-a-cpe`),
  ];
  const answers = [];
  for (const id of ids) {
    const r = await convergeNow(id);
    answers.push({ status: r.status, body: r.json });
  }
  for (const a of answers) assert.deepEqual(a, answers[0], "one answer whatever the target is");
  assert.equal(answers[0]?.status, 504);
  assert.equal(answers[0]?.body.error?.code, "connection_request_unreachable");
  const after = refusalsAtCwmp(await (await fetch(`${server.apiUrl}/metrics`)).text());
  assert.equal(after, before, "no GET reached the ACS's own CWMP port");
  const faults = await server.store.listFaults(ids[0] ?? assert.fail(), 5);
  assert.equal(faults[0]?.code, "connection_request:unreachable");
  assert.doesNotMatch(faults[0]?.message ?? "", /port|own|ECONN/i, "the recorded fault does not say why");
});

void test("userinfo in a reported URL is never sent as credentials", async () => {
  seen.length = 0;
  const id = await deviceAt("SSRF-USERINFO", `http://admin:hunter2@127.0.0.1:${port}/cr-userinfo`);
  const r = await convergeNow(id);
  assert.equal(r.status === 200 || r.status === 202, true, JSON.stringify(r.json));
  const hits = seen.filter((s) => s.path === "/cr-userinfo");
  assert.equal(hits.length, 1);
  assert.equal(hits[0]?.authorization, undefined, "no Basic credentials from the URL");
});

void test("thirty parallel converge-now calls on one device send one connection request", async () => {
  seen.length = 0;
  delayMs = 300;
  try {
    const id = await deviceAt("SSRF-PARALLEL", `http://127.0.0.1:${port}/cr-parallel`);
    const all = await Promise.all(Array.from({ length: 30 }, () => convergeNow(id)));
    assert.ok(
      all.every((r) => r.status === 200 || r.status === 202),
      JSON.stringify(all.map((r) => r.status)),
    );
    assert.equal(seen.filter((s) => s.path === "/cr-parallel").length, 1);
  } finally {
    delayMs = 0;
  }
});
