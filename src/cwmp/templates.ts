/**
 * The serialisation templates both encoders share (cwmp-notes §2, §9): fixed prefixes soap-env/soap-enc/xsd/
 * xsi/cwmp, unqualified RPC children, exact arrayType counts, xsi:type on every Value, escaped text.
 */
import type { CwmpVersion, ParamValue } from "./types.js";

/**
 * The namespace to put on the wire for a version. 1.3 and 1.4 extend the cwmp-1-2 namespace: there is no
 * cwmp-1-3/1-4 namespace in any BBF schema (cwmp-notes §1.1), so they are never emitted.
 */
export const CWMP_WIRE_NS: Readonly<Record<CwmpVersion, string>> = {
  "1.0": "urn:dslforum-org:cwmp-1-0",
  "1.1": "urn:dslforum-org:cwmp-1-1",
  "1.2": "urn:dslforum-org:cwmp-1-2",
  "1.3": "urn:dslforum-org:cwmp-1-2",
  "1.4": "urn:dslforum-org:cwmp-1-2",
};

// XML 1.0 cannot carry these at all, not even as character references (control characters are the point here).
/* eslint-disable no-control-regex */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const NEEDS_ESCAPE = /[&<>"'\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
/* eslint-enable no-control-regex */
const ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "\r": "&#13;" };

/**
 * XML-escapes text and attribute content. CR is written as &#13; so it survives end-of-line normalisation;
 * characters XML 1.0 cannot represent are dropped (TR-106 strings cannot carry them either).
 */
export function esc(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  return s.replace(NOT_XML, "").replace(/[&<>"'\r]/g, (c) => ESCAPES[c] ?? c);
}

/** `<Name>text</Name>`, escaped. */
export const el = (name: string, text: string): string => `<${name}>${esc(text)}</${name}>`;

/** An xs:unsignedInt field; a negative/fractional number is a caller bug. */
export function uintEl(name: string, n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be an unsigned integer, got ${n}`);
  return `<${name}>${n}</${name}>`;
}

export const boolText = (b: boolean, digit: boolean | undefined): string => (digit === true ? (b ? "1" : "0") : b ? "true" : "false");

/** A SOAP-encoded array with its exact member count (§2.3). */
export function arrayEl(name: string, memberType: string, members: readonly string[]): string {
  return `<${name} soap-enc:arrayType="${memberType}[${members.length}]">${members.join("")}</${name}>`;
}

export const stringArray = (name: string, items: readonly string[]): string =>
  arrayEl(
    name,
    "xsd:string",
    items.map((s) => el("string", s)),
  );

/** Booleans follow the per-model literal knob (GenieACS `cwmp.booleanLiteral`, cwmp-notes §2.4). */
function valueText(p: ParamValue, digit: boolean | undefined): string {
  if (p.type !== "xsd:boolean") return p.value;
  const t = p.value.trim().toLowerCase();
  if (t === "true" || t === "1") return boolText(true, digit);
  if (t === "false" || t === "0") return boolText(false, digit);
  return p.value;
}

export function paramValueList(params: readonly ParamValue[], digit: boolean | undefined): string {
  return arrayEl(
    "ParameterList",
    "cwmp:ParameterValueStruct",
    params.map((p) => `<ParameterValueStruct>${el("Name", p.name)}<Value xsi:type="${p.type}">${esc(valueText(p, digit))}</Value></ParameterValueStruct>`),
  );
}

export interface EnvelopeParts {
  readonly version: CwmpVersion;
  /** Header children, already serialised (cwmp:ID first). */
  readonly headers: readonly string[];
  readonly body: string;
  /** Default true. */
  readonly xmlDeclaration?: boolean;
}

/** cwmp:ID with mustUnderstand="1" (fixed by the XSD), echoed verbatim. */
export const idHeader = (id: string): string => `<cwmp:ID soap-env:mustUnderstand="1">${esc(id)}</cwmp:ID>`;

/** The whole envelope around one serialised Body child. */
export function envelope(p: EnvelopeParts): string {
  return (
    (p.xmlDeclaration === false ? "" : `<?xml version="1.0" encoding="UTF-8"?>\n`) +
    `<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cwmp="${CWMP_WIRE_NS[p.version]}">` +
    `<soap-env:Header>${p.headers.join("")}</soap-env:Header>` +
    `<soap-env:Body>${p.body}</soap-env:Body></soap-env:Envelope>`
  );
}

/** A cwmp RPC element: `<cwmp:Name>children</cwmp:Name>`, self-closed when empty. */
export const rpcEl = (name: string, children = ""): string => (children === "" ? `<cwmp:${name}/>` : `<cwmp:${name}>${children}</cwmp:${name}>`);

/** SOAP 1.1 Fault with a cwmp:Fault detail (TR-069 A.5, cwmp-notes §5.1). */
export function soapFault(faultCode: string, faultString: string, cwmpFault: string): string {
  return `<soap-env:Fault><faultcode>soap-env:${esc(faultCode)}</faultcode>${el("faultstring", faultString)}<detail>${cwmpFault}</detail></soap-env:Fault>`;
}
