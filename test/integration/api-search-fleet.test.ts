/**
 * Search and fleet routes over real HTTP (issues 11 "Search" and 14): GET /api/devices filters with clear
 * errors, /api/overview, /api/activity, /api/faults/top, /api/plan, /api/me, the console's static files
 * (public, closed list, CSP), and `converge devices` over the SQLite file and over the API giving the same
 * devices.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { deviceIdOf } from "../../src/domain/device.js";
import { hashToken } from "../../src/auth/tokens.js";
import { runDevices } from "../../src/cli/devices.js";
import type { Store } from "../../src/domain/store.js";
import { apiClient } from "../support/api-client.js";
import { EXAMPLE_POLICIES, startTestServer } from "../support/server.js";
import { facts, p } from "./store-helpers.js";
import { recordInform } from "../support/record-inform.js";

async function seed(store: Store, now: number): Promise<void> {
  for (let i = 0; i < 30; i++) {
    const serial = `${i % 2 === 0 ? "alpha" : "BETA"}-${String(i).padStart(3, "0")}`;
    const productClass = i % 3 === 0 ? "EG8145V5" : "HG8245";
    const deviceId = deviceIdOf({ manufacturer: "Huawei", oui: "00259E", productClass, serialNumber: serial });
    await recordInform(
      store,
      {
        ...facts(serial),
        deviceId,
        serialNumber: serial,
        productClass,
        ip: `192.168.${i % 3}.${i}`,
        parameters: [p("InternetGatewayDevice.DeviceInfo.ProvisioningCode", i === 7 ? "LAB" : "")],
      },
      now - i * 60_000,
    );
    if (i === 4)
      await store.apply(deviceId, [
        {
          kind: "fault",
          fault: {
            code: "9007",
            message: "Invalid parameter value",
            path: "InternetGatewayDevice.X",
            policy: "p",
            sessionId: undefined,
            retryable: false,
            at: now - 1000,
          },
        },
      ]);
    store.logSession({
      id: `s-${i}`,
      deviceId,
      startedAt: now - i * 60_000,
      endedAt: now - i * 60_000 + 10,
      outcome: i === 4 ? "fault:9007" : "ok",
      rpcCount: 1,
      events: ["2 PERIODIC"],
      revision: undefined,
    });
  }
  await store.flush();
}

const READ = "read-token-for-the-search-test-000000";
const WRITE = "write-token-for-the-search-test-00000";

test("search, fleet aggregates, me, console files and converge devices", { timeout: 60_000 }, async (t) => {
  const srv = await startTestServer({ policies: EXAMPLE_POLICIES, env: { CONVERGE_API_TOKENS: `r:${hashToken(READ)}:read,w:${hashToken(WRITE)}:write` } });
  try {
    const now = Date.now();
    await seed(srv.store, now);
    const call = apiClient(srv.apiUrl, READ);
    type Page = { devices: { serialNumber: string; deviceId: string }[]; next: string | null; total?: number | null };

    await t.test("filters, case-insensitive prefixes, total, keyset pages", async () => {
      const alpha = await call<Page>("GET", "/api/devices?serial=ALPHA&count=true&limit=4");
      assert.equal(alpha.status, 200);
      assert.equal(alpha.json.total, 15);
      assert.equal(alpha.json.devices.length, 4);
      assert.ok(alpha.json.next);
      const rest = await call<Page>("GET", `/api/devices?serial=ALPHA&limit=100&after=${encodeURIComponent(alpha.json.next ?? "")}`);
      assert.equal(rest.json.devices.length, 11);
      assert.equal(rest.json.next, null);
      assert.deepEqual(
        (await call<Page>("GET", "/api/devices?ip=192.168.2.&model=eg")).json.devices.map((d) => d.serialNumber),
        ["BETA-005", "BETA-011", "BETA-017", "BETA-023", "BETA-029"].filter((s) => Number(s.slice(-3)) % 3 === 0),
      );
      assert.deepEqual((await call<Page>("GET", "/api/devices?informedWithin=150s&count=true")).json.total, 3);
      assert.deepEqual((await call<Page>("GET", "/api/devices?silentFor=28m")).json.devices.map((d) => d.serialNumber).sort(), ["BETA-029", "alpha-028"]);
      assert.deepEqual(
        (await call<Page>("GET", "/api/devices?fault=9007")).json.devices.map((d) => d.serialNumber),
        ["alpha-004"],
      );
      assert.deepEqual(
        (await call<Page>("GET", "/api/devices?param=InternetGatewayDevice.DeviceInfo.ProvisioningCode&value=lab")).json.devices.map((d) => d.serialNumber),
        ["BETA-007"],
      );
    });

    await t.test("bad filters are 400 with what was expected", async () => {
      for (const [q, message] of [
        ["condition=Sleepy=true", /condition: expected Type=true\|false/],
        ["informedWithin=soon", /informedWithin: expected a duration/],
        ["value=x", /value: needs param/],
        ["nope=1", /must NOT have additional properties|nope/],
        [`serial=${"x".repeat(300)}`, /256|longer/],
      ] as const) {
        const r = await call<{ error: { code: string; message: string } }>("GET", `/api/devices?${q}`);
        assert.equal(r.status, 400, q);
        assert.match(r.json.error.message, message, q);
      }
    });

    await t.test("overview, activity, top faults", async () => {
      const o = await call<{
        devices: number;
        conditions: Record<string, number>;
        byModel: { productClass: string; devices: number }[];
        policies: { revision: string; failing: boolean };
      }>("GET", "/api/overview");
      assert.equal(o.status, 200);
      assert.equal(o.json.devices, 30);
      assert.equal(o.json.conditions["unknown"], 30);
      assert.deepEqual(
        o.json.byModel.map((m) => [m.productClass, m.devices]),
        [
          ["HG8245", 20],
          ["EG8145V5", 10],
        ],
      );
      assert.equal(o.json.policies.failing, false);
      assert.match(o.json.policies.revision, /^sha256:/);
      const a = await call<{ buckets: { sessions: number; failedSessions: number }[] }>("GET", "/api/activity?minutes=60");
      assert.equal(
        a.json.buckets.reduce((n, b) => n + b.sessions, 0),
        30,
      );
      assert.equal(
        a.json.buckets.reduce((n, b) => n + b.failedSessions, 0),
        1,
      );
      assert.equal((await call("GET", "/api/activity?minutes=10080&bucketSeconds=10")).status, 400, "too many buckets");
      const f = await call<{ faults: { code: string; devices: number; message: string }[] }>("GET", "/api/faults/top");
      assert.deepEqual(
        f.json.faults.map((x) => [x.code, x.devices, x.message]),
        [["9007", 1, "Invalid parameter value"]],
      );
    });

    await t.test("the fleet plan is computed in the background for the serving revision", async () => {
      const write = apiClient(srv.apiUrl, WRITE);
      let view: { revision: string; result: { revision: string; summary: { devices: number } } | null } | undefined;
      for (let i = 0; i < 100; i++) {
        view = (await write<NonNullable<typeof view>>("GET", "/api/plan")).json;
        if (view.result?.revision === view.revision) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(view?.result?.summary.devices, 30);
    });

    await t.test("me: the token's scope; 401 without one", async () => {
      assert.deepEqual((await call("GET", "/api/me")).json, { scope: "read", tokens: true });
      assert.deepEqual((await apiClient(srv.apiUrl, WRITE)("GET", "/api/me")).json, { scope: "write", tokens: true });
      assert.equal((await apiClient(srv.apiUrl)("GET", "/api/me")).status, 401);
    });

    await t.test("console files: public, from a closed list, with a CSP", async () => {
      const index = await fetch(`${srv.apiUrl}/`);
      assert.ok(index.status === 200 || index.status === 503, `GET / is ${index.status}`);
      if (index.status === 200) {
        assert.match(index.headers.get("content-security-policy") ?? "", /default-src 'none'; script-src 'self'/);
        assert.match(await index.text(), /assets\/app\.js/);
        const js = await fetch(`${srv.apiUrl}/assets/app.js`);
        assert.equal(js.status, 200);
        assert.equal(js.headers.get("content-type"), "text/javascript; charset=utf-8");
        assert.equal((await fetch(`${srv.apiUrl}/assets/app.js`, { headers: { "if-none-match": js.headers.get("etag") ?? "" } })).status, 304);
      }
      for (const path of ["/assets/nope.js", "/assets/..%2F..%2Fpackage.json", "/assets/index.html"])
        assert.equal((await fetch(`${srv.apiUrl}${path}`)).status, 404, path);
      assert.equal((await fetch(`${srv.apiUrl}/api/devices`)).status, 401, "the API still needs a token");
    });

    await t.test("openapi lists the new routes", async () => {
      const doc = (await fetch(`${srv.apiUrl}/openapi.json`).then((r) => r.json())) as { paths: Record<string, unknown> };
      for (const path of ["/api/overview", "/api/activity", "/api/faults/top", "/api/plan", "/api/me", "/api/devices"]) assert.ok(doc.paths[path], path);
    });

    await t.test("converge devices: the same devices from the SQLite file and from the API", async () => {
      const run = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
        let out = "";
        let err = "";
        const code = await runDevices(args, { stdout: (s) => void (out += s), stderr: (s) => void (err += s) }, {});
        return { code, out, err };
      };
      await srv.store.flush();
      const db = await run(["--db", srv.dbPath, "--serial", "beta", "--model", "HG", "--limit", "3", "--all", "--json"]);
      assert.equal(db.code, 0, db.err);
      const viaApi = await run(["--api", srv.apiUrl, "--token", READ, "--serial", "beta", "--model", "HG", "--limit", "3", "--all", "--json"]);
      assert.equal(viaApi.code, 0, viaApi.err);
      const ids = (s: string): string[] => (JSON.parse(s) as Page).devices.map((d) => d.deviceId);
      assert.equal(ids(db.out).length, 10);
      assert.deepEqual(ids(viaApi.out), ids(db.out));
      const text = await run(["--db", srv.dbPath, "--fault", "9007"]);
      assert.match(text.out, /^DEVICE\s+MODEL\s+FIRMWARE/);
      assert.match(text.out, /00259E-HG8245-alpha%2D004 /);
      assert.match(text.out, /1 device\(s\)/);
      assert.equal((await run(["--db", srv.dbPath, "--condition", "Nope"])).code, 2);
      assert.equal((await run(["--serail", "x"])).code, 2, "an unknown flag is a usage error");
      assert.equal((await run(["--api", srv.apiUrl, "--serial", "x"])).code, 1, "no token: the API refuses, exit 1");
      const help = await run(["--help"]);
      assert.equal(help.code, 0);
      assert.match(help.out, /--informed-within/);
    });
  } finally {
    await srv.close();
  }
});
