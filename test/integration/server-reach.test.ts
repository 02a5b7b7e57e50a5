/**
 * Reaching devices through the real server (issue 6): simulated CPEs converge under the example policies,
 * which provisions their connection-request credentials; `POST /api/devices/:id/connection-request` then
 * reaches them by HTTP Digest and by UDP (TR-111 Annex G) through the simulated CPE's listener, and answers
 * with the `6 CONNECTION REQUEST` session. Wrong credentials, an unreachable URL and a device that never
 * calls back give clear, recorded outcomes.
 */
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deviceIdOf, type DeviceId } from "../../src/domain/device.js";
import { SimDevice } from "../../src/sim/device.js";
import { runSession, type SessionResult } from "../../src/sim/client.js";
import { ConnReqListener } from "../../src/sim/connreq-listener.js";
import { connReqCredentials } from "../../src/server/desired-resolver.js";
import { EXAMPLE_POLICIES, startTestServer, type TestServer } from "../support/server.js";
import { model, type MODEL_FILES } from "../support/fleet-models.js";
import { apiClient } from "../support/api-client.js";
import { FakeClock, flush } from "../support/fake-clock.js";

// TR-111 Part 2: the ACS turns on active notification of UDPConnectionRequestAddress so the CPE reports it.
const UDP_NOTIFY_POLICY = `name: udp-notify-zte
priority: 5
match:
  dataModel: tr098
  productClass: ZXHN H199A
attributes:
  InternetGatewayDevice.ManagementServer.UDPConnectionRequestAddress: { notification: active }
`;

// "Rotation is a policy change like any other": a policy that sets the credentials wins over the generated ones.
const ROTATE_POLICY = `name: connreq-rotate
priority: 300
match:
  serialNumber: REACH-ROT-*
parameters:
  Device.ManagementServer.ConnectionRequestUsername: rotated-user
  Device.ManagementServer.ConnectionRequestPassword: { value: rotated-password-0123, writeOnly: true }
`;

let server: TestServer;
let api: ReturnType<typeof apiClient>;
let httpListener: ConnReqListener;
let udpListener: ConnReqListener;
let policiesCopy: string;
/** The server's timers: converge-now's wait for the session runs on it, so a test moves it instead of waiting. */
const clock = new FakeClock();
/** Devices that accept a connection request but never open the session. */
const silent = new Set<SimDevice>();
const triggered: Promise<SessionResult>[] = [];

const session = (d: SimDevice): Promise<SessionResult> => runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 10_000, maxMessages: 200 });

function onRequest(d: SimDevice): void {
  if (!silent.has(d)) triggered.push(session(d));
}

before(async () => {
  policiesCopy = mkdtempSync(join(tmpdir(), "converge-reach-policies-"));
  cpSync(EXAMPLE_POLICIES, policiesCopy, { recursive: true });
  writeFileSync(join(policiesCopy, "udp-notify-zte.yaml"), UDP_NOTIFY_POLICY);
  writeFileSync(join(policiesCopy, "connreq-rotate.yaml"), ROTATE_POLICY);
  server = await startTestServer({ policies: `${policiesCopy}/`, timers: clock });
  api = apiClient(server.apiUrl);
  httpListener = await ConnReqListener.start({ onRequest });
  udpListener = await ConnReqListener.start({ onRequest, udp: true });
});
after(async () => {
  await Promise.allSettled(triggered);
  await httpListener.close();
  await udpListener.close();
  await server.close();
  rmSync(policiesCopy, { recursive: true, force: true });
});

/** A loopback port nothing listens on. */
async function closedPortUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}/cr`;
}

/** Sessions until one needs no RPC (converged with fresh values); bounded. */
async function converge(d: SimDevice, max = 5): Promise<void> {
  for (let i = 0; i < max; i++) {
    const r = await session(d);
    assert.equal(r.ok, true, `session ${i + 1}: ${r.error}`);
    if (r.rpcs.length === 0) return;
  }
  assert.fail(`${d.deviceId.serialNumber} not converged after ${max} sessions`);
}

async function newConverged(file: (typeof MODEL_FILES)[number], serial: string, listener: ConnReqListener): Promise<{ d: SimDevice; id: DeviceId }> {
  const d = new SimDevice(model(file), { serialNumber: serial });
  listener.register(d);
  await converge(d);
  return { d, id: deviceIdOf(d.deviceId) };
}

interface ConvergeNowBody {
  outcome?: string;
  session?: { sessionId: string; events: string[]; outcome: string; rpcs: string[] } | null;
  error?: { code: string };
}
interface DeviceView {
  faults: { code: string; message: string }[];
}

const convergeNow = (id: string, waitMs = 10_000) => api<ConvergeNowBody>("POST", `/api/devices/${encodeURIComponent(id)}/connection-request?waitMs=${waitMs}`);
/** Waits (bounded, on an event) until `cond` holds; never asserts on how long it took. */
async function until(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 2_000; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}
const okRequests = async (): Promise<number> =>
  Number(/^converge_connection_requests_total\{outcome="ok"\} (\d+)/m.exec(await (await fetch(`${server.apiUrl}/metrics`)).text())?.[1] ?? 0);
const faultCodes = async (id: string): Promise<string[]> =>
  (await api<DeviceView>("GET", `/api/devices/${encodeURIComponent(id)}`)).json.faults.map((f) => f.code);

void test("HTTP Digest: credentials Converge provisioned reach the CPE, which opens a 6 CONNECTION REQUEST session", async () => {
  const { d, id } = await newConverged("nokia-g1425ga-tr098.csv", "REACH-HTTP-1", httpListener);
  const held = await connReqCredentials(server.store, id);
  assert.deepEqual(d.connectionRequestCredentials(), held, "the CPE holds exactly what the store provisioned");
  assert.ok(held.username.length > 0 && held.password.length >= 16);
  const ms = `${d.model.root}ManagementServer.`;
  assert.equal(d.get(`${ms}ConnectionRequestUsername`)?.value, held.username);
  const queued = await api("POST", `/api/devices/${encodeURIComponent(id)}/tasks`, { method: "GetParameterValues", names: [`${ms}PeriodicInformInterval`] });
  assert.equal(queued.status, 201, JSON.stringify(queued.json));
  const r = await convergeNow(id);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.equal(r.json.outcome, "ok");
  assert.deepEqual(r.json.session?.rpcs, ["GetParameterValues"], "the triggered session ran the queued task");
  assert.ok(r.json.session?.events.includes("6 CONNECTION REQUEST"), JSON.stringify(r.json.session));
  assert.equal(r.json.session?.outcome, "ok");
  assert.deepEqual(await faultCodes(id), []);
});

void test("UDP (TR-111 Annex G): with the HTTP URL unreachable the signed UDP message brings the CPE in", async () => {
  const { d, id } = await newConverged("zte-h199a-tr098.csv", "REACH-UDP-1", udpListener);
  const udpPath = `${d.model.root}ManagementServer.UDPConnectionRequestAddress`;
  const udp = udpListener.udpAddress ?? assert.fail("listener has no UDP socket");
  // The policy made the address actively notified; the CPE re-announces it (as after a NAT binding change).
  assert.ok(d.setLocal(udpPath, udp));
  d.setConnectionRequestUrl(await closedPortUrl());
  const r0 = await session(d);
  assert.equal(r0.ok, true, r0.error);
  const rec = await server.store.getDevice(id);
  assert.equal(rec?.udpConnectionRequestAddress, udp, "the server learned the UDP address from the Inform");
  const r = await convergeNow(id);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.equal(r.json.outcome, "udp_sent");
  assert.ok(r.json.session?.events.includes("6 CONNECTION REQUEST"), JSON.stringify(r.json.session));
});

void test("wrong credentials: 502 connection_request_auth_failed, recorded as a fault on the device", async () => {
  const { d, id } = await newConverged("huawei-bm632w-tr098.csv", "REACH-AUTH-1", httpListener);
  // Someone reset the password on the CPE (no notification: the ACS does not know).
  assert.ok(d.setLocal(`${d.model.root}ManagementServer.ConnectionRequestPassword`, "changed-on-the-cpe"));
  const before = triggered.length;
  const r = await convergeNow(id, 2_000);
  assert.equal(r.status, 502, JSON.stringify(r.json));
  assert.equal(r.json.error?.code, "connection_request_auth_failed");
  assert.equal(triggered.length, before, "the CPE started no session");
  assert.ok((await faultCodes(id)).includes("connection_request:auth_failed"));
});

void test("a CPE with a UDP address that refuses the HTTP request (wrong credentials) is reported, not UDP-retried", async () => {
  const { d, id } = await newConverged("zte-h199a-tr098.csv", "REACH-UDP-AUTH", udpListener);
  assert.ok(d.setLocal(`${d.model.root}ManagementServer.UDPConnectionRequestAddress`, udpListener.udpAddress ?? ""));
  assert.equal((await session(d)).ok, true);
  assert.equal((await server.store.getDevice(id))?.udpConnectionRequestAddress, udpListener.udpAddress);
  assert.ok(d.setLocal(`${d.model.root}ManagementServer.ConnectionRequestPassword`, "changed-on-the-cpe"));
  const r = await convergeNow(id, 2_000);
  assert.equal(r.status, 502, JSON.stringify(r.json));
  assert.equal(r.json.error?.code, "connection_request_auth_failed");
});

void test("unreachable URL: 504, recorded as a fault on the device", async () => {
  const { d, id } = await newConverged("tplink-ex220-tr181.csv", "REACH-DOWN-1", httpListener);
  d.setConnectionRequestUrl(await closedPortUrl());
  const r0 = await session(d);
  assert.equal(r0.ok, true, r0.error);
  const at = clock.now();
  const r = await convergeNow(id, 2_000);
  // Answered with the server's clock standing still: it did not wait for a session that cannot come.
  assert.equal(clock.now(), at);
  assert.equal(r.status, 504, JSON.stringify(r.json));
  assert.equal(r.json.error?.code, "connection_request_unreachable");
  assert.ok(!clock.pendingTimeouts().includes(2_000), "the wait for its session was cancelled");
  assert.ok((await faultCodes(id)).includes("connection_request:unreachable"));
});

void test("a CPE that accepts but never calls back in time: 202 after the bounded wait", async () => {
  const { d, id } = await newConverged("tplink-ec220g5v3-tr181.csv", "REACH-SLOW-1", httpListener);
  silent.add(d);
  const delivered = await okRequests();
  let answered = false;
  const pending = convergeNow(id, 500).finally(() => (answered = true));
  // The request reached the CPE (which accepted it) and the wait for its session is armed on the server's clock.
  await until(async () => (await okRequests()) > delivered, "the connection request to be delivered");
  assert.ok(clock.pendingTimeouts().includes(500), JSON.stringify(clock.pendingTimeouts()));
  clock.advance(499);
  await flush();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(answered, false, "no answer before the 500 ms wait is over");
  clock.advance(1);
  const r = await pending;
  assert.equal(r.status, 202, JSON.stringify(r.json));
  assert.equal(r.json.session, null);
  // It did accept: its next session carries the event.
  silent.delete(d);
  assert.ok(d.pendingEvents.some((e) => e.code === "6 CONNECTION REQUEST"));
});

void test("a refused second request (CPE busy, 503) does not cancel the first one's wait for its session", async () => {
  let accepted = 0;
  let release = (): void => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const busyListener = await ConnReqListener.start({
    busy: () => accepted++ > 0, // TR-069 §3.2.2: a CPE may refuse while a session is pending
    onRequest: (d) => triggered.push(gate.then(() => session(d))),
  });
  try {
    const { id } = await newConverged("huawei-eg8145v5-tr098.csv", "REACH-BUSY-1", busyListener);
    const first = convergeNow(id, 5_000);
    const until = Date.now() + 3_000;
    while (accepted === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    const second = await convergeNow(id, 2_000);
    assert.equal(second.status, 503, JSON.stringify(second.json));
    assert.equal(second.json.error?.code, "connection_request_busy");
    release();
    const r = await first;
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.ok(r.json.session?.events.includes("6 CONNECTION REQUEST"));
  } finally {
    release();
    await busyListener.close();
  }
});

void test("debug switch: the converge-now session's full SOAP transcript is retrievable, and only while debug is on", async () => {
  const { id } = await newConverged("zte-h199a-tr098.csv", "REACH-DEBUG-1", httpListener);
  const dev = `/api/devices/${encodeURIComponent(id)}`;
  assert.equal((await api("PUT", `${dev}/debug`, { enabled: true })).status, 200);
  const r = await convergeNow(id);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const sid = r.json.session?.sessionId ?? assert.fail("no sessionId");
  const t = await api<{ entries: unknown[] }>("GET", `${dev}/sessions/${encodeURIComponent(sid)}`);
  assert.equal(t.status, 200, JSON.stringify(t.json));
  const text = JSON.stringify(t.json.entries);
  assert.ok(t.json.entries.length >= 2, text);
  assert.match(text, /Inform/);
  assert.match(text, /6 CONNECTION REQUEST/);
  assert.equal((await api("PUT", `${dev}/debug`, { enabled: false })).status, 200);
  const off = await convergeNow(id);
  assert.equal(off.status, 200);
  const offSid = off.json.session?.sessionId ?? assert.fail("no sessionId");
  assert.equal((await api("GET", `${dev}/sessions/${encodeURIComponent(offSid)}`)).status, 404);
});

void test("credentials set by a policy (rotation) are provisioned and used to reach the CPE", async () => {
  const { d, id } = await newConverged("tplink-ex220-tr181.csv", "REACH-ROT-1", httpListener);
  assert.deepEqual(d.connectionRequestCredentials(), { username: "rotated-user", password: "rotated-password-0123" });
  const r = await convergeNow(id);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  assert.ok(r.json.session?.events.includes("6 CONNECTION REQUEST"));
});

void test("unknown device: 404", async () => {
  const r = await convergeNow("000000-NOPE-0", 100);
  assert.equal(r.status, 404);
});

void test("/metrics counts the connection requests above by outcome", async () => {
  const text = await (await fetch(`${server.apiUrl}/metrics`)).text();
  const count = (outcome: string): number =>
    Number(new RegExp(`^converge_connection_requests_total\\{outcome="${outcome}"\\} (\\d+)`, "m").exec(text)?.[1] ?? 0);
  for (const outcome of ["ok", "udp_sent", "auth_failed", "unreachable", "busy"]) assert.ok(count(outcome) >= 1, `${outcome}: ${text}`);
});
