/**
 * Builds `src/datamodel/dm-index.json`, the compact index of the standard TR-098 and TR-181 data models that
 * `converge validate` checks policy paths against. Run once when the definitions change:
 *   node --import tsx scripts/build-dm-index.ts [defsDir]
 * Input: the Broadband Forum "full" XML definitions (default: ../shared/fixtures/datamodel-defs).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { XMLParser } from "fast-xml-parser";
import type { DmIndex, DmObject, DmParam, DmType } from "../src/datamodel/dm-index.js";

type Xml = Record<string, unknown>;

const PRIMITIVES: Record<string, DmType> = {
  string: "s",
  int: "i",
  unsignedInt: "u",
  long: "l",
  unsignedLong: "U",
  boolean: "b",
  dateTime: "d",
  base64: "B",
  hexBinary: "h",
  decimal: "D",
};
const MAX_ENUM = 24;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => ["object", "parameter", "dataType", "enumeration", "range"].includes(name),
});

const asObj = (x: unknown): Xml | undefined => (typeof x === "object" && x !== null && !Array.isArray(x) ? (x as Xml) : undefined);
const asArr = (x: unknown): Xml[] => (Array.isArray(x) ? x.map(asObj).filter((o): o is Xml => o !== undefined) : []);
const attr = (x: Xml, name: string): string | undefined => (typeof x[`@${name}`] === "string" ? (x[`@${name}`] as string) : undefined);

/** Named data types -> their syntax element (the dataType node itself holds the primitive child). */
function collectDataTypes(docs: Xml[]): Map<string, Xml> {
  const types = new Map<string, Xml>();
  for (const doc of docs)
    for (const dt of asArr(doc["dataType"])) {
      const name = attr(dt, "name");
      if (name !== undefined) types.set(name, dt);
    }
  return types;
}

interface Facet {
  type: DmType;
  min?: string;
  max?: string;
  enums?: string[];
}

function facetOf(syntax: Xml, types: Map<string, Xml>, depth = 0): Facet {
  for (const [tag, code] of Object.entries(PRIMITIVES)) {
    const node = syntax[tag];
    if (node === undefined) continue;
    const el = asObj(node) ?? {};
    const range = asArr(el["range"])[0];
    const enums = asArr(el["enumeration"])
      .map((e) => attr(e, "value"))
      .filter((v): v is string => v !== undefined);
    const f: Facet = { type: code };
    if (range !== undefined) {
      const min = attr(range, "minInclusive"),
        max = attr(range, "maxInclusive");
      if (min !== undefined) f.min = min;
      if (max !== undefined) f.max = max;
    }
    if (enums.length > 0 && enums.length <= MAX_ENUM) f.enums = enums;
    return f;
  }
  const ref = asArr(syntax["dataType"])[0];
  const name = ref === undefined ? undefined : (attr(ref, "ref") ?? attr(ref, "base"));
  const def = name === undefined ? undefined : types.get(name);
  if (def === undefined || depth > 8) return { type: "s" };
  const base = attr(def, "base");
  const own = Object.keys(PRIMITIVES).some((t) => def[t] !== undefined);
  if (!own && base !== undefined) return facetOf({ dataType: [{ "@ref": base }] }, types, depth + 1);
  return facetOf(def, types, depth + 1);
}

function paramOf(p: Xml, types: Map<string, Xml>): DmParam {
  const syntax = asObj(p["syntax"]) ?? {};
  const isList = syntax["list"] !== undefined;
  const f = facetOf(syntax, types);
  const out: DmParam = { t: isList ? "s" : f.type };
  if (attr(p, "access") === "readWrite") out.w = 1;
  if (attr(syntax, "hidden") === "true" || attr(syntax, "secured") === "true") out.h = 1;
  if (!isList && (f.min !== undefined || f.max !== undefined)) out.r = [f.min ?? null, f.max ?? null];
  if (!isList && f.enums !== undefined) out.e = f.enums;
  return out;
}

function buildModel(file: string, types: Map<string, Xml>): Record<string, DmObject> {
  const doc = asObj(asObj(parser.parse(readFileSync(file, "utf8")))?.["document"]) ?? {};
  const model = asArr(doc["model"])[0] ?? asObj(doc["model"]) ?? {};
  const objects: Record<string, DmObject> = {};
  for (const o of asArr(model["object"])) {
    const name = attr(o, "name");
    if (name === undefined) continue;
    const params: Record<string, DmParam> = {};
    for (const p of asArr(o["parameter"])) {
      const pn = attr(p, "name");
      if (pn !== undefined) params[pn] = paramOf(p, types);
    }
    const obj: DmObject = { p: params };
    if (name.endsWith("{i}.")) obj.m = 1;
    if (attr(o, "access") === "readWrite") obj.w = 1;
    objects[name] = obj;
  }
  return objects;
}

function main(): void {
  const defs = resolve(process.argv[2] ?? new URL("../../shared/fixtures/datamodel-defs/", import.meta.url).pathname);
  const docs = ["tr-106-types.xml", "tr-098-1-8-0-full.xml", "tr-181-2-17-0-cwmp-full.xml"].map(
    (f) => asObj(asObj(parser.parse(readFileSync(join(defs, f), "utf8")))?.["document"]) ?? {},
  );
  const types = collectDataTypes(docs);
  const index: DmIndex = {
    source: "BroadbandForum/cwmp-data-models 35da113: tr-098-1-8-0-full.xml, tr-181-2-17-0-cwmp-full.xml",
    tr098: buildModel(join(defs, "tr-098-1-8-0-full.xml"), types),
    tr181: buildModel(join(defs, "tr-181-2-17-0-cwmp-full.xml"), types),
  };
  const out = new URL("../src/datamodel/dm-index.json", import.meta.url);
  const json = JSON.stringify(index);
  writeFileSync(out, json + "\n");
  const count = (m: Record<string, DmObject>): number => Object.values(m).reduce((n, o) => n + Object.keys(o.p).length, 0);
  console.log(`dm-index.json: ${json.length} bytes; tr098 ${count(index.tr098)} params, tr181 ${count(index.tr181)} params`);
}

main();
