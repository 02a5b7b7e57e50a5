/** AddObject and DeleteObject on a simulated CPE (TR-069 A.3.2.6, A.3.2.7). */
import type { CpeMessage } from "../cwmp/types.js";
import { isInstanceSegment, parentOf, segmentsOf } from "../datamodel/model.js";
import { CPE_FAULT } from "../domain/faults.js";
import { cpeFault } from "./faults.js";
import { validParameterKey } from "./rpc-params.js";
import type { DeviceParams } from "./state.js";

function lastSegment(path: string): string {
  return segmentsOf(path).pop() ?? "";
}

/**
 * Creates instance max+1 of a multi-instance table ("X.Table."). Unknown paths, parameters and instances are
 * 9005; a table the model marks non-writable is 9001 (request denied). Sets the ParameterKey on success.
 */
export function addObject(p: DeviceParams, objectName: string, parameterKey: string): CpeMessage {
  const node = p.tree.node(objectName);
  if (node === undefined || !node.object || !objectName.endsWith(".") || isInstanceSegment(lastSegment(objectName))) {
    return cpeFault(CPE_FAULT.INVALID_PARAMETER_NAME);
  }
  if (!validParameterKey(parameterKey)) return cpeFault(CPE_FAULT.INVALID_ARGUMENTS);
  const injected = p.injectedFault(objectName);
  if (injected !== undefined) return cpeFault(injected);
  if (!node.writable) return cpeFault(CPE_FAULT.REQUEST_DENIED);
  const instanceNumber = p.tree.addInstance(objectName, p.quirks.newInstanceWithoutChildren !== true);
  p.updateEntryCount(objectName);
  p.parameterKey = parameterKey;
  return { method: "AddObjectResponse", instanceNumber, status: 0 };
}

/**
 * Deletes one instance ("X.Table.3.") and its subtree. Anything that is not an existing instance is 9005
 * (reconcilers treat that as already deleted); an instance marked non-writable is 9001.
 */
export function deleteObject(p: DeviceParams, objectName: string, parameterKey: string): CpeMessage {
  const node = p.tree.node(objectName);
  if (node === undefined || !node.object || !objectName.endsWith(".") || !isInstanceSegment(lastSegment(objectName))) {
    return cpeFault(CPE_FAULT.INVALID_PARAMETER_NAME);
  }
  if (!validParameterKey(parameterKey)) return cpeFault(CPE_FAULT.INVALID_ARGUMENTS);
  const injected = p.injectedFault(objectName);
  if (injected !== undefined) return cpeFault(injected);
  if (!node.writable) return cpeFault(CPE_FAULT.REQUEST_DENIED);
  p.tree.deleteInstance(objectName);
  p.forgetAttributes(objectName);
  p.updateEntryCount(parentOf(objectName));
  p.parameterKey = parameterKey;
  return { method: "DeleteObjectResponse", status: 0 };
}
