/**
 * The XML layer shared by both decoders (CPE→ACS and the simulator's ACS→CPE): one linear pass that checks
 * well-formedness and namespaces and builds the tree, and typed accessors over the parsed tree.
 * Pure: no I/O, no module state. fast-xml-parser is a devDependency only: the differential test and the
 * benchmarks' baselines parse with it, with the options below.
 */
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
/** The subset of fast-xml-parser's `X2jOptions` we set (our own type: production code does not depend on it). */
export interface XmlParserOptions {
  readonly ignoreAttributes: boolean;
  readonly removeNSPrefix: boolean;
  readonly parseTagValue: boolean;
  readonly parseAttributeValue: boolean;
  readonly trimValues: boolean;
  readonly htmlEntities: boolean;
  readonly isArray: (name: string, jpath: unknown, isLeaf: boolean, isAttribute: boolean) => boolean;
}

export const XML_PARSER_OPTIONS: Readonly<XmlParserOptions> = Object.freeze({
  ignoreAttributes: false,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  htmlEntities: true,
  isArray: (name: string, _jpath: unknown, _isLeaf: boolean, isAttribute: boolean): boolean => !isAttribute && ARRAY_MEMBERS.has(name),
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

/**
 * Shape bounds of a CWMP document (docs/operations.md "Limits"). Real CPE messages are far below each: names of
 * a few dozen characters, at most ~10 attributes (the Envelope's xmlns declarations), values up to a few KB.
 * Every bound is checked before the work it bounds, so no input costs more than a pass over its characters.
 */
export const XML_LIMITS = Object.freeze({
  /** Element nesting depth. */
  maxDepth: 64,
  /** Characters of an element or attribute name (with its prefix). */
  maxNameLength: 256,
  /** Attributes (xmlns declarations included) on one start tag. */
  maxAttributes: 64,
  /** Characters of one attribute value, as written. */
  maxAttributeValueLength: 4096,
  /** Characters of one element's text, as written (entities not yet decoded). */
  maxTextLength: 256 * 1024,
});

/**
 * Optional work meter: every scanning primitive adds the number of characters it examined. A test holds it to a
 * small multiple of the input length for pathological inputs (linearity proved by counting, never by timing).
 */
export interface XmlWorkMeter {
  steps: number;
}

const MAX_DEPTH = XML_LIMITS.maxDepth;

type ScanState = {
  /** The tree being built (one frame per open element). */
  tree: TreeBuilder;
  meter: XmlWorkMeter | undefined;
  /** Reused buffer for one start tag's attributes, as [qname, raw value, qname, raw value, ...]. */
  attrs: string[];
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
/** Whitespace as the attribute grammar sees it (the characters of JavaScript's \\s). */
function isSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** A character that ends an attribute name: whitespace, "=", "/" or ">". */
const endsName = (c: number): boolean => c === 61 || c === 47 || c === 62 || isSpace(c);

/**
 * Reads the `name="value"` / `name='value'` pairs of a start tag's attribute text into `out` as
 * [qname, raw value, ...], in one forward pass (no regex, no backtracking: each character is examined a bounded
 * number of times). Lenient as CPEs need: a name without a quoted value (`a=x`, `a`) is skipped, as is stray text.
 * Returns an error message when a shape bound trips.
 */
function readAttributes(tag: string, out: string[], meter: XmlWorkMeter | undefined): string | undefined {
  out.length = 0;
  const n = tag.length;
  // Where the last quote of each kind is: a search for a closing quote past it fails without scanning.
  const lastDq = tag.lastIndexOf('"');
  const lastSq = tag.lastIndexOf("'");
  let i = 0;
  let examined = 2 * n;
  while (i < n) {
    const c = tag.charCodeAt(i);
    if (endsName(c)) {
      i++;
      continue;
    }
    const start = i;
    while (i < n && !endsName(tag.charCodeAt(i))) i++;
    if (i - start > XML_LIMITS.maxNameLength) return `attribute name longer than ${XML_LIMITS.maxNameLength} characters`;
    let k = i;
    while (k < n && isSpace(tag.charCodeAt(k))) k++;
    if (tag.charCodeAt(k) !== 61) {
      i = k;
      continue;
    }
    k++;
    while (k < n && isSpace(tag.charCodeAt(k))) k++;
    const q = tag.charCodeAt(k);
    if (q !== 34 && q !== 39) {
      i = k;
      continue;
    }
    const close = k + 1 > (q === 34 ? lastDq : lastSq) ? -1 : tag.indexOf(q === 34 ? '"' : "'", k + 1);
    if (close < 0) {
      // An unclosed quote starts a name of its own (what the old pattern did); the rest is scanned once.
      i = k;
      continue;
    }
    if (close - k - 1 > XML_LIMITS.maxAttributeValueLength) return `attribute value longer than ${XML_LIMITS.maxAttributeValueLength} characters`;
    if (out.length >= 2 * XML_LIMITS.maxAttributes) return `more than ${XML_LIMITS.maxAttributes} attributes on one element`;
    out.push(tag.slice(start, i), tag.slice(k + 1, close));
    examined += close - k;
    i = close + 1;
  }
  if (meter) meter.steps += examined;
  return undefined;
}

const isXmlns = (qname: string): boolean => qname.startsWith("xmlns") && (qname.length === 5 || qname.charCodeAt(5) === 58);

function declsOf(attrs: readonly string[], s: ScanState): Map<string, string> | undefined {
  let m: Map<string, string> | undefined;
  for (let a = 0; a < attrs.length; a += 2) {
    const qname = attrs[a] ?? "";
    if (!isXmlns(qname)) continue;
    const uri = attrs[a + 1] ?? "";
    (m ??= new Map()).set(qname.length === 5 ? "" : qname.slice(6), uri);
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
function endOfStartTag(xml: string, from: number, meter: XmlWorkMeter | undefined): number {
  let quote = 0;
  let i = from;
  let end = -1;
  for (; i < xml.length; i++) {
    const c = xml.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 34 || c === 39) quote = c;
    else if (c === 62) {
      end = i;
      break;
    } else if (c === 60) break;
  }
  if (meter) meter.steps += i - from + 1;
  return end;
}

function skipMarkup(xml: string, i: number, s: ScanState): number | string {
  if (xml.startsWith("<!--", i)) {
    const e = xml.indexOf("-->", i + 4);
    return e < 0 ? "unterminated comment" : e + 3;
  }
  if (xml.startsWith("<![CDATA[", i)) {
    const e = xml.indexOf("]]>", i + 9);
    if (e < 0) return "unterminated CDATA section";
    if (!s.tree.raw(xml.slice(i + 9, e))) return `text longer than ${XML_LIMITS.maxTextLength} characters`;
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

/** Length of a tag name at `from` (up to ">", "/" or whitespace), or -1 when it holds "<", a quote or "=". */
function nameEnd(xml: string, from: number): number {
  const limit = Math.min(xml.length, from + XML_LIMITS.maxNameLength + 1);
  let j = from;
  for (; j < limit; j++) {
    const c = xml.charCodeAt(j);
    if (c === 62 || c === 47 || c === 32 || c === 9 || c === 10 || c === 13) return j;
    if (c === 60 || c === 34 || c === 39 || c === 61) return -1;
  }
  return j === xml.length ? j : -2;
}

function openTag(xml: string, i: number, s: ScanState): number | string {
  const j = nameEnd(xml, i + 1);
  if (s.meter) s.meter.steps += Math.abs(j - i);
  if (j === -2) return `element name longer than ${XML_LIMITS.maxNameLength} characters`;
  if (j <= i + 1) return `invalid tag name after "<"`;
  const name = xml.slice(i + 1, j);
  const e = endOfStartTag(xml, j, s.meter);
  if (e < 0) return `unterminated start tag <${name}>`;
  const depth = s.stack.length;
  if (depth === 0) s.roots++;
  if (depth >= MAX_DEPTH) return `elements nested deeper than ${MAX_DEPTH}`;
  const attrs = s.attrs;
  attrs.length = 0;
  if (e > j) {
    const tag = xml.slice(j, e);
    if (tag.includes("=")) {
      const bad = readAttributes(tag, attrs, s.meter);
      if (bad !== undefined) return `${bad} in <${name}>`;
    }
  }
  s.decls.push(depth <= 2 && attrs.length > 0 ? declsOf(attrs, s) : undefined);
  if (depth === 0 && s.rootName === undefined) {
    s.rootName = name;
    s.rootNs = resolve(s, prefixOf(name));
  } else if (depth === 2 && s.rpcName === undefined && s.roots === 1 && localOf(s.stack[1] ?? "") === "Body") {
    s.rpcName = name;
    s.rpcNs = resolve(s, prefixOf(name));
  }
  s.tree.open(localOf(name), attrs);
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
export function parseDocument(xml: string, meter?: XmlWorkMeter): Result<{ readonly scan: XmlScan; readonly tree: XmlObject }, string> {
  const tree = new TreeBuilder();
  const scanned = scan(xml, tree, meter);
  return scanned.ok ? ok({ scan: scanned.value, tree: tree.result() }) : scanned;
}

/** The pass itself; `parseDocument` is its public face. */
function scan(xml: string, tree: TreeBuilder, meter: XmlWorkMeter | undefined): Result<XmlScan, string> {
  const s: ScanState = {
    tree,
    meter,
    attrs: [],
    stack: [],
    decls: [],
    rootName: undefined,
    rootNs: undefined,
    rpcName: undefined,
    rpcNs: undefined,
    cwmpNs: undefined,
    roots: 0,
  };
  let pos = 0;
  for (let i = xml.indexOf("<"); i !== -1; i = xml.indexOf("<", pos)) {
    if (s.stack.length === 0 && textOutsideRoot(xml, pos, i)) return err(`text outside the document element at ${positionOf(xml, pos)}`);
    if (s.stack.length > 0 && i > pos) {
      if (i - pos > XML_LIMITS.maxTextLength)
        return err(`text longer than ${XML_LIMITS.maxTextLength} characters in <${s.stack[s.stack.length - 1] ?? ""}> at ${positionOf(xml, pos)}`);
      if (!tree.text(xml.slice(pos, i)))
        return err(`text longer than ${XML_LIMITS.maxTextLength} characters in <${s.stack[s.stack.length - 1] ?? ""}> at ${positionOf(xml, pos)}`);
    }
    const c = xml.charCodeAt(i + 1);
    const next = c === 33 || c === 63 ? skipMarkup(xml, i, s) : c === 47 ? closeTag(xml, i, s) : openTag(xml, i, s);
    if (typeof next === "string") return err(`${next} at ${positionOf(xml, i)}`);
    // Text up to this "<", and markup or an end tag up to its end (start tags count their own scans).
    if (meter) meter.steps += i - pos + (c === 33 || c === 63 || c === 47 ? next - i : 0);
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

const XML_ENTITIES: Readonly<Record<string, string>> = Object.assign(Object.create(null) as Record<string, string>, {
  lt: "<",
  gt: ">",
  amp: "&",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
  copy: "\u00a9",
  reg: "\u00ae",
});

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isHex = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** The replacement for the reference starting at `amp` ("&...;"), and where it ends; undefined when it is not one. */
function entityAt(text: string, amp: number): [string, number] | undefined {
  const n = text.length;
  let j = amp + 1;
  if (text.charCodeAt(j) === 35) {
    const hex = text.charCodeAt(j + 1) === 120;
    j += hex ? 2 : 1;
    const from = j;
    const max = from + (hex ? 6 : 7);
    while (j < n && j < max && (hex ? isHex(text.charCodeAt(j)) : isDigit(text.charCodeAt(j)))) j++;
    if (j === from || text.charCodeAt(j) !== 59) return undefined;
    const code = parseInt(text.slice(from, j), hex ? 16 : 10);
    return code > 0 && code <= 0x10ffff ? [String.fromCodePoint(code), j + 1] : undefined;
  }
  if (!isAlpha(text.charCodeAt(j))) return undefined;
  const from = j;
  const max = from + 32;
  while (j < n && j < max && (isAlpha(text.charCodeAt(j)) || isDigit(text.charCodeAt(j)))) j++;
  if (text.charCodeAt(j) !== 59) return undefined;
  const r = XML_ENTITIES[text.slice(from, j)];
  return r === undefined ? undefined : [r, j + 1];
}

/**
 * Character and predefined entity references (unknown names are kept as written, as fast-xml-parser does).
 * One forward pass: each reference is at most 10 characters past its "&" (names up to 32), so the work is linear.
 */
export function decodeEntities(text: string): string {
  let amp = text.indexOf("&");
  if (amp < 0) return text;
  const parts: string[] = [];
  let from = 0;
  while (amp >= 0) {
    const hit = entityAt(text, amp);
    if (hit === undefined) amp = text.indexOf("&", amp + 1);
    else {
      if (amp > from) parts.push(text.slice(from, amp));
      parts.push(hit[0]);
      from = hit[1];
      amp = text.indexOf("&", from);
    }
  }
  if (from < text.length) parts.push(text.slice(from));
  return parts.join("");
}

interface Frame {
  readonly name: string;
  obj: Record<string, XmlValue> | undefined;
  text: string;
}

/** Builds the parsed tree from the scan's events; objects have no prototype (element names are data). */
class TreeBuilder {
  private readonly frames: Frame[] = [{ name: "", obj: Object.create(null) as Record<string, XmlValue>, text: "" }];

  /** `attrs` as readAttributes gives them: [qname, raw value, ...]. */
  open(name: string, attrs: readonly string[]): void {
    let obj: Record<string, XmlValue> | undefined;
    for (let a = 0; a < attrs.length; a += 2) {
      const qname = attrs[a] ?? "";
      // Namespace declarations are not attributes of the tree (removeNSPrefix drops them too).
      if (qname === "xmlns" || qname.startsWith("xmlns:")) continue;
      obj ??= Object.create(null) as Record<string, XmlValue>;
      obj[`@_${localOf(qname)}`] = decodeEntities(attrs[a + 1] ?? "");
    }
    this.frames.push({ name, obj, text: "" });
  }

  /** Appends text; false when the element's text would exceed XML_LIMITS.maxTextLength. */
  text(raw: string): boolean {
    return this.raw(decodeEntities(raw));
  }

  raw(text: string): boolean {
    const top = this.frames[this.frames.length - 1];
    if (!top) return true;
    if (top.text.length + text.length > XML_LIMITS.maxTextLength) return false;
    top.text += text;
    return true;
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
