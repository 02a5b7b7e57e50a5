/**
 * Every encoded message, for every CWMP version, validates against the official BBF schema of that version
 * (test/fixtures/cwmp/xsd) with xmllint, offline: the SOAP 1.1 envelope/encoding schemas are local copies
 * (test/fixtures/soap) reached through an XML catalog.
 *
 * The SOAP Body and Header accept their children laxly, so a misspelled RPC element would pass inside the
 * envelope. Each RPC element (and the cwmp:Fault inside a SOAP Fault, and each header entry) is therefore also
 * validated as a standalone document, where xmllint requires a global declaration for the root.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { encodeAcsMessage } from "../../src/cwmp/encode.js";
import { encodeCpeMessage } from "../../src/cwmp/encode-cpe.js";
import type { CwmpVersion } from "../../src/cwmp/types.js";
import { ACS_SAMPLES, ADDED_IN_1_1, CPE_SAMPLES } from "../support/cwmp-samples.js";

const XSD_DIR = fileURLToPath(new URL("../fixtures/cwmp/xsd/", import.meta.url));
const CATALOG = fileURLToPath(new URL("../fixtures/soap/catalog.xml", import.meta.url));
const VERSIONS: readonly CwmpVersion[] = ["1.0", "1.1", "1.2", "1.3", "1.4"];
const work = mkdtempSync(join(tmpdir(), "cwmp-xsd-"));
after(() => rmSync(work, { recursive: true, force: true }));

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
  if (v === "1.4") out.push({ label: "ACS InformResponse+UseCWMPVersion", xml: encodeAcsMessage(ACS_SAMPLES.InformResponse, { version: v, id: "1", useVersion: "1.3" }) });
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

/** Runs xmllint once for all documents of a version; returns the failures, labelled. */
function validate(v: CwmpVersion, cases: readonly Case[]): string[] {
  const files: { file: string; label: string }[] = [];
  cases.forEach((c, i) =>
    documentsOf(c.xml).forEach((doc, j) => {
      const file = join(work, `${v}-${i}-${j}.xml`);
      writeFileSync(file, doc);
      files.push({ file, label: `${c.label} (document ${j})` });
    }),
  );
  const schema = join(XSD_DIR, `cwmp-${v.replace(".", "-")}.xsd`);
  // xmllint reports "<file> validates" / errors on stderr and exits non-zero when any file fails.
  const run = spawnSync("xmllint", ["--noout", "--nonet", "--schema", schema, ...files.map((f) => f.file)], {
    env: { ...process.env, XML_CATALOG_FILES: CATALOG },
    encoding: "utf8",
  });
  assert.equal(run.error, undefined, "xmllint must be installed");
  const out = `${run.stdout}${run.stderr}`;
  return files.filter((f) => !out.includes(`${f.file} validates`)).map((f) => `${f.label}:\n${out.split("\n").filter((l) => l.startsWith(f.file)).join("\n")}`);
}

describe("encoded messages validate against the BBF CWMP XSD", () => {
  for (const v of VERSIONS) {
    it(`CWMP ${v}: every ACS and CPE message variant`, () => {
      const cases = casesFor(v);
      assert.ok(cases.length >= 40, `expected every variant, got ${cases.length}`);
      assert.deepEqual(validate(v, cases), []);
    });
  }

  it("the check can fail: a lower-case OUI and a misspelled RPC element are rejected", () => {
    const inform = encodeCpeMessage({ ...CPE_SAMPLES.Inform, deviceId: { ...CPE_SAMPLES.Inform.deviceId, oui: "00147f" } }, { version: "1.0", id: "1" });
    const bogus = encodeAcsMessage(ACS_SAMPLES.Reboot, { version: "1.0", id: "1" }).replaceAll("cwmp:Reboot", "cwmp:Rebot");
    const failures = validate("1.0", [
      { label: "bad OUI", xml: inform },
      { label: "bogus RPC", xml: bogus },
    ]);
    assert.ok(failures.some((f) => f.startsWith("bad OUI (document 0)")), failures.join("\n"));
    assert.ok(failures.some((f) => f.startsWith("bogus RPC (document 1)")), failures.join("\n"));
  });
});
