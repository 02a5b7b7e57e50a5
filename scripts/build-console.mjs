// Bundles the web console (console/) into dist/console/ with esbuild: one ES module, one stylesheet, the page.
// Run by `npm run build:console` and by `prepare` (npm install). Offline: everything is bundled, nothing fetched.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = `${root}dist/console`;
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [`${root}console/src/main.ts`],
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  outfile: `${out}/app.js`,
  logLevel: "warning",
});
copyFileSync(`${root}console/style.css`, `${out}/app.css`);
copyFileSync(`${root}console/index.html`, `${out}/index.html`);
