import test from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { sendHttpConnectionRequest, type ConnReqOutcome } from "../../src/connreq/http.js";
import { createDigestVerifier } from "../../src/auth/digest.js";
import { basicChallenge, verifyBasic } from "../../src/auth/basic.js";
import { FakeClock, flush } from "../support/fake-clock.js";

// A CPE's connection-request listener on 127.0.0.1, authenticating with our own server-side verifier.
const CREDS = { username: "cpe-0001", password: "Zx8q2LmN4pR7tV1wY3bC5dEf" };
const lookup = (u: string): string | undefined => (u === CREDS.username ? CREDS.password : undefined);

type Behaviour = "digest" | "digest-rfc2069" | "basic" | "busy" | "slow" | "no-auth" | "digest-then-500" | "drop-after-401";

interface Cpe {
  readonly url: string;
  readonly hits: () => number;
  readonly authorizations: string[];
  close(): Promise<void>;
}

function digestChallengeWithoutQop(challenge: string): string {
  return challenge.replace(/, qop="auth"/, "");
}

async function startCpe(behaviour: Behaviour): Promise<Cpe> {
  const verifier = createDigestVerifier({ realm: "cpe", nonceTtlMs: 30_000, secret: Buffer.alloc(32, 9), now: Date.now });
  let hits = 0;
  const authorizations: string[] = [];
  let dropped = false;
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    hits++;
    const auth = req.headers.authorization;
    if (auth) authorizations.push(auth);
    if (behaviour === "busy") return void res.writeHead(503).end();
    if (behaviour === "slow") return; // never answers (the connection is closed with the server)
    if (behaviour === "no-auth") return void res.writeHead(204).end();
    if (behaviour === "basic") {
      if (auth && verifyBasic(auth, lookup).ok) return void res.writeHead(200).end();
      return void res.writeHead(401, { "www-authenticate": basicChallenge("cpe") }).end();
    }
    if (auth && behaviour === "drop-after-401" && !dropped) {
      dropped = true;
      return void req.socket.destroy();
    }
    if (auth && verifier.verify(req.method ?? "", auth, lookup, req.url).ok) {
      return void res.writeHead(behaviour === "digest-then-500" ? 500 : 200).end();
    }
    const challenge = verifier.challenge();
    res.writeHead(401, { "www-authenticate": behaviour === "digest-rfc2069" ? digestChallengeWithoutQop(challenge) : challenge, connection: "close" }).end();
  };
  const server: Server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/cr/8f3a1c`,
    hits: () => hits,
    authorizations,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function closedPortUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}/`;
}

const OPTS = { timeoutMs: 500, allowBasic: false };

const ROWS: [string, Behaviour, { username: string; password: string }, { allowBasic?: boolean }, ConnReqOutcome["kind"]][] = [
  ["Digest qop=auth with the right credentials", "digest", CREDS, {}, "ok"],
  ["Digest without qop (RFC 2069 CPE)", "digest-rfc2069", CREDS, {}, "ok"],
  ["Digest with a wrong password", "digest", { ...CREDS, password: "wrong" }, {}, "auth_failed"],
  ["Digest with a wrong username", "digest", { ...CREDS, username: "other" }, {}, "auth_failed"],
  ["CPE answers 503 (busy / rate-limited)", "busy", CREDS, {}, "busy"],
  ["CPE never answers within the budget", "slow", CREDS, {}, "timeout"],
  ["CPE that needs no authentication (204)", "no-auth", CREDS, {}, "ok"],
  ["Basic-only CPE when Basic is not allowed", "basic", CREDS, {}, "auth_failed"],
  ["Basic-only CPE when Basic is allowed", "basic", CREDS, { allowBasic: true }, "ok"],
  ["CPE errors after authentication", "digest-then-500", CREDS, {}, "http_error"],
  ["CPE drops the connection after the 401: retried once", "drop-after-401", CREDS, {}, "ok"],
];

for (const [name, behaviour, creds, opts, want] of ROWS) {
  void test(`HTTP connection request: ${name} -> ${want}`, async () => {
    const cpe = await startCpe(behaviour);
    try {
      const out = await sendHttpConnectionRequest(cpe.url, creds, { ...OPTS, ...opts });
      assert.equal(out.kind, want, JSON.stringify(out));
      if (out.kind === "http_error") assert.equal(out.status, 500);
    } finally {
      await cpe.close();
    }
  });
}

void test("HTTP connection request: the Digest answer names the URL path and never sends the password", async () => {
  const cpe = await startCpe("digest");
  try {
    assert.equal((await sendHttpConnectionRequest(cpe.url, CREDS, OPTS)).kind, "ok");
    assert.equal(cpe.hits(), 2);
    const [auth] = cpe.authorizations;
    assert.match(auth ?? "", /^Digest .*uri="\/cr\/8f3a1c"/);
    assert.match(auth ?? "", /qop=auth, nc=00000001/);
    assert.ok(!(auth ?? "").includes(CREDS.password));
  } finally {
    await cpe.close();
  }
});

void test("HTTP connection request: closed port -> unreachable with the reason", async () => {
  const out = await sendHttpConnectionRequest(await closedPortUrl(), CREDS, OPTS);
  assert.equal(out.kind, "unreachable");
  assert.match(out.kind === "unreachable" ? out.message : "", /ECONNREFUSED/);
});

void test("HTTP connection request: the budget is timed on the given clock: nothing before timeoutMs, a timeout at it", async () => {
  const cpe = await startCpe("slow");
  const clock = new FakeClock();
  try {
    let settled: ConnReqOutcome | undefined;
    const pending = sendHttpConnectionRequest(cpe.url, CREDS, { ...OPTS, timeoutMs: 200, timers: clock }).then((o) => (settled = o));
    // Bounded wait (an event, not a duration) until the CPE holds the request.
    for (let i = 0; i < 1_000 && cpe.hits() === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(cpe.hits(), 1, "the CPE got the GET");
    assert.deepEqual(clock.pendingTimeouts(), [200], "one timer: the whole exchange's budget");
    clock.advance(199);
    await flush();
    assert.equal(settled, undefined, "still waiting 1 ms before the budget ends");
    clock.advance(1);
    assert.equal((await pending).kind, "timeout");
    assert.equal(clock.pending(), 0, "the budget's timer is gone once the exchange ends");
  } finally {
    await cpe.close();
  }
});

void test("HTTP connection request: an answer before the budget clears its timer", async () => {
  const cpe = await startCpe("digest");
  const clock = new FakeClock();
  try {
    assert.equal((await sendHttpConnectionRequest(cpe.url, CREDS, { ...OPTS, timers: clock })).kind, "ok");
    assert.equal(clock.pending(), 0);
  } finally {
    await cpe.close();
  }
});

const BAD_URLS = [
  ["not a URL", "::::"],
  ["HTTPS is not a connection request scheme here", "https://127.0.0.1:1/"],
  ["empty", ""],
] as const;

for (const [name, url] of BAD_URLS) {
  void test(`HTTP connection request: ${name} -> unreachable without network I/O`, async () => {
    const out = await sendHttpConnectionRequest(url, CREDS, OPTS);
    assert.equal(out.kind, "unreachable");
  });
}
