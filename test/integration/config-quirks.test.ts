/**
 * `quirks:` in converge.yaml, one test per switch through a real session: a real server (config file with a
 * quirks list, Digest), the simulator on a real TR-098 model (ZTE H199A), one product class per switch and a plain one as
 * the control. What the switch changes is read off the wire (the SOAP the CPE received) or the session's outcome.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { SimDevice } from "../../src/sim/device.js";
import { runSession, type SessionOptions, type SessionResult } from "../../src/sim/client.js";
import type { SimQuirks } from "../../src/sim/types.js";
import { model } from "../support/fleet-models.js";
import { startTestServer, type TestServer } from "../support/server.js";

const ZTE = model("zte-h199a-tr098.csv");
const CPE = { username: "cpe-fleet", password: "quirk-test-password" };
const CONFIG = `
cpeAuth: { mode: digest, username: ${CPE.username}, password: ${CPE.password} }
quirks:
  - match: { productClass: Q-DIGIT }
    booleanAsDigit: true
  - match: { productClass: Q-SECONDS }
    datetimeMilliseconds: false
  - match: { productClass: Q-BATCH }
    spvBatchSize: 1
    gpvBatchSize: 1
  - match: { productClass: Q-NODECL }
    omitXmlDeclaration: true
  - match: { productClass: Q-PERREQ }
    authPerRequest: true
  - match: { productClass: Q-PERREQ, manufacturer: Nobody }
    authPerRequest: false
`;

let server: TestServer;
const opts = (): SessionOptions => ({ acsUrl: server.cwmpUrl, timeoutMs: 5_000, maxMessages: 300, transcript: true, auth: { ...CPE, scheme: "digest" } });
const device = (productClass: string, quirks: SimQuirks = {}): SimDevice => new SimDevice(ZTE, { productClass, serialNumber: `QK-${productClass}`, quirks });
/** The bodies of the SetParameterValues the CPE received. */
const spvBodies = (r: SessionResult): string[] =>
  (r.transcript ?? []).filter((t) => t.from === "acs" && t.body.includes("SetParameterValues>")).map((t) => t.body);
const count = (r: SessionResult, method: string): number => r.rpcs.filter((m) => m === method).length;

async function converged(d: SimDevice): Promise<SessionResult> {
  const r = await runSession(d, opts());
  assert.equal(r.ok, true, `${d.deviceId.productClass}: ${r.error ?? ""} (HTTP ${r.status})`);
  assert.ok(r.rpcs.includes("SetParameterValues"), `${d.deviceId.productClass} was written to: ${r.rpcs.join(",")}`);
  return r;
}

describe("per-model quirk switches (quirks: in the configuration)", () => {
  let plain: SessionResult;
  before(async () => {
    server = await startTestServer({ policies: new URL("../fixtures/quirk-policies/", import.meta.url), config: CONFIG });
    plain = await converged(device("PLAIN"));
  });
  after(async () => server.close());

  it("the control: a model no entry matches gets true/false, milliseconds, one SetParameterValues, the XML declaration", () => {
    const [spv] = spvBodies(plain);
    assert.match(spv ?? "", />false</);
    assert.match(spv ?? "", /2026-01-02T03:04:05\.678Z/);
    assert.equal(count(plain, "SetParameterValues"), 1);
    assert.ok((plain.transcript ?? []).filter((t) => t.from === "acs" && t.body !== "").every((t) => t.body.startsWith("<?xml")));
  });

  it("booleanAsDigit: booleans are written as 1/0", async () => {
    const r = await converged(device("Q-DIGIT"));
    const spv = spvBodies(r).join("");
    assert.match(spv, /PeriodicInformEnable<\/Name>\s*<Value[^>]*>0</);
    assert.doesNotMatch(spv, />false</);
  });

  it("datetimeMilliseconds: false writes whole seconds", async () => {
    const r = await converged(device("Q-SECONDS"));
    const spv = spvBodies(r).join("");
    assert.match(spv, /2026-01-02T03:04:05Z/);
    assert.doesNotMatch(spv, /\.678Z/);
  });

  it("spvBatchSize and gpvBatchSize: one parameter per SetParameterValues and per GetParameterValues", async () => {
    const r = await converged(device("Q-BATCH"));
    const structs = (body: string): number => (body.match(/<ParameterValueStruct>/g) ?? []).length;
    const written = spvBodies(plain).reduce((n, b) => n + structs(b), 0);
    assert.ok(written >= 3, "the control wrote the three values (and the connection-request credentials) in one batch");
    assert.equal(count(r, "SetParameterValues"), written, r.rpcs.join(","));
    assert.ok(spvBodies(r).every((b) => structs(b) === 1));
    const gpvs = (x: SessionResult): string[] =>
      (x.transcript ?? []).filter((t) => t.from === "acs" && t.body.includes("GetParameterValues>")).map((t) => t.body);
    assert.ok(
      gpvs(plain).some((b) => (b.match(/<string>/g) ?? []).length > 1),
      "the control reads several parameters at once",
    );
    assert.ok(gpvs(r).length > 0 && gpvs(r).every((b) => (b.match(/<string>/g) ?? []).length === 1), "one parameter per GetParameterValues");
  });

  it("omitXmlDeclaration: a CPE that cannot read <?xml ...?> converges; the control model with that CPE stack fails", async () => {
    const r = await converged(device("Q-NODECL", { noXmlDeclaration: true }));
    assert.ok((r.transcript ?? []).filter((t) => t.from === "acs" && t.body !== "").every((t) => !t.body.startsWith("<?xml")));
    const refused = await runSession(device("PLAIN-NODECL", { noXmlDeclaration: true }), opts());
    assert.equal(refused.error, "xml_declaration");
  });

  it("authPerRequest: a CPE that authenticates only requests with a body is refused at its empty POST; without the switch it converges", async () => {
    const refused = await runSession(device("Q-PERREQ", { authOnlyWithBody: true }), opts());
    assert.equal(refused.ok, false);
    assert.equal(refused.error, "auth_failed");
    await converged(device("PLAIN-BODYAUTH", { authOnlyWithBody: true }));
  });
});
