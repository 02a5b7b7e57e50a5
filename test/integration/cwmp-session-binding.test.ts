/**
 * Issue 10 point 2: a session is bound to its client. Two CPEs behind one keep-alive proxy share a TCP
 * connection: one's answer must never be stored as the other's. A device with its own valid credentials that
 * posts into another device's session with that session's cookie is refused.
 */
import test, { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { encodeCpeMessage } from "../../src/cwmp/encode-cpe.js";
import { decodeAcsEnvelope } from "../../src/cwmp/decode-acs.js";
import type { AcsRequest } from "../../src/cwmp/types.js";
import { deviceIdOf } from "../../src/domain/device.js";
import { SimDevice } from "../../src/sim/device.js";
import { runSession } from "../../src/sim/client.js";
import { digestAuthorization, parseChallenges } from "../../src/sim/digest.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { model } from "../support/fleet-models.js";
import { apiClient } from "../support/api-client.js";
import { cookieOf, rawPost } from "../support/raw-post.js";

const PATH = "InternetGatewayDevice.ManagementServer.PeriodicInformInterval";

function xmlOf(d: SimDevice, msg: Parameters<typeof encodeCpeMessage>[0], id: string): string {
  return encodeCpeMessage(msg, { version: d.cwmpVersion, id });
}

function requestIn(body: string): { request: AcsRequest; id: string } {
  const env = decodeAcsEnvelope(body);
  assert.ok(env.ok, body);
  return { request: env.value.message as AcsRequest, id: env.value.id ?? "" };
}

describe("two CPEs through one kept-alive proxy connection", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server.close());

  void test("A's answer (without a cookie, or with a stale one) is refused and never stored as B's state", async () => {
    const api = apiClient(server.apiUrl);
    const a = new SimDevice(model("zte-h199a-tr098.csv"), { serialNumber: "PROXY-A" });
    const b = new SimDevice(model("zte-h199a-tr098.csv"), { serialNumber: "PROXY-B" });
    for (const d of [a, b]) assert.equal((await runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 5_000, maxMessages: 50 })).ok, true);
    a.handle({ method: "SetParameterValues", values: [{ name: PATH, value: "111", type: "xsd:unsignedInt" }], parameterKey: "" });
    b.handle({ method: "SetParameterValues", values: [{ name: PATH, value: "222", type: "xsd:unsignedInt" }], parameterKey: "" });
    const idB = deviceIdOf(b.deviceId);
    assert.equal((await api("POST", `/api/devices/${encodeURIComponent(idB)}/tasks`, { method: "GetParameterValues", names: [PATH] })).status, 201);

    const proxy = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const url = `${server.cwmpUrl}/`;
      const informA = await rawPost(url, proxy, {}, xmlOf(a, a.inform(Date.now()), "1"));
      const informB = await rawPost(url, proxy, {}, xmlOf(b, b.inform(Date.now()), "1"));
      assert.equal(informA.status, 200, informA.body);
      assert.equal(informB.status, 200, informB.body);
      assert.equal(informA.localPort, informB.localPort, "both Informs travelled on one connection");
      assert.equal(server.endpoint.sessions.size, 2, "B's Inform on the shared connection did not end A's session");
      const cookieA = cookieOf(informA);
      const cookieB = cookieOf(informB);

      const gpv = await rawPost(url, proxy, { cookie: cookieB });
      assert.equal(gpv.status, 200, gpv.body);
      const { request, id } = requestIn(gpv.body);
      assert.equal(request.method, "GetParameterValues");
      const answerA = xmlOf(a, a.handle(request), id);

      const cookieless = await rawPost(url, proxy, {}, answerA);
      assert.equal(cookieless.status, 400, "without a cookie the shared connection names no single session");
      assert.match(cookieless.body, /ambiguous_session/);
      const stale = await rawPost(url, proxy, { cookie: "converge_session=staleCookieOfA0123" }, answerA);
      assert.equal(stale.status, 400);
      assert.match(stale.body, /unknown_session/);
      assert.notEqual((await server.store.loadReported(idB)).params.get(PATH)?.value, "111", "A's value was never stored as B's");

      let answerB = await rawPost(url, proxy, { cookie: cookieB }, xmlOf(b, b.handle(request), id));
      for (let i = 0; i < 20 && answerB.status === 200; i++) {
        const next = requestIn(answerB.body);
        answerB = await rawPost(url, proxy, { cookie: cookieB }, xmlOf(b, b.handle(next.request), next.id));
      }
      assert.equal(answerB.status, 204, answerB.body);
      assert.equal((await server.store.loadReported(idB)).params.get(PATH)?.value, "222");
      const endA = await rawPost(url, proxy, { cookie: cookieA });
      assert.equal(endA.status, 204, "A's own session was untouched and ends normally");
    } finally {
      proxy.destroy();
    }
  });
});

describe("credentials are the session's device", () => {
  let server: TestServer;
  const CPE_USER = "cpe-fleet";
  const CPE_PASS = "shared-pass";
  before(async () => {
    server = await startTestServer({
      env: { CONVERGE_CPE_AUTH: "digest", CONVERGE_CPE_USERNAME: CPE_USER, CONVERGE_CPE_PASSWORD: CPE_PASS, CONVERGE_CONNREQ_PROVISION: "false" },
    });
  });
  after(async () => server.close());

  void test("a device with its own valid credentials cannot post into another device's session with that session's cookie", async () => {
    const api = apiClient(server.apiUrl);
    const a = new SimDevice(model("zte-h199a-tr098.csv"), { serialNumber: "IDENT-A" });
    const b = new SimDevice(model("zte-h199a-tr098.csv"), { serialNumber: "IDENT-B" });
    const idB = deviceIdOf(b.deviceId);
    assert.equal((await api("PUT", `/api/devices/${encodeURIComponent(idB)}/cpe-credentials`, { password: "pass-of-device-b" })).status, 204);
    const url = `${server.cwmpUrl}/`;
    for (const shared of [true, false]) {
      const agentA = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const challenge = await rawPost(url, agentA, {}, xmlOf(a, a.inform(Date.now()), "1"));
        assert.equal(challenge.status, 401);
        const ch = parseChallenges([String(challenge.headers["www-authenticate"])])[0];
        assert.ok(ch);
        const authA = digestAuthorization({ username: CPE_USER, password: CPE_PASS }, ch, "POST", "/", 1, "cn-a");
        const informA = await rawPost(url, agentA, { authorization: authA }, xmlOf(a, a.inform(Date.now()), "1"));
        assert.equal(informA.status, 200, informA.body);
        const cookieA = cookieOf(informA);
        // B, with its own valid Digest credentials, on A's connection (a shared proxy) or on its own.
        const authB = digestAuthorization({ username: idB, password: "pass-of-device-b" }, ch, "POST", "/", 2, "cn-b");
        const intruder = await rawPost(url, shared ? agentA : false, { cookie: cookieA, authorization: authB });
        assert.equal(intruder.status, 403, `${shared ? "same" : "another"} connection: ${intruder.body}`);
        assert.equal(server.endpoint.sessions.size, 1, "A's session is still open");
        const endA = await rawPost(url, agentA, { cookie: cookieA });
        assert.equal(endA.status, 204, "A's own empty POST (no Authorization: the session is trusted) ends it");
      } finally {
        agentA.destroy();
      }
    }
  });
});
