/**
 * Issue 9.9: a C agent nests its cwmp:Fault inside <faultstring>. The decoder finds the CWMP fault wherever it sits
 * under the SOAP Fault (from the real femtocell capture, reshaped the way that agent writes it, and from the
 * simulator's quirk), and a Fault that has no cwmp:Fault anywhere (code 0) is never bisected.
 */
import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { decodeCpeEnvelope } from "../../src/cwmp/decode.js";
import { encodeCpeMessage } from "../../src/cwmp/encode-cpe.js";
import { fold } from "../../src/reconcile/fold.js";
import { requestFor } from "../../src/reconcile/rpc.js";
import type { PlanStep } from "../../src/reconcile/types.js";
import { cpeFault, spvFault } from "../../src/sim/faults.js";
import { HASH, LIMITS, NOW, PROV, QUIRKS, inventory, reported } from "../support/reconcile-builders.js";

const SOAP = "http://schemas.xmlsoap.org/soap/envelope/";
const env = (body: string): string =>
  `<SOAP-ENV:Envelope xmlns:SOAP-ENV="${SOAP}" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:cwmp="urn:dslforum-org:cwmp-1-0">` +
  `<SOAP-ENV:Header><cwmp:ID SOAP-ENV:mustUnderstand="1">7</cwmp:ID></SOAP-ENV:Header><SOAP-ENV:Body>${body}</SOAP-ENV:Body></SOAP-ENV:Envelope>`;

/** The real capture (genieacs issue #78) up to its second complete SetParameterValuesFault, closed. */
function femtoFault(): string {
  const raw = readFileSync(new URL("../fixtures/cwmp/femto-x_m0000c_spv-fault-9003_PARTIAL.xml", import.meta.url), "utf8");
  const end = "</SetParameterValuesFault>";
  const second = raw.indexOf(end, raw.indexOf(end) + end.length) + end.length;
  return `${raw.slice(0, second)}</cwmp:Fault></detail></SOAP-ENV:Fault>`;
}

function decodeFault(xml: string) {
  const d = decodeCpeEnvelope(env(xml));
  assert.ok(d.ok, JSON.stringify(d));
  assert.equal(d.value.message.method, "Fault");
  if (d.value.message.method !== "Fault") throw new Error("not a fault");
  return d.value.message.fault;
}

const FEMTO_DETAILS = [
  ["Device.X_M0000C.AGNSS.MesgSubmissionRetryCount", 9007],
  ["Device.X_M0000C.PTPMasterg82651.LeaseLimit", 9007],
];

void test("the real capture decodes with its codes (the standard place)", () => {
  const f = decodeFault(femtoFault());
  assert.equal(f.code, 9003);
  assert.deepEqual(
    f.setParameterValuesFaults.map((s) => [s.name, s.code]),
    FEMTO_DETAILS,
  );
});

void test("the same capture with <detail> nested inside <faultstring>: real codes 9003 and per-parameter 9007, faultstring its own text", () => {
  const standard = femtoFault();
  const open = standard.indexOf("<detail>");
  const fsEnd = standard.indexOf("</faultstring>");
  const detail = standard.slice(open, standard.lastIndexOf("</detail>") + "</detail>".length);
  const nested = `${standard.slice(0, fsEnd)}${detail}</faultstring></SOAP-ENV:Fault>`;
  assert.ok(nested.indexOf("<detail>") < nested.indexOf("</faultstring>"), "detail sits inside faultstring");
  const f = decodeFault(nested);
  assert.equal(f.code, 9003);
  assert.equal(f.message, "Invalid Arguments");
  assert.equal(f.faultString, "CWMP FAULT");
  assert.deepEqual(
    f.setParameterValuesFaults.map((s) => [s.name, s.code]),
    FEMTO_DETAILS,
  );
});

void test("the simulator's faultDetailInFaultstring quirk round-trips 9003 with a per-parameter 9008", () => {
  const msg = cpeFault(9003, [spvFault("Device.Time.NTPServer1", 9008)]);
  const xml = encodeCpeMessage(msg, { version: "1.2", id: "1", faultDetailInFaultstring: true });
  assert.ok(xml.indexOf("<detail>") > xml.indexOf("<faultstring>") && xml.indexOf("<detail>") < xml.indexOf("</faultstring>"), xml);
  const d = decodeCpeEnvelope(xml);
  assert.ok(d.ok && d.value.message.method === "Fault");
  if (d.value.message.method !== "Fault") return;
  assert.equal(d.value.message.fault.code, 9003);
  assert.deepEqual(
    d.value.message.fault.setParameterValuesFaults.map((s) => [s.name, s.code]),
    [["Device.Time.NTPServer1", 9008]],
  );
});

void test("a Fault with no cwmp:Fault anywhere decodes as code 0 with a warning", () => {
  const f = decodeFault(`<SOAP-ENV:Fault><faultcode>Server</faultcode><faultstring>boom</faultstring></SOAP-ENV:Fault>`);
  assert.equal(f.code, 0);
  assert.equal(f.message, "boom");
});

void test("code 0 on a batch backs off every path of the step at once: no bisection", () => {
  const step: PlanStep = {
    kind: "setValues",
    values: ["A.X", "A.Y", "A.Z", "A.W"].map((name) => ({ name, value: "v", type: "xsd:string" as const })),
    from: [PROV, PROV, PROV, PROV],
  };
  const out = fold(
    { reported: reported(), inventory: inventory() },
    step,
    requestFor(step, "k", QUIRKS),
    { method: "Fault", fault: { faultCode: "Server", faultString: "boom", code: 0, message: "boom", setParameterValuesFaults: [] } },
    NOW,
    LIMITS,
    HASH,
  );
  assert.equal(out.inventory.bisect?.length ?? 0, 0, "nothing bisected");
  assert.deepEqual([...out.inventory.backoff.keys()].sort(), ["A.W", "A.X", "A.Y", "A.Z"]);
});
