/**
 * Extracts the facts Converge keeps about a device from its Inform (pure). The forced-inform parameters
 * (TR-098/TR-181 DeviceInfo and ManagementServer) carry versions, the connection request URL and the
 * ParameterKey; which root the parameters use tells the data model.
 */
import { dataModelOf, deviceIdOf } from "../domain/device.js";
import type { InformRequest } from "../cwmp/types.js";
import type { InformFacts } from "../domain/facts.js";

const SUFFIXES = {
  softwareVersion: ".DeviceInfo.SoftwareVersion",
  hardwareVersion: ".DeviceInfo.HardwareVersion",
  connectionRequestUrl: ".ManagementServer.ConnectionRequestURL",
  udpConnectionRequestAddress: ".ManagementServer.UDPConnectionRequestAddress",
  parameterKey: ".ManagementServer.ParameterKey",
} as const;

type FactKey = keyof typeof SUFFIXES;

function pick(inform: InformRequest): Record<FactKey, string> {
  const out: Record<FactKey, string> = {
    softwareVersion: "",
    hardwareVersion: "",
    connectionRequestUrl: "",
    udpConnectionRequestAddress: "",
    parameterKey: "",
  };
  for (const p of inform.parameterList) {
    for (const key of Object.keys(SUFFIXES) as FactKey[]) {
      // Only the two-level standard paths: "InternetGatewayDevice.DeviceInfo.SoftwareVersion", "Device.…".
      if (p.name.endsWith(SUFFIXES[key]) && p.name.indexOf(".") === p.name.length - SUFFIXES[key].length) out[key] = p.value.trim();
    }
  }
  return out;
}

/** The facts of an Inform; `ip` is the peer address the route saw. */
export function informFacts(inform: InformRequest, ip: string): InformFacts {
  const picked = pick(inform);
  const first = inform.parameterList.find((p) => dataModelOf(p.name) !== undefined);
  return {
    deviceId: deviceIdOf(inform.deviceId),
    manufacturer: inform.deviceId.manufacturer,
    oui: inform.deviceId.oui.toUpperCase(),
    productClass: inform.deviceId.productClass,
    serialNumber: inform.deviceId.serialNumber,
    ...picked,
    ip,
    dataModel: first ? dataModelOf(first.name) : undefined,
    events: inform.events,
    parameters: inform.parameterList.filter((p) => dataModelOf(p.name) !== undefined).map((p) => ({ name: p.name, value: p.value, type: p.type })),
  };
}
