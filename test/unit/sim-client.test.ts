import test from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseDataModelCsv } from "../../src/datamodel/csv.js";
import { SimDevice } from "../../src/sim/device.js";
import { runSession } from "../../src/sim/client.js";
import { decodeCpeEnvelope } from "../../src/cwmp/decode.js";
import { encodeAcsMessage } from "../../src/cwmp/encode.js";
import type { AcsMessage, CpeMessage, CwmpVersion } from "../../src/cwmp/types.js";
import type { SimQuirks } from "../../src/sim/types.js";

const TINY = parseDataModelCsv(readFileSync(new URL("../fixtures/datamodels/sim-tiny-tr098.csv", import.meta.url), "utf8"));
const MS = "InternetGatewayDevice.ManagementServer.";
const USER = "A1B2C3-Box1-SN1";
const PASS = "s3cret";
const REALM = "converge-test";
const md5 = (s: string): string => createHash("md5").update(s).digest("hex");

interface Seen {
  readonly body: string;
  readonly message: CpeMessage | "empty";
  readonly headers: http.IncomingHttpHeaders;
  readonly socket: number;
}

interface TestAcsOptions {
  readonly auth?: "digest" | "basic";
  /** ACS requests to send after the empty POST, in order; then 204. */
  readonly script: readonly AcsMessage[];
  /** Keep sending the last script entry forever (a looping ACS). */
  readonly loop?: boolean;
  /** Never answer. */
  readonly silent?: boolean;
}

/**
 * A test-only ACS: InformResponse, TransferCompleteResponse, then the script (consumed across sessions) after
 * the empty POST, then 204.
 * It checks Digest answers with its own arithmetic (RFC 7616), sets a session cookie and records everything.
 */
async function startAcs(o: TestAcsOptions): Promise<{ url: string; seen: Seen[]; unauthorized: number; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const nonces = new Set<string>();
  const state = { step: 0, version: "1.0" as CwmpVersion, unauthorized: 0, sockets: new Map<object, number>() };
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (b: Buffer) => parts.push(b));
    req.on("end", () => {
      if (o.silent === true) return;
      if (!authorized(req, nonces, o.auth)) {
        state.unauthorized++;
        const nonce = randomBytes(8).toString("hex");
        nonces.add(nonce);
        const challenge = o.auth === "basic" ? `Basic realm="${REALM}"` : `Digest realm="${REALM}", qop="auth", nonce="${nonce}", algorithm=MD5`;
        res.writeHead(401, { "WWW-Authenticate": challenge, "Content-Length": "0" }).end();
        return;
      }
      const latin1 = /iso-8859-1/i.test(req.headers["content-type"] ?? "");
      const body = Buffer.concat(parts).toString(latin1 ? "latin1" : "utf8");
      if (!state.sockets.has(req.socket)) state.sockets.set(req.socket, state.sockets.size);
      const socket = state.sockets.get(req.socket) ?? -1;
      const reply = (msg: AcsMessage | undefined, id: string): void => {
        if (msg === undefined) return void res.writeHead(204).end();
        const xml = encodeAcsMessage(msg, { version: state.version, id });
        res.writeHead(200, { "Content-Type": 'text/xml; charset="utf-8"', "Set-Cookie": "session=abc123; Path=/" }).end(xml);
      };
      if (body.trim() === "") {
        seen.push({ body, message: "empty", headers: req.headers, socket });
        return reply(nextScripted(o, state), "acs-1");
      }
      const decoded = decodeCpeEnvelope(body);
      assert.ok(decoded.ok, `ACS could not decode: ${body.slice(0, 300)}`);
      const { message, header, version } = decoded.value;
      seen.push({ body, message, headers: req.headers, socket });
      const id = header.id ?? "no-id";
      if (message.method === "Inform") {
        state.version = version;
        return reply({ method: "InformResponse", maxEnvelopes: 1 }, id);
      }
      if (message.method === "TransferComplete") return reply({ method: "TransferCompleteResponse" }, id);
      return reply(nextScripted(o, state), "acs-2");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/acs`,
    seen,
    get unauthorized() {
      return state.unauthorized;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function nextScripted(o: TestAcsOptions, state: { step: number }): AcsMessage | undefined {
  if (o.loop === true) return o.script[Math.min(state.step++, o.script.length - 1)];
  return o.script[state.step++];
}

function authorized(req: http.IncomingMessage, nonces: ReadonlySet<string>, scheme: "digest" | "basic" | undefined): boolean {
  if (scheme === undefined) return true;
  const h = req.headers.authorization ?? "";
  if (scheme === "basic") return h === `Basic ${Buffer.from(`${USER}:${PASS}`).toString("base64")}`;
  const p = Object.fromEntries([...h.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)].map((m) => [m[1], m[2] ?? m[3]]));
  if (!h.startsWith("Digest ") || !nonces.has(p.nonce ?? "") || p.username !== USER || p.qop !== "auth") return false;
  const ha1 = md5(`${USER}:${REALM}:${PASS}`);
  const ha2 = md5(`${req.method}:${req.url}`);
  return p.uri === req.url && p.response === md5(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`);
}

const GPV: AcsMessage = { method: "GetParameterValues", names: [`${MS}PeriodicInformInterval`] };
const SPV: AcsMessage = {
  method: "SetParameterValues",
  values: [{ name: `${MS}PeriodicInformInterval`, value: "60", type: "xsd:unsignedInt" }],
  parameterKey: "rev-abc",
};
const messages = (seen: readonly Seen[]): string[] => seen.map((s) => (s.message === "empty" ? "empty" : s.message.method));
const base = { timeoutMs: 2000, maxMessages: 16 };

void test("client: Digest auth, Inform, empty POST, GPV + SPV answered, 204 ends; state changed on the CPE", async () => {
  const acs = await startAcs({ auth: "digest", script: [GPV, SPV] });
  const device = new SimDevice(TINY);
  const r = await runSession(device, { ...base, acsUrl: acs.url, auth: { username: USER, password: PASS } });
  await acs.close();
  assert.deepStrictEqual([r.ok, r.error, r.rpcs, r.status], [true, undefined, ["GetParameterValues", "SetParameterValues"], 204]);
  assert.deepStrictEqual(messages(acs.seen), ["Inform", "empty", "GetParameterValuesResponse", "SetParameterValuesResponse"]);
  const gpvr = acs.seen[2]?.message;
  assert.deepStrictEqual(gpvr !== "empty" && gpvr?.method === "GetParameterValuesResponse" && gpvr.parameterList.map((p) => p.value), ["300"]);
  assert.equal(device.get(`${MS}PeriodicInformInterval`)?.value, "60");
  assert.equal(device.parameterKey, "rev-abc");
  // one challenge only (the first Inform, not recorded): the nonce is re-used with a growing nonce count
  assert.equal(acs.unauthorized, 1);
  assert.deepStrictEqual(
    acs.seen.map((s) => /nc=(\w+)/.exec(s.headers.authorization ?? "")?.[1]),
    ["00000001", "00000002", "00000003", "00000004"],
  );
  // keep-alive: one TCP connection; the cookie set by the ACS comes back from the second request on
  assert.deepStrictEqual(new Set(acs.seen.map((s) => s.socket)).size, 1);
  assert.deepStrictEqual(
    acs.seen.map((s) => s.headers.cookie),
    [undefined, "session=abc123", "session=abc123", "session=abc123"],
  );
  // the successful session delivered BOOTSTRAP: the next one is PERIODIC
  assert.deepStrictEqual(
    device.inform(0).events.map((e) => e.code),
    ["2 PERIODIC"],
  );
});

void test("client: noCookies quirk never returns the cookie; the session still completes", async () => {
  const acs = await startAcs({ script: [GPV] });
  const r = await runSession(new SimDevice(TINY, { quirks: { noCookies: true } }), { ...base, acsUrl: acs.url });
  await acs.close();
  assert.equal(r.ok, true);
  assert.deepStrictEqual(
    acs.seen.map((s) => s.headers.cookie),
    [undefined, undefined, undefined],
  );
});

void test("client: Basic auth", async () => {
  const acs = await startAcs({ auth: "basic", script: [GPV] });
  const r = await runSession(new SimDevice(TINY), { ...base, acsUrl: acs.url, auth: { username: USER, password: PASS, scheme: "basic" } });
  await acs.close();
  assert.deepStrictEqual([r.ok, r.rpcs], [true, ["GetParameterValues"]]);
});

void test("client: wrong password fails with auth_failed; events kept, RetryCount counts", async () => {
  const acs = await startAcs({ auth: "digest", script: [] });
  const device = new SimDevice(TINY);
  const r = await runSession(device, { ...base, acsUrl: acs.url, auth: { username: USER, password: "wrong" } });
  await acs.close();
  assert.deepStrictEqual([r.ok, r.error, r.status], [false, "auth_failed", 401]);
  const next = device.inform(0);
  assert.deepStrictEqual([next.events.map((e) => e.code), next.retryCount], [["0 BOOTSTRAP", "1 BOOT"], 1]);
});

void test("client: a looping ACS is cut at maxMessages", async () => {
  const acs = await startAcs({ script: [GPV], loop: true });
  const r = await runSession(new SimDevice(TINY), { ...base, maxMessages: 5, acsUrl: acs.url });
  await acs.close();
  assert.deepStrictEqual([r.ok, r.error, acs.seen.length], [false, "too_many_messages", 5]);
});

void test("client: a silent ACS times out", async () => {
  const acs = await startAcs({ script: [], silent: true });
  const r = await runSession(new SimDevice(TINY), { ...base, timeoutMs: 150, acsUrl: acs.url });
  await acs.close();
  assert.deepStrictEqual([r.ok, r.error], [false, "timeout"]);
});

void test("client: a refused connection is a network error", async () => {
  const acs = await startAcs({ script: [] });
  await acs.close();
  const r = await runSession(new SimDevice(TINY), { ...base, acsUrl: acs.url });
  assert.deepStrictEqual([r.ok, r.error], [false, "network"]);
});

const WIRE_QUIRKS: readonly { name: string; quirks: SimQuirks; check: (seen: readonly Seen[]) => void }[] = [
  {
    name: "latin1: ISO-8859-1 charset and bytes",
    quirks: { latin1: true },
    check: (seen) => {
      assert.match(seen[0]?.headers["content-type"] ?? "", /charset=ISO-8859-1/);
      assert.match(seen[0]?.body ?? "", /encoding="ISO-8859-1"/);
    },
  },
  {
    name: "chunked: Transfer-Encoding chunked, no Content-Length",
    quirks: { chunked: true },
    check: (seen) => {
      assert.equal(seen[0]?.headers["transfer-encoding"], "chunked");
      assert.equal(seen[0]?.headers["content-length"], undefined);
    },
  },
  {
    name: "newConnectionPerRequest: every POST on its own connection",
    quirks: { newConnectionPerRequest: true },
    check: (seen) => assert.equal(new Set(seen.map((s) => s.socket)).size, seen.length),
  },
  {
    name: "noSoapHeader: no Header, no cwmp:ID",
    quirks: { noSoapHeader: true },
    check: (seen) => assert.ok(!/Header|cwmp:ID/.test(seen[0]?.body ?? "x")),
  },
  {
    name: "lyingArrayCounts: declared count differs from the items",
    quirks: { lyingArrayCounts: true },
    check: (seen) => assert.match(seen[0]?.body ?? "", /ParameterValueStruct\[9\]/),
  },
  {
    name: "booleanAsDigit: booleans on the wire as 0/1",
    quirks: { booleanAsDigit: true },
    check: (seen) => assert.match(seen[2]?.body ?? "", /<Value xsi:type="xsd:boolean">1<\/Value>/),
  },
];

for (const c of WIRE_QUIRKS) {
  void test(`client quirk ${c.name}; the ACS still decodes every message`, async () => {
    const acs = await startAcs({ script: [{ method: "GetParameterValues", names: [`${MS}PeriodicInformEnable`] }] });
    const r = await runSession(new SimDevice(TINY, { quirks: c.quirks }), { ...base, acsUrl: acs.url });
    await acs.close();
    assert.deepStrictEqual([r.ok, messages(acs.seen)], [true, ["Inform", "empty", "GetParameterValuesResponse"]]);
    c.check(acs.seen);
  });
}

void test("client: Download, then next session sends TransferComplete and reports the new version", async () => {
  const dl: AcsMessage = {
    method: "Download",
    commandKey: "fw-9",
    fileType: "1 Firmware Upgrade Image",
    url: "http://files.test/V7.7.bin",
    username: "",
    password: "",
    fileSize: 0,
    targetFileName: "",
    delaySeconds: 0,
    successUrl: "",
    failureUrl: "",
  };
  const acs = await startAcs({ script: [dl] });
  const device = new SimDevice(TINY);
  const first = await runSession(device, { ...base, acsUrl: acs.url });
  const second = await runSession(device, { ...base, acsUrl: acs.url, transcript: true });
  await acs.close();
  assert.deepStrictEqual([first.ok, first.rpcs, second.ok], [true, ["Download"], true]);
  const inform = acs.seen.find((s, i) => i > 2 && s.message !== "empty" && s.message.method === "Inform")?.message;
  assert.ok(inform !== undefined && inform !== "empty" && inform.method === "Inform");
  assert.deepStrictEqual(
    inform.events.map((e) => `${e.code}|${e.commandKey}`),
    ["1 BOOT|", "M Download|fw-9", "7 TRANSFER COMPLETE|"],
  );
  assert.equal(inform.parameterList.find((p) => p.name.endsWith("SoftwareVersion"))?.value, "V7.7");
  assert.ok(acs.seen.some((s) => s.message !== "empty" && s.message.method === "TransferComplete" && s.message.commandKey === "fw-9"));
  assert.ok((second.transcript?.length ?? 0) >= 6);
  assert.deepStrictEqual(device.pendingCpeRequests(), []);
  assert.deepStrictEqual(
    device.inform(0).events.map((e) => e.code),
    ["2 PERIODIC"],
  );
});
