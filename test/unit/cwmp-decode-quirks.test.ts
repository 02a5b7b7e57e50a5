/** decodeCpeEnvelope on synthetic envelopes reproducing the wire quirks of cwmp-notes §2 and §8, one per row. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeCpeEnvelope } from "../../src/cwmp/decode.js";
import type { DecodedEnvelope } from "../../src/cwmp/types.js";

const SOAP = "http://schemas.xmlsoap.org/soap/envelope/";
const ENC = "http://schemas.xmlsoap.org/soap/encoding/";
const NS_1_0 = "urn:dslforum-org:cwmp-1-0";

function env(body: string, opts: { header?: string; cwmp?: string; extra?: string } = {}): string {
  const header = opts.header === undefined ? `<S:Header><cwmp:ID S:mustUnderstand="1">42</cwmp:ID></S:Header>` : opts.header;
  return (
    `<S:Envelope xmlns:S="${SOAP}" xmlns:E="${ENC}" xmlns:xsd="http://www.w3.org/2001/XMLSchema" ` +
    `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cwmp="${opts.cwmp ?? NS_1_0}" ${opts.extra ?? ""}>${header}<S:Body>${body}</S:Body></S:Envelope>`
  );
}

const DEVICE = `<DeviceId><Manufacturer>M</Manufacturer><OUI>00147F</OUI><ProductClass>P</ProductClass><SerialNumber>S</SerialNumber></DeviceId>`;
const inform = (params: string, opts: { event?: string; extra?: string } = {}): string =>
  `<cwmp:Inform ${opts.extra ?? ""}>${DEVICE}<Event E:arrayType="cwmp:EventStruct[1]">${opts.event ?? "<EventStruct><EventCode>1 BOOT</EventCode><CommandKey></CommandKey></EventStruct>"}</Event>` +
  `<MaxEnvelopes>1</MaxEnvelopes><CurrentTime>2024-01-01T00:00:00Z</CurrentTime><RetryCount>0</RetryCount>` +
  `<ParameterList E:arrayType="cwmp:ParameterValueStruct[1]">${params}</ParameterList></cwmp:Inform>`;
const pv = (name: string, value: string, attrs = ` xsi:type="xsd:string"`): string =>
  `<ParameterValueStruct><Name>${name}</Name><Value${attrs}>${value}</Value></ParameterValueStruct>`;

function ok(xml: string): DecodedEnvelope {
  const r = decodeCpeEnvelope(xml);
  assert.ok(r.ok, JSON.stringify(r));
  return r.value;
}
function fails(xml: string, code: string): string {
  const r = decodeCpeEnvelope(xml);
  assert.ok(!r.ok, "expected an error");
  assert.equal(r.error.code, code, r.error.message);
  return r.error.message;
}
const params = (d: DecodedEnvelope) => (d.message.method === "Inform" || d.message.method === "GetParameterValuesResponse" ? d.message.parameterList : []);

/** The FAP 48BF74 Inform of GACS-I #301 (every text node padded), completed after the published cut. */
const FAP = `
    <soap-env:Envelope
        xmlns:soap-env="${SOAP}"
        xmlns:soap-enc="${ENC}"
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
        xmlns:cwmp="${NS_1_0}">
        <soap-env:Header>
            <cwmp:ID
                soap-env:mustUnderstand="1">
                </cwmp:ID>
            <cwmp:SessionTimeout
                soap-env:mustUnderstand="0">
                40
                </cwmp:SessionTimeout>
            </soap-env:Header>
        <soap-env:Body>
            <cwmp:Inform>
                <DeviceId>
                    <Manufacturer>
                        </Manufacturer>
                    <OUI>
                        48BF74
                        </OUI>
                    <ProductClass>
                        FAP
                        </ProductClass>
                    <SerialNumber>
                        120200009117BBP0020
                        </SerialNumber>
                    </DeviceId>
                <Event
                    soap-enc:arrayType="cwmp:EventStruct[1]">
                    <EventStruct>
                        <EventCode>
                            2 PERIODIC
                            </EventCode>
                        <CommandKey>
                            </CommandKey>
                        </EventStruct>
                    </Event>
                <MaxEnvelopes>
                    1
                    </MaxEnvelopes>
                <CurrentTime>
                    2016-10-12T10:35:20Z
                    </CurrentTime>
                <RetryCount>
                    0
                    </RetryCount>
                <ParameterList
                    soap-enc:arrayType="cwmp:ParameterValueStruct[1]">
                    <ParameterValueStruct>
                        <Name>
                            Device.DeviceInfo.SoftwareVersion
                            </Name>
                        <Value>
                            V1.2
                            </Value>
                        </ParameterValueStruct>
                    </ParameterList>
                </cwmp:Inform>
            </soap-env:Body>
        </soap-env:Envelope>`;

const rows: { name: string; check: () => void }[] = [
  {
    name: "FAP whitespace padding: structural fields trimmed, Value kept raw, padded SessionTimeout read",
    check: () => {
      const d = ok(FAP);
      assert.ok(d.message.method === "Inform");
      assert.deepEqual(d.message.deviceId, { manufacturer: "", oui: "48BF74", productClass: "FAP", serialNumber: "120200009117BBP0020" });
      assert.deepEqual(d.message.events, [{ code: "2 PERIODIC", commandKey: "" }]);
      assert.equal(d.message.maxEnvelopes, 1);
      assert.equal(d.message.currentTime, "2016-10-12T10:35:20Z");
      assert.equal(d.message.parameterList[0]?.name, "Device.DeviceInfo.SoftwareVersion");
      assert.equal(d.message.parameterList[0]?.value, "\n                            V1.2\n                            ");
      assert.equal(d.header.id, "");
      assert.equal(d.header.sessionTimeout, 40);
    },
  },
  {
    name: "version comes from the namespace bound to the RPC element's own prefix",
    check: () => {
      const d = ok(env(inform(pv("A", "1")).replaceAll("cwmp:Inform", "x:Inform"), { extra: `xmlns:x="urn:dslforum-org:cwmp-1-1"` }));
      assert.equal(d.version, "1.1");
    },
  },
  {
    name: "a prefix declared on the RPC element itself",
    check: () => assert.equal(ok(env(inform(pv("A", "1"), { extra: `xmlns:cwmp="urn:dslforum-org:cwmp-1-2"` }))).version, "1.2"),
  },
  {
    name: "cwmp-1-3 namespace (no schema has it) is accepted defensively",
    check: () => assert.equal(ok(env(inform(pv("A", "1")), { cwmp: "urn:dslforum-org:cwmp-1-3" })).version, "1.3"),
  },
  {
    name: "unknown namespace: 1.0 with a warning",
    check: () => {
      const d = ok(env(inform(pv("A", "1")), { cwmp: "urn:example:cwmp-9" }));
      assert.equal(d.version, "1.0");
      assert.ok(d.warnings.some((w) => w.includes("unknown CWMP namespace")));
    },
  },
  {
    name: "missing Header: id undefined, no warning",
    check: () => {
      const d = ok(env(inform(pv("A", "1")), { header: "" }));
      assert.equal(d.header.id, undefined);
      assert.deepEqual(d.warnings, []);
    },
  },
  {
    name: "xsi:type SOAP-ENC:Array on arrays and a lying count",
    check: () => {
      const d = ok(
        env(inform(pv("A", "1")).replace(`<Event E:arrayType="cwmp:EventStruct[1]">`, `<Event xsi:type="E:Array" E:arrayType="cwmp:EventStruct[5]">`)),
      );
      assert.ok(d.message.method === "Inform" && d.message.events.length === 1);
    },
  },
  {
    name: "array without arrayType still iterates its members",
    check: () => assert.equal(params(ok(env(inform(pv("A", "1") + pv("B", "2")).replace(` E:arrayType="cwmp:ParameterValueStruct[1]"`, "")))).length, 2),
  },
  {
    name: "single-quoted attributes",
    check: () => assert.equal(params(ok(env(inform(pv("A", "1", ` xsi:type='xsd:unsignedInt'`)))))[0]?.type, "xsd:unsignedInt"),
  },
  {
    name: "xsi:type with another prefix or soap-enc base64 is normalised",
    check: () => {
      const d = ok(env(inform(pv("A", "true", ` xsi:type="xs:boolean"`) + pv("B", "AAE=", ` xsi:type="soap-enc:base64"`))));
      assert.deepEqual(
        params(d).map((p) => p.type),
        ["xsd:boolean", "xsd:base64"],
      );
    },
  },
  {
    name: "wrong or unknown xsi:type: xsd:string, raw text kept, warning",
    check: () => {
      const d = ok(env(inform(pv("A", " abc ", ` xsi:type="xsd:int"`) + pv("B", "1.5", ` xsi:type="xsd:float"`))));
      assert.deepEqual(params(d), [
        { name: "A", value: " abc ", type: "xsd:string" },
        { name: "B", value: "1.5", type: "xsd:string" },
      ]);
      assert.equal(d.warnings.length, 2);
    },
  },
  {
    name: "64-bit values never pass through a JS number",
    check: () => assert.equal(params(ok(env(inform(pv("A", "18446744073709551615", ` xsi:type="xsd:unsignedLong"`)))))[0]?.value, "18446744073709551615"),
  },
  {
    name: "entities, numeric character references and CDATA",
    check: () => assert.equal(params(ok(env(inform(pv("A", "&amp;&lt;&#x41;&#66;<![CDATA[<x>]]>")))))[0]?.value, "&<AB<x>"),
  },
  {
    name: "padded Name is trimmed, padded Value is not",
    check: () => assert.deepEqual(params(ok(env(inform(pv("  A.B \n", "  v  ")))))[0], { name: "A.B", value: "  v  ", type: "xsd:string" }),
  },
  {
    name: "comments and an XML declaration are ignored",
    check: () => assert.equal(params(ok(`<?xml version="1.0"?>\n<!-- c -->${env(inform(`<!-- x -->${pv("A", "1")}`))}<!-- end -->`)).length, 1),
  },
  {
    name: "garbage MaxEnvelopes and RetryCount: defaults with warnings",
    check: () => {
      const d = ok(env(inform(pv("A", "1")).replace("<MaxEnvelopes>1<", "<MaxEnvelopes>two<").replace("<RetryCount>0<", "<RetryCount>-1<")));
      assert.ok(d.message.method === "Inform" && d.message.maxEnvelopes === 1 && d.message.retryCount === 0);
      assert.equal(d.warnings.length, 2);
    },
  },
  {
    name: "two envelopes in one body: the first, with a warning",
    check: () => {
      const d = ok(env(inform(pv("A", "1"))) + env(inform(pv("B", "2"))));
      assert.equal(params(d)[0]?.name, "A");
      assert.ok(d.warnings.some((w) => w.includes("2 envelopes")));
    },
  },
  {
    name: "two RPC elements in one Body: the first, with a warning",
    check: () => {
      const d = ok(env(`<cwmp:RebootResponse/><cwmp:FactoryResetResponse/>`));
      assert.equal(d.message.method, "RebootResponse");
      assert.equal(d.warnings.length, 1);
    },
  },
  {
    name: "empty RPC elements decode by name",
    check: () => assert.equal(ok(env(`<cwmp:GetRPCMethods/>`)).message.method, "GetRPCMethods"),
  },
  {
    name: "SPV fault with per-parameter faults and xsi:type on the codes (GACS-I #78, completed)",
    check: () => {
      const spvf = (n: string) =>
        `<SetParameterValuesFault><ParameterName xsi:type="xsd:string">${n}</ParameterName><FaultCode xsi:type="xsd:unsignedInt">9007</FaultCode><FaultString xsi:type="xsd:string">Value out of range</FaultString></SetParameterValuesFault>`;
      const d = ok(
        env(
          `<S:Fault><faultcode>Client</faultcode><faultstring xsi:type="xsd:string">CWMP FAULT</faultstring><detail><cwmp:Fault><FaultCode xsi:type="xsd:unsignedInt">9003</FaultCode><FaultString xsi:type="xsd:string">Invalid Arguments</FaultString>${spvf("A.B")}${spvf("A.C")}</cwmp:Fault></detail></S:Fault>`,
        ),
      );
      assert.ok(d.message.method === "Fault");
      assert.equal(d.message.fault.code, 9003);
      assert.equal(d.message.fault.faultString, "CWMP FAULT");
      assert.deepEqual(
        d.message.fault.setParameterValuesFaults.map((f) => [f.name, f.code]),
        [
          ["A.B", 9007],
          ["A.C", 9007],
        ],
      );
    },
  },
  {
    name: "prefixed faultcode keeps its local part; a Fault without detail is code 0 with a warning",
    check: () => {
      const d = ok(env(`<S:Fault><faultcode>SOAP-ENV:Server</faultcode><faultstring>boom</faultstring></S:Fault>`));
      assert.ok(d.message.method === "Fault");
      assert.deepEqual([d.message.fault.faultCode, d.message.fault.code, d.message.fault.message], ["Server", 0, "boom"]);
      assert.equal(d.warnings.length, 1);
    },
  },
  {
    name: "Status other than 0/1 reads as 1 (reboot needed) with a warning",
    check: () => {
      const d = ok(env(`<cwmp:SetParameterValuesResponse><Status>2</Status></cwmp:SetParameterValuesResponse>`));
      assert.ok(d.message.method === "SetParameterValuesResponse" && d.message.status === 1);
      assert.equal(d.warnings.length, 1);
    },
  },
  {
    name: "Inform without DeviceId is invalid",
    check: () => assert.match(fails(env(inform(pv("A", "1")).replace(DEVICE, "")), "invalid"), /DeviceId/),
  },
  {
    name: "Inform without SerialNumber is invalid",
    check: () => assert.match(fails(env(inform(pv("A", "1")).replace("<SerialNumber>S</SerialNumber>", "")), "invalid"), /SerialNumber/),
  },
  {
    name: "an ACS method sent by a CPE is unknown",
    check: () => assert.match(fails(env(`<cwmp:Reboot><CommandKey/></cwmp:Reboot>`), "unknown_method"), /Reboot/),
  },
  { name: "empty Body", check: () => void fails(env(""), "no_body") },
  { name: "no Body", check: () => void fails(`<S:Envelope xmlns:S="${SOAP}"><S:Header/></S:Envelope>`, "no_body") },
  { name: "not an Envelope", check: () => assert.match(fails(`<html><body/></html>`, "not_soap"), /<html>/) },
  {
    name: "SOAP 1.2 envelope",
    check: () => void fails(`<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><x/></e:Body></e:Envelope>`, "not_soap"),
  },
  { name: "mismatched end tag names the line", check: () => assert.match(fails(`<a>\n<b>\n</c></a>`, "malformed"), /line 3/) },
  { name: "empty document", check: () => void fails("  ", "malformed") },
  { name: "text outside the document element", check: () => void fails(`junk${env("<cwmp:RebootResponse/>")}`, "malformed") },
];

describe("decodeCpeEnvelope quirks", () => {
  for (const row of rows) it(row.name, row.check);
});
