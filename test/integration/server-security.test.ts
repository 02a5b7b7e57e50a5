/**
 * Running Converge safely, against the real server (issue 6): CWMP and API over TLS with a certificate made at
 * test time; bearer tokens (missing, wrong, read-only on a write route, write) that leave no trace when refused;
 * refusing to expose a token-less API; CPE Digest authentication; /metrics and /openapi.json.
 */
import test, { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { request as httpsRequest } from "node:https";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { buildConfig } from "../../src/config/config.js";
import { startServer } from "../../src/server/runtime.js";
import { createCpeAuthenticator } from "../../src/server/cpe-auth-wiring.js";
import { hashToken } from "../../src/auth/tokens.js";
import { encodeCpeMessage } from "../../src/cwmp/encode-cpe.js";
import { deviceIdOf } from "../../src/domain/device.js";
import { SimDevice } from "../../src/sim/device.js";
import { runSession, type SessionOptions } from "../../src/sim/client.js";
import { EXAMPLE_POLICIES, startTestServer, type TestServer } from "../support/server.js";
import { model } from "../support/fleet-models.js";
import { apiClient } from "../support/api-client.js";
import { generateTestCert, type TestCert } from "../support/tls-cert.js";

const READ_TOKEN = "read-token-for-tests-0123456789";
const WRITE_TOKEN = "write-token-for-tests-9876543210";
const TOKENS = `reader:${hashToken(READ_TOKEN)}:read,writer:${hashToken(WRITE_TOKEN)}:write`;
const CPE_USER = "cpe-fleet";
const CPE_PASS = "s3cret-cpe-password";

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTPS request trusting only `ca`. */
function https(url: string, ca: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: opts.method ?? "GET", headers: opts.headers ?? {}, ca, timeout: 5_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end(opts.body);
  });
}

describe("TLS: CWMP and API over https with a certificate generated at test time", () => {
  let cert: TestCert;
  let server: TestServer;
  before(async () => {
    cert = await generateTestCert();
    server = await startTestServer({
      env: {
        CONVERGE_TLS_CERT: cert.certPath,
        CONVERGE_TLS_KEY: cert.keyPath,
        CONVERGE_API_TOKENS: TOKENS,
        CONVERGE_CPE_AUTH: "basic",
        CONVERGE_CPE_USERNAME: CPE_USER,
        CONVERGE_CPE_PASSWORD: CPE_PASS,
      },
    });
  });
  after(async () => {
    await server.close();
    cert.remove();
  });

  void test("both endpoints listen on https", async () => {
    assert.match(server.cwmpUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(server.apiUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
  });

  const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
  const informRows: readonly { name: string; authorization?: string; status: number }[] = [
    { name: "no credentials", status: 401 },
    { name: "wrong Basic password", authorization: basic(CPE_USER, "wrong"), status: 401 },
    { name: "Basic credentials (allowed: TLS)", authorization: basic(CPE_USER, CPE_PASS), status: 200 },
  ];
  for (const [i, row] of informRows.entries()) {
    void test(`a CPE's Inform over TLS with ${row.name}: ${row.status}`, async () => {
      const d = new SimDevice(model("zte-h199a-tr098.csv"), { serialNumber: `TLS-CPE-${i}` });
      const xml = encodeCpeMessage(d.inform(Date.now()), { version: d.cwmpVersion, id: "1" });
      const headers: Record<string, string> = { "content-type": "text/xml; charset=utf-8", ...(row.authorization ? { authorization: row.authorization } : {}) };
      const r = await https(`${server.cwmpUrl}/`, cert.cert, { method: "POST", headers, body: xml });
      assert.equal(r.status, row.status, r.body);
      const stored = (await server.store.getDevice(deviceIdOf(d.deviceId))) !== undefined;
      assert.equal(stored, row.status === 200);
      if (row.status === 200) assert.match(r.body, /InformResponse/);
      else assert.match(String(r.headers["www-authenticate"] ?? ""), /^Basic realm=/);
    });
  }

  void test("the API over TLS: health open, devices need the token", async () => {
    const health = await https(`${server.apiUrl}/api/health`, cert.cert);
    assert.equal(health.status, 200);
    const anon = await https(`${server.apiUrl}/api/devices`, cert.cert);
    assert.equal(anon.status, 401);
    const authed = await https(`${server.apiUrl}/api/devices`, cert.cert, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
    assert.equal(authed.status, 200, authed.body);
  });

  void test("a client that does not trust the certificate cannot talk to it", async () => {
    const other = await generateTestCert();
    try {
      await assert.rejects(https(`${server.apiUrl}/api/health`, other.cert), /certificate|self[- ]signed/i);
    } finally {
      other.remove();
    }
  });
});

describe("tokens and CPE Digest authentication", () => {
  let server: TestServer;
  const anon = (): ReturnType<typeof apiClient> => apiClient(server.apiUrl);
  const reader = (): ReturnType<typeof apiClient> => apiClient(server.apiUrl, READ_TOKEN);
  const writer = (): ReturnType<typeof apiClient> => apiClient(server.apiUrl, WRITE_TOKEN);
  const sessionOpts = (auth?: SessionOptions["auth"]): SessionOptions => ({
    acsUrl: server.cwmpUrl,
    timeoutMs: 5_000,
    maxMessages: 200,
    ...(auth ? { auth } : {}),
  });
  const device = new SimDevice(model("tplink-ex220-tr181.csv"), { serialNumber: "SEC-CPE-1" });
  const id = deviceIdOf(device.deviceId);
  const tasksPath = `/api/devices/${encodeURIComponent(id)}/tasks`;

  before(async () => {
    server = await startTestServer({
      policies: EXAMPLE_POLICIES,
      env: { CONVERGE_API_TOKENS: TOKENS, CONVERGE_CPE_AUTH: "digest", CONVERGE_CPE_USERNAME: CPE_USER, CONVERGE_CPE_PASSWORD: CPE_PASS },
    });
  });
  after(async () => server.close());

  void test("CPE Digest: wrong credentials get 401 (auth_failed) and store nothing; the right ones complete a session", async () => {
    for (const auth of [undefined, { username: CPE_USER, password: "wrong", scheme: "digest" as const }, { username: "intruder", password: CPE_PASS }]) {
      const r = await runSession(new SimDevice(model("tplink-ex220-tr181.csv"), { serialNumber: "SEC-CPE-1" }), sessionOpts(auth));
      assert.equal(r.ok, false);
      assert.equal(r.error, "auth_failed", JSON.stringify(auth));
      assert.equal(r.status, 401);
    }
    assert.equal(await server.store.countDevices(), 0, "refused Informs leave no device behind");
    const ok = await runSession(device, sessionOpts({ username: CPE_USER, password: CPE_PASS, scheme: "digest" }));
    assert.equal(ok.ok, true, ok.error);
    assert.ok(ok.rpcs.length > 0, "the example policies sent RPCs");
    assert.equal(await server.store.countDevices(), 1);
  });

  const refused: readonly { name: string; client: () => ReturnType<typeof apiClient>; status: number; header?: RegExp }[] = [
    { name: "no token", client: anon, status: 401, header: /^Bearer realm="converge"/ },
    { name: "wrong token", client: () => apiClient(server.apiUrl, "not-a-configured-token"), status: 401, header: /^Bearer/ },
    { name: "read token on a write route", client: reader, status: 403 },
  ];
  for (const row of refused) {
    void test(`POST tasks with ${row.name}: ${row.status} and no trace in the store`, async () => {
      const before = { devices: await server.store.countDevices(), tasks: (await server.store.listTasks(id, 1000)).length };
      const res = await fetch(`${server.apiUrl}${tasksPath}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(row.name === "no token" ? {} : { authorization: `Bearer ${row.name === "wrong token" ? "not-a-configured-token" : READ_TOKEN}` }),
        },
        body: JSON.stringify({ method: "GetParameterValues", names: ["Device.DeviceInfo.SoftwareVersion"] }),
      });
      assert.equal(res.status, row.status, await res.text());
      if (row.header) assert.match(res.headers.get("www-authenticate") ?? "", row.header);
      const other = await row.client()("POST", `/api/devices/${encodeURIComponent(id)}/connection-request?waitMs=10`);
      assert.equal(other.status, row.status);
      assert.deepEqual({ devices: await server.store.countDevices(), tasks: (await server.store.listTasks(id, 1000)).length }, before);
      assert.deepEqual(
        (await server.store.listFaults(id, 50)).filter((f) => f.code.startsWith("connection_request")),
        [],
      );
    });
  }

  void test("reads need a token too; the write token may write; /api/health is open", async () => {
    assert.equal((await anon()("GET", "/api/devices")).status, 401);
    assert.equal((await anon()("GET", `/api/devices/${encodeURIComponent(id)}`)).status, 401);
    assert.equal((await anon()("GET", "/metrics")).status, 401);
    assert.equal((await reader()("GET", `/api/devices/${encodeURIComponent(id)}`)).status, 200);
    const health = await anon()<{ status: string }>("GET", "/api/health");
    assert.equal(health.status, 200);
    assert.equal(health.json.status, "ok");
    const before = (await server.store.listTasks(id, 1000)).length;
    const queued = await writer()("POST", tasksPath, { method: "GetParameterValues", names: ["Device.DeviceInfo.SoftwareVersion"] });
    assert.equal(queued.status, 201, JSON.stringify(queued.json));
    assert.equal((await server.store.listTasks(id, 1000)).length, before + 1);
  });

  void test("/metrics (with a token) counts sessions and RPCs by method", async () => {
    const r = await runSession(device, sessionOpts({ username: CPE_USER, password: CPE_PASS }));
    assert.equal(r.ok, true, r.error);
    const res = await fetch(`${server.apiUrl}/metrics`, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
    assert.equal(res.status, 200);
    const text = await res.text();
    const count = (re: RegExp): number => [...text.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
    assert.ok(count(/^converge_sessions_total\{[^}]*\} (\d+)/gm) >= 2, text);
    assert.ok(count(/^converge_rpcs_total\{method="SetParameterValues"\} (\d+)/gm) >= 1, text);
    assert.ok(count(/^converge_rpcs_total\{method="GetParameterValues"\} (\d+)/gm) >= 1, text);
  });

  void test("/openapi.json is open and describes the task route", async () => {
    const r = await anon()<{ openapi: string; paths: Record<string, Record<string, unknown>> }>("GET", "/openapi.json");
    assert.equal(r.status, 200);
    assert.match(r.json.openapi, /^3\./);
    assert.ok(r.json.paths["/api/devices/{id}/tasks"]?.["post"], Object.keys(r.json.paths).join(" "));
    assert.ok(r.json.paths["/api/devices/{id}/connection-request"]?.["post"]);
  });
});

void test("binding the API beyond loopback without tokens refuses to start, naming the tokens", async () => {
  const dir = mkdtempSync(join(tmpdir(), "converge-bind-"));
  try {
    const cfg = buildConfig(
      {
        CONVERGE_CWMP_PORT: "0",
        CONVERGE_API_PORT: "0",
        CONVERGE_BIND: "127.0.0.1",
        CONVERGE_API_BIND: "0.0.0.0",
        CONVERGE_DB: join(dir, "c.db"),
        CONVERGE_POLICIES: dir,
      },
      undefined,
    );
    assert.ok(cfg.ok);
    await assert.rejects(startServer(cfg.value, pino({ level: "silent" })), /token/i);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

void test("CPE Basic auth is refused over plain HTTP (TLS, or the explicit lab switch, is needed), before anything opens", async () => {
  const rows: readonly { env: Record<string, string>; tls: boolean; refused: boolean }[] = [
    { env: {}, tls: false, refused: true },
    { env: {}, tls: true, refused: false },
    { env: { CONVERGE_CPE_ALLOW_BASIC_OVER_HTTP: "true" }, tls: false, refused: false },
  ];
  const dir = mkdtempSync(join(tmpdir(), "converge-basic-"));
  try {
    for (const row of rows) {
      const cfg = buildConfig({ CONVERGE_CPE_AUTH: "basic", CONVERGE_CPE_USERNAME: CPE_USER, CONVERGE_CPE_PASSWORD: CPE_PASS, ...row.env }, undefined);
      assert.ok(cfg.ok);
      if (row.refused) assert.throws(() => createCpeAuthenticator(cfg.value, row.tls), /basic.*TLS/i, JSON.stringify(row));
      else assert.equal(typeof createCpeAuthenticator(cfg.value, row.tls), "function", JSON.stringify(row));
    }
    const plain = buildConfig(
      {
        CONVERGE_CWMP_PORT: "0",
        CONVERGE_API_PORT: "0",
        CONVERGE_BIND: "127.0.0.1",
        CONVERGE_DB: join(dir, "c.db"),
        CONVERGE_POLICIES: dir,
        CONVERGE_CPE_AUTH: "basic",
        CONVERGE_CPE_USERNAME: CPE_USER,
        CONVERGE_CPE_PASSWORD: CPE_PASS,
      },
      undefined,
    );
    assert.ok(plain.ok);
    await assert.rejects(startServer(plain.value, pino({ level: "silent" })), /basic.*TLS/i);
    assert.equal(existsSync(join(dir, "c.db")), false, "the store was not opened");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe("API limits: per-client rate limit, bounded bodies, /metrics opened separately", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      env: { CONVERGE_API_TOKENS: TOKENS, CONVERGE_OPEN_METRICS: "true" },
      config: "api:\n  rateLimit:\n    perSecond: 1\n    burst: 5\n",
    });
  });
  after(async () => server.close());

  void test("/metrics is open when configured so; other routes still need the token", async () => {
    const m = await fetch(`${server.apiUrl}/metrics`);
    assert.equal(m.status, 200);
    assert.match(await m.text(), /converge_/);
    assert.equal((await apiClient(server.apiUrl)("GET", "/api/devices")).status, 401);
  });

  void test("a request body over the limit gets 413", async () => {
    const big = { method: "GetParameterValues", names: Array.from({ length: 1000 }, (_, i) => `Device.${"x".repeat(1100)}${i}`) };
    const r = await apiClient(server.apiUrl, WRITE_TOKEN)("POST", "/api/devices/000000-X-1/tasks", big);
    assert.equal(r.status, 413, JSON.stringify(r.json));
  });

  void test("a client over its rate gets 429 with Retry-After", async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`${server.apiUrl}/api/devices`, { headers: { authorization: `Bearer ${READ_TOKEN}` } });
      await res.text();
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get("retry-after");
    }
    assert.ok(statuses.includes(200), statuses.join(","));
    assert.ok(statuses.includes(429), statuses.join(","));
    assert.match(retryAfter ?? "", /^\d+$/);
  });
});
