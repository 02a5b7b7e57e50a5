/**
 * Rewrites the generated parts of the docs from the one settings table (src/config/settings.ts): the table in
 * docs/operations.md and the variable list in README.md, each between its `<!-- settings:... -->` markers.
 * Run after changing a setting: `node --import tsx scripts/render-settings.ts` (test/unit/config-settings.test.ts
 * fails while they differ).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { envList, replaceBlock, settingsTable } from "../src/config/settings.js";

for (const [file, name, body] of [
  ["docs/operations.md", "table", settingsTable()],
  ["README.md", "env", envList()],
] as const) {
  const url = new URL(`../${file}`, import.meta.url);
  writeFileSync(url, replaceBlock(readFileSync(url, "utf8"), name, body));
}
