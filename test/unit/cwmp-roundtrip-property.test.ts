/**
 * encode → decode is the identity on generated messages of every ACS RPC and CPE message type: each sample of
 * test/support/cwmp-samples.ts gives the shape (one per variant), fast-check fills its free-text fields (names,
 * string values, command keys, URLs, credentials, file names, paths, fault strings) with arbitrary text, XML
 * specials and non-ASCII included, and its counts with arbitrary numbers, over every CWMP version.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { decodeAcsEnvelope } from "../../src/cwmp/decode-acs.js";
import { decodeCpeEnvelope } from "../../src/cwmp/decode.js";
import { encodeAcsMessage } from "../../src/cwmp/encode.js";
import { encodeCpeMessage } from "../../src/cwmp/encode-cpe.js";
import type { CwmpVersion } from "../../src/cwmp/types.js";
import { ACS_SAMPLES, CPE_SAMPLES } from "../support/cwmp-samples.js";

const VERSIONS: readonly CwmpVersion[] = ["1.0", "1.1", "1.2", "1.3", "1.4"];
const readBack = (v: CwmpVersion): CwmpVersion => (v === "1.3" || v === "1.4" ? "1.2" : v);

/** Keys whose string is free text (a `value` only when its type is xsd:string: typed values read back canonical). */
const TEXT = new Set([
  "name",
  "commandKey",
  "parameterKey",
  "url",
  "username",
  "password",
  "targetFileName",
  "path",
  "objectName",
  "faultString",
  "message",
  "serialNumber",
  "productClass",
  "manufacturer",
  "transferUrl",
  "successUrl",
  "failureUrl",
]);
const COUNTS = new Set(["delaySeconds", "fileSize", "instanceNumber", "retryCount"]);

// Text as a CPE or an operator may write it: XML specials, quotes, non-ASCII, inner spaces; no control characters
// (not allowed in XML 1.0) and no leading or trailing whitespace (the decoder trims scalar text).
const CHARS = [..."abcXYZ019._-/:?=&<>\"'é中😀", " "];
const text = fc
  .array(fc.constantFrom(...CHARS), { minLength: 1, maxLength: 24 })
  .map((cs) => cs.join(""))
  .filter((s) => s.trim() === s);

type Json = string | number | boolean | null | readonly Json[] | { readonly [k: string]: Json };

/** An arbitrary of messages shaped like `sample`: free-text strings and counts generated, everything else kept. */
function shaped(sample: Json, key = ""): fc.Arbitrary<Json> {
  if (typeof sample === "string") return TEXT.has(key) ? text : fc.constant(sample);
  if (typeof sample === "number") return COUNTS.has(key) ? fc.nat({ max: 2 ** 31 - 1 }) : fc.constant(sample);
  if (sample === null || typeof sample === "boolean") return fc.constant(sample);
  if (Array.isArray(sample)) return fc.tuple(...(sample as readonly Json[]).map((x) => shaped(x, key)));
  const obj = sample as { readonly [k: string]: Json };
  const freeValue = obj["type"] === "xsd:string" && typeof obj["value"] === "string";
  const parts: Record<string, fc.Arbitrary<Json>> = {};
  for (const [k, v] of Object.entries(obj)) parts[k] = k === "value" && freeValue ? text : shaped(v, k);
  return fc.record(parts).map((o) => ({ ...o }) as Json); // a plain object (fc.record makes null-prototype ones)
}

describe("encode → decode over generated messages", () => {
  for (const sample of Object.values(ACS_SAMPLES)) {
    it(`ACS ${sample.method}`, () => {
      fc.assert(
        fc.property(shaped(sample as unknown as Json), fc.constantFrom(...VERSIONS), (msg, v) => {
          const m = msg as unknown as typeof sample;
          const r = decodeAcsEnvelope(encodeAcsMessage(m, { version: v, id: "x" }));
          assert.ok(r.ok, JSON.stringify(r));
          assert.deepEqual(r.value.message, m);
          assert.equal(r.value.version, readBack(v));
        }),
        { numRuns: 40 },
      );
    });
  }
  for (const sample of Object.values(CPE_SAMPLES)) {
    it(`CPE ${sample.method}`, () => {
      fc.assert(
        fc.property(shaped(sample as unknown as Json), fc.constantFrom(...VERSIONS), (msg, v) => {
          const m = msg as unknown as typeof sample;
          const r = decodeCpeEnvelope(encodeCpeMessage(m, { version: v, id: "x" }));
          assert.ok(r.ok, JSON.stringify(r));
          assert.deepEqual(r.value.message, m);
          assert.equal(r.value.version, readBack(v));
        }),
        { numRuns: 40 },
      );
    });
  }
});
