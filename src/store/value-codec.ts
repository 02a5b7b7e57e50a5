/**
 * How a reported row is encoded (migration 7). Space matters at a million devices x hundreds of parameters:
 *
 * - `value`: TEXT as reported, except a value longer than `PACK_ABOVE` characters (device logs, capability
 *   lists, certificates) whose raw deflate is smaller: then a BLOB of that deflate (the SQLite type says which).
 *   Values stay strings end to end: packing is lossless, `unpackValue(packValue(v)) === v` for every string.
 * - `flags`: the xsd type, the writability and the notification level in one small integer instead of three
 *   columns (bits 0-3 the index in `XSD_TYPES`, bits 4-5 writable: 0 unknown / 1 false / 2 true, bits 6-8 the
 *   notification level + 1, 0 unknown). A plain string of unknown writability is 0: no data byte at all.
 */
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { XSD_TYPES, type XsdType } from "../domain/xsd.js";
import type { NotificationLevel } from "../cwmp/types.js";

/** Values up to this many characters are stored as TEXT whatever they hold (deflate does not pay below). */
export const PACK_ABOVE = 128;

export function packValue(v: string): string | Buffer {
  if (v.length <= PACK_ABOVE) return v;
  const raw = Buffer.from(v, "utf8");
  const packed = deflateRawSync(raw);
  return packed.length < raw.length ? packed : v;
}

export function unpackValue(v: string | Buffer): string {
  return typeof v === "string" ? v : inflateRawSync(v).toString("utf8");
}

export const TYPE_MASK = 0x0f;
export const WRITABLE_MASK = 0x30;
export const NOTIFICATION_MASK = 0x1c0;

const TYPE_CODE = new Map<XsdType, number>(XSD_TYPES.map((t, i) => [t, i]));

export function typeBits(t: XsdType): number {
  const code = TYPE_CODE.get(t);
  if (code === undefined) throw new Error(`unknown xsd type ${t}`);
  return code;
}

export const writableBits = (w: boolean): number => (w ? 2 : 1) << 4;
export const notificationBits = (n: NotificationLevel): number => (n + 1) << 6;

export function typeOf(flags: number): XsdType {
  return XSD_TYPES[flags & TYPE_MASK] ?? "xsd:string";
}

export function writableOf(flags: number): boolean | undefined {
  const w = (flags & WRITABLE_MASK) >> 4;
  return w === 0 ? undefined : w === 2;
}

export function notificationOf(flags: number): NotificationLevel | undefined {
  const n = ((flags & NOTIFICATION_MASK) >> 6) - 1;
  if (n === -1) return undefined;
  if (n === 0 || n === 1 || n === 2 || n === 3 || n === 4 || n === 5 || n === 6) return n;
  throw new Error(`stored notification level out of range: ${n}`);
}
