/**
 * Debian's Chromium driven by playwright-core for the console's browser tests. Nothing is downloaded: when
 * /usr/bin/chromium is missing the tests skip and say how to get it (.ci/run installs it).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext } from "playwright-core";

export const CHROMIUM = process.env["CONVERGE_CHROMIUM"] ?? "/usr/bin/chromium";

/** Why the browser tests cannot run here, or undefined when they can. */
export function browserMissing(): string | undefined {
  return existsSync(CHROMIUM)
    ? undefined
    : `no Chromium at ${CHROMIUM}: the console's browser tests are skipped. Install it with \`apt-get update && apt-get install -y chromium\` (Debian; .ci/run does it), or point CONVERGE_CHROMIUM at a Chromium binary.`;
}

/** Where the browser tests put their screenshots: test-output/console/ at the repository root. */
export const OUTPUT_DIR = fileURLToPath(new URL("../../test-output/console/", import.meta.url));

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A browser with a fresh profile (removed by `close`), a laptop-sized window. */
export async function launchBrowser(): Promise<{ readonly context: BrowserContext; close(): Promise<void> }> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), "converge-chromium-"));
  // playwright passes --user-data-dir itself for a persistent context: the fresh profile above.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1366, height: 900 },
    timeout: 60_000,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
