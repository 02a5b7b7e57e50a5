import test from "node:test";
import assert from "node:assert/strict";
import type { AcsRequest } from "../../src/cwmp/types.js";
import { requestFor } from "../../src/reconcile/rpc.js";
import type { DeviceQuirks, PlanStep } from "../../src/reconcile/types.js";
import { PROV, QUIRKS } from "../support/reconcile-builders.js";

const KEY = "cv1-0123456789abcdef";
const DIGITS: DeviceQuirks = { ...QUIRKS, booleanAsDigit: true, datetimeMilliseconds: false };

const ROWS: readonly { name: string; step: PlanStep; quirks: DeviceQuirks; want: AcsRequest }[] = [
  {
    name: "discover walks one level",
    step: { kind: "discover", path: "Device.WiFi.", reason: "unknown" },
    quirks: QUIRKS,
    want: { method: "GetParameterNames", path: "Device.WiFi.", nextLevel: true },
  },
  {
    name: "refresh reads values",
    step: { kind: "refresh", paths: ["A.B", "A.C"], reason: "stale" },
    quirks: QUIRKS,
    want: { method: "GetParameterValues", names: ["A.B", "A.C"] },
  },
  {
    name: "readAttributes reads attributes",
    step: { kind: "readAttributes", paths: ["A.B"] },
    quirks: QUIRKS,
    want: { method: "GetParameterAttributes", names: ["A.B"] },
  },
  {
    name: "deleteObject carries the ParameterKey",
    step: { kind: "deleteObject", object: "T.3.", from: PROV },
    quirks: QUIRKS,
    want: { method: "DeleteObject", objectName: "T.3.", parameterKey: KEY },
  },
  {
    name: "addObject adds to the table",
    step: { kind: "addObject", table: "T.", key: { K: "1" }, from: PROV },
    quirks: QUIRKS,
    want: { method: "AddObject", objectName: "T.", parameterKey: KEY },
  },
  {
    name: "setValues normalises for the wire (default quirks)",
    step: {
      kind: "setValues",
      values: [
        { name: "A.B", value: "1", type: "xsd:boolean" },
        { name: "A.T", value: "2024-01-01T00:00:00", type: "xsd:dateTime" },
        { name: "A.N", value: "007", type: "xsd:unsignedInt" },
      ],
      from: [PROV, PROV, PROV],
    },
    quirks: QUIRKS,
    want: {
      method: "SetParameterValues",
      values: [
        { name: "A.B", value: "true", type: "xsd:boolean" },
        { name: "A.T", value: "2024-01-01T00:00:00.000Z", type: "xsd:dateTime" },
        { name: "A.N", value: "7", type: "xsd:unsignedInt" },
      ],
      parameterKey: KEY,
    },
  },
  {
    name: "setValues with booleanAsDigit and no dateTime milliseconds",
    step: {
      kind: "setValues",
      values: [
        { name: "A.B", value: "true", type: "xsd:boolean" },
        { name: "A.T", value: "2024-01-01T00:00:00.250Z", type: "xsd:dateTime" },
        { name: "A.S", value: "true", type: "xsd:string" },
      ],
      from: [PROV, PROV, PROV],
    },
    quirks: DIGITS,
    want: {
      method: "SetParameterValues",
      values: [
        { name: "A.B", value: "1", type: "xsd:boolean" },
        { name: "A.T", value: "2024-01-01T00:00:00Z", type: "xsd:dateTime" },
        { name: "A.S", value: "true", type: "xsd:string" },
      ],
      parameterKey: KEY,
    },
  },
  {
    name: "setAttributes changes notification only",
    step: { kind: "setAttributes", attributes: [{ path: "A.B", notification: 2 }], from: [PROV] },
    quirks: QUIRKS,
    want: {
      method: "SetParameterAttributes",
      attributes: [{ name: "A.B", notificationChange: true, notification: 2, accessListChange: false, accessList: [] }],
    },
  },
  {
    name: "download is a firmware image with the step's CommandKey",
    step: { kind: "download", version: "2.0", url: "http://fw/2.bin", fileSize: 10, commandKey: "fw-abc-1", from: PROV },
    quirks: QUIRKS,
    want: {
      method: "Download",
      commandKey: "fw-abc-1",
      fileType: "1 Firmware Upgrade Image",
      url: "http://fw/2.bin",
      username: "",
      password: "",
      fileSize: 10,
      targetFileName: "",
      delaySeconds: 0,
      successUrl: "",
      failureUrl: "",
    },
  },
  {
    name: "download passes credentials and file type from the policy",
    step: {
      kind: "download",
      version: "2.0",
      url: "http://fw/2.bin",
      fileSize: 10,
      commandKey: "fw-abc-1",
      fileType: "1 Firmware Upgrade Image",
      username: "u",
      password: "p",
      from: PROV,
    },
    quirks: QUIRKS,
    want: {
      method: "Download",
      commandKey: "fw-abc-1",
      fileType: "1 Firmware Upgrade Image",
      url: "http://fw/2.bin",
      username: "u",
      password: "p",
      fileSize: 10,
      targetFileName: "",
      delaySeconds: 0,
      successUrl: "",
      failureUrl: "",
    },
  },
  {
    name: "reboot carries a CommandKey derived from the ParameterKey",
    step: { kind: "reboot", reason: "x", from: PROV },
    quirks: QUIRKS,
    want: { method: "Reboot", commandKey: `rb-${KEY}` },
  },
];

for (const row of ROWS) {
  void test(`requestFor: ${row.name}`, () => assert.deepStrictEqual(requestFor(row.step, KEY, row.quirks), row.want));
}
