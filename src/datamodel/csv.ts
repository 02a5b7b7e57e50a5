/**
 * CSV (RFC 4180) and the two data-model export formats seen in the wild:
 * - 5 columns  `Parameter,Object,Writable,Value,Value type` (genieacs-sim models, with DeviceID.* rows)
 * - 12 columns `Parameter,Object,Object timestamp,Writable,...,Notification,...,Access list,...` (GenieACS UI export)
 */
import { CsvError, parse } from "csv-parse/sync";
import type { DeviceIdStruct } from "../domain/device.js";
import { buildDataModel, type RawNode } from "./model.js";
import type { DataModel } from "./types.js";

/** csv-parse's options for both CSV readers (data models, policy variable files). */
const CSV_OPTIONS = {
  bom: true,
  // A quote inside an unquoted field is kept literally (lenient: vendor exports have them).
  relax_quotes: true,
  relax_column_count: true,
  // A blank line is one empty record (callers skip it); CRLF, LF or CR records, mixed in one file.
  skip_empty_lines: false,
  record_delimiter: ["\r\n", "\n", "\r"],
};

/**
 * Parses RFC 4180 CSV (csv-parse): quoted fields, doubled quotes, commas and CR/LF inside quotes, CRLF or LF
 * records, an optional UTF-8 BOM. A quote inside an unquoted field is kept literally (lenient). A final newline
 * does not create an empty record. Throws on an unterminated quoted field (the file is truncated), naming its line.
 */
export function parseCsv(text: string): string[][] {
  try {
    return parse(text, CSV_OPTIONS);
  } catch (e) {
    if (e instanceof CsvError && e.code === "CSV_QUOTE_NOT_CLOSED")
      throw new Error(`CSV: unterminated quoted field (the file ends inside quotes at line ${e.lines})`);
    throw new Error(`CSV: ${e instanceof Error ? e.message : String(e)}`);
  }
}

const ROOTS = new Set(["InternetGatewayDevice", "Device"]);
const IDENTITY_KEYS = ["Manufacturer", "OUI", "ProductClass", "SerialNumber"] as const;

/**
 * Parses a data-model export (either format, detected by its header) into an immutable `DataModel`.
 * Rows outside the data-model root (`DeviceID.*`, `Events.*`, ...) are skipped; `DeviceID.{Manufacturer,OUI,
 * ProductClass,SerialNumber}` become the default identity. Throws on an unknown header or a file with no root.
 */
export function parseDataModelCsv(text: string): DataModel {
  const [header, ...rows] = parseCsv(text);
  if (header === undefined) throw new Error("data model CSV: empty file");
  const col = columnsOf(header);
  const raw: RawNode[] = [];
  const deviceId: Partial<Record<(typeof IDENTITY_KEYS)[number], string>> = {};
  let skipped = 0;
  for (const row of rows) {
    if (row.length === 1 && row[0] === "") continue; // blank line
    const path = row[col.parameter] ?? "";
    if (!ROOTS.has(path.split(".", 1)[0] ?? "")) {
      skipped++;
      const key = IDENTITY_KEYS.find((k) => path === `DeviceID.${k}`);
      if (key !== undefined) deviceId[key] = row[col.value] ?? "";
      continue;
    }
    raw.push({
      path,
      object: row[col.object] === "true",
      writable: row[col.writable] === "true",
      value: row[col.value] ?? "",
      type: row[col.type] ?? "",
      notification: col.notification === undefined ? "" : (row[col.notification] ?? ""),
    });
  }
  const identity: Partial<DeviceIdStruct> = {
    manufacturer: deviceId.Manufacturer,
    oui: deviceId.OUI,
    productClass: deviceId.ProductClass,
    serialNumber: deviceId.SerialNumber,
  };
  return buildDataModel(raw, identity, skipped);
}

interface Columns {
  readonly parameter: number;
  readonly object: number;
  readonly writable: number;
  readonly value: number;
  readonly type: number;
  readonly notification: number | undefined;
}

function columnsOf(header: readonly string[]): Columns {
  const at = (name: string): number => header.findIndex((h) => h.trim() === name);
  const parameter = at("Parameter");
  const object = at("Object");
  const writable = at("Writable");
  const value = at("Value");
  const type = at("Value type");
  if ([parameter, object, writable, value, type].some((i) => i < 0)) {
    throw new Error(`data model CSV: unrecognised header "${header.join(",")}"`);
  }
  const notification = at("Notification");
  return { parameter, object, writable, value, type, notification: notification < 0 ? undefined : notification };
}
