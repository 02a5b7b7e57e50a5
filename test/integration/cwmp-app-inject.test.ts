/**
 * The CWMP app from buildCwmpApp, through fastify's inject() (no socket needed): no request to the CWMP port
 * gets a framework error page (issue 9 point 6), and every refusal is answered in one shape, counted by reason
 * and logged at warn, rate-limited (issue 9 point 7, issue 11 "Observability").
 */
import test, { afterEach, beforeEach, describe } from "node:test";
import assert from "node:assert/strict";
import { encodeCpeMessage } from "../../src/cwmp/encode-cpe.js";
import { SimDevice } from "../../src/sim/device.js";
import { model } from "../support/fleet-models.js";
import type { InjectOptions } from "fastify";
import { buildTestCwmpApp, type TestCwmpApp } from "../support/cwmp-app.js";

const XML = 'text/xml; charset="utf-8"';

function informXml(serial: string): string {
  const d = new SimDevice(model("zte-h199a-tr098.csv"), { serialNumber: serial });
  return encodeCpeMessage(d.inform(Date.now()), { version: d.cwmpVersion, id: "1" });
}

function cookieOf(setCookie: string | string[] | undefined): string {
  const first = Array.isArray(setCookie) ? setCookie[0] : setCookie;
  return (first ?? "").split(";")[0] ?? "";
}

async function refusalCount(t: TestCwmpApp, reason: string): Promise<number> {
  const line = (await t.obs.render()).split("\n").find((l) => l.startsWith(`converge_cwmp_refusals_total{reason="${reason}"}`));
  return line ? Number(line.split(" ").pop()) : 0;
}

describe("the empty POST whatever its Content-Type", () => {
  let t: TestCwmpApp;
  beforeEach(async () => {
    t = await buildTestCwmpApp();
  });
  afterEach(async () => t.close());

  for (const contentType of ["", ";;", "application/json", "application/x-www-form-urlencoded", "text/xml", undefined]) {
    void test(`an empty POST with ${contentType === undefined ? "no Content-Type" : `Content-Type: ${JSON.stringify(contentType)}`} ends the session with 204`, async () => {
      const inform = await t.app.inject({ method: "POST", url: "/", headers: { "content-type": XML }, payload: informXml(`CT-${contentType ?? "none"}`) });
      assert.equal(inform.statusCode, 200, inform.body);
      const headers: Record<string, string> = { cookie: cookieOf(inform.headers["set-cookie"]), "content-length": "0" };
      if (contentType !== undefined) headers["content-type"] = contentType;
      const empty = await t.app.inject({ method: "POST", url: "/", headers, payload: "" });
      assert.equal(empty.statusCode, 204, empty.body);
      assert.equal(t.endpoint.sessions.size, 0, "the session ended");
    });
  }

  void test("an Inform with an unparseable Content-Type still gets its InformResponse", async () => {
    const r = await t.app.inject({ method: "POST", url: "/", headers: { "content-type": ";;;" }, payload: informXml("CT-BAD") });
    assert.equal(r.statusCode, 200, r.body);
    assert.match(r.body, /InformResponse/);
  });
});

describe("refusals: one answer shape, a counter by reason, a rate-limited warn line", () => {
  let t: TestCwmpApp;
  beforeEach(async () => {
    t = await buildTestCwmpApp({ CONVERGE_MAX_BODY_BYTES: "2048" });
  });
  afterEach(async () => t.close());

  const rows: readonly { name: string; req: InjectOptions; status: number; reason: string }[] = [
    {
      name: "a body above limits.maxBodyBytes",
      req: { method: "POST", url: "/", headers: { "content-type": XML }, payload: "x".repeat(4096) },
      status: 413,
      reason: "too_large",
    },
    { name: "a GET of no route", req: { method: "GET", url: "/nothing" }, status: 404, reason: "not_found" },
    { name: "an empty POST outside a session", req: { method: "POST", url: "/", payload: "" }, status: 400, reason: "no_session" },
    {
      name: "a message that is no SOAP",
      req: { method: "POST", url: "/", headers: { "content-type": XML }, payload: "<html>hello</html>" },
      status: 400,
      reason: "bad_message",
    },
    {
      name: "a cookie naming no session",
      req: { method: "POST", url: "/", headers: { cookie: "converge_session=AAAAAAAAAAAAAAAA" }, payload: "" },
      status: 400,
      reason: "unknown_session",
    },
  ];
  for (const row of rows) {
    void test(`${row.name}: ${row.status} ${row.reason}, counted and logged`, async () => {
      const r = await t.app.inject(row.req);
      assert.equal(r.statusCode, row.status, r.body);
      const body = JSON.parse(r.body) as { error?: { code?: string } };
      assert.equal(body.error?.code, row.reason, "our error shape, never fastify's");
      assert.doesNotMatch(r.body, /FST_ERR|statusCode/, "no framework error page");
      assert.equal(await refusalCount(t, row.reason), 1);
      const warn = t.lines.filter((l) => l.level === "warn" && l.msg === "CWMP request refused");
      assert.equal(warn.length, 1);
      assert.equal(warn[0]?.obj["reason"], row.reason);
    });
  }

  void test("log lines are rate-limited per reason and say how many were suppressed; the counter counts all", async () => {
    for (let i = 0; i < 5; i++) await t.app.inject({ method: "POST", url: "/", payload: "" });
    const warns = (): typeof t.lines => t.lines.filter((l) => l.level === "warn" && l.obj["reason"] === "no_session");
    assert.equal(warns().length, 1);
    t.clock.now += 10_001;
    await t.app.inject({ method: "POST", url: "/", payload: "" });
    assert.equal(warns().length, 2);
    assert.equal(warns()[1]?.obj["suppressed"], 4);
    assert.equal(await refusalCount(t, "no_session"), 6);
  });
});

describe("authentication refusals carry the verifier's reason", () => {
  let t: TestCwmpApp;
  beforeEach(async () => {
    t = await buildTestCwmpApp({ CONVERGE_CPE_AUTH: "digest", CONVERGE_CPE_USERNAME: "cpe", CONVERGE_CPE_PASSWORD: "pw" });
  });
  afterEach(async () => t.close());

  void test("no credentials and garbage credentials: 401 with a challenge, counted by reason, logged with the reason text", async () => {
    const none = await t.app.inject({ method: "POST", url: "/", headers: { "content-type": XML }, payload: informXml("AUTH-1") });
    assert.equal(none.statusCode, 401);
    assert.match(String(none.headers["www-authenticate"]), /^Digest realm=/);
    const bad = await t.app.inject({
      method: "POST",
      url: "/",
      headers: { "content-type": XML, authorization: 'Digest username="cpe", realm="converge", nonce="x", uri="/", response="00"' },
      payload: informXml("AUTH-1"),
    });
    assert.equal(bad.statusCode, 401);
    assert.equal(await refusalCount(t, "no_credentials"), 1);
    assert.equal(await refusalCount(t, "bad_credentials"), 1);
    const line = t.lines.find((l) => l.level === "warn" && l.obj["reason"] === "bad_credentials");
    assert.equal(line?.obj["detail"], "nonce not issued by this server");
  });
});
