/**
 * What Converge knows about a device from its Informs: ONE shape, used by the session, the store, the
 * planner, policies and the API. Pure data.
 */
import type { DataModel, DeviceId } from "./device.js";
import type { XsdType } from "./xsd.js";

/** The facts of a device: its identity and what its last Inform said about itself. */
export interface DeviceFacts {
  readonly deviceId: DeviceId;
  readonly manufacturer: string;
  readonly oui: string;
  readonly productClass: string;
  readonly serialNumber: string;
  readonly softwareVersion: string;
  readonly hardwareVersion: string;
  /** The peer address the CWMP route saw. */
  readonly ip: string;
  readonly connectionRequestUrl: string;
  readonly udpConnectionRequestAddress: string;
  readonly parameterKey: string;
  readonly dataModel: DataModel | undefined;
}

/** One event of an Inform (TR-069 A.3.3.1), its code normalised by the decoder ("1 BOOT", "M Reboot"). */
export interface InformEvent {
  readonly code: string;
  readonly commandKey: string;
}

/** A value a CPE reported, as it sent it (values stay strings end to end). */
export interface ReportedValue {
  readonly name: string;
  readonly value: string;
  readonly type: XsdType;
}

/** One Inform: the device's facts, its events and its ParameterList (stored as reported values observed then). */
export interface InformFacts extends DeviceFacts {
  readonly events: readonly InformEvent[];
  readonly parameters: readonly ReportedValue[];
}

/** What policies match on and templates read: the facts, the operator's tags, the reported values by path. */
export interface MatchSubject extends DeviceFacts {
  readonly tags: readonly string[];
  readonly parameters: ReadonlyMap<string, string>;
}

/** What policies see of a stored device: its facts, its tags, its reported values by path. */
export function matchSubjectOf(
  d: DeviceFacts & { readonly tags: readonly string[] },
  reported: { readonly params: ReadonlyMap<string, { readonly value: string }> },
): MatchSubject {
  const parameters = new Map<string, string>();
  for (const [path, p] of reported.params) parameters.set(path, p.value);
  return {
    deviceId: d.deviceId,
    manufacturer: d.manufacturer,
    oui: d.oui,
    productClass: d.productClass,
    serialNumber: d.serialNumber,
    softwareVersion: d.softwareVersion,
    hardwareVersion: d.hardwareVersion,
    ip: d.ip,
    connectionRequestUrl: d.connectionRequestUrl,
    udpConnectionRequestAddress: d.udpConnectionRequestAddress,
    parameterKey: d.parameterKey,
    dataModel: d.dataModel,
    tags: d.tags,
    parameters,
  };
}
