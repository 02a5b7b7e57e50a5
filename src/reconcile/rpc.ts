/** Plan step -> the CWMP request the session sends. Pure; wire normalisation per device quirks happens here. */
import { assertNever } from "../domain/result.js";
import type { AcsRequest } from "../cwmp/types.js";
import { normaliseForWire } from "./equality.js";
import { rebootCommandKey } from "./parameter-key.js";
import type { DeviceQuirks, PlanStep } from "./types.js";

const FIRMWARE_IMAGE = "1 Firmware Upgrade Image";

/**
 * The request for `step`. SetParameterValues, AddObject and DeleteObject carry `parameterKey` (the CPE echoes it
 * in every Inform, TR-069 A.3.2.1); values go out in the wire form the device accepts (`normaliseForWire`).
 */
export function requestFor(step: PlanStep, parameterKey: string, quirks: DeviceQuirks): AcsRequest {
  switch (step.kind) {
    case "discover":
      // TR-069 A.3.2.3: NextLevel=true lists only the object's direct children: one level, never the whole tree.
      return { method: "GetParameterNames", path: step.path, nextLevel: true };
    case "refresh":
      return { method: "GetParameterValues", names: step.paths };
    case "readAttributes":
      return { method: "GetParameterAttributes", names: step.paths };
    case "deleteObject":
      return { method: "DeleteObject", objectName: step.object, parameterKey };
    case "addObject":
      return { method: "AddObject", objectName: step.table, parameterKey };
    case "setValues":
      // cwmp-notes §2.4: always send xsi:type, the CPE's own type for the parameter (else 9006).
      return {
        method: "SetParameterValues",
        values: step.values.map((v) => ({ name: v.name, type: v.type, value: normaliseForWire(v.type, v.value, quirks) })),
        parameterKey,
      };
    case "setAttributes":
      return {
        method: "SetParameterAttributes",
        attributes: step.attributes.map((a) => ({
          name: a.path,
          notificationChange: true,
          notification: a.notification,
          accessListChange: false,
          accessList: [],
        })),
      };
    case "download":
      return downloadRequest(step);
    case "reboot":
      return { method: "Reboot", commandKey: rebootCommandKey(parameterKey) };
    default:
      return assertNever(step);
  }
}

function downloadRequest(step: Extract<PlanStep, { kind: "download" }>): AcsRequest {
  return {
    method: "Download",
    commandKey: step.commandKey,
    fileType: step.fileType ?? FIRMWARE_IMAGE,
    url: step.url,
    username: step.username ?? "",
    password: step.password ?? "",
    fileSize: step.fileSize,
    targetFileName: "",
    delaySeconds: 0,
    successUrl: "",
    failureUrl: "",
  };
}
