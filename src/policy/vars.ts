/**
 * Per-device variable files (`<policies>/vars/*.csv|*.yaml`), parsed from text. Pure.
 * CSV: a header row whose first column is `id` (device id) or `serialNumber`, then one column per variable.
 * YAML: a map from device id or serial number to a map of variables. The row `*` is every device's fallback.
 * Each variable name belongs to one file; an empty cell means "no value for this device".
 */
import { parseCsv as parseCsvRecords } from "../datamodel/csv.js";
import { parseYamlFile } from "./yaml-source.js";
import type { Lookups } from "./types.js";

export interface VarTable {
  readonly file: string;
  readonly keyKind: "id" | "serialNumber" | "any";
  readonly names: ReadonlySet<string>;
  readonly rows: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

export interface VarProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Splits CSV text into rows of cells (datamodel/csv.ts: RFC 4180 on csv-parse), without blank lines. Throws on an unterminated quote. */
export function parseCsv(text: string): string[][] {
  return parseCsvRecords(text).filter((r) => !(r.length === 1 && r[0] === ""));
}

/** Parses a CSV variable file. */
export function parseVarsCsv(file: string, text: string): { table: VarTable | undefined; problems: VarProblem[] } {
  const problem = (line: number, message: string): { table: undefined; problems: VarProblem[] } => ({
    table: undefined,
    problems: [{ file, line, column: 1, message }],
  });
  let rows: string[][];
  try {
    rows = parseCsv(text);
  } catch (e) {
    // A truncated file (an unterminated quote) is rejected whole, never read as one long cell.
    const line = /line (\d+)/.exec(e instanceof Error ? e.message : "")?.[1];
    return problem(line === undefined ? 1 : Number(line), e instanceof Error ? e.message : String(e));
  }
  const [header, ...body] = rows;
  if (header === undefined) return problem(1, "empty variable file (expected a header row: id or serialNumber, then variable names)");
  const [keyCol, ...names] = header.map((h) => h.trim());
  if (keyCol !== "id" && keyCol !== "serialNumber") return problem(1, `first column must be "id" or "serialNumber", got "${keyCol ?? ""}"`);
  const bad = names.find((n) => !NAME.test(n));
  if (bad !== undefined) return problem(1, `"${bad}" is not a valid variable name (letters, digits, _)`);
  const out = new Map<string, Map<string, string>>();
  const problems: VarProblem[] = [];
  body.forEach((cells, i) => {
    const key = (cells[0] ?? "").trim();
    if (out.has(key)) problems.push({ file, line: i + 2, column: 1, message: `duplicate row for "${key}"` });
    const vars = new Map<string, string>();
    names.forEach((n, j) => {
      const v = cells[j + 1];
      if (v !== undefined && v !== "") vars.set(n, v);
    });
    out.set(key, vars);
  });
  return { table: { file, keyKind: keyCol, names: new Set(names), rows: out }, problems };
}

/** Parses a YAML variable file: `{ <id or serial or "*">: { name: value } }`. */
export function parseVarsYaml(file: string, text: string): { table: VarTable | undefined; problems: VarProblem[] } {
  // The same bounded, linear reader as policy files (size, keys, aliases, duplicate keys; never throws).
  const parsed = parseYamlFile(text);
  const first = parsed.problems[0];
  if (first !== undefined) return { table: undefined, problems: [{ file, line: first.line, column: first.column, message: first.message }] };
  let doc: unknown = parsed.docs[0]?.value;
  if (doc === null || doc === undefined) doc = {};
  if (!isRecord(doc))
    return { table: undefined, problems: [{ file, line: 1, column: 1, message: "expected a map of device id or serial number to variables" }] };
  const rows = new Map<string, Map<string, string>>();
  const names = new Set<string>();
  const problems: VarProblem[] = [];
  for (const [key, vars] of Object.entries(doc)) {
    if (!isRecord(vars)) {
      problems.push({ file, line: 1, column: 1, message: `"${key}": expected a map of variable names to values` });
      continue;
    }
    const m = new Map<string, string>();
    for (const [n, v] of Object.entries(vars)) {
      if (!NAME.test(n) || !["string", "number", "boolean"].includes(typeof v)) {
        problems.push({ file, line: 1, column: 1, message: `"${key}.${n}": expected a variable name with a string, number or boolean value` });
        continue;
      }
      names.add(n);
      m.set(n, String(v));
    }
    rows.set(key, m);
  }
  return { table: { file, keyKind: "any", names, rows }, problems };
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/** Looks a variable up for a device in its table: by id, then serial number, then the `*` row. */
export function lookupVariable(t: VarTable, name: string, id: string, serialNumber: string): string | undefined {
  const byId = t.keyKind === "serialNumber" ? undefined : t.rows.get(id)?.get(name);
  const bySerial = t.keyKind === "id" ? undefined : t.rows.get(serialNumber)?.get(name);
  return byId ?? bySerial ?? t.rows.get("*")?.get(name);
}

/** The lookup functions over the variable tables (pure: shared by the loader and policy/transfer.ts). */
export function varLookups(owner: ReadonlyMap<string, VarTable>): Pick<Lookups, "variable" | "hasVariable"> {
  return {
    variable: (n, id, serial) => {
      const t = owner.get(n);
      return t === undefined ? undefined : lookupVariable(t, n, id, serial);
    },
    hasVariable: (n) => owner.has(n),
  };
}
