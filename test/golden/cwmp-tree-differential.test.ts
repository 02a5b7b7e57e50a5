/**
 * Differential test: the one-pass tree builder (parseDocument) gives the tree fast-xml-parser gives with
 * XML_PARSER_OPTIONS, on every well-formed real capture and every envelope our encoders produce. Whitespace-only
 * text inside container elements (which no accessor reads) is left out of the comparison.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import test from "node:test";
import { XMLParser } from "fast-xml-parser";
import { decodeBody } from "../../src/cwmp/body.js";
import { encodeAcsMessage } from "../../src/cwmp/encode.js";
import { encodeCpeMessage } from "../../src/cwmp/encode-cpe.js";
import { parseDocument, XML_PARSER_OPTIONS } from "../../src/cwmp/xml.js";
import { ACS_SAMPLES, CPE_SAMPLES } from "../support/cwmp-samples.js";
import { parseHttpFixture } from "../support/http-fixture.js";

const reference = new XMLParser(XML_PARSER_OPTIONS);
const DIR = new URL("../fixtures/cwmp/", import.meta.url);

/** Plain JSON, without whitespace-only "#text" next to elements or attributes, and without the XML declaration. */
function normalise(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalise);
  if (typeof v !== "object" || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === "?xml") continue;
    if (k === "#text" && typeof x === "string" && x.trim() === "") continue;
    out[k] = normalise(x);
  }
  return out;
}

function same(xml: string, label: string): void {
  const ours = parseDocument(xml);
  assert.ok(ours.ok, `${label}: ${ours.ok ? "" : ours.error}`);
  assert.deepEqual(normalise(JSON.parse(JSON.stringify(ours.value.tree))), normalise(reference.parse(xml)), label);
}

function bodyOf(name: string): string | undefined {
  const raw = readFileSync(new URL(name, DIR));
  const buf = name.endsWith(".http") ? parseHttpFixture(raw).body : name.endsWith(".txt") ? raw.subarray(raw.indexOf("\n<") + 1) : raw;
  const ct = name.endsWith(".http") ? parseHttpFixture(raw).headers.get("content-type") : undefined;
  const body = decodeBody(buf, { contentType: ct }, { maxBytes: 8 << 20 });
  return body.ok ? body.value : undefined;
}

for (const name of readdirSync(DIR)
  .filter((f) => /\.(xml|http|txt)$/.test(f))
  .sort()) {
  const xml = bodyOf(name);
  if (xml === undefined || !parseDocument(xml).ok) continue; // malformed captures are the decoder's tests
  void test(`tree of ${name} equals fast-xml-parser's`, () => same(xml, name));
}

void test("trees of every encoded ACS and CPE message equal fast-xml-parser's", () => {
  for (const [method, msg] of Object.entries(ACS_SAMPLES)) same(encodeAcsMessage(msg, { version: "1.0", id: "7" }), method);
  for (const [method, msg] of Object.entries(CPE_SAMPLES)) same(encodeCpeMessage(msg, { version: "1.2", id: "7" }), method);
});

void test("entities, CDATA, single quotes and prefixes", () => {
  same(
    `<s:Envelope xmlns:s='http://schemas.xmlsoap.org/soap/envelope/'><s:Body><x:A xmlns:x="u" x:t='1'>a&amp;b &#x41;&#66; &lt;c&gt;<![CDATA[<raw>]]></x:A><B>x &unknown; y</B></s:Body></s:Envelope>`,
    "edge cases",
  );
});

void test("element names that are Object.prototype names are data, never prototype pollution", () => {
  // fast-xml-parser refuses these documents outright; ours keeps them as plain keys of prototype-less objects.
  const doc = parseDocument(`<Envelope><Body><constructor>1</constructor><__proto__ polluted="yes"/><toString/></Body></Envelope>`);
  assert.ok(doc.ok);
  const body = (doc.value.tree["Envelope"] as Record<string, unknown>)["Body"] as Record<string, unknown>;
  assert.equal(body["constructor"], "1");
  assert.deepEqual(Object.keys(body), ["constructor", "__proto__", "toString"]);
  assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
});
