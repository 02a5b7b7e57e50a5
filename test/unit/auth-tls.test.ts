import test from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createServer } from "node:https";
import { request } from "node:https";
import type { AddressInfo } from "node:net";
import { TLSSocket } from "node:tls";
import { loadTlsOptions, verifiedClientCertName, type TlsServerOptions } from "../../src/auth/tls.js";
import { generateTestCert, type TestCert } from "../support/tls-cert.js";

let pki: TestCert;
let other: TestCert;

test.before(async () => {
  pki = await generateTestCert({ clientCn: "00259E-EG8145V5-SN1" });
  other = await generateTestCert();
});
test.after(() => {
  pki.remove();
  other.remove();
});

void test("no cert and no key: plain HTTP (undefined)", () => {
  assert.equal(loadTlsOptions({}), undefined);
});

void test("cert and key: options with the file contents, no client certificate requested", () => {
  const o = loadTlsOptions({ cert: pki.certPath, key: pki.keyPath });
  assert.ok(o);
  assert.equal(o.cert.toString(), pki.cert);
  assert.equal(o.key.toString(), pki.key);
  assert.equal(o.requestCert, false);
  assert.equal(o.ca, undefined);
});

const ERRORS: [string, () => Parameters<typeof loadTlsOptions>[0], RegExp][] = [
  ["missing cert file is named", () => ({ cert: join(pki.dir, "nope.pem"), key: pki.keyPath }), /TLS cert file .*nope\.pem: file not found/],
  ["missing key file is named", () => ({ cert: pki.certPath, key: join(pki.dir, "nokey.pem") }), /TLS key file .*nokey\.pem: file not found/],
  [
    "missing ca file is named",
    () => ({ cert: pki.certPath, key: pki.keyPath, ca: join(pki.dir, "noca.pem"), requestClientCert: true }),
    /TLS ca file .*noca\.pem: file not found/,
  ],
  ["cert without key", () => ({ cert: pki.certPath }), /key is missing/],
  ["key without cert", () => ({ key: pki.keyPath }), /cert is missing/],
  ["client certs without a CA", () => ({ cert: pki.certPath, key: pki.keyPath, requestClientCert: true }), /needs ca/],
  ["key of another certificate", () => ({ cert: pki.certPath, key: other.keyPath }), /unusable/],
  [
    "not PEM at all",
    () => {
      const junk = join(pki.dir, "junk.pem");
      writeFileSync(junk, "hello");
      return { cert: junk, key: pki.keyPath };
    },
    /unusable/,
  ],
];

for (const [name, cfg, re] of ERRORS) {
  void test(`loadTlsOptions: ${name}`, () => assert.throws(() => loadTlsOptions(cfg()), re));
}

async function serve(o: TlsServerOptions): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer({ ...o }, (req, res) => {
    const who = req.socket instanceof TLSSocket ? verifiedClientCertName(req.socket) : undefined;
    res.end(who ?? "anonymous");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function get(port: number, opts: { ca: string; cert?: string; key?: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/", ca: opts.ca, ...(opts.cert ? { cert: opts.cert, key: opts.key } : {}), agent: false }, (res) => {
      let body = "";
      res
        .setEncoding("utf8")
        .on("data", (c: string) => (body += c))
        .on("end", () => resolve(body));
    });
    req.on("error", reject).end();
  });
}

void test("a real TLS server on 127.0.0.1 serves with the loaded options; the client verifies the certificate", async () => {
  const s = await serve(loadTlsOptions({ cert: pki.certPath, key: pki.keyPath }) ?? assert.fail("no options"));
  try {
    assert.equal(await get(s.port, { ca: pki.cert }), "anonymous");
    await assert.rejects(get(s.port, { ca: other.cert }), /self[- ]signed|unable to verify|certificate/i);
  } finally {
    await s.close();
  }
});

void test("client certificates: a CPE with a CA-signed certificate is identified, one without still connects", async () => {
  const client = pki.client ?? assert.fail("selfsigned did not issue a client certificate");
  const s = await serve(loadTlsOptions({ cert: pki.certPath, key: pki.keyPath, ca: pki.certPath, requestClientCert: true }) ?? assert.fail("no options"));
  try {
    assert.equal(await get(s.port, { ca: pki.cert, cert: client.cert, key: client.key }), "00259E-EG8145V5-SN1");
    assert.equal(await get(s.port, { ca: pki.cert }), "anonymous");
    assert.equal(await get(s.port, { ca: pki.cert, cert: other.cert, key: other.key }), "anonymous", "a certificate from another CA is not trusted");
  } finally {
    await s.close();
  }
});

void test("verifiedClientCertName: no socket or a plain TCP socket names nobody", async () => {
  assert.equal(verifiedClientCertName(undefined), undefined);
  const { createServer: createTcp, connect } = await import("node:net");
  const tcp = createTcp((sock) => {
    assert.equal(verifiedClientCertName(sock), undefined);
    sock.end();
  });
  await new Promise<void>((r) => tcp.listen(0, "127.0.0.1", r));
  const c = connect((tcp.address() as AddressInfo).port, "127.0.0.1");
  await new Promise((r) => c.on("close", r));
  await new Promise((r) => tcp.close(r));
});
