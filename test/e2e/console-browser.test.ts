/**
 * The web console in a real browser (issue 14): Debian's Chromium driven by playwright-core against a real
 * `converge serve` (child process) with a simulated fleet over the six real data models and the example
 * policies. Sign in with a write token; the overview's counts equal the API's; a device is found by serial
 * (typed in lower case: the search is case-insensitive); its page shows the desired-vs-reported diff with the
 * policy and revision behind each value; "converge now" shows the session it caused; a read token sees no
 * write action; a rejected policy change shows on the overview. Every page is screenshotted into
 * test-output/console/. Skips (saying how to install it) when /usr/bin/chromium is missing.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { hashToken } from "../../src/auth/tokens.js";
import { SimDevice } from "../../src/sim/device.js";
import { runSession } from "../../src/sim/client.js";
import { ConnReqListener } from "../../src/sim/connreq-listener.js";
import { EXAMPLE_POLICIES } from "../support/server.js";
import { MODEL_FILES, model } from "../support/fleet-models.js";
import { startServeProcess, type ServeProcess } from "../support/serve-process.js";
import { apiClient } from "../support/api-client.js";
import { browserMissing, launchBrowser, OUTPUT_DIR } from "../support/browser.js";

const WRITE_TOKEN = "console-test-write-token-0123456789abcdef";
const READ_TOKEN = "console-test-read-token-0123456789abcdef";
const LONG_VALUE = "Residential-gateway-provisioning-profile-".repeat(6).slice(0, 200);
const PER_MODEL = 3;

interface Overview {
  devices: number;
  conditions: Record<string, number>;
  policies: { revision: string };
}

async function signIn(page: Page, base: string, tokenText: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel("API token").fill(tokenText);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Main" }).waitFor();
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(OUTPUT_DIR, `${name}.png`), fullPage: true });
}

const skip = browserMissing();
if (skip) process.stdout.write(`# ${skip}\n`);

test("the console in Chromium against converge serve and a simulated fleet", { skip: skip ?? false, timeout: 240_000 }, async (t) => {
  const built = spawnSync(process.execPath, [new URL("../../scripts/build-console.mjs", import.meta.url).pathname], { encoding: "utf8" });
  assert.equal(built.status, 0, `build:console failed: ${built.stderr}`);

  const policies = mkdtempSync(join(tmpdir(), "converge-console-policies-"));
  cpSync(EXAMPLE_POLICIES, policies, { recursive: true });
  writeFileSync(
    join(policies, "provisioning-code.yaml"),
    `name: provisioning-code\npriority: 10\nmatch:\n  productClass: [EG8145V5]\nparameters:\n  InternetGatewayDevice.DeviceInfo.ProvisioningCode: "${LONG_VALUE}"\n`,
  );
  let srv: ServeProcess | undefined;
  let listener: ConnReqListener | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;
  try {
    srv = await startServeProcess({
      policies,
      env: { CONVERGE_API_TOKENS: `ops:${hashToken(WRITE_TOKEN)}:write,noc:${hashToken(READ_TOKEN)}:read` },
    });
    const server = srv;
    const call = apiClient(server.apiUrl, WRITE_TOKEN);
    const acs = { acsUrl: server.cwmpUrl, timeoutMs: 10_000, maxMessages: 200 };
    const devices: SimDevice[] = [];
    listener = await ConnReqListener.start({ onRequest: (d) => void runSession(d, acs) });
    for (const [m, file] of MODEL_FILES.entries()) {
      for (let i = 0; i < PER_MODEL; i++) {
        const d = new SimDevice(model(file), { serialNumber: `CNSL${m}X${String(i).padStart(3, "0")}` });
        listener.register(d);
        devices.push(d);
      }
    }
    // One TR-181 device refuses its NTP server (9007): a fault for the overview's top faults.
    const refusing = devices.find((d) => d.model.kind === "tr181");
    assert.ok(refusing);
    refusing.failPaths.set("Device.Time.NTPServer1", 9007);
    for (const d of devices) {
      for (let i = 0; i < 5; i++) {
        const r = await runSession(d, acs);
        assert.equal(r.ok, true, `${d.deviceId.serialNumber}: ${r.error}`);
        if (r.rpcs.length === 0) break;
      }
    }
    const target = devices.find((d) => d.deviceId.productClass === "EG8145V5");
    assert.ok(target, "an EG8145V5 in the fleet");
    const serial = target.deviceId.serialNumber;

    browser = await launchBrowser();
    const page = await browser.context.newPage();
    page.setDefaultTimeout(20_000);

    await t.test("sign-in page, then the overview's counts are the API's", async () => {
      await page.goto(`${server.apiUrl}/`);
      await page.getByLabel("API token").waitFor();
      await shot(page, "sign-in");
      await signIn(page, server.apiUrl, WRITE_TOKEN);
      await page.locator('[data-count="devices"]').waitFor();
      const api = (await call<Overview>("GET", "/api/overview")).json;
      assert.equal(api.devices, devices.length);
      const shown = async (key: string): Promise<number> => Number((await page.locator(`[data-count="${key}"]`).innerText()).replace(/,/g, ""));
      assert.equal(await shown("devices"), api.devices);
      for (const key of ["converged", "not_converged", "drifted", "faulted", "pending", "unknown"])
        assert.equal(await shown(key), api.conditions[key] ?? 0, key);
      assert.equal(await page.getByTestId("revision").innerText(), api.policies.revision);
      await page.locator("figure.chart svg").waitFor();
      await shot(page, "overview");
      // The most common fault, one click away from the devices it affects.
      await page.getByRole("link", { name: /devices with fault 9007/ }).click();
      await page.getByTestId("result-count").filter({ hasText: "1 device(s) match" }).waitFor();
      assert.match(await page.locator("table.devices tbody").innerText(), new RegExp(refusing.deviceId.serialNumber));
    });

    await t.test("search a device by serial (lower case: case-insensitive prefix) and open it", async () => {
      await page.getByRole("link", { name: "Devices", exact: true }).click();
      // The search form is rebuilt for the new (empty) filter before typing into it.
      await page.waitForFunction(() => location.hash === "#/devices" && (document.querySelector("input[name=fault]") as HTMLInputElement | null)?.value === "");
      // Keyboard only: the labelled field, then Enter submits the search form.
      await page.getByLabel("Serial number").fill(serial.toLowerCase());
      await page.getByLabel("Serial number").press("Enter");
      await page.getByTestId("result-count").filter({ hasText: "1 device(s) match" }).waitFor();
      const rows = page.locator("table.devices tbody tr");
      assert.equal(await rows.count(), 1);
      await shot(page, "devices");
      await rows.first().getByRole("link").click();
      await page.getByRole("heading", { name: "Desired vs reported" }).waitFor();
    });

    await t.test("the device page shows the diff with each value's policy and revision", async () => {
      const revision = (await call<Overview>("GET", "/api/overview")).json.policies.revision;
      const diff = page.getByTestId("diff");
      await diff.waitFor();
      await diff.locator("tbody tr").first().waitFor();
      const ssid = diff.locator("tr", { hasText: "WLANConfiguration.1.SSID" });
      assert.match(await ssid.getByTestId("provenance").innerText(), new RegExp(`wifi-tr098 @ ${revision.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
      assert.equal(await page.getByTestId("plan-revision").innerText(), revision);
      const long = diff.locator("tr", { hasText: "ProvisioningCode" });
      assert.match(await long.innerText(), /provisioning-code/);
      // A 200-character value wraps inside its cell: the page gets no horizontal scrollbar.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `page overflows horizontally by ${overflow}px`);
      await shot(page, "device");
      // The README's picture: the top of the device page down to the diff with its provenance.
      const box = await diff.boundingBox();
      await page.screenshot({
        path: join(OUTPUT_DIR, "device-readme.png"),
        fullPage: true,
        clip: { x: 0, y: 0, width: 1366, height: Math.min(2200, Math.ceil((box?.y ?? 1000) + (box?.height ?? 600) + 20)) },
      });
    });

    await t.test("live: a session the device opens by itself appears without a reload", async () => {
      const rows = page.locator("[data-testid=sessions] tbody tr");
      const before = await rows.count();
      const r = await runSession(target, acs);
      assert.equal(r.ok, true, r.error);
      await page.waitForFunction((n) => document.querySelectorAll("[data-testid=sessions] tbody tr").length > n, before, { timeout: 10_000 });
    });

    await t.test("converge now: a connection request and the session it caused appears", async () => {
      const before = await page.locator("[data-testid=sessions] tbody tr").count();
      await page.getByTestId("converge-now").click();
      const status = page.getByTestId("action-status");
      await status.filter({ hasText: /Session .* ended/ }).waitFor({ timeout: 40_000 });
      const sessionId = await status.getAttribute("data-session");
      assert.ok(sessionId, "the status names the session");
      await page.locator(`[data-testid=sessions] tr[data-session="${sessionId}"]`).waitFor({ timeout: 10_000 });
      assert.ok((await page.locator("[data-testid=sessions] tbody tr").count()) >= Math.min(before + 1, 20));
      await shot(page, "device-after-converge-now");
    });

    await t.test("policies page: match counts and the fleet plan", async () => {
      await page.getByRole("link", { name: "Policies", exact: true }).click();
      await page.getByRole("heading", { name: "Loaded policies" }).waitFor();
      await page.getByTestId("plan-summary").waitFor({ timeout: 30_000 });
      const wifi = page.locator("tr", { hasText: "wifi-tr098" }).first();
      const policies = (await call<{ policies: { name: string; matches: number }[] }>("GET", "/api/policies")).json.policies;
      const expected = policies.find((p) => p.name === "wifi-tr098")?.matches;
      assert.ok(expected !== undefined && expected > 0);
      assert.match(await wifi.innerText(), new RegExp(`\\b${expected}\\b`));
      await shot(page, "policies");
    });

    await t.test("rollouts page: what the API lists", async () => {
      await page.getByRole("link", { name: "Rollouts", exact: true }).click();
      await page.getByRole("heading", { name: "Rollouts", level: 1 }).waitFor();
      const listed = (await call<{ rollouts: { id: string }[] }>("GET", "/api/rollouts")).json.rollouts;
      if (listed.length === 0) await page.getByText("No staged rollout").waitFor();
      else for (const r of listed) await page.locator(`#rollout-${r.id}`).waitFor();
      await shot(page, "rollouts");
    });

    await t.test("a read token sees no write action", async () => {
      const reader = await browser!.context.newPage();
      try {
        await signIn(reader, server.apiUrl, READ_TOKEN);
        assert.equal(await reader.getByTestId("scope").innerText(), "read-only token");
        const id = (await call<{ devices: { deviceId: string }[] }>("GET", `/api/devices?serial=${serial}`)).json.devices[0]?.deviceId ?? "";
        await reader.goto(`${server.apiUrl}/#/devices/${encodeURIComponent(id)}`);
        await reader.getByRole("heading", { name: "Desired vs reported" }).waitFor();
        for (const name of ["Converge now", "Reboot", "Factory reset", "Download firmware", "Refresh subtree", "Add"]) {
          assert.equal(await reader.getByRole("button", { name, exact: true }).count(), 0, `a read token sees "${name}"`);
        }
        assert.equal(await reader.getByRole("checkbox", { name: /debug/ }).count(), 0);
        assert.equal(await reader.getByRole("button", { name: /Remove tag/ }).count(), 0);
        await shot(reader, "device-read-token");
      } finally {
        await reader.close();
      }
    });

    await t.test("a rejected policy change shows on the overview", async () => {
      writeFileSync(join(server.policiesDir, "broken.yaml"), "name: broken\npriority: [not a number\n");
      const r = await call("POST", "/api/policies/reload");
      assert.equal(r.status, 422);
      await page.getByRole("link", { name: "Overview", exact: true }).click();
      const alert = page.getByTestId("policy-alert");
      await alert.waitFor({ timeout: 15_000 });
      assert.match(await alert.innerText(), /rejected/);
      assert.match(await alert.innerText(), /broken\.yaml/);
      await shot(page, "overview-policy-error");
    });
  } finally {
    await browser?.close();
    await listener?.close();
    await srv?.close();
    rmSync(policies, { recursive: true, force: true });
  }
});
