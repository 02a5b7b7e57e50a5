/**
 * Per-model ParameterKey and connection-request username settings (`quirks:` parameterKey, connReqUsername; #12.4)
 * on a fleet of simulated CPEs from four real data models against a real server: the simulator's quirk on a model,
 * the switch configured for that model only, and the other models (with or without the quirk) behave as they do
 * without the switch.
 * - resetWithoutBootstrap (a ZyXEL VMG4927 after a config-file restore: configuration and ParameterKey gone, the
 *   next Inform "1 BOOT" only): with `parameterKey: kept` on its model the emptied key is a reset and the device
 *   is provisioned again (values and the connection request credentials); under the default (learn) the same
 *   Inform reads as a CPE that does not keep the key.
 * - ignoresCrUsername (issue 9.10: accepts ConnectionRequestUsername, keeps its own): with `connReqUsername:
 *   reported` on its model Converge never sets the username and its connection request is accepted at the first
 *   answer; without it, Converge sets the username and a connection request needs a second, refused-then-retried try.
 * - fixedParameterKey (reports a vendor constant, `unsetCommandKey`, and never stores the ACS's key): with
 *   `parameterKey: ignored` on its model the write-only values Converge set are not re-sent on every full visit;
 *   under the default (learn) a key that is none of ours means someone else may have written, so they are.
 * - connReqBasicOnly (a listener that offers Basic alone): with `connReqAllowBasic: true` on its model Converge
 *   answers it; elsewhere Basic stays refused (connectionRequest.allowBasic is false), so Digest remains the rule.
 */
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deviceIdOf } from "../../src/domain/device.js";
import { SimDevice } from "../../src/sim/device.js";
import { runSession, type SessionResult } from "../../src/sim/client.js";
import { ConnReqListener } from "../../src/sim/connreq-listener.js";
import type { SimQuirks } from "../../src/sim/types.js";
import { connReqCredentials } from "../../src/server/desired-resolver.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { model, type MODEL_FILES } from "../support/fleet-models.js";
import { apiClient } from "../support/api-client.js";

const POLICIES: Readonly<Record<string, string>> = {
  "tr098.yaml": "name: interval-tr098\nmatch:\n  dataModel: tr098\nparameters:\n  InternetGatewayDevice.ManagementServer.PeriodicInformInterval: 1234\n",
  "tr181.yaml": "name: interval-tr181\nmatch:\n  dataModel: tr181\nparameters:\n  Device.ManagementServer.PeriodicInformInterval: 1234\n",
};

const sim = (file: (typeof MODEL_FILES)[number], serialNumber: string, quirks: SimQuirks = {}): SimDevice =>
  new SimDevice(model(file), { serialNumber, quirks });

// The fleet: the quirk on the configured model, the same quirk on another model, and plain devices.
const zteReset = sim("zte-h199a-tr098.csv", "MQ-ZTE-RESET", { resetWithoutBootstrap: true });
const huaweiReset = sim("huawei-eg8145v5-tr098.csv", "MQ-HW-RESET", { resetWithoutBootstrap: true });
const huaweiPlain = sim("huawei-eg8145v5-tr098.csv", "MQ-HW-PLAIN");
const ex220Cru = sim("tplink-ex220-tr181.csv", "MQ-EX-CRU", { ignoresCrUsername: true });
const ec220Cru = sim("tplink-ec220g5v3-tr181.csv", "MQ-EC-CRU", { ignoresCrUsername: true });
const nokiaBasic = sim("nokia-g1425ga-tr098.csv", "MQ-NOKIA-BASIC", { connReqBasicOnly: true });
const bm632wBasic = sim("huawei-bm632w-tr098.csv", "MQ-BM-BASIC", { connReqBasicOnly: true });
const nokiaFixedKey = sim("nokia-g1425ga-tr098.csv", "MQ-NOKIA-FIXED", { fixedParameterKey: "unsetCommandKey" });
const bm632wFixedKey = sim("huawei-bm632w-tr098.csv", "MQ-BM-FIXED", { fixedParameterKey: "unsetCommandKey" });
const FLEET = [zteReset, huaweiReset, huaweiPlain, ex220Cru, ec220Cru, nokiaBasic, bm632wBasic, nokiaFixedKey, bm632wFixedKey];

const CONFIG = `
quirks:
  - match: { productClass: "${zteReset.deviceId.productClass}" }
    parameterKey: kept
  - match: { productClass: "${ex220Cru.deviceId.productClass}", oui: "${ex220Cru.deviceId.oui}" }
    connReqUsername: reported
  - match: { productClass: "${nokiaBasic.deviceId.productClass}" }
    connReqAllowBasic: true
    parameterKey: ignored
`;

let server: TestServer;
let api: ReturnType<typeof apiClient>;
let listener: ConnReqListener;
const triggered: Promise<SessionResult>[] = [];
/** Every session's SetParameterValues bodies, per device. */
const sets = new Map<SimDevice, string[]>();

async function session(d: SimDevice): Promise<SessionResult> {
  const r = await runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 10_000, maxMessages: 300, transcript: true });
  assert.equal(r.ok, true, `${d.deviceId.serialNumber}: ${r.error ?? ""}`);
  const bodies = (r.transcript ?? []).filter((t) => t.from === "acs" && t.body.includes("SetParameterValues>")).map((t) => t.body);
  sets.set(d, [...(sets.get(d) ?? []), ...bodies]);
  return r;
}

/** Sessions until one needs no RPC; bounded. */
async function converge(d: SimDevice): Promise<void> {
  for (let i = 0; i < 6; i++) if ((await session(d)).rpcs.length === 0) return;
  assert.fail(`${d.deviceId.serialNumber} did not converge`);
}

const pii = (d: SimDevice): string | undefined => d.get(`${d.model.root}ManagementServer.PeriodicInformInterval`)?.value;
const idOf = (d: SimDevice): string => encodeURIComponent(deviceIdOf(d.deviceId));
const convergeNow = (d: SimDevice) => api<{ outcome?: string; error?: { code: string } }>("POST", `/api/devices/${idOf(d)}/connection-request?waitMs=10000`);
/** The connection request's HTTP GETs the CPE received (a challenge and its answer are two). */
async function reachedWith(d: SimDevice): Promise<{ status: number; gets: number }> {
  const before = listener.httpRequests(d);
  const r = await convergeNow(d);
  return { status: r.status, gets: listener.httpRequests(d) - before };
}

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), "converge-model-quirks-"));
  for (const [file, text] of Object.entries(POLICIES)) writeFileSync(join(dir, file), text);
  try {
    server = await startTestServer({ policies: dir, config: CONFIG });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  api = apiClient(server.apiUrl);
  listener = await ConnReqListener.start({ onRequest: (d) => triggered.push(session(d)) });
  for (const d of FLEET) listener.register(d);
  await Promise.all(FLEET.map((d) => converge(d)));
});
after(async () => {
  await Promise.allSettled(triggered);
  await listener.close();
  await server.close();
});

void test("the whole fleet converges under the configured quirks", () => {
  for (const d of FLEET) assert.equal(pii(d), "1234", d.deviceId.serialNumber);
});

void test("parameterKey: kept on one model: its reset without BOOTSTRAP is provisioned again; the same CPE on another model keeps the default reading", async () => {
  for (const d of [zteReset, huaweiReset]) {
    d.resetLocally();
    assert.notEqual(pii(d), "1234", "the reset took the value back to the model's");
    assert.equal(d.parameterKey, "");
    assert.equal(
      d.pendingEvents.some((e) => e.code === "0 BOOTSTRAP"),
      false,
      "the quirk: no BOOTSTRAP",
    );
  }
  for (const d of [zteReset, huaweiReset]) await converge(d);
  // The configured model: the emptied key was a reset; values and credentials are provisioned again.
  assert.equal(pii(zteReset), "1234");
  assert.deepEqual(zteReset.connectionRequestCredentials(), await connReqCredentials(server.store, deviceIdOf(zteReset.deviceId)));
  assert.deepEqual(await reachedWith(zteReset), { status: 200, gets: 2 });
  // Another model with the same CPE behaviour, no switch: the default (learn) reads the empty key as a CPE that
  // does not keep it, exactly as before the setting existed.
  assert.notEqual(pii(huaweiReset), "1234");
  assert.notDeepEqual(huaweiReset.connectionRequestCredentials(), await connReqCredentials(server.store, deviceIdOf(huaweiReset.deviceId)));
  // A plain device of that model is untouched: converged, reached at the first answer.
  assert.equal((await session(huaweiPlain)).rpcs.length, 0);
  assert.deepEqual(await reachedWith(huaweiPlain), { status: 200, gets: 2 });
});

const CRU = "ManagementServer.ConnectionRequestUsername";

void test("connReqUsername: reported on one model: the username is never set and its connection request is accepted at the first answer; another model keeps the default", async () => {
  // The configured model: Converge set the password only, and nothing is faulted for the username.
  assert.equal(
    (sets.get(ex220Cru) ?? []).some((b) => b.includes(CRU)),
    false,
    "no SetParameterValues of the username",
  );
  assert.ok((sets.get(ex220Cru) ?? []).some((b) => b.includes("ManagementServer.ConnectionRequestPassword")));
  assert.equal(ex220Cru.get(`Device.${CRU}`)?.value, "anlix", "the CPE's own username");
  const faults = (await api<{ faults: { code: string; path?: string }[] }>("GET", `/api/devices/${idOf(ex220Cru)}`)).json.faults;
  assert.deepEqual(
    faults.filter((f) => f.path?.endsWith(CRU)),
    [],
  );
  assert.deepEqual(await reachedWith(ex220Cru), { status: 200, gets: 2 });
  // Another model with the same CPE, no switch: the default sets the username, and a connection request is
  // refused with it before the retry with the reported one.
  assert.ok((sets.get(ec220Cru) ?? []).some((b) => b.includes(CRU)));
  assert.deepEqual(await reachedWith(ec220Cru), { status: 200, gets: 4 });
});

void test("connReqAllowBasic on one model: its Basic-only listener is answered; the same listener on another model is not", async () => {
  assert.deepEqual(await reachedWith(nokiaBasic), { status: 200, gets: 2 });
  // No Basic for a model without the switch: refused before any credentials are sent.
  assert.deepEqual(await reachedWith(bm632wBasic), { status: 502, gets: 1 });
  // And a Digest CPE of any model is reached as before.
  assert.deepEqual(await reachedWith(huaweiPlain), { status: 200, gets: 2 });
});

void test("parameterKey: ignored on one model: a CPE reporting a vendor ParameterKey is not re-sent its password on full visits; the same CPE on another model is", async () => {
  const resent = async (d: SimDevice): Promise<number> => {
    let n = 0;
    for (let i = 0; i < 2; i++) {
      d.queueEvent("1 BOOT"); // a full visit (no converged fast path)
      const before = (sets.get(d) ?? []).length;
      await session(d);
      n += (sets.get(d) ?? []).slice(before).filter((b) => b.includes("ManagementServer.ConnectionRequestPassword")).length;
    }
    return n;
  };
  assert.equal(nokiaFixedKey.parameterKey, "unsetCommandKey", "the quirk: the vendor's key, whatever Converge sent");
  assert.equal(await resent(nokiaFixedKey), 0, "configured model: the password Converge set stays set");
  assert.equal(await resent(bm632wFixedKey), 2, "default (learn): a key none of ours means someone may have written");
  assert.deepEqual(await reachedWith(nokiaFixedKey), { status: 200, gets: 2 });
});
