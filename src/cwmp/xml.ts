/**
 * The XML layer shared by both decoders (CPE→ACS and the simulator's ACS→CPE): one fast-xml-parser
 * configuration, one cheap well-formedness/namespace scan, and typed accessors over the parsed tree.
 * Pure: no I/O, no module state.
 */
import { XMLParser, XMLValidator, type X2jOptions } from "fast-xml-parser";
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
 * The parser options (cwmp-notes §9). Exported so a benchmark can build the identical bare parser.
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

const parser = new XMLParser(XML_PARSER_OPTIONS);

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

function skipMarkup(xml: string, i: number): number | string {
  if (xml.startsWith("<!--", i)) {
    const e = xml.indexOf("-->", i + 4);
    return e < 0 ? "unterminated comment" : e + 3;
  }
  if (xml.startsWith("<![CDATA[", i)) {
    const e = xml.indexOf("]]>", i + 9);
    return e < 0 ? "unterminated CDATA section" : e + 3;
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
  if (xml.charCodeAt(e - 1) === 47) s.decls.pop();
  else s.stack.push(name);
  return e + 1;
}

function textOutsideRoot(xml: string, from: number, to: number): boolean {
  return to > from && xml.slice(from, to).trim() !== "";
}

/**
 * One linear pass that checks tag balance (fast-xml-parser alone accepts truncated or mismatched documents),
 * rejects DOCTYPE/ENTITY declarations, bounds nesting depth, and collects the xmlns declarations on the way
 * to the RPC element so the CWMP version can be resolved without a second parse (cwmp-notes §1.2).
 * On failure the message names the position.
 */
export function scanXml(xml: string): Result<XmlScan, string> {
  const s: ScanState = { stack: [], decls: [], rootName: undefined, rootNs: undefined, rpcName: undefined, rpcNs: undefined, cwmpNs: undefined, roots: 0 };
  let pos = 0;
  for (let i = xml.indexOf("<"); i !== -1; i = xml.indexOf("<", pos)) {
    if (s.stack.length === 0 && textOutsideRoot(xml, pos, i)) return err(`text outside the document element at ${positionOf(xml, pos)}`);
    const c = xml.charCodeAt(i + 1);
    const next = c === 33 || c === 63 ? skipMarkup(xml, i) : c === 47 ? closeTag(xml, i, s) : openTag(xml, i, s);
    if (typeof next === "string") return err(`${next} at ${positionOf(xml, i)}`);
    pos = next;
  }
  if (s.stack.length > 0) return err(`unexpected end of document: <${s.stack[s.stack.length - 1] ?? ""}> is not closed`);
  if (textOutsideRoot(xml, pos, xml.length)) return err(`text outside the document element at ${positionOf(xml, pos)}`);
  if (s.rootName === undefined) return err("no XML element found");
  return ok({ rootName: s.rootName, rootNs: s.rootNs, rpcName: s.rpcName, rpcNs: s.rpcNs, cwmpNs: s.cwmpNs, roots: s.roots });
}

/** Parses a document that `scanXml` accepted. Never throws: parser exceptions become an error message. */
export function parseXml(xml: string): Result<XmlObject, string> {
  try {
    const tree: unknown = parser.parse(xml);
    return isObject(tree) ? ok(tree) : err("parser returned no document");
  } catch (e) {
    const v = XMLValidator.validate(xml);
    if (v !== true) return err(`${v.err.msg} at line ${v.err.line}, column ${v.err.col}`);
    return err(e instanceof Error ? e.message : String(e));
  }
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
