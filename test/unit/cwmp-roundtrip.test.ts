/** encode → decode returns the same message, for every variant in both directions. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeAcsEnvelope } from "../../src/cwmp/decode-acs.js";
import { decodeCpeEnvelope } from "../../src/cwmp/decode.js";
import { encodeAcsMessage } from "../../src/cwmp/encode.js";
import { encodeCpeMessage } from "../../src/cwmp/encode-cpe.js";
import type { CwmpVersion, ParamValue } from "../../src/cwmp/types.js";
import { ACS_SAMPLES, CPE_SAMPLES, TRICKY_VALUES } from "../support/cwmp-samples.js";

const VERSIONS: readonly CwmpVersion[] = ["1.0", "1.1", "1.2", "1.3", "1.4"];
/** 1.2, 1.3 and 1.4 share the cwmp-1-2 namespace (cwmp-notes §1.1): without headers they read back as 1.2. */
const readBack = (v: CwmpVersion): CwmpVersion => (v === "1.3" || v === "1.4" ? "1.2" : v);

describe("CpeMessage: encodeCpeMessage → decodeCpeEnvelope", () => {
  for (const msg of Object.values(CPE_SAMPLES)) {
    it(msg.method, () => {
      for (const v of VERSIONS) {
        const r = decodeCpeEnvelope(encodeCpeMessage(msg, { version: v, id: `id-${v}` }));
        assert.ok(r.ok, JSON.stringify(r));
        assert.deepEqual(r.value.message, msg);
        assert.equal(r.value.version, readBack(v));
        assert.equal(r.value.header.id, `id-${v}`);
        assert.deepEqual(r.value.warnings, []);
      }
    });
  }
});

describe("AcsMessage: encodeAcsMessage → decodeAcsEnvelope", () => {
  for (const msg of Object.values(ACS_SAMPLES)) {
    it(msg.method, () => {
      for (const v of VERSIONS) {
        const r = decodeAcsEnvelope(encodeAcsMessage(msg, { version: v, id: `id-${v}` }));
        assert.ok(r.ok, JSON.stringify(r));
        assert.deepEqual(r.value.message, msg);
        assert.equal(r.value.version, readBack(v));
        assert.equal(r.value.id, `id-${v}`);
        assert.equal(r.value.holdRequests, false);
      }
    });
  }
});

describe("header fields", () => {
  const rows: { name: string; check: () => void }[] = [
    {
      name: "HoldRequests is sent when set",
      check: () => {
        const r = decodeAcsEnvelope(encodeAcsMessage(ACS_SAMPLES.GetRPCMethods, { version: "1.0", id: "7", holdRequests: true }));
        assert.ok(r.ok && r.value.holdRequests);
      },
    },
    {
      name: "cwmp:ID is escaped and echoed verbatim",
      check: () => {
        const id = `a&b<c>"d'e ü`;
        const r = decodeAcsEnvelope(encodeAcsMessage(ACS_SAMPLES.InformResponse, { version: "1.0", id }));
        assert.ok(r.ok);
        assert.equal(r.value.id, id);
      },
    },
    {
      name: "UseCWMPVersion goes in a cwmp-1-2 InformResponse only",
      check: () => {
        const xml = encodeAcsMessage(ACS_SAMPLES.InformResponse, { version: "1.4", id: "1", useVersion: "1.3" });
        assert.match(xml, /<cwmp:UseCWMPVersion soap-env:mustUnderstand="1">1\.3</);
        const back = decodeAcsEnvelope(xml);
        assert.ok(back.ok && back.value.useVersion === "1.3");
        assert.doesNotMatch(encodeAcsMessage(ACS_SAMPLES.InformResponse, { version: "1.0", id: "1", useVersion: "1.0" }), /UseCWMPVersion/);
        assert.doesNotMatch(encodeAcsMessage(ACS_SAMPLES.Reboot, { version: "1.4", id: "1", useVersion: "1.4" }), /UseCWMPVersion/);
      },
    },
    {
      name: "SupportedCWMPVersions makes a cwmp-1-2 Inform read as 1.4; SessionTimeout as 1.3",
      check: () => {
        const a = decodeCpeEnvelope(
          encodeCpeMessage(CPE_SAMPLES.Inform, { version: "1.4", id: "1", supportedVersions: ["1.0", "1.2", "1.4"], sessionTimeout: 40 }),
        );
        assert.ok(a.ok);
        assert.equal(a.value.version, "1.4");
        assert.deepEqual(a.value.header.supportedVersions, ["1.0", "1.2", "1.4"]);
        assert.equal(a.value.header.sessionTimeout, 40);
        const b = decodeCpeEnvelope(encodeCpeMessage(CPE_SAMPLES.Inform, { version: "1.3", id: "1", sessionTimeout: 30 }));
        assert.ok(b.ok);
        assert.equal(b.value.version, "1.3");
      },
    },
    {
      name: "the wire namespace for 1.3/1.4 is cwmp-1-2 (no cwmp-1-3/1-4 namespace exists)",
      check: () => {
        assert.match(encodeAcsMessage(ACS_SAMPLES.Reboot, { version: "1.4", id: "1" }), /xmlns:cwmp="urn:dslforum-org:cwmp-1-2"/);
        assert.match(encodeAcsMessage(ACS_SAMPLES.Reboot, { version: "1.1", id: "1" }), /xmlns:cwmp="urn:dslforum-org:cwmp-1-1"/);
      },
    },
  ];
  for (const row of rows) it(row.name, row.check);
});

describe("values", () => {
  const spv = (values: readonly ParamValue[], booleanAsDigit?: boolean): string =>
    encodeAcsMessage({ method: "SetParameterValues", values, parameterKey: "" }, { version: "1.0", id: "1", booleanAsDigit });
  const valuesOf = (xml: string): readonly ParamValue[] => {
    const r = decodeAcsEnvelope(xml);
    assert.ok(r.ok && r.value.message.method === "SetParameterValues");
    return r.value.message.values;
  };
  const rows: { name: string; value: ParamValue; digit?: boolean; wire: RegExp; back: string }[] = [
    { name: "& < > \" ' are escaped", value: { name: "A", value: `&<>"'`, type: "xsd:string" }, wire: /&amp;&lt;&gt;&quot;&apos;/, back: `&<>"'` },
    { name: "non-ASCII is kept as UTF-8", value: { name: "A", value: "Grüße 😀", type: "xsd:string" }, wire: />Grüße 😀</, back: "Grüße 😀" },
    {
      name: "leading/trailing whitespace is kept",
      value: { name: "A", value: "  My SSID  ", type: "xsd:string" },
      wire: /> {2}My SSID {2}</,
      back: "  My SSID  ",
    },
    { name: "CR survives as &#13;", value: { name: "A", value: "a\r\nb", type: "xsd:string" }, wire: />a&#13;\nb</, back: "a\r\nb" },
    {
      name: "unsignedLong max is not rounded",
      value: { name: "A", value: "18446744073709551615", type: "xsd:unsignedLong" },
      wire: />18446744073709551615</,
      back: "18446744073709551615",
    },
    {
      name: "long min is not rounded",
      value: { name: "A", value: "-9223372036854775808", type: "xsd:long" },
      wire: />-9223372036854775808</,
      back: "-9223372036854775808",
    },
    { name: "boolean true as literal by default", value: { name: "A", value: "1", type: "xsd:boolean" }, wire: /xsi:type="xsd:boolean">true</, back: "true" },
    {
      name: "boolean as digit when asked",
      value: { name: "A", value: "false", type: "xsd:boolean" },
      digit: true,
      wire: /xsi:type="xsd:boolean">0</,
      back: "0",
    },
    { name: "characters XML cannot carry are dropped", value: { name: "A", value: "a\u0001b", type: "xsd:string" }, wire: />ab</, back: "ab" },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const xml = spv([row.value], row.digit);
      assert.match(xml, row.wire);
      assert.equal(valuesOf(xml)[0]?.value, row.back);
    });
  }

  it("arrayType counts are exact", () => {
    assert.match(spv(TRICKY_VALUES), new RegExp(`arrayType="cwmp:ParameterValueStruct\\[${TRICKY_VALUES.length}\\]"`));
    assert.match(encodeAcsMessage(ACS_SAMPLES.GetParameterValues, { version: "1.0", id: "1" }), /arrayType="xsd:string\[2\]"/);
    assert.match(encodeAcsMessage(ACS_SAMPLES.SetParameterAttributes, { version: "1.0", id: "1" }), /arrayType="cwmp:SetParameterAttributesStruct\[2\]"/);
    assert.match(spv([]), /arrayType="cwmp:ParameterValueStruct\[0\]"/);
  });

  it("a negative unsignedInt is a caller bug", () => {
    assert.throws(() => encodeAcsMessage({ method: "ScheduleInform", delaySeconds: -1, commandKey: "" }, { version: "1.0", id: "1" }), RangeError);
  });
});
