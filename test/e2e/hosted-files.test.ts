/**
 * Firmware hosting end to end: the files route on the CWMP listener (size, checksum, ETag, Range, 304, no way
 * out of the folder), the shipped example policy's `firmware.file` served for real, a simulated EG8145V5 that
 * downloads the image over HTTP (resuming through a proxy that cuts the first transfer) and boots the new
 * version, and files behind CPE credentials carried by the Download.
 */
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { SimDevice } from "../../src/sim/device.js";
import { runSession } from "../../src/sim/client.js";
import { downloadFile, httpDownloader } from "../../src/sim/download.js";
import { byteRange } from "../../src/server/files-route.js";
import { EXAMPLE_POLICIES, startTestServer, type TestServer } from "../support/server.js";
import { model } from "../support/fleet-models.js";

const FILES = fileURLToPath(new URL("../../files/", import.meta.url));
const IMAGE = "eg8145v5/V5R020C10S115.bin";
const bytes = readFileSync(`${FILES}${IMAGE}`);
const sha = createHash("sha256").update(bytes).digest("hex");

let server: TestServer;
before(async () => {
  server = await startTestServer({ policies: EXAMPLE_POLICIES, env: { CONVERGE_FILES_DIR: FILES } });
});
after(async () => server.close());

const get = (path: string, headers: Record<string, string> = {}, method = "GET") => fetch(`${server.cwmpUrl}${path}`, { method, headers });

void test("byteRange: single ranges, suffixes, unsatisfiable, ignored forms", () => {
  assert.deepEqual(byteRange("bytes=0-9", 100), { start: 0, end: 9 });
  assert.deepEqual(byteRange("bytes=90-", 100), { start: 90, end: 99 });
  assert.deepEqual(byteRange("bytes=-10", 100), { start: 90, end: 99 });
  assert.deepEqual(byteRange("bytes=50-500", 100), { start: 50, end: 99 });
  assert.equal(byteRange("bytes=100-", 100), "unsatisfiable");
  assert.equal(byteRange("bytes=0-1,5-6", 100), undefined);
  assert.equal(byteRange("items=0-1", 100), undefined);
  assert.equal(byteRange(undefined, 100), undefined);
});

void test("GET /files/<name> on the CWMP port: size, sha256, ETag, Range, If-Range, 304, HEAD", async () => {
  const full = await get(`/files/${IMAGE}`);
  assert.equal(full.status, 200);
  const body = Buffer.from(await full.arrayBuffer());
  assert.equal(body.length, bytes.length);
  assert.equal(full.headers.get("content-length"), String(bytes.length));
  assert.equal(full.headers.get("x-checksum-sha256"), sha);
  assert.equal(full.headers.get("repr-digest"), `sha-256=:${Buffer.from(sha, "hex").toString("base64")}:`);
  assert.equal(full.headers.get("accept-ranges"), "bytes");
  const etag = full.headers.get("etag") ?? "";
  assert.equal(etag, `"sha256-${sha}"`);

  const part = await get(`/files/${IMAGE}`, { range: "bytes=100-199" });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get("content-range"), `bytes 100-199/${bytes.length}`);
  assert.deepEqual(Buffer.from(await part.arrayBuffer()), bytes.subarray(100, 200));
  const stale = await get(`/files/${IMAGE}`, { range: "bytes=100-199", "if-range": '"sha256-other"' });
  assert.equal(stale.status, 200, "If-Range with another ETag: the whole (new) file");
  await stale.arrayBuffer();
  const fresh = await get(`/files/${IMAGE}`, { range: "bytes=100-199", "if-range": etag });
  assert.equal(fresh.status, 206);
  await fresh.arrayBuffer();
  const beyond = await get(`/files/${IMAGE}`, { range: `bytes=${bytes.length}-` });
  assert.equal(beyond.status, 416);
  assert.equal(beyond.headers.get("content-range"), `bytes */${bytes.length}`);
  assert.equal((await get(`/files/${IMAGE}`, { "if-none-match": etag })).status, 304);
  const head = await get(`/files/${IMAGE}`, {}, "HEAD");
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("content-length"), String(bytes.length));
  assert.equal((await head.arrayBuffer()).byteLength, 0);
});

void test("nothing outside the files folder, nothing that is not a file", async () => {
  for (const p of [
    "/files/../package.json",
    "/files/%2e%2e/package.json",
    "/files/eg8145v5/..%2f..%2fpackage.json",
    "/files/.hidden",
    "/files/eg8145v5",
    "/files/eg8145v5/nope.bin",
    "/files/%00",
  ]) {
    const r = await get(p);
    assert.equal(r.status, 404, p);
    await r.arrayBuffer();
  }
});

void test("a simulated EG8145V5 downloads the example policy's image for real and boots the new version", async () => {
  const d = new SimDevice(model("huawei-eg8145v5-tr098.csv"), { serialNumber: "HOSTED-FW-1" });
  d.downloader = httpDownloader({ timeoutMs: 10_000 });
  const rpcs: string[][] = [];
  for (let i = 0; i < 4 && d.softwareVersion !== "V5R020C10S115"; i++) {
    const r = await runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 10_000, maxMessages: 200 });
    assert.equal(r.ok, true, r.error);
    rpcs.push(r.rpcs);
  }
  assert.ok(rpcs.flat().includes("Download"), JSON.stringify(rpcs));
  assert.deepEqual(d.lastDownload, { version: "V5R020C10S115", bytes: bytes.length, sha256: sha, resumed: 0 });
  assert.equal(d.softwareVersion, "V5R020C10S115");
  // Its next Inform says what a real CPE says after a firmware download.
  const codes = d.pendingEvents.map((e) => e.code);
  for (const c of ["1 BOOT", "M Download", "7 TRANSFER COMPLETE"]) assert.ok(codes.includes(c), `${c} in ${codes.join(",")}`);
});

/** A TCP proxy to the CWMP listener that cuts the first connection after `cutAfter` bytes of response. */
async function cuttingProxy(target: URL, cutAfter: number): Promise<{ url: string; close: () => void; connections: () => number }> {
  let n = 0;
  const srv = net.createServer((client) => {
    const first = n++ === 0;
    const upstream = net.connect(Number(target.port), target.hostname);
    let sent = 0;
    client.on("data", (b) => upstream.write(b));
    upstream.on("data", (b: Buffer) => {
      if (first && sent + b.length > cutAfter) {
        client.write(b.subarray(0, Math.max(0, cutAfter - sent)));
        client.destroy();
        upstream.destroy();
        return;
      }
      sent += b.length;
      client.write(b);
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end);
    upstream.on("error", end);
    client.on("close", end);
    upstream.on("close", end);
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as net.AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, close: () => srv.close(), connections: () => n };
}

void test("an interrupted download resumes with Range and If-Range and ends with the whole file", async () => {
  const proxy = await cuttingProxy(new URL(server.cwmpUrl), 20_000);
  try {
    const r = await downloadFile({ url: `${proxy.url}/files/${IMAGE}`, expectedSize: bytes.length, timeoutMs: 5000 });
    assert.equal(r.ok, true, r.message);
    assert.equal(r.bytes, bytes.length);
    assert.equal(r.sha256, sha);
    assert.equal(r.resumed, 1);
    assert.ok(proxy.connections() >= 2);
  } finally {
    proxy.close();
  }
  // And what fails says why, as a TR-069 fault code.
  const missing = await downloadFile({ url: `${server.cwmpUrl}/files/none.bin`, timeoutMs: 5000 });
  assert.equal(missing.faultCode, 9010);
  const wrongSize = await downloadFile({ url: `${server.cwmpUrl}/files/${IMAGE}`, expectedSize: 12, timeoutMs: 5000 });
  assert.equal(wrongSize.faultCode, 9010);
  assert.match(wrongSize.message ?? "", /FileSize 12/);
});

void test("files.auth: cpe — the files need the CPE's credentials, and the Download carries them", async () => {
  const guarded = await startTestServer({
    policies: EXAMPLE_POLICIES,
    env: {
      CONVERGE_FILES_DIR: FILES,
      CONVERGE_FILES_AUTH: "cpe",
      CONVERGE_CPE_AUTH: "digest",
      CONVERGE_CPE_USERNAME: "cpe",
      CONVERGE_CPE_PASSWORD: "cpe-secret-1",
    },
  });
  try {
    const anon = await fetch(`${guarded.cwmpUrl}/files/${IMAGE}`);
    assert.equal(anon.status, 401);
    assert.match(anon.headers.get("www-authenticate") ?? "", /Digest/);
    const authed = await downloadFile({ url: `${guarded.cwmpUrl}/files/${IMAGE}`, username: "cpe", password: "cpe-secret-1", timeoutMs: 5000 });
    assert.equal(authed.ok, true, authed.message);
    assert.equal(authed.sha256, sha);
    const wrong = await downloadFile({ url: `${guarded.cwmpUrl}/files/${IMAGE}`, username: "cpe", password: "nope", timeoutMs: 5000 });
    assert.equal(wrong.faultCode, 9012);

    const d = new SimDevice(model("huawei-eg8145v5-tr098.csv"), { serialNumber: "HOSTED-FW-AUTH" });
    d.downloader = httpDownloader({ timeoutMs: 10_000 });
    for (let i = 0; i < 4 && d.softwareVersion !== "V5R020C10S115"; i++) {
      const r = await runSession(d, {
        acsUrl: guarded.cwmpUrl,
        timeoutMs: 10_000,
        maxMessages: 200,
        auth: { username: "cpe", password: "cpe-secret-1", scheme: "digest" },
      });
      assert.equal(r.ok, true, r.error);
    }
    assert.equal(d.softwareVersion, "V5R020C10S115", JSON.stringify(d.lastDownload));
  } finally {
    await guarded.close();
  }
});
