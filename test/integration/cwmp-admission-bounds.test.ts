/**
 * Issue 10 points 8 and 9 through the CWMP app (inject(): admission keys on the peer address, which inject sets):
 * one source cannot take every session slot, a session without an authenticated identity cannot hold its slot
 * for long, CPE-initiated requests are bounded per session, and stored strings are bounded, each with a named,
 * recorded fault.
 */
import test, { afterEach, beforeEach, describe } from "node:test";
import assert from "node:assert/strict";
import { encodeCpeMessage } from "../../src/cwmp/encode-cpe.js";
import type { CpeMessage } from "../../src/cwmp/types.js";
import { deviceIdOf } from "../../src/domain/device.js";
import { SimDevice } from "../../src/sim/device.js";
import { model } from "../support/fleet-models.js";
import { buildTestCwmpApp, type TestCwmpApp } from "../support/cwmp-app.js";

const XML = 'text/xml; charset="utf-8"';
const zte = model("zte-h199a-tr098.csv");

function device(serial: string): SimDevice {
  return new SimDevice(zte, { serialNumber: serial });
}

function xml(d: SimDevice, m: CpeMessage, id = "1"): string {
  return encodeCpeMessage(m, { version: d.cwmpVersion, id });
}

async function inform(t: TestCwmpApp, d: SimDevice, ip: string): Promise<{ status: number; cookie: string }> {
  const r = await t.app.inject({ method: "POST", url: "/", remoteAddress: ip, headers: { "content-type": XML }, payload: xml(d, d.inform(Date.now())) });
  const sc = r.headers["set-cookie"];
  return { status: r.statusCode, cookie: ((Array.isArray(sc) ? sc[0] : sc) ?? "").split(";")[0] ?? "" };
}

describe("admission: a per-source share of the session slots", () => {
  let t: TestCwmpApp;
  beforeEach(async () => {
    t = await buildTestCwmpApp({ CONVERGE_MAX_SESSIONS: "10", CONVERGE_MAX_SESSIONS_PER_SOURCE: "3" });
  });
  afterEach(async () => t.close());

  void test("a client flooding Informs gets its share and 503 beyond it; another source still gets in", async () => {
    const flood = [];
    for (let i = 0; i < 12; i++) flood.push((await inform(t, device(`FLOOD-${i}`), "10.9.9.9")).status);
    assert.deepEqual(flood.filter((s) => s === 200).length, 3);
    assert.deepEqual(flood.filter((s) => s === 503).length, 9);
    const honest = await inform(t, device("HONEST-1"), "10.1.1.1");
    assert.equal(honest.status, 200, "another CPE is not locked out by the flood");
    const rendered = await t.obs.render();
    assert.match(rendered, /converge_cwmp_refusals_total\{reason="source_share"\} 9/);
  });

  void test("concurrent Informs of one source cannot all pass its share while the store records them", async () => {
    const all = await Promise.all(Array.from({ length: 12 }, (_, i) => inform(t, device(`RACE-${i}`), "10.8.8.8")));
    assert.equal(all.filter((r) => r.status === 200).length, 3, JSON.stringify(all.map((r) => r.status)));
    assert.equal(t.endpoint.sessions.sourceCount("ip:10.8.8.8"), 3);
  });

  void test("a session without an authenticated identity gives its slot back after limits.unauthenticatedIdleMs", async () => {
    for (let i = 0; i < 3; i++) assert.equal((await inform(t, device(`IDLE-${i}`), "10.9.9.9")).status, 200);
    assert.equal((await inform(t, device("IDLE-3"), "10.9.9.9")).status, 503);
    t.clock.now += t.cfg.limits.unauthenticatedIdleMs + 1;
    await t.endpoint.sweeper.sweep();
    assert.equal(t.endpoint.sessions.size, 0);
    assert.ok(t.cfg.limits.unauthenticatedIdleMs < t.cfg.limits.sessionIdleMs);
    const faults = await t.store.listFaults(deviceIdOf(device("IDLE-0").deviceId), 10);
    assert.equal(faults[0]?.code, "session_timeout");
    assert.equal((await inform(t, device("IDLE-3"), "10.9.9.9")).status, 200);
  });
});

describe("an authenticated session keeps the full idle bound", () => {
  let t: TestCwmpApp;
  beforeEach(async () => {
    t = await buildTestCwmpApp({
      CONVERGE_CPE_AUTH: "basic",
      CONVERGE_CPE_ALLOW_BASIC_OVER_HTTP: "true",
      CONVERGE_CPE_USERNAME: "cpe",
      CONVERGE_CPE_PASSWORD: "pw",
    });
  });
  afterEach(async () => t.close());

  void test("it survives unauthenticatedIdleMs and expires after sessionIdleMs", async () => {
    const d = device("AUTH-IDLE");
    const r = await t.app.inject({
      method: "POST",
      url: "/",
      headers: { "content-type": XML, authorization: `Basic ${Buffer.from("cpe:pw").toString("base64")}` },
      payload: xml(d, d.inform(Date.now())),
    });
    assert.equal(r.statusCode, 200, r.body);
    t.clock.now += t.cfg.limits.unauthenticatedIdleMs + 1;
    await t.endpoint.sweeper.sweep();
    assert.equal(t.endpoint.sessions.size, 1);
    t.clock.now += t.cfg.limits.sessionIdleMs;
    await t.endpoint.sweeper.sweep();
    assert.equal(t.endpoint.sessions.size, 0);
  });
});

describe("CPE requests and stored strings are bounded", () => {
  let t: TestCwmpApp;
  beforeEach(async () => {
    t = await buildTestCwmpApp({ CONVERGE_MAX_CPE_REQUESTS_PER_SESSION: "5" });
  });
  afterEach(async () => t.close());

  void test("beyond limits.maxCpeRequestsPerSession the session ends with too_many_cpe_requests", async () => {
    const d = device("CPEREQ-1");
    const { cookie } = await inform(t, d, "10.2.2.2");
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await t.app.inject({
        method: "POST",
        url: "/",
        headers: { cookie, "content-type": XML },
        payload: xml(d, { method: "GetRPCMethods" }, `r${i}`),
      });
      statuses.push(r.statusCode);
    }
    assert.deepEqual(statuses.slice(0, 5), [200, 200, 200, 200, 200]);
    assert.equal(statuses[5], 204, "the sixth ends the session");
    assert.ok(
      statuses.slice(6).every((s) => s === 400),
      "and nothing more is accepted in it",
    );
    const faults = await t.store.listFaults(deviceIdOf(d.deviceId), 10);
    assert.equal(faults[0]?.code, "too_many_cpe_requests");
  });

  void test("a 200 KB fault string (below the parser's 256 KiB text bound) is stored cut to limits.maxFaultStringChars", async () => {
    const d = device("FAULTSTR-1");
    const { cookie } = await inform(t, d, "10.2.2.3");
    const huge = "E".repeat(200_000);
    const tc: CpeMessage = {
      method: "TransferComplete",
      commandKey: "k",
      fault: { code: 9010, string: huge },
      startTime: "2024-05-01T12:00:00Z",
      completeTime: "2024-05-01T12:05:00Z",
    };
    const r = await t.app.inject({ method: "POST", url: "/", headers: { cookie, "content-type": XML }, payload: xml(d, tc) });
    assert.equal(r.statusCode, 200, r.body);
    const stored = (await t.store.listFaults(deviceIdOf(d.deviceId), 10)).find((f) => f.code === "9010");
    assert.ok(stored);
    assert.ok(stored.message.length < t.cfg.limits.maxFaultStringChars + 100, `stored ${stored.message.length} characters`);
    assert.match(stored.message, /truncated/);
  });

  void test("a value above limits.maxStoredValueChars refuses the message with value_too_large, naming the parameter", async () => {
    const d = device("BIGVAL-1");
    const big = "v".repeat(t.cfg.limits.maxStoredValueChars + 1);
    const base = d.inform(Date.now());
    const m = { ...base, parameterList: [...base.parameterList, { name: "InternetGatewayDevice.DeviceInfo.X_Big", value: big, type: "xsd:string" as const }] };
    const r = await t.app.inject({ method: "POST", url: "/", headers: { "content-type": XML }, payload: xml(d, m) });
    assert.equal(r.statusCode, 413, r.body);
    assert.match(r.body, /value_too_large/);
    assert.match(r.body, /X_Big/);
    assert.equal(await t.store.getDevice(deviceIdOf(d.deviceId)), undefined, "nothing of it was stored");
  });
});
