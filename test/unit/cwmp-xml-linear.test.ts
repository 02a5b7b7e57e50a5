/**
 * #10.1 / #10.12: the XML parser is linear in its input and bounds its shapes. Linearity is proved by counting the
 * characters the scanner examines (XmlWorkMeter), never by timing: pathological start tags, attribute floods and
 * entity floods cost at most a small multiple of their length, and every shape bound trips with a named error.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { decodeCpeEnvelope } from "../../src/cwmp/decode.js";
import { lexicallyValid } from "../../src/cwmp/fields.js";
import { decodeEntities, parseDocument, XML_LIMITS, type XmlWorkMeter } from "../../src/cwmp/xml.js";
import { sameValue } from "../../src/reconcile/equality.js";

const ENV = (inner: string): string =>
  `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><soapenv:Header><cwmp:ID soapenv:mustUnderstand="1">1</cwmp:ID></soapenv:Header><soapenv:Body><cwmp:Inform>${inner}<MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2026-01-01T00:00:00Z</CurrentTime><RetryCount>0</RetryCount><Event/><ParameterList/></cwmp:Inform></soapenv:Body></soapenv:Envelope>`;
const DEVICE = `<Manufacturer>M</Manufacturer><OUI>00D09E</OUI><ProductClass>P</ProductClass><SerialNumber>S1</SerialNumber>`;

/** Steps the parser takes on `xml`; asserts it never throws. */
function work(xml: string): { steps: number; ok: boolean; error?: string } {
  const meter: XmlWorkMeter = { steps: 0 };
  const r = parseDocument(xml, meter);
  return r.ok ? { steps: meter.steps, ok: true } : { steps: meter.steps, ok: false, error: r.error };
}

/** The bound the tests hold every input to: a few examinations per character. */
const LINEAR = (xml: string): number => 4 * xml.length + 64;

describe("XML parser: linear work", () => {
  it("a 64 KB attribute name without a quoted value (<DeviceId aaaa...=x>) is refused after one pass", () => {
    const xml = ENV(`<DeviceId ${"a".repeat(64 * 1024)}=x>${DEVICE}</DeviceId>`);
    const w = work(xml);
    assert.equal(w.ok, false);
    assert.match(w.error ?? "", /attribute name longer than 256 characters in <DeviceId>/);
    assert.ok(w.steps <= LINEAR(xml), `${w.steps} steps for ${xml.length} characters`);
    const d = decodeCpeEnvelope(xml);
    assert.equal(d.ok, false, "the Inform is not accepted");
  });

  it("many short unquoted attributes, unclosed quotes and xmlns runs cost linear work", () => {
    const cases = [
      `<DeviceId ${"a=x ".repeat(20_000)}>${DEVICE}</DeviceId>`,
      `<DeviceId ${"a='".repeat(20_000)}>${DEVICE}</DeviceId>`,
      `<DeviceId ${'a="b" c=\'d '.repeat(8_000)}>${DEVICE}</DeviceId>`,
      `<DeviceId ${"xmlns:".repeat(20_000)}=x>${DEVICE}</DeviceId>`,
      `<DeviceId ${"a ".repeat(30_000)}>${DEVICE}</DeviceId>`,
      `<DeviceId a=${"=".repeat(60_000)}>${DEVICE}</DeviceId>`,
    ];
    for (const inner of cases) {
      const xml = ENV(inner);
      const w = work(xml);
      assert.ok(w.steps <= LINEAR(xml), `${w.steps} steps for ${xml.length} characters: ${inner.slice(0, 40)}`);
    }
  });

  it("property: generated pathological start tags never throw and cost at most 4 examinations per character", () => {
    const piece = fc.constantFrom("a", "xmlns", ":", "=", '"', "'", " ", "\t", "/", "&amp;", "&#x41;", "&", "b:c", "==", "x=", "'v'", '"v"');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 400 }), fc.integer({ min: 1, max: 200 }), (pieces, times) => {
        const attrs = pieces.join("").repeat(times);
        for (const xml of [ENV(`<DeviceId ${attrs}>${DEVICE}</DeviceId>`), `<${attrs}>`, `<a ${attrs}/>`, ENV(`<DeviceId ${attrs}`)]) {
          const w = work(xml);
          assert.ok(w.steps <= LINEAR(xml), `${w.steps} steps for ${xml.length} characters`);
        }
      }),
      { numRuns: 150, seed: 10_1 },
    );
  });

  it("property: attributes read by the scan are the ones the former pattern read (small tags, where a regex is cheap)", () => {
    const ATTR_RE = /([^\s=/>]+)\s*=\s*(["'])([\s\S]*?)\2/g;
    const piece = fc.constantFrom("a", "bc", "x:y", "=", '"', "'", " ", "\n", "v", "xmlns:p", "&lt;", "/");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const attrs = pieces.join("");
        const doc = parseDocument(`<E ${attrs}></E>`);
        fc.pre(doc.ok);
        if (!doc.ok) return;
        const expected: Record<string, string> = {};
        for (const m of ` ${attrs}`.matchAll(ATTR_RE)) {
          const q = m[1] ?? "";
          if (q === "xmlns" || q.startsWith("xmlns:")) continue;
          expected[`@_${q.slice(q.indexOf(":") + 1)}`] = decodeEntities(m[3] ?? "");
        }
        const e = doc.value.tree["E"];
        const got: Record<string, string> = {};
        if (typeof e === "object" && !Array.isArray(e)) for (const [k, v] of Object.entries(e)) if (k.startsWith("@_") && typeof v === "string") got[k] = v;
        assert.deepEqual(got, expected, attrs);
      }),
      { numRuns: 400, seed: 10_11 },
    );
  });
});

describe("XML parser: shape bounds", () => {
  it(`more than ${XML_LIMITS.maxAttributes} attributes on one element are refused`, () => {
    const attrs = Array.from({ length: XML_LIMITS.maxAttributes + 1 }, (_, i) => `a${i}="v"`).join(" ");
    assert.match(work(`<E ${attrs}/>`).error ?? "", /more than 64 attributes on one element/);
    const fits = Array.from({ length: XML_LIMITS.maxAttributes }, (_, i) => `a${i}="v"`).join(" ");
    assert.equal(work(`<E ${fits}/>`).ok, true);
  });

  it(`element names longer than ${XML_LIMITS.maxNameLength} characters are refused without scanning the rest`, () => {
    const xml = `<${"n".repeat(1_000_000)}>`;
    const w = work(xml);
    assert.match(w.error ?? "", /element name longer than 256 characters/);
    assert.ok(w.steps <= XML_LIMITS.maxNameLength + 8, `${w.steps} steps`);
    assert.equal(work(`<${"n".repeat(256)}/>`).ok, true);
  });

  it("attribute values longer than the bound are refused", () => {
    assert.match(work(`<E a="${"v".repeat(XML_LIMITS.maxAttributeValueLength + 1)}"/>`).error ?? "", /attribute value longer than 4096/);
  });

  it("an 8 MB entity flood (&amp;) is refused by the text bound before any entity is decoded", () => {
    const xml = ENV(`<DeviceId>${DEVICE}</DeviceId><X>${"&amp;".repeat(1_600_000)}</X>`);
    const w = work(xml);
    assert.match(w.error ?? "", /text longer than 262144 characters in <X>/);
    assert.ok(w.steps <= LINEAR(xml));
  });

  it("text split by comments or CDATA sections is bounded as a whole", () => {
    const chunk = "x".repeat(100_000);
    assert.match(work(`<a>${chunk}<!---->${chunk}<![CDATA[${chunk}]]></a>`).error ?? "", /text longer than 262144/);
    assert.equal(work(`<a>${chunk}<!---->${chunk}</a>`).ok, true);
  });

  it("an 8 MB xsd:int value is refused by the text bound; long integer literals are range-checked by length first", () => {
    const gpv = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><cwmp:GetParameterValuesResponse><ParameterList><ParameterValueStruct><Name>Device.X</Name><Value xsi:type="xsd:int">${"9".repeat(8 << 20)}</Value></ParameterValueStruct></ParameterList></cwmp:GetParameterValuesResponse></soapenv:Body></soapenv:Envelope>`;
    const d = decodeCpeEnvelope(gpv);
    assert.equal(d.ok, false);
    if (!d.ok) assert.match(d.error.message, /text longer than/);
    assert.equal(lexicallyValid("xsd:int", `${"0".repeat(200_000)}2147483647`), true);
    assert.equal(lexicallyValid("xsd:int", `-${"0".repeat(200_000)}2147483648`), true);
    assert.equal(lexicallyValid("xsd:int", `1${"0".repeat(200_000)}`), false);
    assert.equal(lexicallyValid("xsd:unsignedLong", "18446744073709551615"), true);
    assert.equal(lexicallyValid("xsd:unsignedLong", "18446744073709551616"), false);
    assert.equal(lexicallyValid("xsd:long", "-9223372036854775808"), true);
    assert.equal(lexicallyValid("xsd:long", "9223372036854775808"), false);
  });

  it("integer equality is canonical without BigInt (leading zeros, signs, -0)", () => {
    assert.equal(sameValue("xsd:int", "+007", "7"), true);
    assert.equal(sameValue("xsd:int", "-0", "0"), true);
    assert.equal(sameValue("xsd:int", "-00", "+0"), true);
    assert.equal(sameValue("xsd:long", "-0012", "-12"), true);
    assert.equal(sameValue("xsd:long", "12", "-12"), false);
    assert.equal(sameValue("xsd:unsignedLong", `${"0".repeat(100_000)}1`, "1"), true);
  });
});
