import test from "node:test";
import type { DeviceId } from "../../src/domain/device.js";
import assert from "node:assert/strict";
import { parseTemplate, resolveTemplate } from "../../src/policy/template.js";
import type { MatchSubject } from "../../src/policy/desired.types.js";

const FACTS: MatchSubject = {
  deviceId: "00259E-EG8145V5-48575443A94196A5" as DeviceId,
  ip: "",
  connectionRequestUrl: "",
  udpConnectionRequestAddress: "",
  parameterKey: "",
  manufacturer: "Huawei Technologies Co., Ltd",
  oui: "00259E",
  productClass: "EG8145V5",
  serialNumber: "48575443A94196A5",
  softwareVersion: "V5R020C00S280",
  hardwareVersion: "",
  dataModel: "tr098",
  tags: [],
  parameters: new Map([["InternetGatewayDevice.DeviceInfo.X_HW_SerialNumber", "HWTCA94196A5"]]),
};
const VARS = new Map([
  ["wifiKey", "k3y"],
  ["empty", ""],
]);
const SECRETS = new Map([["ACS_PASS", "s3cret"]]);
const ctx = { facts: FACTS, variable: (n: string) => VARS.get(n), secret: (n: string) => SECRETS.get(n) };

// [template, resolved value or { error: substring }]
const RESOLVE: readonly [string, string | { error: string }][] = [
  ["plain text", "plain text"],
  ["isp-${device.serialNumber | last(4)}", "isp-96A5"],
  ["${device.serialNumber|first(4)}-${device.oui}", "4857-00259E"],
  ["${device.productClass | lower}", "eg8145v5"],
  ["${ device.manufacturer | first(6) | upper }", "HUAWEI"],
  ["${param.InternetGatewayDevice.DeviceInfo.X_HW_SerialNumber | last(6)}", "A94196A5".slice(-6)],
  ["${vars.wifiKey}", "k3y"],
  ["${secret.ACS_PASS}", "s3cret"],
  ["cost $${not.a.template}", "cost ${not.a.template}"],
  ['${vars.missing | default("fallback")}', "fallback"],
  ['${vars.empty | default("x|y")}', "x|y"],
  ['${device.hardwareVersion | default("hw?")}', "hw?"],
  ["${vars.missing}", { error: "${vars.missing} has no value" }],
  ["${vars.empty}", { error: "no value" }], // an empty value is never sent
  ["${device.hardwareVersion}", { error: "no value" }],
  ["${param.InternetGatewayDevice.DeviceInfo.Nope}", { error: "no value" }],
  ["${secret.NOPE}", { error: "no value" }],
];

for (const [text, want] of RESOLVE) {
  void test(`resolve ${JSON.stringify(text)}`, () => {
    const t = parseTemplate(text);
    assert.ok(t.ok, t.ok ? "" : t.error.message);
    const r = resolveTemplate(t.value, ctx);
    if (typeof want === "string") assert.deepEqual(r, { ok: true, value: want });
    else assert.ok(!r.ok && r.error.includes(want.error), JSON.stringify(r));
  });
}

// [template, error kind, message substring]
const PARSE_ERRORS = [
  ["${device.serialNumber", "syntax", "unclosed"],
  ["${}", "syntax", "not a reference"],
  ["${device}", "syntax", "needs a name"],
  ["${env.HOME}", "unknown-root", "unknown template root"],
  ["${device.serial}", "unknown-root", "unknown device fact"],
  ["${device.oui | reverse}", "unknown-filter", "unknown filter"],
  ["${device.oui | last}", "syntax", "positive count"],
  ["${device.oui | last(0)}", "syntax", "positive count"],
  ["${device.oui | upper(1)}", "syntax", "no argument"],
  ["${device.oui | default()}", "syntax", "non-empty string"],
  ["${device.oui | last(}", "syntax", "not a filter"],
  ["${param.Foo}", "syntax", "full parameter path"],
  ["${vars.a-b}", "syntax", "not a valid name"],
] as const;

for (const [text, kind, msg] of PARSE_ERRORS) {
  void test(`parse error ${JSON.stringify(text)}: ${kind}`, () => {
    const t = parseTemplate(text);
    assert.ok(!t.ok);
    assert.equal(t.error.kind, kind);
    assert.ok(t.error.message.includes(msg), t.error.message);
  });
}
