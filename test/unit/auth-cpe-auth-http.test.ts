import test from "node:test";
import assert from "node:assert/strict";
import { createServer, request, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { authenticateCpe } from "../../src/auth/cpe-auth.js";
import { createDigestVerifier } from "../../src/auth/digest.js";
import { digestAuthorization } from "../../src/auth/digest-core.js";
import { parseAuthHeader } from "../../src/auth/auth-params.js";

// The CWMP flow over a real socket: Inform without credentials -> 401 challenge -> Inform with Digest -> 200.
const digest = createDigestVerifier({ realm: "converge", nonceTtlMs: 300_000, secret: Buffer.alloc(32, 3), now: Date.now });
const lookup = (u: string): string | undefined => (u === "00259E-EG8145V5-SN1" ? "cpe-secret" : undefined);

async function withAcs(run: (port: number) => Promise<void>): Promise<void> {
  const server = createServer((req, res) => {
    req.resume();
    const r = authenticateCpe(
      { method: req.method ?? "", authorization: req.headers.authorization, tls: false, url: req.url ?? "/" },
      { mode: "any", allowBasicOverHttp: false, lookup, digest },
    );
    if (r.ok) return void res.writeHead(200, { "x-user": r.username ?? "" }).end();
    res.writeHead(401, { "www-authenticate": r.wwwAuthenticate }).end();
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  try {
    await run((server.address() as AddressInfo).port);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((ok) => server.close(() => ok()));
  }
}

function post(port: number, authorization?: string): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path: "/cwmp", method: "POST", agent: false, headers: authorization ? { authorization } : {} }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on("error", reject).end("<Inform/>");
  });
}

function answer(www: string | undefined, password: string, nc: string): string {
  const c = parseAuthHeader(www ?? "").find((x) => x.scheme === "digest");
  assert.ok(c, `no Digest challenge in ${www}`);
  return digestAuthorization({
    algorithm: "MD5",
    username: "00259E-EG8145V5-SN1",
    password,
    realm: c.params.get("realm") ?? "",
    nonce: c.params.get("nonce") ?? "",
    method: "POST",
    uri: "/cwmp",
    qop: { nc, cnonce: "f00d" },
  });
}

void test("CPE -> ACS Digest over HTTP: challenge, then accepted; the same nc again is refused", async () => {
  await withAcs(async (port) => {
    const first = await post(port);
    assert.equal(first.status, 401);
    assert.doesNotMatch(String(first.headers["www-authenticate"]), /Basic/, "Basic is not offered over plain HTTP");
    const auth = answer(first.headers["www-authenticate"], "cpe-secret", "00000001");
    const second = await post(port, auth);
    assert.equal(second.status, 200);
    assert.equal(second.headers["x-user"], "00259E-EG8145V5-SN1");
    assert.equal((await post(port, auth)).status, 401, "a replayed Authorization is refused");
  });
});

void test("CPE -> ACS Digest over HTTP: wrong password is refused with a fresh challenge", async () => {
  await withAcs(async (port) => {
    const first = await post(port);
    const r = await post(port, answer(first.headers["www-authenticate"], "guess", "00000001"));
    assert.equal(r.status, 401);
    assert.match(String(r.headers["www-authenticate"]), /^Digest /);
  });
});
