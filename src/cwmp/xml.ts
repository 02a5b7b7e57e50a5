/**
 * The XML layer shared by both decoders (CPE→ACS and the simulator's ACS→CPE): one fast-xml-parser
 * configuration, one cheap well-formedness/namespace scan, and typed accessors over the parsed tree.
 * Pure: no I/O, no module state.
 */
import type { X2jOptions } from "fast-xml-parser";
import { err, ok, type Result } from "../domain/result.js";

/** Elements that are SOAP-encoded array members: always parsed as arrays, even with one member (cwmp-notes §2.3). */
const ARRAY_MEMBERS: ReadonlySet<string> = new Set([
  "ParameterValueStruct",
  "EventStruct",
  "ParameterInfoStruct",
  "ParameterAttributeStruct",
  "SetParameterAttributesStruct",
  "SetParameterValuesFault",
  "string",
  "QueuedTransferStruct",
  "AllQueuedTransferStruct",
  "ArgStruct",
]);

/**
 * The fast-xml-parser options our tree matches (cwmp-notes §9): the benchmark's bare route parses with them, and
 * a differential test (test/golden/cwmp-tree-differential.test.ts) holds parseDocument to the same tree.
 * parseTagValue:false keeps "0008" and 64-bit counters as text; trimValues:false keeps real spaces in values.
 */
export const XML_PARSER_OPTIONS: Readonly<Partial<X2jOptions>> = Object.freeze({
  ignoreAttributes: false,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  htmlEntities: true,
  isArray: (name: string, _jpath: unknown, _isLeaf: boolean, isAttribute: boolean): boolean =>
    !isAttribute && ARRAY_MEMBERS.has(name),
});


/** A parsed element: text (leaf without attributes), an object of children/attributes, or repeated siblings. */
export type XmlValue = string | XmlObject | XmlValue[];
export interface XmlObject {
  readonly [key: string]: XmlValue | undefined;
}

/** What the cheap pre-scan learns about the envelope without a second parse. */
export interface XmlScan {
  /** Qualified name of the document element, e.g. "soapenv:Envelope". */
  readonly rootName: string;
  /** Namespace URI of the document element (undefined when its prefix is undeclared). */
  readonly rootNs: string | undefined;
  /** Qualified name of the first child of Body, and the namespace its prefix resolves to. */
  readonly rpcName: string | undefined;
  readonly rpcNs: string | undefined;
  /** The first CWMP namespace declared on Envelope/Header/Body/RPC start tags (used for SOAP Faults). */
  readonly cwmpNs: string | undefined;
  /** Number of top-level elements (more than one = several envelopes in one body). */
  readonly roots: number;
}

const MAX_DEPTH = 64;

type ScanState = {
  /** The tree being built (one frame per open element). */
  tree: TreeBuilder;
  stack: string[];
  decls: (Map<string, string> | undefined)[];
  rootName: string | undefined;
  rootNs: string | undefined;
  rpcName: string | undefined;
  rpcNs: string | undefined;
  cwmpNs: string | undefined;
  roots: number;
};

/** Turns an offset into "line L, column C" for error messages. */
export function positionOf(xml: string, offset: number): string {
  let line = 1;
  let last = -1;
  for (let i = xml.indexOf("\n"); i !== -1 && i < offset; i = xml.indexOf("\n", i + 1)) {
    line++;
    last = i;
  }
  return `line ${line}, column ${offset - last}`;
}

const localOf = (q: string): string => q.slice(q.indexOf(":") + 1);
const prefixOf = (q: string): string => (q.includes(":") ? q.slice(0, q.indexOf(":")) : "");
const XMLNS_RE = /xmlns(?::([^\s=/>]+))?\s*=\s*(["'])(.*?)\2/g;

function declsOf(tag: string, s: ScanState): Map<string, string> | undefined {
  if (!tag.includes("xmlns")) return undefined;
  const m = new Map<string, string>();
  for (const d of tag.matchAll(XMLNS_RE)) {
    const uri = d[3] ?? "";
    m.set(d[1] ?? "", uri);
    if (s.cwmpNs === undefined && uri.includes(":cwmp-")) s.cwmpNs = uri;
  }
  return m;
}

function resolve(s: ScanState, prefix: string): string | undefined {
  for (let i = s.decls.length - 1; i >= 0; i--) {
    const uri = s.decls[i]?.get(prefix);
    if (uri !== undefined) return uri;
  }
  return undefined;
}

/** Finds the ">" closing a start tag, skipping quoted attribute values. */
function endOfStartTag(xml: string, from: number): number {
  let quote = 0;
  for (let i = from; i < xml.length; i++) {
    const c = xml.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 34 || c === 39) quote = c;
    else if (c === 62) return i;
    else if (c === 60) return -1;
  }
  return -1;
}

function skipMarkup(xml: string, i: number, s: ScanState): number | string {
  if (xml.startsWith("<!--", i)) {
    const e = xml.indexOf("-->", i + 4);
    return e < 0 ? "unterminated comment" : e + 3;
  }
  if (xml.startsWith("<![CDATA[", i)) {
    const e = xml.indexOf("]]>", i + 9);
    if (e < 0) return "unterminated CDATA section";
    s.tree.raw(xml.slice(i + 9, e));
    return e + 3;
  }
  if (xml.startsWith("<?", i)) {
    const e = xml.indexOf("?>", i + 2);
    return e < 0 ? "unterminated processing instruction" : e + 2;
  }
  return "markup declarations (<!DOCTYPE, <!ENTITY) are not accepted";
}

function closeTag(xml: string, i: number, s: ScanState): number | string {
  const e = xml.indexOf(">", i + 2);
  if (e < 0) return "unterminated end tag";
  const name = xml.slice(i + 2, e).trimEnd();
  const open = s.stack.pop();
  s.decls.pop();
  if (open === undefined) return `end tag </${name}> without a start tag`;
  if (open !== name) return `end tag </${name}> does not match <${open}>`;
  s.tree.close();
  return e + 1;
}

function openTag(xml: string, i: number, s: ScanState): number | string {
  let j = i + 1;
  for (; j < xml.length; j++) {
    const c = xml.charCodeAt(j);
    if (c === 62 || c === 47 || c === 32 || c === 9 || c === 10 || c === 13) break;
  }
  const name = xml.slice(i + 1, j);
  if (name === "" || /[<"'=]/.test(name)) return `invalid tag name after "<"`;
  const e = endOfStartTag(xml, j);
  if (e < 0) return `unterminated start tag <${name}>`;
  const tag = xml.slice(j, e);
  const depth = s.stack.length;
  if (depth === 0) s.roots++;
  if (depth >= MAX_DEPTH) return `elements nested deeper than ${MAX_DEPTH}`;
  s.decls.push(depth <= 2 ? declsOf(tag, s) : undefined);
  if (depth === 0 && s.rootName === undefined) {
    s.rootName = name;
    s.rootNs = resolve(s, prefixOf(name));
  } else if (depth === 2 && s.rpcName === undefined && s.roots === 1 && localOf(s.stack[1] ?? "") === "Body") {
    s.rpcName = name;
    s.rpcNs = resolve(s, prefixOf(name));
  }
  s.tree.open(localOf(name), tag);
  if (xml.charCodeAt(e - 1) === 47) {
    s.decls.pop();
    s.tree.close();
  } else s.stack.push(name);
  return e + 1;
}

function textOutsideRoot(xml: string, from: number, to: number): boolean {
  return to > from && xml.slice(from, to).trim() !== "";
}

/**
 * Parses a CWMP document in one linear pass. It checks tag balance (a general parser such as fast-xml-parser
 * accepts truncated or mismatched documents), rejects DOCTYPE/ENTITY declarations, bounds nesting depth, and
 * collects the xmlns declarations on the way to the RPC element so the CWMP version is resolved without a second
 * parse (cwmp-notes §1.2); on failure the message names the position. On the way it builds the tree the
 * accessors below read: the shape fast-xml-parser gives with XML_PARSER_OPTIONS, which a differential test pins.
 * CPE messages are small and regular: one hand-written pass costs a fraction of a general parser.
 */
export function parseDocument(xml: string): Result<{ readonly scan: XmlScan; readonly tree: XmlObject }, string> {
  const tree = new TreeBuilder();
  const scanned = scan(xml, tree);
  return scanned.ok ? ok({ scan: scanned.value, tree: tree.result() }) : scanned;
}

/** The pass itself; `parseDocument` is its public face. */
function scan(xml: string, tree: TreeBuilder): Result<XmlScan, string> {
  const s: ScanState = { tree, stack: [], decls: [], rootName: undefined, rootNs: undefined, rpcName: undefined, rpcNs: undefined, cwmpNs: undefined, roots: 0 };
  let pos = 0;
  for (let i = xml.indexOf("<"); i !== -1; i = xml.indexOf("<", pos)) {
    if (s.stack.length === 0 && textOutsideRoot(xml, pos, i)) return err(`text outside the document element at ${positionOf(xml, pos)}`);
    if (s.stack.length > 0 && i > pos) tree.text(xml.slice(pos, i));
    const c = xml.charCodeAt(i + 1);
    const next = c === 33 || c === 63 ? skipMarkup(xml, i, s) : c === 47 ? closeTag(xml, i, s) : openTag(xml, i, s);
    if (typeof next === "string") return err(`${next} at ${positionOf(xml, i)}`);
    pos = next;
  }
  if (s.stack.length > 0) return err(`unexpected end of document: <${s.stack[s.stack.length - 1] ?? ""}> is not closed`);
  if (textOutsideRoot(xml, pos, xml.length)) return err(`text outside the document element at ${positionOf(xml, pos)}`);
  if (s.rootName === undefined) return err("no XML element found");
  return ok({ rootName: s.rootName, rootNs: s.rootNs, rpcName: s.rpcName, rpcNs: s.rpcNs, cwmpNs: s.cwmpNs, roots: s.roots });
}

export function isObject(v: unknown): v is XmlObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** First occurrence of a possibly repeated element. */
export function first(v: XmlValue | undefined): string | XmlObject | undefined {
  if (Array.isArray(v)) return v.length === 0 ? undefined : first(v[0]);
  return v;
}

/** Child element by local name (first occurrence). */
export function child(node: XmlValue | undefined, name: string): string | XmlObject | undefined {
  const n = first(node);
  return isObject(n) ? first(n[name]) : undefined;
}

/** Text content of an element: "" for an empty element, undefined when the element is absent. */
export function textOf(node: XmlValue | undefined): string | undefined {
  const n = first(node);
  if (n === undefined) return undefined;
  if (typeof n === "string") return n;
  const t = n["#text"];
  return typeof t === "string" ? t : "";
}

/** Attribute by local name (the parser drops prefixes: xsi:type → "type"). */
export function attrOf(node: XmlValue | undefined, name: string): string | undefined {
  const n = first(node);
  if (!isObject(n)) return undefined;
  const a = n[`@_${name}`];
  return typeof a === "string" ? a : undefined;
}

/** Members of a SOAP-encoded array, iterated from the elements (never from arrayType: CPEs lie, §2.3). */
export function membersOf(node: XmlValue | undefined, member: string): (string | XmlObject)[] {
  const n = first(node);
  if (!isObject(n)) return [];
  const m = n[member];
  if (m === undefined) return [];
  const arr = Array.isArray(m) ? m : [m];
  const out: (string | XmlObject)[] = [];
  for (const x of arr) {
    const f = first(x);
    if (f !== undefined) out.push(f);
  }
  return out;
}

/** Element children (not attributes, not text) of an object node, in document order. */
export function elementKeys(node: XmlValue | undefined): string[] {
  const n = first(node);
  if (!isObject(n)) return [];
  return Object.keys(n).filter((k) => k !== "#text" && !k.startsWith("@_"));
}

export { localOf, prefixOf };

// ---------------------------------------------------------------------------------------------------------
// The tree builder behind parseDocument.

const XML_ENTITIES: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'", nbsp: "\u00a0", copy: "\u00a9", reg: "\u00ae" };
const ENTITY_RE = /&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{0,31});/g;

/** Character and predefined entity references (unknown names are kept as written, as fast-xml-parser does). */
export function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(ENTITY_RE, (whole, ref: string) => {
    if (ref.charCodeAt(0) !== 35) return XML_ENTITIES[ref] ?? whole;
    const code = ref.charCodeAt(1) === 120 ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

const ATTR_RE = /([^\s=/>]+)\s*=\s*(["'])([\s\S]*?)\2/g;

interface Frame {
  readonly name: string;
  obj: Record<string, XmlValue> | undefined;
  text: string;
}

/** Builds the parsed tree from the scan's events; objects have no prototype (element names are data). */
class TreeBuilder {
  private readonly frames: Frame[] = [{ name: "", obj: Object.create(null) as Record<string, XmlValue>, text: "" }];

  open(name: string, tag: string): void {
    let obj: Record<string, XmlValue> | undefined;
    if (tag.includes("=")) {
      for (const m of tag.matchAll(ATTR_RE)) {
        const qname = m[1] ?? "";
        // Namespace declarations are not attributes of the tree (removeNSPrefix drops them too).
        if (qname === "xmlns" || qname.startsWith("xmlns:")) continue;
        obj ??= Object.create(null) as Record<string, XmlValue>;
        obj[`@_${localOf(qname)}`] = decodeEntities(m[3] ?? "");
      }
    }
    this.frames.push({ name, obj, text: "" });
  }

  text(raw: string): void {
    this.raw(decodeEntities(raw));
  }

  raw(text: string): void {
    const top = this.frames[this.frames.length - 1];
    if (top) top.text += text;
  }

  close(): void {
    const f = this.frames.pop();
    const parent = this.frames[this.frames.length - 1];
    if (!f || !parent) return;
    let value: XmlValue;
    if (f.obj === undefined) value = f.text;
    else {
      if (f.text !== "") f.obj["#text"] = f.text;
      value = f.obj;
    }
    const siblings = (parent.obj ??= Object.create(null) as Record<string, XmlValue>);
    const existing = siblings[f.name];
    if (existing === undefined) siblings[f.name] = ARRAY_MEMBERS.has(f.name) ? [value] : value;
    else if (Array.isArray(existing)) existing.push(value);
    else siblings[f.name] = [existing, value];
  }

  result(): XmlObject {
    return this.frames[0]?.obj ?? {};
  }
}
