/**
 * One device's parameter tree: the shared immutable `DataModel` plus a small per-device overlay (changed values,
 * added instances, deleted subtrees). Every overlay structure is created on first use, so an untouched device
 * costs a few fields, whatever the size of its model.
 */
import type { DataModel, DataModelNode } from "../datamodel/types.js";
import { isInstanceSegment, parentOf, segmentsOf } from "../datamodel/model.js";
import type { XsdType } from "../domain/xsd.js";
import { modelPaths, tablePattern } from "./model-paths.js";
import { standardInstanceParams } from "./standard-instance.js";

export class DeviceTree {
  readonly base: DataModel;
  #values: Map<string, string> | undefined;
  /** Nodes created by AddObject, by path. */
  #added: Map<string, DataModelNode> | undefined;
  /** Parent object path -> added child nodes, in creation order. */
  #addedChildren: Map<string, DataModelNode[]> | undefined;
  /** Base object paths deleted by DeleteObject (their whole subtree is gone). */
  #deleted: Set<string> | undefined;
  /** Table path -> highest instance number ever used (numbers are not reused). */
  #highest: Map<string, number> | undefined;

  readonly #templates: ReadonlyMap<string, string>;

  constructor(base: DataModel) {
    this.base = base;
    this.#templates = modelPaths(base).instanceTemplates;
  }

  /** Forgets every change: the device is back to its model (factory reset). */
  reset(): void {
    this.#values = undefined;
    this.#added = undefined;
    this.#addedChildren = undefined;
    this.#deleted = undefined;
    this.#highest = undefined;
  }

  node(path: string): DataModelNode | undefined {
    const added = this.#added?.get(path);
    if (added !== undefined) return added;
    const i = this.base.index.get(path);
    if (i === undefined || this.#isDeleted(path)) return undefined;
    return this.base.nodes[i];
  }

  value(path: string): string | undefined {
    const node = this.node(path);
    if (node === undefined || node.object) return undefined;
    return this.#values?.get(path) ?? node.value;
  }

  /** Sets a parameter's value; the caller has validated the path. */
  setValue(path: string, value: string): void {
    this.#values ??= new Map();
    this.#values.set(path, value);
  }

  /** Direct children of an object, base first, then added ones. */
  children(objectPath: string): DataModelNode[] {
    const out: DataModelNode[] = [];
    const i = this.base.index.get(objectPath);
    if (i !== undefined && !this.#isDeleted(objectPath)) {
      const end = this.base.subtreeEnd[i] ?? i;
      for (let c = i + 1; c < end; c = this.base.subtreeEnd[c] ?? end) {
        const child = this.base.nodes[c];
        if (child !== undefined && this.#deleted?.has(child.path) !== true) out.push(child);
      }
    }
    const added = this.#addedChildren?.get(objectPath);
    if (added !== undefined) out.push(...added);
    return out;
  }

  /** Depth-first visit of everything below `objectPath` (not the object itself). */
  walk(objectPath: string, visit: (node: DataModelNode) => void): void {
    for (const child of this.children(objectPath)) {
      visit(child);
      if (child.object) this.walk(child.path, visit);
    }
  }

  /** Instance numbers currently present in a table ("A.Table."). */
  instances(tablePath: string): number[] {
    return this.children(tablePath)
      .filter((n) => n.object && isInstanceSegment(segmentsOf(n.path).pop() ?? ""))
      .map((n) => Number(segmentsOf(n.path).pop()));
  }

  /**
   * TR-069 A.3.2.6: creates instance max+1 of a table, shaped like the table's first instance (its nested
   * tables come out empty) with default values and the template's writable flags. Returns the new number.
   */
  addInstance(tablePath: string, withChildren = true): number {
    const n = this.#nextInstanceNumber(tablePath);
    const instancePath = `${tablePath}${n}.`;
    const template = this.#templateOf(tablePath);
    this.#addNode({ path: instancePath, object: true, writable: template?.writable ?? true, value: "", type: "xsd:string" });
    // Quirk newInstanceWithoutChildren: a real agent whose new object has no parameters at all.
    if (!withChildren) return n;
    if (template !== undefined) {
      for (const t of this.#subtreeOf(template)) {
        const rel = t.path.slice(template.path.length);
        if (segmentsOf(rel).some(isInstanceSegment)) continue;
        const value = t.object ? "" : defaultValue(t.type);
        this.#addNode({ path: instancePath + rel, object: t.object, writable: t.writable, value, type: t.type });
      }
    } else {
      // No instance anywhere in the exported model: create what the standard defines for one.
      for (const p of standardInstanceParams(tablePath)) {
        this.#addNode({ path: instancePath + p.name, object: false, writable: p.writable, value: defaultValue(p.type), type: p.type });
      }
    }
    return n;
  }

  /** Deletes an instance ("A.Table.3.") and its subtree; the caller has validated the path. */
  deleteInstance(instancePath: string): void {
    for (const path of [...(this.#values?.keys() ?? [])]) {
      if (path.startsWith(instancePath)) this.#values?.delete(path);
    }
    if (this.#added?.has(instancePath) === true) {
      this.#removeAdded(instancePath);
    } else {
      this.#deleted ??= new Set();
      this.#deleted.add(instancePath);
    }
  }

  #isDeleted(path: string): boolean {
    const deleted = this.#deleted;
    if (deleted === undefined || deleted.size === 0) return false;
    for (let dot = path.indexOf("."); dot >= 0; dot = path.indexOf(".", dot + 1)) {
      if (deleted.has(path.slice(0, dot + 1))) return true;
    }
    return false;
  }

  #nextInstanceNumber(tablePath: string): number {
    const seen = [this.#highest?.get(tablePath) ?? 0, ...this.instances(tablePath), ...this.#baseInstances(tablePath)];
    const n = Math.max(...seen) + 1;
    this.#highest ??= new Map();
    this.#highest.set(tablePath, n);
    return n;
  }

  /** Instance numbers of the table in the base model, deleted or not. */
  #baseInstances(tablePath: string): number[] {
    const i = this.base.index.get(tablePath);
    if (i === undefined) return [];
    const out: number[] = [];
    const end = this.base.subtreeEnd[i] ?? i;
    for (let c = i + 1; c < end; c = this.base.subtreeEnd[c] ?? end) {
      const seg = segmentsOf(this.base.nodes[c]?.path ?? "").pop() ?? "";
      if (isInstanceSegment(seg)) out.push(Number(seg));
    }
    return out;
  }

  /**
   * The first instance of the table in the base model (even if deleted); else the first instance of a table
   * of the same shape elsewhere in the model (a new WANConnectionDevice's WANPPPConnection table takes the
   * shape of WANConnectionDevice.1.WANPPPConnection.1); else the first added one.
   */
  #templateOf(tablePath: string): DataModelNode | undefined {
    const first = this.#baseInstances(tablePath)[0];
    const path = first !== undefined ? `${tablePath}${first}.` : this.#templates.get(tablePattern(tablePath));
    const base = path === undefined ? undefined : this.base.nodes[this.base.index.get(path) ?? -1];
    return base ?? this.children(tablePath).find((n) => n.object);
  }

  #subtreeOf(object: DataModelNode): DataModelNode[] {
    const i = this.base.index.get(object.path);
    if (i !== undefined && this.base.nodes[i] === object) {
      return this.base.nodes.slice(i + 1, this.base.subtreeEnd[i] ?? i);
    }
    const out: DataModelNode[] = [];
    this.walk(object.path, (n) => out.push(n));
    return out;
  }

  #addNode(node: DataModelNode): void {
    this.#added ??= new Map();
    this.#addedChildren ??= new Map();
    const frozen = Object.freeze(node);
    this.#added.set(node.path, frozen);
    const parent = parentOf(node.path);
    const siblings = this.#addedChildren.get(parent);
    if (siblings === undefined) this.#addedChildren.set(parent, [frozen]);
    else siblings.push(frozen);
  }

  #removeAdded(instancePath: string): void {
    const parent = parentOf(instancePath);
    const siblings = this.#addedChildren?.get(parent)?.filter((n) => n.path !== instancePath);
    if (siblings !== undefined) this.#addedChildren?.set(parent, siblings);
    for (const path of [...(this.#added?.keys() ?? [])]) {
      if (!path.startsWith(instancePath)) continue;
      this.#added?.delete(path);
      this.#addedChildren?.delete(path);
    }
  }
}

/** The value a freshly created parameter holds. */
export function defaultValue(type: XsdType): string {
  switch (type) {
    case "xsd:boolean":
      return "false";
    case "xsd:int":
    case "xsd:unsignedInt":
    case "xsd:long":
    case "xsd:unsignedLong":
      return "0";
    case "xsd:dateTime":
      return "0001-01-01T00:00:00Z";
    default:
      return "";
  }
}
