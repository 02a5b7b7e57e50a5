/**
 * Benchmark 6 (micro): Inform decode per second (Converge's lenient decoder: scan + parse + typed fields)
 * against fast-xml-parser alone parsing the same bytes with the same options; envelope encode per second
 * (Converge's template encoders) against fast-xml-parser's XMLBuilder building the same envelope.
 * Run alone: node --import tsx bench/codec-micro.ts
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { XMLBuilder, XMLParser } from "fast-xml-parser";
import { decodeCpeEnvelope } from "../src/cwmp/decode.js";
import { encodeAcsMessage } from "../src/cwmp/encode.js";
import { encodeCpeMessage } from "../src/cwmp/encode-cpe.js";
import type { AcsMessage } from "../src/cwmp/types.js";
import { XML_PARSER_OPTIONS } from "../src/cwmp/xml.js";
import { loadDataModel } from "../src/datamodel/load.js";
import { SimDevice } from "../src/sim/device.js";
import { DEFAULT_MODEL_DIR } from "../src/cli/sim.js";
import { ROOT } from "./support/procs.js";
import { QUICK, emit, ratio, table } from "./support/report.js";

const SECONDS = QUICK ? 0.5 : 2;

function slice(f: () => unknown, seconds: number): number {
  let n = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 20; i++) f();
    n += 20;
  }
  return n / ((performance.now() - t0) / 1000);
}

/** Ours and the baseline in alternating slices (a shared machine is noisy); the best slice of each. */
function pair(ours: () => unknown, base: () => unknown): [number, number] {
  for (let i = 0; i < 300; i++) (ours(), base());
  let a = 0;
  let b = 0;
  for (let i = 0; i < 4; i++) {
    a = Math.max(a, slice(ours, SECONDS / 4));
    b = Math.max(b, slice(base, SECONDS / 4));
  }
  return [a, b];
}

function simInform(file: string): string {
  const d = new SimDevice(loadDataModel(`${DEFAULT_MODEL_DIR}${file}`), { serialNumber: "BENCH0001" });
  return encodeCpeMessage(d.inform(Date.now()), { version: d.cwmpVersion, id: "4711" });
}

export async function codecMicro(): Promise<Record<string, unknown>> {
  const parser = new XMLParser(XML_PARSER_OPTIONS);
  const informs: [string, string][] = [
    ["Inform, simulated EG8145V5 (TR-098)", simInform("huawei-eg8145v5-tr098.csv")],
    ["Inform, simulated EX220 (TR-181)", simInform("tplink-ex220-tr181.csv")],
    ["Inform, real Broadcom 968380GERG", readFileSync(`${ROOT}test/fixtures/cwmp/broadcom_968380gerg_inform.xml`, "utf8")],
  ];
  const rows: (string | number)[][] = [];
  const out: Record<string, unknown>[] = [];
  for (const [name, xml] of informs) {
    if (!decodeCpeEnvelope(xml).ok) throw new Error(`${name}: does not decode`);
    const [ours, base] = pair(
      () => decodeCpeEnvelope(xml),
      () => parser.parse(xml),
    );
    rows.push([`decode ${name} (${xml.length} B)`, ours, 1e6 / ours, base, 1e6 / base, `${(ratio(ours, base) * 100).toFixed(0)}%`]);
    out.push({ what: `decode ${name}`, bytes: xml.length, perSecond: ours, baselinePerSecond: base, ratio: ratio(ours, base) });
  }
  const builder = new XMLBuilder({ ignoreAttributes: false, suppressEmptyNode: false });
  const names = Array.from({ length: 10 }, (_, i) => `InternetGatewayDevice.LANDevice.1.WLANConfiguration.${i + 1}.SSID`);
  const encodes: [string, AcsMessage, unknown][] = [
    ["InformResponse", { method: "InformResponse", maxEnvelopes: 1 }, { "cwmp:InformResponse": { MaxEnvelopes: 1 } }],
    [
      "GetParameterValues (10 names)",
      { method: "GetParameterValues", names },
      { "cwmp:GetParameterValues": { ParameterNames: { "@_soap-enc:arrayType": "xsd:string[10]", string: names } } },
    ],
  ];
  for (const [name, msg, body] of encodes) {
    const doc = {
      "soap-env:Envelope": {
        "@_xmlns:soap-env": "http://schemas.xmlsoap.org/soap/envelope/",
        "@_xmlns:cwmp": "urn:dslforum-org:cwmp-1-0",
        "soap-env:Header": { "cwmp:ID": { "@_soap-env:mustUnderstand": "1", "#text": "4711" } },
        "soap-env:Body": body,
      },
    };
    const [ours, base] = pair(
      () => encodeAcsMessage(msg, { version: "1.0", id: "4711" }),
      () => builder.build(doc),
    );
    rows.push([`encode ${name}`, ours, 1e6 / ours, base, 1e6 / base, `${(ratio(ours, base) * 100).toFixed(0)}%`]);
    out.push({ what: `encode ${name}`, perSecond: ours, baselinePerSecond: base, ratio: ratio(ours, base) });
  }
  process.stdout.write(`\nBenchmark 6: codec micro-benchmarks (ops/s, one core; baseline: fast-xml-parser with the same options / XMLBuilder)\n`);
  process.stdout.write(table(["operation", "converge ops/s", "µs", "baseline ops/s", "µs", "ratio"], rows));
  return { results: out };
}

if (import.meta.url === `file://${process.argv[1]}`) emit("codec-micro", await codecMicro());
