/**
 * CSV (RFC 4180) and the two data-model export formats seen in the wild:
 * - 5 columns  `Parameter,Object,Writable,Value,Value type` (genieacs-sim models, with DeviceID.* rows)
 * - 12 columns `Parameter,Object,Object timestamp,Writable,...,Notification,...,Access list,...` (GenieACS UI export)
 */
import type { DeviceIdStruct } from "../domain/device.js";
import { buildDataModel, type RawNode } from "./model.js";
import type { DataModel } from "./types.js";

/**
 * Parses RFC 4180 CSV: quoted fields, doubled quotes, commas and CR/LF inside quotes, CRLF or LF records,
 * an optional UTF-8 BOM. A quote inside an unquoted field is kept literally (lenient). A final newline does
 * not create an empty record. Throws on an unterminated quoted field (the export is truncated).
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let fieldStarted = false;
  const endField = (): void => {
    record.push(field);
    field = "";
    fieldStarted = false;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '"' && !fieldStarted) {
      const close = readQuoted(text, i + 1);
      field += close.value;
      i = close.next;
      fieldStarted = true;
    } else if (c === ",") {
      endField();
      i++;
    } else if (c === "\n" || c === "\r") {
      endField();
      records.push(record);
      record = [];
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
    } else {
      field += c;
      fieldStarted = true;
      i++;
    }
  }
  if (fieldStarted || record.length > 0) {
    endField();
    records.push(record);
  }
  return records;
}

/** Reads a quoted field body starting after the opening quote; returns the text and the index after the closing quote. */
function readQuoted(text: string, start: number): { value: string; next: number } {
  let value = "";
  let i = start;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q < 0) throw new Error(`CSV: unterminated quoted field starting at offset ${start - 1}`);
    value += text.slice(i, q);
    if (text[q + 1] === '"') {
      value += '"';
      i = q + 2;
    } else {
      return { value, next: q + 1 };
    }
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
