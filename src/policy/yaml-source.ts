/**
 * YAML with source positions: parse a file into documents, and map a JSON pointer inside one back to the
 * line and column where it is written (for error messages and provenance).
 */
import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, visit } from "yaml";
import type { Document, Pair, YAMLMap } from "yaml";
import { YAML_LIMITS } from "./yaml-limits.js";

export interface ParsedDoc {
  readonly value: unknown;
  readonly locate: (pointer: string, atKey?: boolean) => { readonly line: number; readonly column: number };
}

export interface YamlProblem {
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

export interface YamlProblem {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  /** "too-large" when a bound of YAML_LIMITS tripped; otherwise a syntax problem. */
  readonly kind?: "too-large";
}

/**
 * Duplicate keys, key and alias counts in one pass over the parsed tree (the yaml library's own `uniqueKeys`
 * check compares every key with every other: quadratic, 13 minutes for 150,000 keys).
 */
/** Optional work meter: map entries examined by the duplicate check, the position index and position lookups. */
export interface YamlWorkMeter {
  steps: number;
}

function checkTree(doc: Document, lc: LineCounter, counts: { keys: number; aliases: number }, problems: YamlProblem[], meter: YamlWorkMeter | undefined): void {
  visit(doc, {
    Alias(_k, node) {
      counts.aliases++;
      if (counts.aliases > YAML_LIMITS.maxAliases) {
        const pos = lc.linePos(node.range?.[0] ?? 0);
        problems.push({ kind: "too-large", message: `more than ${YAML_LIMITS.maxAliases} aliases in one file`, line: pos.line, column: pos.col });
        return visit.BREAK;
      }
      return undefined;
    },
    Map(_k, map) {
      counts.keys += map.items.length;
      if (counts.keys > YAML_LIMITS.maxKeys) {
        const pos = lc.linePos(map.range?.[0] ?? 0);
        problems.push({ kind: "too-large", message: `more than ${YAML_LIMITS.maxKeys} keys in one file`, line: pos.line, column: pos.col });
        return visit.BREAK;
      }
      const seen = new Set<string>();
      if (meter) meter.steps += map.items.length;
      for (const p of map.items) {
        const k = keyText(p.key);
        if (k === undefined) continue;
        if (seen.has(k)) {
          const pos = lc.linePos(offsetOf(p.key) ?? 0);
          problems.push({ message: "Map keys must be unique", line: pos.line, column: pos.col });
        } else seen.add(k);
      }
      return undefined;
    },
  });
}

/**
 * Parses every document of a file. Syntax errors (including duplicate keys) and tripped bounds come back as
 * problems; nothing here throws. Linear in the text: the size is bounded before parsing, keys and aliases are
 * counted before values are built, and key positions are looked up through a per-map index.
 */
export function parseYamlFile(text: string, meter?: YamlWorkMeter): { docs: ParsedDoc[]; problems: YamlProblem[] } {
  if (text.length > YAML_LIMITS.maxFileChars)
    return {
      docs: [],
      problems: [{ kind: "too-large", message: `file of ${text.length} characters exceeds ${YAML_LIMITS.maxFileChars}`, line: 1, column: 1 }],
    };
  const lc = new LineCounter();
  const problems: YamlProblem[] = [];
  const docs: ParsedDoc[] = [];
  try {
    const all = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false });
    const list = Array.isArray(all) ? all : [];
    const counts = { keys: 0, aliases: 0 };
    for (const doc of list) {
      // A line indented deeper than the key above it makes that key "multi-line": yaml reports it at the end of
      // the previous value (twice). Point at the offending line instead, once, saying what is wrong.
      const overIndented = doc.errors.some((e) => e.code === "MULTILINE_IMPLICIT_KEY");
      for (const e of doc.errors) {
        if (overIndented && e.code === "BLOCK_AS_IMPLICIT_KEY") continue;
        if (e.code === "MULTILINE_IMPLICIT_KEY") {
          const start = lc.linePos(e.pos[0]);
          const end = lc.linePos(e.pos[1]);
          if (end.line > start.line) {
            const from = lc.lineStarts[end.line - 1] ?? 0;
            let col = 1;
            while (text.charCodeAt(from + col - 1) === 32) col++;
            problems.push({
              message: `bad indentation: this line is indented deeper than the key on line ${start.line} (keys of one mapping start in the same column)`,
              line: end.line,
              column: col,
            });
            continue;
          }
        }
        const pos = lc.linePos(e.pos[0]);
        problems.push({ message: e.message.split("\n")[0] ?? e.message, line: pos.line, column: pos.col });
      }
      if (doc.errors.length > 0 || doc.contents === null) continue;
      const before = problems.length;
      checkTree(doc, lc, counts, problems, meter);
      if (problems.length > before) continue;
      const index = new WeakMap<YAMLMap, Map<string, Pair>>();
      docs.push({ value: doc.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount }), locate: (p, atKey) => locateIn(doc, lc, index, p, atKey ?? false, meter) });
    }
  } catch (e) {
    // The yaml library throws for an alias that expands past maxAliasCount (a "billion laughs" file).
    const message = e instanceof Error ? (e.message.split("\n")[0] ?? e.message) : String(e);
    problems.push({ kind: "too-large", message, line: 1, column: 1 });
    return { docs: [], problems };
  }
  return { docs, problems };
}

const unescape = (seg: string): string => seg.replace(/~1/g, "/").replace(/~0/g, "~");

function locateIn(
  doc: Document,
  lc: LineCounter,
  index: WeakMap<YAMLMap, Map<string, Pair>>,
  pointer: string,
  atKey: boolean,
  meter: YamlWorkMeter | undefined,
): { line: number; column: number } {
  const segs = pointer === "" ? [] : pointer.slice(1).split("/").map(unescape);
  let node: unknown = doc.contents;
  let best = offsetOf(node) ?? 0;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i] as string;
    const last = i === segs.length - 1;
    const step = child(node, seg, index, meter);
    if (step === undefined) break;
    const keyOff = offsetOf(step.key);
    const valOff = offsetOf(step.value);
    best = last && atKey && keyOff !== undefined ? keyOff : (valOff ?? keyOff ?? best);
    node = step.value;
  }
  const pos = lc.linePos(best);
  return { line: pos.line, column: pos.col };
}

/** The pair of `map` whose key is `seg`, through an index built once per map (a scan per lookup was quadratic). */
function pairOf(map: YAMLMap, seg: string, index: WeakMap<YAMLMap, Map<string, Pair>>, meter: YamlWorkMeter | undefined): Pair | undefined {
  let byKey = index.get(map);
  if (meter) meter.steps += byKey === undefined ? map.items.length + 1 : 1;
  if (byKey === undefined) {
    byKey = new Map();
    for (const p of map.items) {
      const k = isPair(p) ? keyText(p.key) : undefined;
      if (k !== undefined && !byKey.has(k)) byKey.set(k, p);
    }
    index.set(map, byKey);
  }
  return byKey.get(seg);
}

function child(
  node: unknown,
  seg: string,
  index: WeakMap<YAMLMap, Map<string, Pair>>,
  meter: YamlWorkMeter | undefined,
): { key: unknown; value: unknown } | undefined {
  if (isMap(node)) {
    const pair = pairOf(node as YAMLMap, seg, index, meter);
    return pair === undefined ? undefined : { key: pair.key, value: pair.value };
  }
  if (isSeq(node) && /^[0-9]+$/.test(seg)) {
    const item = node.items[Number(seg)];
    return item === undefined ? undefined : { key: undefined, value: item };
  }
  return undefined;
}

const keyText = (k: unknown): string | undefined => (isScalar(k) ? String(k.value) : undefined);

function offsetOf(n: unknown): number | undefined {
  return isNode(n) && n.range !== undefined && n.range !== null ? n.range[0] : undefined;
}
