import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseDataModelCsv } from "../../src/datamodel/csv.js";
import { SimDevice } from "../../src/sim/device.js";
import { ConnReqListener } from "../../src/sim/connreq-listener.js";
import { sendHttpConnectionRequest } from "../../src/connreq/http.js";
import { sendUdpConnectionRequest } from "../../src/connreq/udp.js";
import { generateConnReqCredentials } from "../../src/connreq/credentials.js";
import { randomBytes } from "node:crypto";

// Interop: the ACS's connection-request client against the simulated CPE's listener, an independent
// implementation of the CPE side (src/sim/digest.ts, its own HMAC check), over 127.0.0.1.
const MODEL = parseDataModelCsv(readFileSync(new URL("../fixtures/datamodels/sim-tiny-tr098.csv", import.meta.url), "utf8"));

async function setup(): Promise<{
  device: SimDevice;
  listener: ConnReqListener;
  url: string;
  creds: { username: string; password: string };
  kicked: () => number;
}> {
  let kicked = 0;
  const listener = await ConnReqListener.start({ onRequest: () => void kicked++, udp: true });
  const device = new SimDevice(MODEL);
  const creds = generateConnReqCredentials("00147F-IGD-SIM0001", randomBytes);
  const ms = `${device.model.root}ManagementServer.`;
  assert.ok(device.setLocal(`${ms}ConnectionRequestUsername`, creds.username));
  assert.ok(device.setLocal(`${ms}ConnectionRequestPassword`, creds.password));
  const url = listener.register(device);
  return { device, listener, url, creds, kicked: () => kicked };
}

const waitUntil = async (cond: () => boolean, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
};

void test("interop HTTP: provisioned credentials reach the simulated CPE, which then asks for a session", async () => {
  const s = await setup();
  try {
    assert.deepEqual(await sendHttpConnectionRequest(s.url, s.creds, { timeoutMs: 2_000, allowBasic: false }), { kind: "ok" });
    await waitUntil(() => s.kicked() === 1, 1_000);
    assert.equal(s.kicked(), 1);
  } finally {
    await s.listener.close();
  }
});

void test("interop HTTP: wrong credentials are refused and start no session", async () => {
  const s = await setup();
  try {
    const out = await sendHttpConnectionRequest(s.url, { ...s.creds, password: "stale-password" }, { timeoutMs: 2_000, allowBasic: false });
    assert.equal(out.kind, "auth_failed");
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(s.kicked(), 0);
  } finally {
    await s.listener.close();
  }
});

void test("interop UDP: three signed copies start exactly one session", async () => {
  const s = await setup();
  try {
    const addr = s.listener.udpAddress ?? assert.fail("no UDP address");
    const out = await sendUdpConnectionRequest(addr, s.creds, { repeats: 3, intervalMs: 10 });
    assert.equal(out.kind, "sent");
    await waitUntil(() => s.kicked() >= 1, 1_000);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(s.kicked(), 1);
  } finally {
    await s.listener.close();
  }
});

void test("interop UDP: a mis-signed request starts nothing", async () => {
  const s = await setup();
  try {
    await sendUdpConnectionRequest(s.listener.udpAddress ?? "", { ...s.creds, password: "wrong" }, { repeats: 2, intervalMs: 5 });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(s.kicked(), 0);
  } finally {
    await s.listener.close();
  }
});
