/** Property: no input makes decodeBody or the decoders throw; they return a value or an error value. */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import fc from "fast-check";
import { decodeBody } from "../../src/cwmp/body.js";
import { decodeAcsEnvelope } from "../../src/cwmp/decode-acs.js";
import { decodeCpeEnvelope } from "../../src/cwmp/decode.js";

const DIR = new URL("../fixtures/cwmp/", import.meta.url);
const FIXTURES = readdirSync(DIR)
  .filter((f) => /\.(xml|http)$/.test(f))
  .map((f) => readFileSync(new URL(f, DIR), "latin1"));

const CODES = new Set(["malformed", "not_soap", "no_body", "unknown_method", "invalid"]);

function checkDecoders(xml: string): void {
  for (const r of [decodeCpeEnvelope(xml), decodeAcsEnvelope(xml)]) {
    if (!r.ok) {
      assert.ok(CODES.has(r.error.code), r.error.code);
      assert.equal(typeof r.error.message, "string");
    }
  }
}

function checkAll(bytes: Buffer, contentType?: string): void {
  const body = decodeBody(bytes, { contentType }, { maxBytes: 1 << 20 });
  if (body.ok) checkDecoders(body.value);
  checkDecoders(bytes.toString("latin1"));
}

type Mutation = (s: string) => string;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.nat().map(
    (n): Mutation =>
      (s) =>
        s.slice(0, n % (s.length + 1)),
  ),
  fc.tuple(fc.nat(), fc.nat({ max: 200 })).map(
    ([at, len]): Mutation =>
      (s) =>
        s.slice(0, at % (s.length + 1)) + s.slice((at % (s.length + 1)) + len),
  ),
  fc.tuple(fc.nat(), fc.nat({ max: 300 }), fc.nat()).map(([at, len, to]): Mutation => (s) => {
    const a = at % (s.length + 1);
    const t = to % (s.length + 1);
    return s.slice(0, t) + s.slice(a, a + len) + s.slice(t);
  }),
  fc
    .tuple(fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), fc.constantFrom("<", ">", "/", '"', "'", "&", "=", ":", " ", "\u0000", "x", "!"))
    .map(([ats, c]): Mutation => (s) => {
      const chars = [...s];
      for (const at of ats) if (chars.length > 0) chars[at % chars.length] = c;
      return chars.join("");
    }),
);

describe("decoders never throw", () => {
  it("random strings", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400, unit: "binary" }), (s) => checkDecoders(s)),
      { numRuns: 400 },
    );
  });

  it("XML-ish random strings", () => {
    const token = fc.constantFrom(
      "<",
      ">",
      "</",
      "/>",
      "<?xml ?>",
      "<!--",
      "-->",
      "<![CDATA[",
      "]]>",
      "Envelope",
      "soap:",
      "Body",
      "Inform",
      "xmlns:cwmp=",
      '"urn:dslforum-org:cwmp-1-0"',
      "'",
      "&amp;",
      "&#x41;",
      "&#99999999;",
      " ",
      "\n",
    );
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), (ts) => checkDecoders(ts.join(""))),
      { numRuns: 400 },
    );
  });

  it("random bytes as a body (latin1 and UTF-8)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.constantFrom(undefined, "text/xml; charset=ISO-8859-1", "text/xml"), (bytes, ct) =>
        checkAll(Buffer.from(bytes), ct),
      ),
      { numRuns: 400 },
    );
  });

  it("mutations of real fixtures: truncate, delete, duplicate a range, flip characters", () => {
    fc.assert(
      fc.property(fc.constantFrom(...FIXTURES), fc.array(mutation, { minLength: 1, maxLength: 3 }), (fixture, ms) => {
        const s = ms.reduce((acc, m) => m(acc), fixture);
        checkAll(Buffer.from(s, "latin1"), "text/xml; charset=ISO-8859-1");
      }),
      { numRuns: 500 },
    );
  });

  it("deep nesting is an error value, not a stack overflow", () => {
    const deep = `${"<a>".repeat(100_000)}${"</a>".repeat(100_000)}`;
    const r = decodeCpeEnvelope(deep);
    assert.ok(!r.ok);
    assert.equal(r.error.code, "malformed");
  });
});
