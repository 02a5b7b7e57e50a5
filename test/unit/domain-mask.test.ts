/** The one masking rule (domain/mask.ts): by path, by field, by value; in JSON and in raw SOAP. */
import test from "node:test";
import assert from "node:assert/strict";
import { knownSecrets, MASK, maskJson, maskSoap } from "../../src/domain/mask.js";

const PSK = "InternetGatewayDevice.LANDevice.1.WLANConfiguration.1.KeyPassphrase";

void test("maskJson: secret paths as name/path siblings and as record keys, credential fields, known values", () => {
  const input = {
    values: [
      { name: PSK, value: "hunter22", type: "xsd:string" },
      { name: "X.SSID", value: "home", type: "xsd:string" },
    ],
    diff: [{ path: "Device.ManagementServer.ConnectionRequestPassword", desired: "a", reported: "b" }],
    parameters: { [PSK]: { value: "hunter22", type: "xsd:string" }, "X.SSID": { value: "home" } },
    request: { method: "Download", url: "http://u/", username: "ops", password: "dl-pass" },
    note: "the SSID is named after corp-secret-1 today",
    empty: { name: PSK, value: "" },
    n: 5,
  };
  const out = maskJson(input, knownSecrets(["corp-secret-1"]));
  assert.equal(out.values[0]?.value, MASK);
  assert.equal(out.values[1]?.value, "home");
  assert.deepEqual(out.diff[0], { path: "Device.ManagementServer.ConnectionRequestPassword", desired: MASK, reported: MASK });
  assert.equal(out.parameters[PSK]?.value, MASK);
  assert.equal(out.parameters["X.SSID"]?.value, "home");
  assert.deepEqual(out.request, { method: "Download", url: "http://u/", username: "ops", password: MASK });
  assert.equal(out.note, `the SSID is named after ${MASK} today`);
  assert.equal(out.empty.value, "", "an empty value says the CPE hides it: nothing to mask");
  assert.equal(input.values[0]?.value, "hunter22", "the input is not mutated");
});

void test("maskSoap: the Value after a secret Name, every Password element, known values; the rest untouched", () => {
  const xml =
    `<cwmp:SetParameterValues><ParameterList soap-enc:arrayType="cwmp:ParameterValueStruct[2]">` +
    `<ParameterValueStruct><Name>${PSK}</Name><Value xsi:type="xsd:string">hunter22</Value></ParameterValueStruct>` +
    `<ParameterValueStruct><Name>X.SSID</Name><Value xsi:type="xsd:string">home</Value></ParameterValueStruct>` +
    `</ParameterList></cwmp:SetParameterValues><cwmp:Download><Username>ops</Username><cwmp:Password>dl-pass</cwmp:Password><URL>http://x/?k=corp-secret-1</URL></cwmp:Download>`;
  const out = maskSoap(xml, knownSecrets(["corp-secret-1"]));
  assert.ok(!out.includes("hunter22") && !out.includes("dl-pass") && !out.includes("corp-secret-1"), out);
  assert.ok(out.includes(">home<") && out.includes("<Username>ops</Username>"));
  assert.equal(maskSoap("<a><Value>unterminated"), "<a><Value>unterminated", "malformed text is left as it parses");
});

void test("knownSecrets drops short values (they would mask digits everywhere) and orders longest first", () => {
  assert.deepEqual(knownSecrets(["abc", "abcd", undefined, "abcdef", "abcd"]), ["abcdef", "abcd"]);
});
