/**
 * The hostile-input fuzzer (issue #10): seeded generators for every class of input that once froze or crashed
 * Converge, and the checks each input must pass: no throw, and bounded work (characters examined by the XML
 * scanner, map entries examined by the YAML reader, both counted, never timed). `test/fuzz/hostile.test.ts` runs
 * a few thousand inputs in `npm test`; `npm run fuzz` (scripts/fuzz.ts) runs it for minutes and also reports the
 * slowest input's time per KB.
 */
import { readdirSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { decodeBody } from "../../src/cwmp/body.js";
import { decodeAcsEnvelope } from "../../src/cwmp/decode-acs.js";
import { decodeCpeEnvelope } from "../../src/cwmp/decode.js";
import { parseDocument, type XmlWorkMeter } from "../../src/cwmp/xml.js";
import { parseAuthHeader } from "../../src/auth/auth-params.js";
import { compileLinearRegex } from "../../src/policy/linear-regex.js";
import { parseYamlFile, type YamlWorkMeter } from "../../src/policy/yaml-source.js";
import { parseHttpFixture } from "../support/http-fixture.js";

/** Deterministic PRNG (mulberry32): the same seed gives the same inputs on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const int = (r: Rand, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)] as T;

const FIXTURES = new URL("../fixtures/cwmp/", import.meta.url);
const POLICIES = new URL("../../policies/", import.meta.url);

/** The real CPE captures, as XML text. */
export function captures(): string[] {
  return readdirSync(FIXTURES)
    .filter((f) => /\.(xml|http)$/.test(f))
    .map((f) => {
      const raw = readFileSync(new URL(f, FIXTURES));
      return (f.endsWith(".http") ? parseHttpFixture(raw).body : raw).toString("latin1");
    });
}

function policyTexts(): string[] {
  return readdirSync(POLICIES)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => readFileSync(new URL(f, POLICIES), "utf8"));
}

const XML_PIECES = [
  "<",
  ">",
  "/",
  "=",
  '"',
  "'",
  " ",
  "a",
  "xmlns",
  "xmlns:cwmp",
  ":",
  "&amp;",
  "&#x41;",
  "&",
  ";",
  "<!--",
  "-->",
  "<![CDATA[",
  "]]>",
  "<?",
  "?>",
  "<!DOCTYPE",
  "\n",
  "Value",
  'xsi:type="xsd:int"',
];

function mutate(r: Rand, s: string): string {
  let out = s;
  for (let k = 1 + int(r, 4); k > 0; k--) {
    const at = int(r, out.length + 1);
    switch (int(r, 6)) {
      case 0:
        out = out.slice(0, at);
        break;
      case 1:
        out = out.slice(0, at) + out.slice(at + int(r, 200));
        break;
      case 2: {
        const from = int(r, out.length + 1);
        out = out.slice(0, at) + out.slice(from, from + int(r, 300)) + out.slice(at);
        break;
      }
      case 3:
        out = out.slice(0, at) + pick(r, XML_PIECES).repeat(1 + int(r, 50)) + out.slice(at);
        break;
      case 4:
        out = out.slice(0, at) + String.fromCharCode(int(r, 0x3000)) + out.slice(at + 1);
        break;
      default:
        out = out.slice(0, at) + out.slice(at).replace(/[<>"']/, pick(r, ["", " ", "<", ">", '"']));
        break;
    }
  }
  return out;
}

/** Wraps an element into a real-looking Inform envelope. */
const envelope = (inner: string): string =>
  `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-0"><soapenv:Body><cwmp:Inform>${inner}</cwmp:Inform></soapenv:Body></soapenv:Envelope>`;

export type Input = { readonly kind: "xml" | "yaml" | "regex" | "auth"; readonly label: string; readonly text: string; readonly value?: string };

/** One generated input of a class chosen by the seed. */
export function generate(r: Rand, base: readonly string[], policies: readonly string[], maxSizeLog2 = 16): Input {
  const size = 1 << (8 + int(r, maxSizeLog2 - 7)); // 256 B .. 2^maxSizeLog2
  switch (int(r, 10)) {
    case 0:
    case 1:
    case 2:
      return { kind: "xml", label: "mutated capture", text: mutate(r, pick(r, base)) };
    case 3: {
      const pieces = Array.from({ length: 1 + int(r, 12) }, () => pick(r, ["a", "=", "x", '"', "'", " ", "xmlns:", ":", "/", "&amp;", "b=", "'v'"])).join("");
      return { kind: "xml", label: "pathological tag", text: envelope(`<DeviceId ${pieces.repeat(Math.ceil(size / pieces.length))}>x</DeviceId>`) };
    }
    case 4: {
      const which = int(r, 3);
      const text =
        which === 0
          ? `<DeviceId ${"a".repeat(size)}="v"/>`
          : which === 1
            ? `<DeviceId a="${"v".repeat(size)}"/>`
            : `<DeviceId ${Array.from({ length: size >> 6 }, (_, i) => `a${i}="v"`).join(" ")}/>`;
      return { kind: "xml", label: "huge attribute", text: envelope(text) };
    }
    case 5: {
      const ent = pick(r, ["&amp;", "&#x41;", "&#65;", "&lt;", "&unknown;", "&", "&#x110000;"]);
      return { kind: "xml", label: "entity flood", text: envelope(`<X>${ent.repeat(Math.ceil((size * 16) / ent.length))}</X>`) };
    }
    case 6: {
      const n = 2 + int(r, 8);
      const lines = [`a0: &a0 [${Array(n).fill('"lol"').join(",")}]`];
      for (let i = 1; i < 3 + int(r, 8); i++)
        lines.push(
          `a${i}: &a${i} [${Array(n)
            .fill(`*a${i - 1}`)
            .join(",")}]`,
        );
      return { kind: "yaml", label: "YAML alias bomb", text: lines.join("\n") };
    }
    case 7: {
      const which = int(r, 3);
      const text =
        which === 0
          ? `${"[".repeat(size >> 2)}`
          : which === 1
            ? `k:\n${Array.from({ length: size >> 4 }, (_, i) => `  k${i % 97}: ${i}`).join("\n")}`
            : mutate(r, pick(r, policies));
      return { kind: "yaml", label: which === 0 ? "YAML deep nesting" : which === 1 ? "YAML duplicate keys" : "mutated policy", text };
    }
    case 8: {
      const pattern = pick(r, ["^([A-Z0-9]+,?)+$", "(a+)+$", "^(a|aa)+$", "(.*a){12}", "^(\\w+\\s?)*$", "([a-z]*)*b"]);
      return { kind: "regex", label: "policy regex", text: pattern, value: `${"a".repeat(size >> 2)}${pick(r, ["!", "", " ", "b"])}` };
    }
    default: {
      const tail = pick(r, ['a="', "a=b, ", ", ", "\t", "realm=x "]).repeat(size >> 3);
      return { kind: "auth", label: "auth header", text: `Digest ${tail}` };
    }
  }
}

export interface FuzzFailure {
  readonly label: string;
  readonly message: string;
  readonly sample: string;
}

export interface FuzzReport {
  tried: number;
  readonly failures: FuzzFailure[];
  /** The input of at least 4 KB with the highest milliseconds per KB (informational: never asserted). */
  slowest: { label: string; msPerKb: number; bytes: number };
}

const CODES = new Set(["malformed", "not_soap", "no_body", "unknown_method", "invalid"]);

/** Runs one input through its parsers; returns a failure message or undefined. */
export function check(input: Input): string | undefined {
  switch (input.kind) {
    case "xml": {
      const meter: XmlWorkMeter = { steps: 0 };
      parseDocument(input.text, meter);
      if (meter.steps > 4 * input.text.length + 64) return `XML work ${meter.steps} for ${input.text.length} characters`;
      for (const d of [decodeCpeEnvelope(input.text), decodeAcsEnvelope(input.text)]) {
        if (!d.ok && (!CODES.has(d.error.code) || d.error.message.startsWith("decoder failure"))) return `decoder threw: ${d.error.message}`;
      }
      const body = decodeBody(Buffer.from(input.text, "latin1"), { contentType: "text/xml; charset=utf-8" }, { maxBytes: 8 << 20 });
      if (body.ok) decodeCpeEnvelope(body.value);
      return undefined;
    }
    case "yaml": {
      const meter: YamlWorkMeter = { steps: 0 };
      const r = parseYamlFile(input.text, meter);
      for (const d of r.docs) d.locate("/a/b/0", true);
      if (meter.steps > 4 * input.text.length + 64) return `YAML work ${meter.steps} for ${input.text.length} characters`;
      return undefined;
    }
    case "regex": {
      const re = compileLinearRegex(input.text);
      if (!re.ok) return `pattern refused: ${re.error}`;
      re.value.test(input.value ?? "");
      return undefined;
    }
    case "auth":
      parseAuthHeader(input.text);
      return undefined;
  }
}

/** Runs inputs from `seed` until `count` are tried or `deadline` (performance.now()) passes. */
export function fuzz(seed: number, count: number, deadline = Number.POSITIVE_INFINITY, maxSizeLog2 = 16): FuzzReport {
  const r = rng(seed);
  const base = captures();
  const policies = policyTexts();
  const report: FuzzReport = { tried: 0, failures: [], slowest: { label: "", msPerKb: 0, bytes: 0 } };
  while (report.tried < count && performance.now() < deadline) {
    const input = generate(r, base, policies, maxSizeLog2);
    const t0 = performance.now();
    let failure: string | undefined;
    try {
      failure = check(input);
    } catch (e) {
      failure = `threw: ${e instanceof Error ? e.message : String(e)}`;
    }
    const ms = performance.now() - t0;
    const bytes = input.text.length + (input.value?.length ?? 0);
    const perKb = ms / Math.max(1, bytes / 1024);
    // Per KB only where it means something (small inputs are all fixed overhead).
    if (bytes >= 4096 && perKb > report.slowest.msPerKb) report.slowest = { label: input.label, msPerKb: perKb, bytes };
    if (failure !== undefined) report.failures.push({ label: input.label, message: failure, sample: input.text.slice(0, 200) });
    report.tried++;
  }
  return report;
}
