/**
 * The top entries of a V8 .cpuprofile (`node --cpu-prof`): self time by function and by source file, and
 * inclusive (total) time of our own functions, as Markdown tables for bench/README.md.
 * Usage: node --import tsx bench/profile-top.ts <file.cpuprofile> [top=20]
 */
import { readFileSync } from "node:fs";

interface Node {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly Node[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write("usage: profile-top <file.cpuprofile> [top]\n");
  process.exit(2);
}
const top = Number(topArg ?? 20);
const p = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const selfUs = new Map<number, number>();
p.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

const short = (url: string): string => {
  const i = url.indexOf("/src/");
  if (i >= 0) return url.slice(i + 1);
  const j = url.lastIndexOf("node_modules/");
  if (j >= 0) return url.slice(j + "node_modules/".length);
  return url.replace(/^file:\/\//, "") || "(native)";
};
const label = (n: Node): string =>
  `${n.callFrame.functionName || "(anonymous)"} ${short(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ""}`;

const selfBy = new Map<string, number>();
const fileBy = new Map<string, number>();
const inclBy = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id);
  if (!n) continue;
  selfBy.set(label(n), (selfBy.get(label(n)) ?? 0) + us);
  const f = n.callFrame.url ? short(n.callFrame.url) : n.callFrame.functionName;
  fileBy.set(f, (fileBy.get(f) ?? 0) + us);
  // Inclusive: every distinct frame on the stack of this sample (recursion counted once).
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const c = byId.get(cur);
    if (!c || !c.callFrame.url.includes("/src/")) continue;
    const l = label(c);
    if (seen.has(l)) continue;
    seen.add(l);
    inclBy.set(l, (inclBy.get(l) ?? 0) + us);
  }
}
const rows = (m: Map<string, number>): string =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, us]) => `| ${(us / 1000).toFixed(0)} | ${((us / total) * 100).toFixed(1)}% | \`${k}\` |`)
    .join("\n");
process.stdout.write(`${file}: ${(total / 1000).toFixed(0)} ms sampled\n\n`);
process.stdout.write(`self time by function\n\n| ms | share | function |\n|---:|---:|---|\n${rows(selfBy)}\n\n`);
process.stdout.write(`self time by file\n\n| ms | share | file |\n|---:|---:|---|\n${rows(fileBy)}\n\n`);
process.stdout.write(`total (inclusive) time of src/ functions\n\n| ms | share | function |\n|---:|---:|---|\n${rows(inclBy)}\n`);
