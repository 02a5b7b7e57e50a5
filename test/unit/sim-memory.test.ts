import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import v8 from "node:v8";
import vm from "node:vm";
import { parseDataModelCsv } from "../../src/datamodel/csv.js";
import { SimDevice } from "../../src/sim/device.js";

const MODEL = parseDataModelCsv(readFileSync(new URL("../fixtures/datamodels/huawei-eg8145v5-tr098.csv", import.meta.url), "utf8"));
const PII = "InternetGatewayDevice.ManagementServer.PeriodicInformInterval";

void test("devices of one model share its base and keep their changes apart", () => {
  const a = new SimDevice(MODEL, { serialNumber: "A" });
  const b = new SimDevice(MODEL, { serialNumber: "B" });
  assert.equal(a.model, b.model);
  a.handle({ method: "SetParameterValues", values: [{ name: PII, value: "77", type: "xsd:unsignedInt" }], parameterKey: "ka" });
  a.handle({ method: "AddObject", objectName: "InternetGatewayDevice.WANDevice.1.WANConnectionDevice.", parameterKey: "ka" });
  assert.deepStrictEqual([a.get(PII)?.value, b.get(PII)?.value], ["77", MODEL.nodes[MODEL.index.get(PII) ?? -1]?.value]);
  assert.deepStrictEqual(
    [a.hasObject("InternetGatewayDevice.WANDevice.1.WANConnectionDevice.6."), b.hasObject("InternetGatewayDevice.WANDevice.1.WANConnectionDevice.6.")],
    [true, false],
  );
  assert.deepStrictEqual([a.parameterKey, b.parameterKey], ["ka", ""]);
});

void test("10,000 devices of a 3,790-node model cost under 2 KB each on the heap", () => {
  v8.setFlagsFromString("--expose-gc");
  const gc: unknown = vm.runInNewContext("gc");
  if (typeof gc !== "function") return assert.fail("gc not exposed");
  const heap = (): number => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const before = heap();
  const fleet: SimDevice[] = [];
  for (let i = 0; i < 10_000; i++) {
    const d = new SimDevice(MODEL, { serialNumber: `SIM${String(i).padStart(8, "0")}` });
    d.setConnectionRequestUrl(`http://127.0.0.1:40000/cr/${d.deviceId.serialNumber}`);
    fleet.push(d);
  }
  const perDevice = (heap() - before) / fleet.length;
  assert.equal(fleet.length, 10_000);
  // a private copy of the model's nodes alone would be ~200 bytes per node, i.e. ~750 KB per device
  assert.ok(perDevice < 2048, `${Math.round(perDevice)} bytes per device`);
});
