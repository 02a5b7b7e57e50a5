/**
 * Whole CWMP sessions of a simulated CPE over TLS against the real server on 127.0.0.1 (issue 6): Digest and
 * Basic-over-TLS, a CPE that does not trust the ACS certificate, and TLS client certificates in "accept" and
 * "require" mode (certificates generated at test time); configuration refused before anything opens.
 */
import test, { after, before, describe } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { buildConfig } from "../../src/config/config.js";
import { configProblems, startServer } from "../../src/server/runtime.js";
import { deviceIdOf } from "../../src/domain/device.js";
import { SimDevice } from "../../src/sim/device.js";
import { runSession, type SessionOptions } from "../../src/sim/client.js";
import { EXAMPLE_POLICIES, startTestServer, type TestServer } from "../support/server.js";
import { model } from "../support/fleet-models.js";
import { generateTestCert, type TestCert } from "../support/tls-cert.js";

const CPE_USER = "cpe-fleet";
const CPE_PASS = "s3cret-cpe-password";
// Not a device id: a CN that is one (OUI-ProductClass-Serial) binds the certificate to that device, as for per-device HTTP credentials.
const CLIENT_CN = "cpe-tls-client";
const GOOD = { username: CPE_USER, password: CPE_PASS };

let serial = 0;
const newDevice = (): SimDevice => new SimDevice(model("tplink-ex220-tr181.csv"), { serialNumber: `TLS-SIM-${++serial}` });

describe("a SimDevice session over https (Digest and Basic over TLS)", () => {
  let cert: TestCert;
  let other: TestCert;
  let server: TestServer;
  before(async () => {
    [cert, other] = await Promise.all([generateTestCert(), generateTestCert()]);
    server = await startTestServer({
      policies: EXAMPLE_POLICIES,
      env: {
        CONVERGE_TLS_CERT: cert.certPath,
        CONVERGE_TLS_KEY: cert.keyPath,
        CONVERGE_CPE_AUTH: "any",
        CONVERGE_CPE_USERNAME: CPE_USER,
        CONVERGE_CPE_PASSWORD: CPE_PASS,
      },
    });
  });
  after(async () => {
    await server.close();
    cert.remove();
    other.remove();
  });
  const opts = (extra: Partial<SessionOptions>): SessionOptions => ({
    acsUrl: server.cwmpUrl,
    timeoutMs: 5_000,
    maxMessages: 200,
    tls: { ca: cert.cert },
    ...extra,
  });

  const rows: readonly { name: string; auth?: SessionOptions["auth"]; ok: boolean; error?: string }[] = [
    { name: "Digest", auth: { ...GOOD, scheme: "digest" }, ok: true },
    { name: "Basic over TLS", auth: { ...GOOD, scheme: "basic" }, ok: true },
    { name: "Basic with a wrong password", auth: { username: CPE_USER, password: "wrong", scheme: "basic" }, ok: false, error: "auth_failed" },
    { name: "no credentials", ok: false, error: "auth_failed" },
  ];
  for (const row of rows) {
    void test(`${row.name}: ${row.ok ? "the whole session converges" : row.error}`, async () => {
      const d = newDevice();
      const r = await runSession(d, opts(row.auth ? { auth: row.auth } : {}));
      assert.equal(r.ok, row.ok, r.error);
      assert.equal(r.error, row.error);
      const stored = await server.store.getDevice(deviceIdOf(d.deviceId));
      assert.equal(stored !== undefined, row.ok, "a refused CPE leaves no device behind");
      if (row.ok) {
        assert.ok(r.rpcs.includes("SetParameterValues"), r.rpcs.join(","));
        const again = await runSession(d, opts({ auth: row.auth ?? GOOD }));
        assert.equal(again.ok, true, again.error);
        assert.deepEqual(again.rpcs, [], "the second session over TLS finds the device converged");
      }
    });
  }

  void test("a CPE that does not trust the ACS certificate cannot open a session (network error, nothing stored)", async () => {
    const d = newDevice();
    const r = await runSession(d, opts({ auth: GOOD, tls: { ca: other.cert } }));
    assert.equal(r.ok, false);
    assert.equal(r.error, "network");
    assert.equal(await server.store.getDevice(deviceIdOf(d.deviceId)), undefined);
  });
});

interface CertServer {
  readonly server: Awaited<ReturnType<typeof startServer>>;
  readonly lines: string[];
  close(): Promise<void>;
}

/** A real server asking CPEs for client certificates signed by `pki` (its cert is the CA), logging into `lines`. */
async function startCertServer(pki: TestCert, clientCert: "accept" | "require"): Promise<CertServer> {
  const dir = mkdtempSync(join(tmpdir(), "converge-clientcert-"));
  const cfg = buildConfig(
    {
      CONVERGE_CWMP_PORT: "0",
      CONVERGE_API_PORT: "0",
      CONVERGE_BIND: "127.0.0.1",
      CONVERGE_DB: join(dir, "c.db"),
      CONVERGE_POLICIES: join(dir, "p"),
      CONVERGE_TLS_CERT: pki.certPath,
      CONVERGE_TLS_KEY: pki.keyPath,
      CONVERGE_TLS_CA: pki.certPath,
      CONVERGE_TLS_REQUEST_CLIENT_CERT: "true",
      CONVERGE_CPE_CLIENT_CERT: clientCert,
      CONVERGE_CPE_AUTH: "digest",
      CONVERGE_CPE_USERNAME: CPE_USER,
      CONVERGE_CPE_PASSWORD: CPE_PASS,
    },
    undefined,
  );
  assert.ok(cfg.ok, cfg.ok ? "" : cfg.error.join("\n"));
  const lines: string[] = [];
  const log = pino({ level: "info" }, { write: (s: string) => void lines.push(s) });
  const server = await startServer({ ...cfg.value, reloadDebounceMs: 100 }, log);
  return { server, lines, close: async () => (await server.close(), rmSync(dir, { recursive: true, force: true })) };
}

describe("TLS client certificates of CPEs", () => {
  let pki: TestCert;
  let foreign: TestCert;
  before(async () => {
    [pki, foreign] = await Promise.all([generateTestCert({ clientCn: CLIENT_CN }), generateTestCert({ clientCn: "FOREIGN-CPE" })]);
  });
  after(() => {
    pki.remove();
    foreign.remove();
  });
  const mine = (): SessionOptions["tls"] => {
    const c = pki.client ?? assert.fail("no client certificate issued");
    return { ca: pki.cert, cert: c.cert, key: c.key };
  };
  const theirs = (): SessionOptions["tls"] => {
    const c = foreign.client ?? assert.fail("no client certificate issued");
    return { ca: pki.cert, cert: c.cert, key: c.key };
  };

  // [mode, name, tls, HTTP auth, expected error (undefined: ok), HTTP status of the last response]
  const rows: readonly ["accept" | "require", string, () => SessionOptions["tls"], boolean, string | undefined, number][] = [
    ["accept", "verified certificate, no HTTP auth", mine, false, undefined, 204],
    ["accept", "no certificate, Digest", () => ({ ca: pki.cert }), true, undefined, 204],
    ["accept", "no certificate, no HTTP auth", () => ({ ca: pki.cert }), false, "auth_failed", 401],
    ["accept", "certificate of another CA, no HTTP auth", theirs, false, "auth_failed", 401],
    ["require", "verified certificate and Digest", mine, true, undefined, 204],
    ["require", "verified certificate without HTTP auth", mine, false, "auth_failed", 401],
    ["require", "no certificate, right Digest", () => ({ ca: pki.cert }), true, "http_403", 403],
    ["require", "certificate of another CA, right Digest", theirs, true, "http_403", 403],
  ];
  for (const mode of ["accept", "require"] as const) {
    void test(`clientCert ${mode}: whole sessions over real TLS`, async () => {
      const s = await startCertServer(pki, mode);
      try {
        for (const [, name, tls, auth, error, status] of rows.filter((r) => r[0] === mode)) {
          const d = newDevice();
          const r = await runSession(d, { acsUrl: s.server.cwmpUrl, timeoutMs: 5_000, maxMessages: 200, tls: tls(), ...(auth ? { auth: GOOD } : {}) });
          assert.equal(r.error, error, name);
          assert.equal(r.status, status, name);
          assert.equal((await s.server.store.getDevice(deviceIdOf(d.deviceId))) !== undefined, error === undefined, name);
        }
        if (mode === "accept") {
          // A CPE that opens a new TLS connection per request (no agent): the certificate goes with each one.
          const d = new SimDevice(model("tplink-ex220-tr181.csv"), { serialNumber: `TLS-SIM-${++serial}`, quirks: { newConnectionPerRequest: true } });
          const r = await runSession(d, { acsUrl: s.server.cwmpUrl, timeoutMs: 5_000, maxMessages: 200, tls: mine() });
          assert.equal(r.error, undefined, "new connection per request");
        }
        const logged = s.lines.filter((l) => l.includes("TLS client certificate")).map((l) => (JSON.parse(l) as { clientCert?: string }).clientCert);
        assert.ok(logged.length > 0 && logged.every((cn) => cn === CLIENT_CN), JSON.stringify(logged));
      } finally {
        await s.close();
      }
    });
  }
});

void test("client-certificate configuration without TLS, ca or requestClientCert is refused before anything opens", async () => {
  const cert = await generateTestCert();
  const dir = mkdtempSync(join(tmpdir(), "converge-badtls-"));
  try {
    const base = {
      CONVERGE_CWMP_PORT: "0",
      CONVERGE_API_PORT: "0",
      CONVERGE_BIND: "127.0.0.1",
      CONVERGE_DB: join(dir, "c.db"),
      CONVERGE_POLICIES: dir,
      CONVERGE_CPE_AUTH: "digest",
      CONVERGE_CPE_USERNAME: CPE_USER,
      CONVERGE_CPE_PASSWORD: CPE_PASS,
    };
    const tls = { CONVERGE_TLS_CERT: cert.certPath, CONVERGE_TLS_KEY: cert.keyPath };
    const rows: readonly { name: string; env: Record<string, string>; refused: RegExp | undefined }[] = [
      { name: "clientCert without TLS", env: { CONVERGE_CPE_CLIENT_CERT: "accept" }, refused: /clientCert is accept but TLS/ },
      { name: "clientCert without ca", env: { ...tls, CONVERGE_CPE_CLIENT_CERT: "require" }, refused: /clientCert is require but TLS/ },
      {
        name: "clientCert without requestClientCert",
        env: { ...tls, CONVERGE_TLS_CA: cert.certPath, CONVERGE_CPE_CLIENT_CERT: "accept" },
        refused: /requestClientCert: true/,
      },
      { name: "requestClientCert without ca", env: { ...tls, CONVERGE_TLS_REQUEST_CLIENT_CERT: "true" }, refused: /requestClientCert needs .*tls\.ca/ },
      {
        name: "clientCert with mode open",
        env: {
          ...tls,
          CONVERGE_TLS_CA: cert.certPath,
          CONVERGE_TLS_REQUEST_CLIENT_CERT: "true",
          CONVERGE_CPE_CLIENT_CERT: "accept",
          CONVERGE_CPE_AUTH: "open",
        },
        refused: /mode is open/,
      },
      {
        name: "a complete client-certificate setup",
        env: { ...tls, CONVERGE_TLS_CA: cert.certPath, CONVERGE_TLS_REQUEST_CLIENT_CERT: "true", CONVERGE_CPE_CLIENT_CERT: "require" },
        refused: undefined,
      },
    ];
    for (const row of rows) {
      const cfg = buildConfig({ ...base, ...row.env }, undefined);
      assert.ok(cfg.ok, row.name);
      const problems = configProblems(cfg.value).join("\n");
      if (row.refused === undefined) {
        assert.equal(problems, "", row.name);
        continue;
      }
      assert.match(problems, row.refused, row.name);
      await assert.rejects(startServer(cfg.value, pino({ level: "silent" })), row.refused, row.name);
      assert.equal(existsSync(join(dir, "c.db")), false, `${row.name}: the store was not opened`);
    }
    assert.equal(buildConfig({ CONVERGE_CPE_CLIENT_CERT: "maybe" }, undefined).ok, false, "an unknown clientCert mode is a config error");
  } finally {
    rmSync(dir, { recursive: true, force: true });
    cert.remove();
  }
});
