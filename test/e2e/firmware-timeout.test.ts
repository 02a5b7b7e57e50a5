/**
 * A firmware Download whose TransferComplete never comes (issue 12.3): after limits.downloadTimeoutMs the next
 * Inform records the named fault download_timeout and backs the pin off; the Download is not silently re-issued.
 */
import test, { after, before } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { deviceIdOf } from "../../src/domain/device.js";
import { SimDevice } from "../../src/sim/device.js";
import { runSession, type SessionResult } from "../../src/sim/client.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { model } from "../support/fleet-models.js";
import { apiClient } from "../support/api-client.js";

const TIMEOUT_MS = 1000;
let server: TestServer;
let api: ReturnType<typeof apiClient>;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), "converge-fwto-"));
  writeFileSync(
    join(dir, "fw.yaml"),
    [
      "name: fw-timeout",
      "match:",
      "  serialNumber: FWTIMEOUT01",
      "firmware:",
      "  version: V5R020C10S115",
      "  url: http://127.0.0.1:9/files/V5R020C10S115.bin",
      "  fileSize: 1024",
      "",
    ].join("\n"),
  );
  try {
    server = await startTestServer({ policies: dir, env: { CONVERGE_DOWNLOAD_TIMEOUT_MS: String(TIMEOUT_MS) } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  api = apiClient(server.apiUrl);
});
after(async () => server.close());

const session = async (d: SimDevice): Promise<SessionResult> => {
  const r = await runSession(d, { acsUrl: server.cwmpUrl, timeoutMs: 10_000, maxMessages: 200 });
  assert.equal(r.ok, true, r.error);
  return r;
};

/** The CPE "loses" its TransferComplete (a reboot that forgot it): it is never sent. */
function loseTransferCompletes(d: SimDevice): void {
  for (const req of d.pendingCpeRequests()) d.cpeRequestAnswered(req);
}

void test("no TransferComplete within downloadTimeoutMs: download_timeout is recorded, the pin backs off, no second Download", async () => {
  const d = new SimDevice(model("huawei-eg8145v5-tr098.csv"), { serialNumber: "FWTIMEOUT01" });
  // The transfer never really happens: the version stays, and its TransferComplete is lost below.
  const stays = d.softwareVersion;
  d.onDownload = () => ({ version: stays });
  const first = await session(d);
  assert.equal(first.rpcs.filter((m) => m === "Download").length, 1, JSON.stringify(first.rpcs));
  loseTransferCompletes(d);
  const waiting = await session(d);
  assert.equal(waiting.rpcs.includes("Download"), false, "within the timeout: still waiting");
  await sleep(TIMEOUT_MS + 100);
  loseTransferCompletes(d);
  const late = [await session(d), await session(d)];
  for (const r of late) assert.equal(r.rpcs.includes("Download"), false, JSON.stringify(r.rpcs));
  const v = (
    await api<{ faults: { code: string; message: string }[]; device: { status?: { conditions: { type: string; status: boolean; message: string }[] } } }>(
      "GET",
      `/api/devices/${encodeURIComponent(deviceIdOf(d.deviceId))}`,
    )
  ).json;
  assert.ok(
    v.faults.some((f) => f.code === "download_timeout"),
    JSON.stringify(v.faults),
  );
  const faulted = v.device.status?.conditions.find((c) => c.type === "Faulted");
  assert.equal(faulted?.status, true, JSON.stringify(v.device.status));
});
