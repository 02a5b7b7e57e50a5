/** Shared bench output: a text table, one JSON line per benchmark, the machine, and BENCH_QUICK. */
import { readFileSync } from "node:fs";
import { cpus } from "node:os";

/** BENCH_QUICK=1: a smoke run of about a minute in all. */
export const QUICK = process.env["BENCH_QUICK"] === "1";

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly platform: string;
}

export function machine(): Machine {
  let cpu = cpus()[0]?.model ?? "unknown";
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m?.[1]) cpu = m[1].trim();
  } catch {
    // not Linux: os.cpus() model
  }
  return { cpu, cores: cpus().length, node: process.version, platform: `${process.platform} ${process.arch}` };
}

export type Row = readonly (string | number)[];

/** A plain aligned table. */
export function table(header: Row, rows: readonly Row[]): string {
  const all = [header, ...rows].map((r) => r.map((c) => (typeof c === "number" ? fmtNum(c) : c)));
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  const line = (r: readonly string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  return [line(all[0] ?? []), widths.map((w) => "-".repeat(w)).join("  "), ...all.slice(1).map(line)].join("\n") + "\n";
}

export function fmtNum(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return x.toLocaleString("en-US");
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);
}

/** The JSON line `bench/run.ts` collects: always starts with {"bench": */
export function emit(bench: string, result: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench, quick: QUICK, ...result })}\n`);
}

export const ratio = (x: number, base: number): number => (base > 0 ? Number((x / base).toFixed(3)) : 0);

export function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}
