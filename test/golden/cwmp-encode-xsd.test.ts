/**
 * Every encoded message, for every CWMP version, validates against the official BBF schema of that version
 * (test/fixtures/cwmp/xsd) with libxml2's xmllint compiled to WebAssembly (the `xmllint-wasm` package), in
 * process and offline: no system tool is needed, so `npm test` passes on a fresh machine. The SOAP 1.1
 * envelope/encoding schemas are local copies (test/fixtures/soap); the schema locations the XSDs import are
 * mapped to them by the entries of test/fixtures/soap/catalog.xml (the catalog a system xmllint would use).
 *
 * The SOAP Body and Header accept their children laxly, so a misspelled RPC element would pass inside the
 * envelope. Each RPC element (and the cwmp:Fault inside a SOAP Fault, and each header entry) is therefore also
 * validated as a standalone document, where xmllint requires a global declaration for the root.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validateXsd } from "../support/xsd.js";
import { encodeAcsMessage } from "../../src/cwmp/encode.js";
import { encodeCpeMessage } from "../../src/cwmp/encode-cpe.js";
import type { CwmpVersion } from "../../src/cwmp/types.js";
import { ACS_SAMPLES, ADDED_IN_1_1, CPE_SAMPLES } from "../support/cwmp-samples.js";

const VERSIONS: readonly CwmpVersion[] = ["1.0", "1.1", "1.2", "1.3", "1.4"];

const NS_DECLS =
  'xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:soap-enc="http://schemas.xmlsoap.org/soap/encoding/" ' +
  'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';

/** Lifts `<cwmp:X ...>...</cwmp:X>` out of an envelope into a standalone document with all namespaces declared. */
function standalone(xml: string, qname: string): string {
  const cwmpNs = /xmlns:cwmp="([^"]+)"/.exec(xml)?.[1] ?? "";
  const start = xml.search(new RegExp(`<${qname}[ />]`));
  assert.ok(start >= 0, `<${qname}> not found`);
  const selfClosing = xml.indexOf(`<${qname}/>`, start) === start;
  const end = selfClosing ? start + qname.length + 3 : xml.indexOf(`</${qname}>`, start) + qname.length + 3;
  const el = xml.slice(start, end);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${el.replace(`<${qname}`, `<${qname} ${NS_DECLS} xmlns:cwmp="${cwmpNs}"`)}`;
}

/** The documents to validate for one encoded envelope: the envelope, its RPC element, its header entries. */
function documentsOf(xml: string): string[] {
  const docs = [xml];
  const rpc = /<soap-env:Body><(cwmp:\w+)/.exec(xml)?.[1];
  docs.push(standalone(xml, rpc ?? "cwmp:Fault"));
  for (const h of xml.matchAll(/<(cwmp:\w+) soap-env:mustUnderstand/g)) docs.push(standalone(xml, h[1] ?? ""));
  return docs;
}

interface Case {
  readonly label: string;
  readonly xml: string;
}

function casesFor(v: CwmpVersion): Case[] {
  const out: Case[] = [];
  // A variant the version's schema does not define (e.g. GetAllQueuedTransfers in 1.0) is skipped for that version.
  const defined = (method: string): boolean => v !== "1.0" || !ADDED_IN_1_1.has(method);
  for (const m of Object.values(ACS_SAMPLES)) {
    if (!defined(m.method)) continue;
    out.push({ label: `ACS ${m.method}`, xml: encodeAcsMessage(m, { version: v, id: `acs-${m.method}`, holdRequests: true }) });
  }
  // UseCWMPVersion is declared by cwmp-1-4.xsd only (the encoder omits it for the 1.0/1.1 namespaces).
  if (v === "1.4")
    out.push({ label: "ACS InformResponse+UseCWMPVersion", xml: encodeAcsMessage(ACS_SAMPLES.InformResponse, { version: v, id: "1", useVersion: "1.3" }) });
  out.push({ label: "ACS SPV booleanAsDigit", xml: encodeAcsMessage(ACS_SAMPLES.SetParameterValues, { version: v, id: "1", booleanAsDigit: true }) });
  // 8006 exists from 1.4 (cwmp-notes §5.2).
  if (v === "1.4") out.push({ label: "ACS Fault 8006", xml: encodeAcsMessage({ method: "Fault", code: 8006, message: "" }, { version: v, id: "1" }) });
  for (const m of Object.values(CPE_SAMPLES)) {
    if (!defined(m.method)) continue;
    out.push({ label: `CPE ${m.method}`, xml: encodeCpeMessage(m, { version: v, id: `cpe-${m.method}` }) });
  }
  // SessionTimeout is declared from 1.3, SupportedCWMPVersions from 1.4.
  const headers = { sessionTimeout: v >= "1.3" ? 30 : undefined, supportedVersions: v === "1.4" ? VERSIONS : undefined };
  out.push({ label: "CPE Inform+headers", xml: encodeCpeMessage(CPE_SAMPLES.Inform, { version: v, id: "1", ...headers }) });
  return out;
}

/** Validates all documents of a version in one xmllint run; returns the failures, labelled. */
async function validate(v: CwmpVersion, cases: readonly Case[]): Promise<string[]> {
  const docs: { name: string; label: string; xml: string }[] = [];
  cases.forEach((c, i) => documentsOf(c.xml).forEach((xml, j) => docs.push({ name: `${v}-${i}-${j}.xml`, label: `${c.label} (document ${j})`, xml })));
  const errors = await validateXsd(`cwmp-${v.replace(".", "-")}.xsd`, docs);
  return docs.filter((d) => errors.has(d.name)).map((d) => `${d.label}:\n${(errors.get(d.name) ?? []).join("\n")}`);
}

describe("encoded messages validate against the BBF CWMP XSD", () => {
  for (const v of VERSIONS) {
    it(`CWMP ${v}: every ACS and CPE message variant`, async () => {
      const cases = casesFor(v);
      assert.ok(cases.length >= 40, `expected every variant, got ${cases.length}`);
      assert.deepEqual(await validate(v, cases), []);
    });
  }

  it("the check can fail: a lower-case OUI and a misspelled RPC element are rejected", async () => {
    const inform = encodeCpeMessage({ ...CPE_SAMPLES.Inform, deviceId: { ...CPE_SAMPLES.Inform.deviceId, oui: "00147f" } }, { version: "1.0", id: "1" });
    const bogus = encodeAcsMessage(ACS_SAMPLES.Reboot, { version: "1.0", id: "1" }).replaceAll("cwmp:Reboot", "cwmp:Rebot");
    const failures = await validate("1.0", [
      { label: "bad OUI", xml: inform },
      { label: "bogus RPC", xml: bogus },
    ]);
    assert.ok(
      failures.some((f) => f.startsWith("bad OUI (document 0)")),
      failures.join("\n"),
    );
    assert.ok(
      failures.some((f) => f.startsWith("bogus RPC (document 1)")),
      failures.join("\n"),
    );
  });
});
