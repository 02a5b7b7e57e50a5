/**
 * The parameters a real CPE creates for a new instance of a table its exported model has no instance of
 * (e.g. an empty PortMapping table): taken from the official TR-098/TR-181 definitions (src/datamodel/dm-index.json),
 * with their standard types and writability. Nested tables stay empty, as on a real device.
 */
import { readDmIndex } from "../datamodel/dm-index-file.js";
import { genericPath, xsdTypeOf, type DmIndex } from "../datamodel/dm-index.js";
import type { XsdType } from "../domain/xsd.js";

export interface StandardParam {
  readonly name: string;
  readonly type: XsdType;
  readonly writable: boolean;
}

let index: DmIndex | undefined | null = null;

function dm(): DmIndex | undefined {
  if (index === null) index = readDmIndex();
  return index;
}

/** Standard child parameters of an instance of `tablePath` ("A.B.Table."), or [] when the table is not standard. */
export function standardInstanceParams(tablePath: string): StandardParam[] {
  const idx = dm();
  if (!idx) return [];
  const model = tablePath.startsWith("InternetGatewayDevice.") ? idx.tr098 : tablePath.startsWith("Device.") ? idx.tr181 : undefined;
  const obj = model?.[`${genericPath(tablePath)}{i}.`];
  if (!obj) return [];
  return Object.entries(obj.p).map(([name, p]) => ({ name, type: xsdTypeOf(p.t) ?? "xsd:string", writable: p.w === 1 }));
}
