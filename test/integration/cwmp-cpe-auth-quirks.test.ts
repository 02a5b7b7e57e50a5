/**
 * Issue 9 points 4, 5, 6 and 8 against the real server, with the simulator's quirk switches reproducing what
 * real embedded CPE stacks do: Digest only on requests with a body, a 32-character nonce buffer, `uri=""`,
 * a nonce count sent again, an empty `Content-Type:` on the empty POST, a parser that cannot read `<?xml ...?>`.
 */
import test, { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { deviceIdOf } from "../../src/domain/device.js";
import { SimDevice } from "../../src/sim/device.js";
import { runSession, type SessionOptions } from "../../src/sim/client.js";
import type { SimQuirks } from "../../src/sim/types.js";
import { EXAMPLE_POLICIES, startTestServer, type TestServer } from "../support/server.js";
import { model } from "../support/fleet-models.js";

const CPE_USER = "cpe-fleet";
const CPE_PASS = "s3cret-cpe-password";
const DIGEST = { CONVERGE_CPE_AUTH: "digest", CONVERGE_CPE_USERNAME: CPE_USER, CONVERGE_CPE_PASSWORD: CPE_PASS };

function opts(server: TestServer): SessionOptions {
  return { acsUrl: server.cwmpUrl, timeoutMs: 5_000, maxMessages: 300, auth: { username: CPE_USER, password: CPE_PASS, scheme: "digest" } };
}

const ROWS: readonly { readonly quirk: keyof SimQuirks; readonly what: string }[] = [
  { quirk: "authOnlyWithBody", what: "Digest only on requests with a body (issue 9.4)" },
  { quirk: "shortNonceBuffer", what: "a 32-byte nonce buffer (issue 9.5)" },
  { quirk: "emptyDigestUri", what: 'uri="" (issue 9.5)' },
  { quirk: "reusedNonceCount", what: "the same nonce count on every request, re-authenticating only on stale=true (issue 9.5)" },
  { quirk: "emptyContentType", what: "an empty Content-Type: on the empty POST (issue 9.6)" },
];

describe("Digest once per session and Digest details (default settings)", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ policies: EXAMPLE_POLICIES, env: DIGEST });
  });
  after(async () => server.close());

  for (const [i, row] of ROWS.entries()) {
    void test(`a CPE with ${row.what} completes an authenticated session that sends RPCs`, async () => {
      const d = new SimDevice(model("tplink-ex220-tr181.csv"), { serialNumber: `AUTHQ-${i}`, quirks: { [row.quirk]: true } });
      const r = await runSession(d, opts(server));
      assert.equal(r.ok, true, `${r.error ?? ""} (HTTP ${r.status})`);
      assert.ok(r.rpcs.length > 0, "the example policies sent RPCs");
      const second = await runSession(d, opts(server));
      assert.equal(second.ok, true, second.error);
    });
  }

  void test("every quirk at once still completes", async () => {
    const all = Object.fromEntries(ROWS.map((r) => [r.quirk, true])) as SimQuirks;
    const r = await runSession(new SimDevice(model("huawei-eg8145v5-tr098.csv"), { serialNumber: "AUTHQ-ALL", quirks: all }), opts(server));
    assert.equal(r.ok, true, r.error);
  });

  void test("a trusted session still refuses a new Inform without credentials, and another client's cookie on a live session", async () => {
    const d = new SimDevice(model("tplink-ex220-tr181.csv"), { serialNumber: "AUTHQ-TRUST" });
    const r = await runSession(d, opts(server));
    assert.equal(r.ok, true, r.error);
    // Without credentials nothing gets in: the first request of a session is always challenged.
    const anon = await runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 5_000, maxMessages: 10 });
    assert.equal(anon.error, "auth_failed");
  });
});

describe("cpeAuth.perRequest: every request authenticates (the setting for those who want it)", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ policies: EXAMPLE_POLICIES, env: { ...DIGEST, CONVERGE_CPE_AUTH_PER_REQUEST: "true" } });
  });
  after(async () => server.close());

  void test("a well-behaved CPE completes; one authenticating only requests with a body is refused at its empty POST", async () => {
    const good = await runSession(new SimDevice(model("tplink-ex220-tr181.csv"), { serialNumber: "PERREQ-1" }), opts(server));
    assert.equal(good.ok, true, good.error);
    const embedded = await runSession(
      new SimDevice(model("tplink-ex220-tr181.csv"), { serialNumber: "PERREQ-2", quirks: { authOnlyWithBody: true } }),
      opts(server),
    );
    assert.equal(embedded.ok, false);
    assert.equal(embedded.error, "auth_failed");
  });
});

describe("cwmp.omitXmlDeclaration per model (issue 9.8)", () => {
  let server: TestServer;
  const nokia = model("nokia-g1425ga-tr098.csv");
  const zte = model("zte-h199a-tr098.csv");
  before(async () => {
    const probe = new SimDevice(nokia, { serialNumber: "X" });
    server = await startTestServer({
      policies: EXAMPLE_POLICIES,
      env: { CONVERGE_OMIT_XML_DECLARATION: `${probe.deviceId.oui}/${probe.deviceId.productClass}` },
    });
  });
  after(async () => server.close());

  void test("the listed model gets messages without the declaration and converges; another model still gets it", async () => {
    const listed = new SimDevice(nokia, { serialNumber: "NODECL-1", quirks: { noXmlDeclaration: true } });
    const r = await runSession(listed, { acsUrl: server.cwmpUrl, timeoutMs: 5_000, maxMessages: 300, transcript: true });
    assert.equal(r.ok, true, r.error);
    assert.ok(r.rpcs.length > 0);
    const acs = (r.transcript ?? []).filter((t) => t.from === "acs" && t.body !== "");
    assert.ok(acs.length > 1 && acs.every((t) => !t.body.startsWith("<?xml")), "no ACS message of the listed model has a declaration");
    const other = new SimDevice(zte, { serialNumber: "NODECL-2", quirks: { noXmlDeclaration: true } });
    const refused = await runSession(other, { acsUrl: server.cwmpUrl, timeoutMs: 5_000, maxMessages: 300 });
    assert.equal(refused.ok, false, "a model not listed gets the declaration, which this CPE cannot read");
    assert.equal(refused.error, "xml_declaration");
    assert.ok(server.store.getDevice(deviceIdOf(listed.deviceId)));
  });
});
