/**
 * #10.11: numbers are validated as the schema means them (finite), and no input gives a 500. Walks every route in
 * /openapi.json and sends each numeric query parameter the values that used to pass (`Infinity`, `1e309`,
 * `-1e309`) or that are merely odd; and sends JSON bodies with 1e309 (JSON.parse makes it Infinity).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { nonFiniteNumberAt } from "../../src/server/api/app.js";
import { startTestServer, type TestServer } from "../support/server.js";

interface OpenApiParam {
  readonly in: string;
  readonly name: string;
  readonly schema?: { readonly type?: string | readonly string[] };
}
type OpenApi = { readonly paths: Record<string, Record<string, { readonly parameters?: readonly OpenApiParam[] }>> };

const NON_FINITE = ["Infinity", "-Infinity", "1e309", "-1e309", `1${"0".repeat(400)}`];
const ODD = ["NaN", "", "%20", "1e3", "2.5", "-0", "0x10", "١", "9".repeat(5000), "1&limit=2"];

describe("API numbers", () => {
  let s: TestServer;
  before(async () => {
    // The walk sends a few hundred requests in a second or two: above the default per-client rate limit.
    s = await startTestServer({ config: "api: { rateLimit: { perSecond: 10000, burst: 10000 } }\n" });
  });
  after(async () => s.close());

  it("every numeric query parameter of every route refuses non-finite numbers with 400 and never answers 500", async () => {
    const spec = (await (await fetch(`${s.apiUrl}/openapi.json`)).json()) as OpenApi;
    let numeric = 0;
    for (const [path, methods] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const url = path.replace(/\{[^}]+\}/g, "dev-1");
        for (const p of op.parameters ?? []) {
          const t = p.schema?.type;
          if (p.in !== "query" || !(t === "integer" || t === "number" || (Array.isArray(t) && (t.includes("integer") || t.includes("number"))))) continue;
          numeric++;
          for (const v of [...NON_FINITE, ...ODD]) {
            const r = await fetch(`${s.apiUrl}${url}?${p.name}=${v}`, {
              method: method.toUpperCase(),
              ...(method === "get" ? {} : { headers: { "content-type": "application/json" }, body: "{}" }),
            });
            const text = await r.text();
            assert.ok(r.status < 500, `${method} ${url}?${p.name}=${v.slice(0, 20)} answered ${r.status}: ${text}`);
            if (NON_FINITE.includes(v)) assert.equal(r.status, 400, `${method} ${url}?${p.name}=${v.slice(0, 20)}: ${text}`);
          }
        }
      }
    }
    assert.ok(numeric >= 2, "the walk found the numeric parameters (limit, waitMs)");
    const r = await fetch(`${s.apiUrl}/api/devices?limit=Infinity`);
    assert.equal(r.status, 400);
    assert.match(await r.text(), /querystring\/limit must be a finite number/);
  });

  it("a JSON body with 1e309 is a 400 naming the field", async () => {
    const post = (body: string): Promise<Response> =>
      fetch(`${s.apiUrl}/api/devices/dev-1/tasks`, { method: "POST", headers: { "content-type": "application/json" }, body });
    const spv = await post('{"method":"SetParameterValues","values":[{"name":"Device.X","value":1e309}]}');
    assert.equal(spv.status, 400);
    assert.match(await spv.text(), /body\/values\/0\/value must be a finite number/);
    const dl = await post('{"method":"Download","url":"http://127.0.0.1/fw.bin","fileType":"1 Firmware Upgrade Image","fileSize":-1e309}');
    assert.equal(dl.status, 400);
  });

  it("the walk is iterative: a deeply nested value does not overflow the stack", () => {
    let deep: unknown = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    assert.equal(nonFiniteNumberAt({ body: deep })?.startsWith("body/0/0"), true);
    assert.equal(nonFiniteNumberAt({ querystring: { limit: 5 }, body: { a: [1, 2, { b: -3 }] } }), undefined);
  });
});
