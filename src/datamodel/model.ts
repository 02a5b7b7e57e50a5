/**
 * Builds the immutable, shared `DataModel` from loosely typed rows, and answers structural questions about it.
 */
import type { DeviceIdStruct } from "../domain/device.js";
import { parseXsdType } from "../domain/xsd.js";
import type { NotificationLevel } from "../cwmp/types.js";
import type { DataModel, DataModelNode } from "./types.js";

/** A row as read from an export, before normalisation. */
export interface RawNode {
  readonly path: string;
  readonly object: boolean;
  readonly writable: boolean;
  readonly value: string;
  readonly type: string;
  readonly notification: string;
}

const LEVELS: readonly NotificationLevel[] = [0, 1, 2, 3, 4, 5, 6];
const INSTANCE = /^[0-9]+$/;

/** True when a path segment is an instance number. */
export function isInstanceSegment(segment: string): boolean {
  return INSTANCE.test(segment);
}

/** The segments of a path, without the empty one after a trailing ".". */
export function segmentsOf(path: string): string[] {
  const segs = path.split(".");
  if (segs[segs.length - 1] === "") segs.pop();
  return segs;
}

/** The parent object path of a node path ("A.B.C" and "A.B.C." both give "A.B."); "" for the root. */
export function parentOf(path: string): string {
  const trimmed = path.endsWith(".") ? path.slice(0, -1) : path;
  const dot = trimmed.lastIndexOf(".");
  return dot < 0 ? "" : trimmed.slice(0, dot + 1);
}

/**
 * Builds a `DataModel`: keeps the rows under the first root seen, normalises object paths to end with ".",
 * synthesises missing ancestor objects, orders depth-first (instance numbers numerically) and freezes
 * everything. A later duplicate row replaces an earlier one. Throws if no row is under a data-model root.
 */
export function buildDataModel(rows: readonly RawNode[], identityHint: Partial<DeviceIdStruct>, skippedRows: number): DataModel {
  const first = rows[0];
  if (first === undefined) throw new Error("data model: no InternetGatewayDevice or Device rows");
  const rootName = first.path.split(".", 1)[0] ?? "";
  const root = `${rootName}.`;
  const byPath = new Map<string, DataModelNode>();
  const notifications = new Map<string, NotificationLevel>();
  let skipped = skippedRows;
  for (const row of rows) {
    if (row.path !== rootName && !row.path.startsWith(root)) {
      skipped++;
      continue;
    }
    const node = nodeOf(row);
    byPath.set(node.path, node);
    const level = LEVELS.find((l) => l !== 0 && String(l) === row.notification.trim());
    if (level !== undefined) notifications.set(node.path, level);
  }
  addMissingAncestors(byPath);
  const nodes = sortDepthFirst([...byPath.values()]);
  const index = new Map<string, number>();
  nodes.forEach((n, i) => index.set(n.path, i));
  const model: DataModel = {
    root,
    kind: rootName === "InternetGatewayDevice" ? "tr098" : "tr181",
    nodes: Object.freeze(nodes),
    index,
    subtreeEnd: subtreeEnds(nodes),
    identity: Object.freeze(identityOf(identityHint, byPath, root)),
    notifications,
    skippedRows: skipped,
  };
  return Object.freeze(model);
}

function nodeOf(row: RawNode): DataModelNode {
  const path = row.object && !row.path.endsWith(".") ? `${row.path}.` : row.path;
  return Object.freeze({
    path,
    object: row.object,
    writable: row.writable,
    value: row.object ? "" : row.value,
    type: parseXsdType(row.type) ?? "xsd:string",
  });
}

function addMissingAncestors(byPath: Map<string, DataModelNode>): void {
  for (const path of [...byPath.keys()]) {
    for (let p = parentOf(path); p !== "" && !byPath.has(p); p = parentOf(p)) {
      byPath.set(p, Object.freeze({ path: p, object: true, writable: false, value: "", type: "xsd:string" }));
    }
  }
}

/** Segment-wise order: a subtree is always contiguous, "Foo.2" before "Foo.10", parents first. */
function sortDepthFirst(nodes: DataModelNode[]): DataModelNode[] {
  const keyed = nodes.map((n) => ({ n, segs: segmentsOf(n.path) }));
  keyed.sort((a, b) => compareSegments(a.segs, b.segs));
  return keyed.map((k) => k.n);
}

/** Compares two paths given as segment lists, numbers numerically, names by code unit. */
export function compareSegments(a: readonly string[], b: readonly string[]): number {
  const len = Math.min(a.length, b.length);
  for (let i = 0; i < len; i++) {
    const x = a[i] ?? "";
    const y = b[i] ?? "";
    if (x === y) continue;
    const xn = isInstanceSegment(x);
    const yn = isInstanceSegment(y);
    if (xn && yn) return Number(x) - Number(y);
    if (xn !== yn) return xn ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

function subtreeEnds(nodes: readonly DataModelNode[]): Int32Array {
  const end = new Int32Array(nodes.length);
  const open: number[] = [];
  nodes.forEach((node, i) => {
    while (open.length > 0) {
      const top = open[open.length - 1] ?? 0;
      if (node.path.startsWith(nodes[top]?.path ?? "\0")) break;
      end[top] = i;
      open.pop();
    }
    if (node.object) open.push(i);
    else end[i] = i + 1;
  });
  for (const i of open) end[i] = nodes.length;
  return end;
}

function identityOf(hint: Partial<DeviceIdStruct>, byPath: ReadonlyMap<string, DataModelNode>, root: string): DeviceIdStruct {
  const info = (name: string): string => byPath.get(`${root}DeviceInfo.${name}`)?.value ?? "";
  return {
    manufacturer: hint.manufacturer ?? info("Manufacturer"),
    oui: hint.oui ?? info("ManufacturerOUI"),
    productClass: hint.productClass ?? info("ProductClass"),
    serialNumber: hint.serialNumber ?? info("SerialNumber"),
  };
}
