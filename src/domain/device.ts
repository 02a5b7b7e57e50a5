/** Device identity and the facts an Inform carries. */
declare const brand: unique symbol;
export type DeviceId = string & { readonly [brand]: "DeviceId" };

/** The DeviceIdStruct of an Inform, structural fields trimmed. */
export interface DeviceIdStruct {
  readonly manufacturer: string;
  readonly oui: string;
  readonly productClass: string;
  readonly serialNumber: string;
}

/**
 * `OUI-ProductClass-SerialNumber`, the identity GenieACS and most ACSs use. The OUI is upper-cased (CPEs send
 * "00d09e"), whitespace trimmed, and ProductClass/Serial are percent-encoded for `-`, `%` and spaces so the
 * three parts stay separable and the id is URL-safe.
 */
export function deviceIdOf(d: DeviceIdStruct): DeviceId {
  const enc = (s: string): string => s.trim().replace(/[%\- /?#]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
  return `${d.oui.trim().toUpperCase()}-${enc(d.productClass)}-${enc(d.serialNumber)}` as DeviceId;
}

/** Parses an id given by an operator (API, CLI); the only other way to make a DeviceId. */
export function parseDeviceId(s: string): DeviceId | undefined {
  return /^[0-9A-Fa-f]{6}-[^-\s]*-[^-\s]+$/.test(s) ? (s as DeviceId) : undefined;
}

export type DataModel = "tr098" | "tr181";

export function dataModelOf(rootOrPath: string): DataModel | undefined {
  if (rootOrPath.startsWith("InternetGatewayDevice.")) return "tr098";
  if (rootOrPath.startsWith("Device.")) return "tr181";
  return undefined;
}
