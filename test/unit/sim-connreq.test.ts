import test from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { parseDataModelCsv } from "../../src/datamodel/csv.js";
import { SimDevice } from "../../src/sim/device.js";
import { ConnReqListener } from "../../src/sim/connreq-listener.js";
import { runSession } from "../../src/sim/client.js";
import { sendHttpConnectionRequest } from "../../src/connreq/http.js";
import { sendUdpConnectionRequest } from "../../src/connreq/udp.js";
import { decodeCpeEnvelope } from "../../src/cwmp/decode.js";
import { encodeAcsMessage } from "../../src/cwmp/encode.js";
import type { InformRequest } from "../../src/cwmp/types.js";

const TINY = parseDataModelCsv(readFileSync(new URL("../fixtures/datamodels/sim-tiny-tr098.csv", import.meta.url), "utf8"));
const MS = "InternetGatewayDevice.ManagementServer.";
const CREDS = { username: "cr-user", password: "cr-pass" };
const HTTP_OPTS = { timeoutMs: 2000, allowBasic: false };

/** A device whose ConnectionRequestUsername/Password were set by the ACS, as in real provisioning. */
function provisioned(serial: string): SimDevice {
  const d = new SimDevice(TINY, { serialNumber: serial, quirks: { revealPasswords: true } });
  const r = d.handle({
    method: "SetParameterValues",
    values: [
      { name: `${MS}ConnectionRequestUsername`, value: CREDS.username, type: "xsd:string" },
      { name: `${MS}ConnectionRequestPassword`, value: CREDS.password, type: "xsd:string" },
    ],
    parameterKey: "",
  });
  assert.equal(r.method, "SetParameterValuesResponse");
  return d;
}

async function withListener(opts: { udp?: boolean; busy?: boolean }, body: (l: ConnReqListener, accepted: SimDevice[]) => Promise<void>): Promise<void> {
  const accepted: SimDevice[] = [];
  const l = await ConnReqListener.start({ onRequest: (d) => accepted.push(d), udp: opts.udp ?? false, busy: () => opts.busy === true });
  try {
    await body(l, accepted);
  } finally {
    await l.close();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

void test("register sets the device's ConnectionRequestURL to its route on the listener", () =>
  withListener({}, async (l) => {
    const d = provisioned("SN-A");
    const url = l.register(d);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/cr\/SN-A$/);
    const gpv = d.handle({ method: "GetParameterValues", names: [`${MS}ConnectionRequestURL`] });
    assert.deepStrictEqual(gpv.method === "GetParameterValuesResponse" && gpv.parameterList[0]?.value, url);
  }));

const HTTP_CASES = [
  { name: "right credentials: ok, event 6 queued, callback once", creds: CREDS, busy: false, want: "ok", accepted: 1 },
  { name: "wrong password: auth_failed, no session", creds: { ...CREDS, password: "nope" }, busy: false, want: "auth_failed", accepted: 0 },
  { name: "wrong user: auth_failed, no session", creds: { ...CREDS, username: "other" }, busy: false, want: "auth_failed", accepted: 0 },
  { name: "busy device: 503", creds: CREDS, busy: true, want: "busy", accepted: 0 },
] as const;

for (const c of HTTP_CASES) {
  void test(`HTTP connection request, ${c.name}`, () =>
    withListener({ busy: c.busy }, async (l, accepted) => {
      const d = provisioned("SN-B");
      d.inform(0);
      d.sessionEnded(true);
      const out = await sendHttpConnectionRequest(l.register(d), c.creds, HTTP_OPTS);
      await sleep(20);
      assert.equal(out.kind, c.want);
      assert.equal(accepted.length, c.accepted);
      assert.equal(
        d.pendingEvents.some((e) => e.code === "6 CONNECTION REQUEST"),
        c.accepted === 1,
      );
    }));
}

void test("HTTP connection request without credentials gets a Digest qop=auth challenge; unknown path 404", () =>
  withListener({}, async (l) => {
    const url = l.register(provisioned("SN-C"));
    const res = await fetch(url);
    assert.equal(res.status, 401);
    assert.match(res.headers.get("www-authenticate") ?? "", /^Digest realm="[^"]+", qop="auth", nonce="[0-9a-f]+", algorithm=MD5$/);
    assert.equal((await fetch(url.replace("SN-C", "SN-missing"))).status, 404);
  }));

void test("UDP connection request (TR-111): three copies start one session; a bad signature none", () =>
  withListener({ udp: true }, async (l, accepted) => {
    const d = provisioned("SN-D");
    l.register(d);
    const address = l.udpAddress ?? "";
    assert.equal(d.get(`${MS}UDPConnectionRequestAddress`), undefined); // not in this model: nothing to report
    const bad = await sendUdpConnectionRequest(address, { ...CREDS, password: "wrong" }, { repeats: 2, intervalMs: 5 });
    assert.equal(bad.kind, "sent");
    await sleep(50);
    assert.equal(accepted.length, 0);
    const good = await sendUdpConnectionRequest(address, CREDS, { repeats: 3, intervalMs: 5 });
    assert.equal(good.kind, "sent");
    await sleep(50);
    assert.deepStrictEqual(accepted, [d]);
  }));

void test("connection request -> session: the ACS receives an Inform with 6 CONNECTION REQUEST", async () => {
  const informs: InformRequest[] = [];
  const acs = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (b: Buffer) => parts.push(b));
    req.on("end", () => {
      const decoded = decodeCpeEnvelope(Buffer.concat(parts).toString("utf8"));
      if (decoded.ok && decoded.value.message.method === "Inform") {
        informs.push(decoded.value.message);
        const xml = encodeAcsMessage({ method: "InformResponse", maxEnvelopes: 1 }, { version: decoded.value.version, id: decoded.value.header.id ?? "x" });
        return void res.writeHead(200, { "Content-Type": "text/xml" }).end(xml);
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => acs.listen(0, "127.0.0.1", r));
  const acsUrl = `http://127.0.0.1:${(acs.address() as AddressInfo).port}/`;
  const sessions: Promise<unknown>[] = [];
  const l = await ConnReqListener.start({ onRequest: (d) => sessions.push(runSession(d, { acsUrl, timeoutMs: 2000, maxMessages: 8 })) });
  try {
    const d = provisioned("SN-E");
    const url = l.register(d);
    await runSession(d, { acsUrl, timeoutMs: 2000, maxMessages: 8 }); // bootstrap session
    assert.equal((await sendHttpConnectionRequest(url, CREDS, HTTP_OPTS)).kind, "ok");
    while (sessions.length === 0) await sleep(5);
    await Promise.all(sessions);
    assert.deepStrictEqual(
      informs.map((i) => i.events.map((e) => e.code)),
      [["0 BOOTSTRAP", "1 BOOT"], ["6 CONNECTION REQUEST"]],
    );
    assert.equal(informs[1]?.parameterList.find((p) => p.name.endsWith("ConnectionRequestURL"))?.value, url);
  } finally {
    await l.close();
    acs.closeAllConnections();
    await new Promise<void>((r) => acs.close(() => r()));
  }
});
