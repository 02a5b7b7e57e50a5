/**
 * Opening a SOAP 1.1 envelope, shared by the CPE-message and ACS-message decoders: well-formedness, the
 * Envelope/Header/Body structure, the RPC element, the CWMP version and the header fields (cwmp-notes §1, §2).
 */
import { err, ok, type Result } from "../domain/result.js";
import { clip, parseBool, parseUint, type Warnings } from "./fields.js";
import { CWMP_NS, type CwmpVersion, type EnvelopeHeader } from "./types.js";
import { child, elementKeys, first, localOf, parseDocument, textOf, type XmlObject, type XmlValue } from "./xml.js";

export interface DecodeError {
  readonly code: "malformed" | "not_soap" | "no_body" | "unknown_method" | "invalid";
  readonly message: string;
}

/** An opened envelope: the RPC element by local name, plus everything around it. */
export interface OpenEnvelope {
  readonly version: CwmpVersion;
  readonly header: EnvelopeHeader;
  /** Local name of the Body's child, e.g. "Inform", "GetParameterValuesResponse", "Fault". */
  readonly method: string;
  readonly rpc: string | XmlObject;
  /** The SOAP Header element, for header entries only one direction uses (UseCWMPVersion). */
  readonly headerNode: string | XmlObject | undefined;
  readonly warnings: Warnings;
}

export const SOAP_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/";
const SOAP12_ENV_NS = "http://www.w3.org/2003/05/soap-envelope";

/** Namespace URI → version. cwmp-1-3/1-4 URIs exist in no schema but are accepted defensively (§1.1). */
export const VERSIONS: readonly CwmpVersion[] = ["1.0", "1.1", "1.2", "1.3", "1.4"];

const VERSION_BY_NS: ReadonlyMap<string, CwmpVersion> = new Map([
  ...VERSIONS.map((v) => [CWMP_NS[v], v] as const),
  ["urn:broadband-forum-org:cwmp-1-3", "1.3"],
  ["urn:broadband-forum-org:cwmp-1-4", "1.4"],
]);

export const decodeErr = (code: DecodeError["code"], message: string): Result<never, DecodeError> => err({ code, message });

function headerOf(h: XmlValue | undefined, w: Warnings): EnvelopeHeader {
  const id = textOf(child(h, "ID"))?.trim();
  const hold = textOf(child(h, "HoldRequests"));
  const nmr = textOf(child(h, "NoMoreRequests"));
  const st = textOf(child(h, "SessionTimeout"));
  const sv = textOf(child(h, "SupportedCWMPVersions"));
  const sessionTimeout = st === undefined ? undefined : parseUint(st);
  if (st !== undefined && sessionTimeout === undefined) w.push(`Header: SessionTimeout "${clip(st.trim())}" is not an unsigned integer, ignored`);
  return {
    id,
    holdRequests: hold === undefined ? false : (parseBool(hold) ?? false),
    // TR-069 Issue 1 header, removed from every XSD: recorded, never faulted on (cwmp-notes §2.2).
    noMoreRequests: nmr === undefined ? false : (parseBool(nmr) ?? false),
    sessionTimeout,
    supportedVersions: sv === undefined ? undefined : VERSIONS.filter((v) => sv.split(",").some((s) => s.trim() === v)),
  };
}

/**
 * TR-069 §1.2 (cwmp-notes): the version is the namespace bound to the RPC element's prefix. cwmp-1-2 is shared
 * by 1.2–1.4, so SupportedCWMPVersions (1.4 only) and SessionTimeout (1.3+) refine it. Unknown → 1.0 + warning.
 */
function versionOf(ns: string | undefined, header: EnvelopeHeader, w: Warnings): CwmpVersion {
  const v = ns === undefined ? undefined : VERSION_BY_NS.get(ns.trim());
  if (v === undefined) {
    w.push(ns === undefined ? "no CWMP namespace declared, assuming CWMP 1.0" : `unknown CWMP namespace "${ns}", assuming CWMP 1.0`);
    return "1.0";
  }
  if (v === "1.2" && header.supportedVersions !== undefined) return "1.4";
  if (v === "1.2" && header.sessionTimeout !== undefined) return "1.3";
  return v;
}

function envelopeOf(tree: XmlObject, roots: number, w: Warnings): Result<XmlObject, DecodeError> {
  const env = tree["Envelope"];
  if (Array.isArray(env) || roots > 1) w.push(`${Math.max(roots, Array.isArray(env) ? env.length : 1)} envelopes in one body: only the first is decoded`);
  const e = first(env);
  if (e === undefined || typeof e === "string") return decodeErr("no_body", "SOAP Envelope has no Body");
  return ok(e);
}

/** Parses and opens an envelope. Never throws. */
export function openEnvelope(xml: string): Result<OpenEnvelope, DecodeError> {
  if (!/\S/.test(xml)) return decodeErr("malformed", "empty document (an empty POST is handled before decoding)");
  const doc = parseDocument(xml);
  if (!doc.ok) return decodeErr("malformed", `not well-formed XML: ${doc.error}`);
  const scan = { value: doc.value.scan };
  const { rootName, rootNs } = scan.value;
  if (localOf(rootName) !== "Envelope") return decodeErr("not_soap", `document element is <${rootName}>, not a SOAP Envelope`);
  if (rootNs === SOAP12_ENV_NS) return decodeErr("not_soap", "SOAP 1.2 envelope; CWMP uses SOAP 1.1");
  const w: Warnings = [];
  if (rootNs !== SOAP_ENV_NS) w.push(`Envelope namespace is "${rootNs ?? "(undeclared)"}", expected ${SOAP_ENV_NS}`);
  const env = envelopeOf(doc.value.tree, scan.value.roots, w);
  if (!env.ok) return env;
  const body = child(env.value, "Body");
  const keys = elementKeys(body);
  const method = keys[0];
  const rpc = method === undefined ? undefined : child(body, method);
  if (method === undefined || rpc === undefined) return decodeErr("no_body", body === undefined ? "SOAP Envelope has no Body" : "SOAP Body is empty");
  if (keys.length > 1) w.push(`SOAP Body has ${keys.length} elements (${keys.join(", ")}): only <${method}> is decoded`);
  const headerNode = child(env.value, "Header");
  const header = headerOf(headerNode, w);
  const ns = method === "Fault" ? scan.value.cwmpNs : (scan.value.rpcNs ?? scan.value.cwmpNs);
  return ok({ version: versionOf(ns, header, w), header, method, rpc, headerNode, warnings: w });
}
