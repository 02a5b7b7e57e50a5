/**
 * XSD validation in process: libxml2's xmllint compiled to WebAssembly (`xmllint-wasm`), so the golden schema
 * tests need no system tool. The BBF XSDs import the SOAP schemas and each other by URL; those URLs are
 * rewritten to the local copies named in test/fixtures/soap/catalog.xml (the same mapping a system xmllint
 * reads from XML_CATALOG_FILES), and every schema is preloaded into xmllint's in-memory file system.
 */
import { readFileSync, readdirSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { validateXML } from "xmllint-wasm";

const XSD_DIR = fileURLToPath(new URL("../fixtures/cwmp/xsd/", import.meta.url));
const SOAP_DIR = fileURLToPath(new URL("../fixtures/soap/", import.meta.url));

/** URL -> local file name, from the catalog's <uri>/<system> entries. */
function catalogMap(): Map<string, string> {
  const xml = readFileSync(`${SOAP_DIR}catalog.xml`, "utf8");
  const out = new Map<string, string>();
  for (const m of xml.matchAll(/<(?:uri name|system systemId)="([^"]+)" uri="([^"]+)"\/>/g)) out.set(m[1] as string, basename(m[2] as string));
  return out;
}

let schemas: { fileName: string; contents: string }[] | undefined;

/** Every schema, with the catalogued schemaLocations pointing at the preloaded copies. */
function loadSchemas(): { fileName: string; contents: string }[] {
  if (schemas) return schemas;
  const map = catalogMap();
  const files = [...readdirSync(XSD_DIR).map((f) => `${XSD_DIR}${f}`), `${SOAP_DIR}envelope.xsd`, `${SOAP_DIR}encoding.xsd`];
  schemas = files.map((f) => ({
    fileName: basename(f),
    contents: readFileSync(f, "utf8").replace(/schemaLocation="([^"]+)"/g, (all, url: string) => {
      const local = map.get(url);
      return local ? `schemaLocation="${local}"` : all;
    }),
  }));
  return schemas;
}

/** Validates `docs` against `schemaFile` (a name under test/fixtures/cwmp/xsd); returns the errors per failing document. */
export async function validateXsd(schemaFile: string, docs: readonly { readonly name: string; readonly xml: string }[]): Promise<Map<string, string[]>> {
  const all = loadSchemas();
  const schema = all.find((s) => s.fileName === schemaFile);
  if (!schema) throw new Error(`no schema ${schemaFile}`);
  const result = await validateXML({
    xml: docs.map((d) => ({ fileName: d.name, contents: d.xml })),
    schema,
    preload: all.filter((s) => s !== schema),
    // Every schema compiles into memory; the default 32 MiB is too small for the 1.4 include chain.
    maxMemoryPages: 4096,
  });
  const out = new Map<string, string[]>();
  for (const e of result.errors) {
    const file = e.loc?.fileName ?? "(unknown)";
    out.set(file, [...(out.get(file) ?? []), e.rawMessage]);
  }
  // An error located nowhere in the documents (a schema that did not compile, an unparsed message) fails them all.
  const names = new Set(docs.map((d) => d.name));
  if ((!result.valid && out.size === 0) || [...out.keys()].some((k) => !names.has(k))) for (const d of docs) out.set(d.name, [result.rawOutput]);
  return out;
}
