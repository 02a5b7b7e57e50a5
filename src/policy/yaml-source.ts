/**
 * YAML with source positions: parse a file into documents, and map a JSON pointer inside one back to the
 * line and column where it is written (for error messages and provenance).
 */
import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseAllDocuments } from "yaml";
import type { Document } from "yaml";

export interface ParsedDoc {
  readonly value: unknown;
  readonly locate: (pointer: string, atKey?: boolean) => { readonly line: number; readonly column: number };
}

export interface YamlProblem {
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

/** Parses every document of a file. Syntax errors (including duplicate keys) come back as problems. */
export function parseYamlFile(text: string): { docs: ParsedDoc[]; problems: YamlProblem[] } {
  const lc = new LineCounter();
  const all = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(all) ? all : [];
  const problems: YamlProblem[] = [];
  const docs: ParsedDoc[] = [];
  for (const doc of list) {
    // A line indented deeper than the key above it makes that key "multi-line": yaml reports it at the end of
    // the previous value (twice). Point at the offending line instead, once, saying what is wrong.
    const overIndented = doc.errors.filter((e) => e.code === "MULTILINE_IMPLICIT_KEY");
    for (const e of doc.errors) {
      if (overIndented.length > 0 && e.code === "BLOCK_AS_IMPLICIT_KEY") continue;
      if (e.code === "MULTILINE_IMPLICIT_KEY") {
        const start = lc.linePos(e.pos[0]);
        const end = lc.linePos(e.pos[1]);
        if (end.line > start.line) {
          const from = lc.lineStarts[end.line - 1] ?? 0;
          let col = 1;
          while (text.charCodeAt(from + col - 1) === 32) col++;
          problems.push({ message: `bad indentation: this line is indented deeper than the key on line ${start.line} (keys of one mapping start in the same column)`, line: end.line, column: col });
          continue;
        }
      }
      const pos = lc.linePos(e.pos[0]);
      problems.push({ message: e.message.split("\n")[0] ?? e.message, line: pos.line, column: pos.col });
    }
    if (doc.errors.length > 0 || doc.contents === null) continue;
    docs.push({ value: doc.toJS({ maxAliasCount: 100 }), locate: (p, atKey) => locateIn(doc, lc, p, atKey ?? false) });
  }
  return { docs, problems };
}

const unescape = (seg: string): string => seg.replace(/~1/g, "/").replace(/~0/g, "~");

function locateIn(doc: Document, lc: LineCounter, pointer: string, atKey: boolean): { line: number; column: number } {
  const segs = pointer === "" ? [] : pointer.slice(1).split("/").map(unescape);
  let node: unknown = doc.contents;
  let best = offsetOf(node) ?? 0;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i] as string;
    const last = i === segs.length - 1;
    const step = child(node, seg);
    if (step === undefined) break;
    const keyOff = offsetOf(step.key);
    const valOff = offsetOf(step.value);
    best = last && atKey && keyOff !== undefined ? keyOff : (valOff ?? keyOff ?? best);
    node = step.value;
  }
  const pos = lc.linePos(best);
  return { line: pos.line, column: pos.col };
}

function child(node: unknown, seg: string): { key: unknown; value: unknown } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && keyText(p.key) === seg);
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
