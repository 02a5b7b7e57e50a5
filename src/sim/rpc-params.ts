/** Parameter RPCs of a simulated CPE: Get/SetParameterValues, GetParameterNames, Get/SetParameterAttributes. */
import type { CpeMessage, ParamAttribute, ParamInfo, ParamValue, SetAttributeStruct, SetParameterValuesFault } from "../cwmp/types.js";
import type { DataModelNode } from "../datamodel/types.js";
import { CPE_FAULT } from "../domain/faults.js";
import { cpeFault, spvFault } from "./faults.js";
import type { DeviceParams } from "./state.js";
import { isValidValue } from "./values.js";

/** Resolves a name ("" = root, "X." = subtree, "X.Y" = one parameter) to the parameters it covers. */
function expand(p: DeviceParams, name: string): DataModelNode[] | undefined {
  const path = name === "" ? p.tree.base.root : name;
  const node = p.tree.node(path);
  if (node === undefined) return undefined;
  if (!node.object) return [node];
  const out: DataModelNode[] = [];
  p.tree.walk(path, (n) => {
    if (!n.object) out.push(n);
  });
  return out;
}

/** TR-069 A.3.2.2: one unknown name faults the whole call with 9005. */
export function getParameterValues(p: DeviceParams, names: readonly string[]): CpeMessage {
  const list: ParamValue[] = [];
  for (const name of names) {
    const nodes = expand(p, name);
    if (nodes === undefined) return cpeFault(CPE_FAULT.INVALID_PARAMETER_NAME);
    for (const n of nodes) list.push({ name: n.path, value: p.reported(n), type: n.type });
  }
  return { method: "GetParameterValuesResponse", parameterList: list };
}

/**
 * TR-069 A.3.2.3: NextLevel=true lists direct children ("" lists the root object); NextLevel=false lists the
 * named object itself and everything beneath. A full parameter name with NextLevel=true is 9003.
 */
export function getParameterNames(p: DeviceParams, path: string, nextLevel: boolean): CpeMessage {
  const info = (n: DataModelNode): ParamInfo => ({ name: n.path, writable: n.writable });
  const root = p.tree.node(p.tree.base.root);
  const node = path === "" ? root : p.tree.node(path);
  if (node === undefined) return cpeFault(CPE_FAULT.INVALID_PARAMETER_NAME);
  const list: ParamInfo[] = [];
  if (path === "" && nextLevel) {
    list.push(info(node));
  } else if (!node.object) {
    if (nextLevel) return cpeFault(CPE_FAULT.INVALID_ARGUMENTS);
    list.push(info(node));
  } else if (nextLevel) {
    for (const child of p.tree.children(node.path)) list.push(info(child));
  } else {
    list.push(info(node));
    p.tree.walk(node.path, (n) => list.push(info(n)));
  }
  return { method: "GetParameterNamesResponse", parameterList: list };
}

/** TR-069 A.3.2.1: ParameterKey is a string(32); a longer one is 9003 (a full SHA-256 hex does not fit). */
export function validParameterKey(key: string): boolean {
  return [...key].length <= 32;
}

/** Why one SPV item cannot be applied, or undefined when it can. */
function spvItemFault(p: DeviceParams, item: ParamValue): number | undefined {
  const node = p.tree.node(item.name);
  if (node === undefined || node.object) return CPE_FAULT.INVALID_PARAMETER_NAME;
  const injected = p.injectedFault(item.name, item.value);
  if (injected !== undefined) return injected;
  if (!node.writable) return CPE_FAULT.NON_WRITABLE_PARAMETER;
  if (item.type !== node.type) return CPE_FAULT.INVALID_PARAMETER_TYPE;
  if (!isValidValue(node.type, item.value)) return CPE_FAULT.INVALID_PARAMETER_VALUE;
  return undefined;
}

const PER_PARAMETER = new Set<number>([
  CPE_FAULT.INVALID_PARAMETER_NAME,
  CPE_FAULT.INVALID_PARAMETER_TYPE,
  CPE_FAULT.INVALID_PARAMETER_VALUE,
  CPE_FAULT.NON_WRITABLE_PARAMETER,
]);

/**
 * TR-069 A.3.2.1: validates every item first and applies all or nothing. Parameter errors give fault 9003
 * with one SetParameterValuesFault per offending item; an injected non-parameter code (9001, 9002, ...) is
 * returned as the fault itself. On success the ParameterKey takes the request's key.
 */
export function setParameterValues(p: DeviceParams, values: readonly ParamValue[], parameterKey: string): CpeMessage {
  const names = new Set(values.map((v) => v.name));
  if (names.size !== values.length) return cpeFault(CPE_FAULT.INVALID_ARGUMENTS, [], "Parameter set twice");
  if (!validParameterKey(parameterKey)) return cpeFault(CPE_FAULT.INVALID_ARGUMENTS, [], "ParameterKey longer than 32");
  const faults: SetParameterValuesFault[] = [];
  for (const item of values) {
    const code = spvItemFault(p, item);
    if (code === undefined) continue;
    if (!PER_PARAMETER.has(code)) return cpeFault(code);
    faults.push(spvFault(item.name, code));
  }
  if (faults.length > 0) return cpeFault(CPE_FAULT.INVALID_ARGUMENTS, faults);
  for (const item of values) {
    const node = p.tree.node(item.name);
    if (node !== undefined) p.write(node, item.value);
  }
  p.parameterKey = parameterKey;
  const status = values.some((v) => p.rebootRequired(v.name)) ? 1 : 0;
  return { method: "SetParameterValuesResponse", status };
}

/** TR-069 A.3.2.5: attributes of every parameter the names cover. */
export function getParameterAttributes(p: DeviceParams, names: readonly string[]): CpeMessage {
  const list: ParamAttribute[] = [];
  for (const name of names) {
    const nodes = expand(p, name);
    if (nodes === undefined) return cpeFault(CPE_FAULT.INVALID_PARAMETER_NAME);
    for (const n of nodes) list.push({ name: n.path, notification: p.notification(n.path), accessList: p.accessList(n.path) });
  }
  return { method: "GetParameterAttributesResponse", parameterList: list };
}

/** TR-069 A.3.2.4: all-or-nothing; partial paths apply to every parameter beneath; 9009 on rejected paths. */
export function setParameterAttributes(p: DeviceParams, attributes: readonly SetAttributeStruct[]): CpeMessage {
  const resolved: { readonly nodes: DataModelNode[]; readonly attr: SetAttributeStruct }[] = [];
  for (const attr of attributes) {
    const nodes = expand(p, attr.name);
    if (nodes === undefined) return cpeFault(CPE_FAULT.INVALID_PARAMETER_NAME);
    const rejected = attr.notificationChange && attr.notification > 0 && nodes.some((n) => p.notificationRejected(n.path));
    if (rejected) return cpeFault(CPE_FAULT.NOTIFICATION_REJECTED);
    resolved.push({ nodes, attr });
  }
  for (const { nodes, attr } of resolved) {
    for (const n of nodes) {
      p.setAttribute(n.path, {
        notification: attr.notificationChange ? attr.notification : p.notification(n.path),
        accessList: attr.accessListChange ? attr.accessList : p.accessList(n.path),
      });
    }
  }
  return { method: "SetParameterAttributesResponse" };
}
