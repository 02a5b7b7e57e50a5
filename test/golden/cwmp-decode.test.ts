/**
 * Golden test: every real CPE sample in test/fixtures/cwmp (provenance in SOURCES.md there) goes through
 * decodeBody + decodeCpeEnvelope and must equal `<sample>.expected.json` next to it.
 * Regenerate with UPDATE_GOLDEN=1 (then review the diff). A spot-check table pins the facts that matter.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import { decodeBody } from "../../src/cwmp/body.js";
import { decodeCpeEnvelope } from "../../src/cwmp/decode.js";
import type { DecodedEnvelope } from "../../src/cwmp/types.js";
import { parseHttpFixture } from "../support/http-fixture.js";

const DIR = new URL("../fixtures/cwmp/", import.meta.url);
const SAMPLE = /\.(xml|http|txt)$/;
const samples = readdirSync(DIR)
  .filter((f) => SAMPLE.test(f) && !f.endsWith(".expected.json"))
  .sort();

interface Loaded {
  readonly body: Buffer;
  readonly contentType: string | undefined;
  readonly chunkError: string | undefined;
}

/** .http = raw HTTP request; .txt = GenieACS request log (comment line, JSON headers, body); .xml = body only. */
function load(name: string): Loaded {
  const raw = readFileSync(new URL(name, DIR));
  if (name.endsWith(".http")) {
    const h = parseHttpFixture(raw);
    return { body: h.body, contentType: h.headers.get("content-type"), chunkError: h.chunkError };
  }
  if (name.endsWith(".txt")) {
    const [, json = "{}"] = raw.toString("latin1").split("\n", 2);
    const headers: unknown = JSON.parse(json);
    const ct = typeof headers === "object" && headers !== null && "content-type" in headers ? String(headers["content-type"]) : undefined;
    return { body: raw.subarray(raw.indexOf("\n<") + 1), contentType: ct, chunkError: undefined };
  }
  return { body: raw, contentType: undefined, chunkError: undefined };
}

function decodeSample(name: string): unknown {
  const s = load(name);
  const body = decodeBody(s.body, { contentType: s.contentType }, { maxBytes: 4 * 1024 * 1024 });
  if (!body.ok) return { chunkError: s.chunkError ?? null, body: body.error };
  return { chunkError: s.chunkError ?? null, result: decodeCpeEnvelope(body.value) };
}

describe("golden: real CPE samples decode to the reviewed JSON", () => {
  it("finds the samples", () => assert.ok(samples.length >= 27, `only ${samples.length} samples`));
  for (const name of samples) {
    it(name, () => {
      const actual = JSON.parse(JSON.stringify(decodeSample(name))) as unknown;
      const file = new URL(`${name}.expected.json`, DIR);
      if (process.env["UPDATE_GOLDEN"] === "1") writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
      assert.deepEqual(actual, JSON.parse(readFileSync(file, "utf8")));
    });
  }
});

function decoded(name: string): DecodedEnvelope {
  const s = load(name);
  const body = decodeBody(s.body, { contentType: s.contentType }, { maxBytes: 4 * 1024 * 1024 });
  assert.ok(body.ok, JSON.stringify(body));
  const r = decodeCpeEnvelope(body.value);
  assert.ok(r.ok, JSON.stringify(r));
  return r.value;
}

function failure(name: string): { code: string; message: string } {
  const s = load(name);
  const body = decodeBody(s.body, { contentType: s.contentType }, { maxBytes: 4 * 1024 * 1024 });
  assert.ok(body.ok);
  const r = decodeCpeEnvelope(body.value);
  assert.ok(!r.ok, `${name} should not decode`);
  return r.error;
}

const param = (d: DecodedEnvelope, name: string): { value: string; type: string } | undefined => {
  const m = d.message;
  const list = m.method === "Inform" || m.method === "GetParameterValuesResponse" ? m.parameterList : [];
  return list.find((p) => p.name === name);
};

describe("spot checks (the quirks each sample is kept for, SOURCES.md)", () => {
  const rows: { name: string; check: () => void }[] = [
    {
      name: "Thomson 706: soap prefix bound to the encoding ns, [01] events, MaxEnvelopes 2, 12 params, dateTime 0000 kept",
      check: () => {
        const d = decoded("thomson_speedtouch706_inform.xml");
        assert.equal(d.version, "1.0");
        assert.ok(d.message.method === "Inform");
        assert.equal(d.message.events.length, 1);
        assert.equal(d.message.maxEnvelopes, 2);
        assert.equal(d.message.parameterList.length, 12);
        assert.equal(d.message.deviceId.productClass, "SpeedTouch 706");
        assert.deepEqual(param(d, "InternetGatewayDevice.DeviceInfo.VendorConfigFile.1.Date"), {
          name: "InternetGatewayDevice.DeviceInfo.VendorConfigFile.1.Date",
          value: "0000-00-00T00:00:00",
          type: "xsd:dateTime",
        });
        assert.equal(param(d, ".ExternalIPAddress")?.value, "192.168.1.254");
      },
    },
    {
      name: "Thomson 780 chunked: the chunk split inside <Name> and xsi:type is undone",
      check: () => {
        const d = decoded("thomson_speedtouch780_inform_chunked.http");
        assert.equal(param(d, "InternetGatewayDevice.DeviceInfo.HardwareVersion")?.value, "BANT-R");
        assert.equal(param(d, "InternetGatewayDevice.ManagementServer.ParameterKey")?.type, "xsd:string");
        assert.ok(d.message.method === "Inform" && d.message.retryCount === 0);
      },
    },
    {
      name: "Thomson BANT-S: NoMoreRequests header is recorded (Inform and Fault)",
      check: () => {
        assert.equal(decoded("thomson_speedtouch706-bant-s_inform_nomorerequests.http").header.noMoreRequests, true);
        const f = decoded("thomson_speedtouch706-bant-s_fault-9000_nomorerequests.http");
        assert.equal(f.header.noMoreRequests, true);
        assert.equal(f.header.id, "THOM_CPE_ALC_ID_393");
        assert.ok(f.message.method === "Fault");
        assert.equal(f.message.fault.code, 9000);
        assert.equal(f.message.fault.faultCode, "Client");
      },
    },
    {
      name: "Thomson BANT-R: ProvisioningCode with a space is kept exactly",
      check: () =>
        assert.equal(param(decoded("thomson_speedtouch780-bant-r_inform.http"), "InternetGatewayDevice.DeviceInfo.ProvisioningCode")?.value, "test provision"),
    },
    {
      name: "Thomson GPV without xsi:type: 6 string values, one warning each",
      check: () => {
        const d = decoded("thomson_bant-w_gpv-response_no-xsitype.http");
        assert.ok(d.message.method === "GetParameterValuesResponse");
        assert.equal(d.message.parameterList.length, 6);
        assert.ok(d.message.parameterList.every((p) => p.type === "xsd:string"));
        assert.equal(d.warnings.filter((w) => w.includes("no xsi:type")).length, 6);
        assert.equal(param(d, "InternetGatewayDevice.DeviceInfo.VendorConfigFile.1.Name")?.value, "Routed PPPoE on 8/35");
      },
    },
    {
      name: "Thomson GPA: [02] attributes, AccessList cwmp:string[01] lower-case subscriber",
      check: () => {
        const d = decoded("thomson_bant-r_gpa-response.http");
        assert.ok(d.message.method === "GetParameterAttributesResponse");
        assert.equal(d.message.parameterList.length, 2);
        assert.deepEqual(d.message.parameterList[0], { name: "InternetGatewayDevice.DeviceInfo.SerialNumber", notification: 0, accessList: ["subscriber"] });
      },
    },
    {
      name: "Thomson GPN: Writable 0/1",
      check: () => {
        const d = decoded("thomson_bant-r_gpn-response.http");
        assert.ok(d.message.method === "GetParameterNamesResponse");
        assert.ok(d.message.parameterList.some((p) => p.writable) && d.message.parameterList.some((p) => !p.writable));
      },
    },
    {
      name: "Thomson GetRPCMethodsResponse: string[09] gives 9 methods",
      check: () => {
        const d = decoded("thomson_bant-w_getrpcmethods-response.http");
        assert.ok(d.message.method === "GetRPCMethodsResponse");
        assert.equal(d.message.methods.length, 9);
      },
    },
    {
      name: "Cisco femtocell GPV: 227 members despite arrayType [213]; wrong unsignedInt types fall back to string",
      check: () => {
        const d = decoded("cisco_femtocell-cjj005b00009_gpv-response.xml");
        assert.ok(d.message.method === "GetParameterValuesResponse");
        assert.equal(d.message.parameterList.length, 227);
        assert.equal(d.warnings.filter((w) => w.includes("is not a valid xsd:unsignedInt")).length, 8);
      },
    },
    {
      name: 'Cisco SPA122: missing <Value> is "" with a warning',
      check: () => {
        const d = decoded("cisco_spa122_gpv-response_missing-value.xml");
        assert.deepEqual(param(d, "Device.DeviceInfo.DeviceLog"), { name: "Device.DeviceInfo.DeviceLog", value: "", type: "xsd:string" });
        assert.equal(d.warnings.length, 1);
      },
    },
    {
      name: "MikroTik: no Header (id undefined), single-quoted attributes, boolean 0, cwmp-1-0",
      check: () => {
        const d = decoded("mikrotik_hap-lite_inform_digest.http");
        assert.equal(d.header.id, undefined);
        assert.equal(d.version, "1.0");
        assert.deepEqual(param(d, "Device.ManagementServer.AliasBasedAddressing"), {
          name: "Device.ManagementServer.AliasBasedAddressing",
          value: "0",
          type: "xsd:boolean",
        });
        assert.ok(d.message.method === "Inform" && d.message.parameterList.length === 7);
      },
    },
    {
      name: "Cytco: lower-case OUI kept, malformed CurrentTime kept with a warning, RetryCount 942",
      check: () => {
        const d = decoded("cytco_bcm-serials_inform.xml");
        assert.ok(d.message.method === "Inform");
        assert.equal(d.message.deviceId.oui, "00a859");
        assert.equal(d.message.currentTime, "2019-03-05T11:54::14");
        assert.equal(d.message.retryCount, 942);
        assert.ok(d.warnings.some((w) => w.includes("CurrentTime")));
      },
    },
    {
      name: "ZyXEL VMG: [0008] events/params, IPv6 ConnectionRequestURL",
      check: () => {
        const d = decoded("zyxel_vmg8924-b10a_inform.xml");
        assert.ok(d.message.method === "Inform");
        assert.match(param(d, "InternetGatewayDevice.ManagementServer.ConnectionRequestURL")?.value ?? "", /^http:\/\/\[/);
      },
    },
    {
      name: "ZTE: BOOTSTRAP CommandKey, three events, duplicate ConnectionRequestURL both kept",
      check: () => {
        const d = decoded("zte_f600w_inform.xml");
        assert.ok(d.message.method === "Inform");
        assert.deepEqual(d.message.events[0], { code: "0 BOOTSTRAP", commandKey: "TR069_ZTE_HOMEGATEWAY" });
        assert.equal(d.message.events.length, 3);
        assert.equal(d.message.parameterList.filter((p) => p.name.endsWith("ConnectionRequestURL")).length, 2);
      },
    },
    {
      name: "Broadcom: lower-case OUI, empty self-closing Value and CommandKey",
      check: () => {
        const d = decoded("broadcom_968380gerg_inform.xml");
        assert.ok(d.message.method === "Inform");
        assert.equal(d.message.deviceId.oui, "a06518");
        assert.equal(d.message.events[0]?.commandKey, "");
      },
    },
    {
      name: 'Huawei template: events in reverse order, self-closing values are ""',
      check: () => {
        const d = decoded("huawei_hg253s_inform_TEMPLATE-unverified.xml");
        assert.ok(d.message.method === "Inform");
        assert.deepEqual(
          d.message.events.map((e) => e.code),
          ["4 VALUE CHANGE", "1 BOOT", "0 BOOTSTRAP"],
        );
        assert.equal(param(d, "InternetGatewayDevice.ManagementServer.ParameterKey")?.value, "");
      },
    },
    {
      name: "AVM transcription is a clear malformed error naming the line",
      check: () => {
        const e = failure("avm_fritzbox-fon-wlan-7170_inform_transcribed.xml");
        assert.equal(e.code, "malformed");
        assert.match(e.message, /line 26/);
      },
    },
    {
      name: "truncated partial excerpts are malformed, not partially decoded",
      check: () => {
        for (const n of [
          "fap-48bf74_inform_whitespace-padded_PARTIAL.xml",
          "femto-x_m0000c_spv-fault-9003_PARTIAL.xml",
          "iphotonix_fttp_inform_cwmp-1-2_PARTIAL.xml",
          "tvip_stb_inform_cwmp-1-2_PARTIAL.xml",
          "amit_ax-1122_inform_PARTIAL.http",
          "sagemcom_fast2764gv_inform_PARTIAL.txt",
          "thomson_bant_inform_basic-auth_chunked_PARTIAL.http",
        ]) {
          const e = failure(n);
          assert.equal(e.code, "malformed", n);
          assert.match(e.message, /line \d+|end of document/, n);
        }
      },
    },
  ];
  for (const row of rows) it(row.name, row.check);
});
