/** Well-known paths of a data model, computed once per shared model (not per device). */
import type { DataModel } from "../datamodel/types.js";
import { isInstanceSegment, parentOf, segmentsOf } from "../datamodel/model.js";

export interface ModelPaths {
  readonly parameterKey: string;
  readonly connectionRequestUrl: string;
  readonly connectionRequestUsername: string;
  readonly connectionRequestPassword: string;
  readonly softwareVersion: string;
  readonly serialNumber: string;
  readonly defaultConnectionService: string;
  /** TR-069 forced-inform parameters present in the model, in Inform order (without the WAN address). */
  readonly forcedInform: readonly string[];
  /** TR-098: an ExternalIPAddress to report when DefaultConnectionService names none. */
  readonly fallbackExternalIp: string | undefined;
  /** Table pattern ("A.{i}.B.") -> the first instance of any table of that shape in the model ("A.1.B.1."). */
  readonly instanceTemplates: ReadonlyMap<string, string>;
}

const cache = new WeakMap<DataModel, ModelPaths>();

// cwmp-notes §7.2: forcedInform="true" parameters of TR-098 and TR-181 (Device:2).
const FORCED_TR098 = [
  "DeviceSummary",
  "DeviceInfo.SpecVersion",
  "DeviceInfo.HardwareVersion",
  "DeviceInfo.SoftwareVersion",
  "DeviceInfo.ProvisioningCode",
  "ManagementServer.ConnectionRequestURL",
  "ManagementServer.ParameterKey",
];
const FORCED_TR181 = [
  "RootDataModelVersion",
  "DeviceInfo.HardwareVersion",
  "DeviceInfo.SoftwareVersion",
  "DeviceInfo.ProvisioningCode",
  "ManagementServer.ConnectionRequestURL",
  "ManagementServer.ParameterKey",
];
const WAN_IP = /\.WANDevice\.[0-9]+\.WANConnectionDevice\.[0-9]+\.WAN(IP|PPP)Connection\.[0-9]+\.ExternalIPAddress$/;

/** The well-known paths of `model` (cached per model). */
export function modelPaths(model: DataModel): ModelPaths {
  const hit = cache.get(model);
  if (hit !== undefined) return hit;
  const r = model.root;
  const forced = (model.kind === "tr098" ? FORCED_TR098 : FORCED_TR181).map((p) => r + p).filter((p) => model.index.has(p));
  const paths: ModelPaths = {
    parameterKey: `${r}ManagementServer.ParameterKey`,
    connectionRequestUrl: `${r}ManagementServer.ConnectionRequestURL`,
    connectionRequestUsername: `${r}ManagementServer.ConnectionRequestUsername`,
    connectionRequestPassword: `${r}ManagementServer.ConnectionRequestPassword`,
    softwareVersion: `${r}DeviceInfo.SoftwareVersion`,
    serialNumber: `${r}DeviceInfo.SerialNumber`,
    defaultConnectionService: `${r}Layer3Forwarding.DefaultConnectionService`,
    forcedInform: forced,
    fallbackExternalIp: model.kind === "tr098" ? fallbackWanIp(model) : undefined,
    instanceTemplates: instanceTemplates(model),
  };
  cache.set(model, paths);
  return paths;
}

/** The first WAN connection with a usable address, else the first one at all. */
function fallbackWanIp(model: DataModel): string | undefined {
  const candidates = model.nodes.filter((n) => !n.object && WAN_IP.test(n.path));
  const usable = candidates.find((n) => n.value !== "" && n.value !== "0.0.0.0");
  return (usable ?? candidates[0])?.path;
}

/** A table path with its instance numbers generalised: "A.2.B." -> "A.{i}.B.". */
export function tablePattern(tablePath: string): string {
  return `${segmentsOf(tablePath)
    .map((s) => (isInstanceSegment(s) ? "{i}" : s))
    .join(".")}.`;
}

function instanceTemplates(model: DataModel): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of model.nodes) {
    if (!n.object || !isInstanceSegment(segmentsOf(n.path).pop() ?? "")) continue;
    const key = tablePattern(parentOf(n.path));
    if (!out.has(key)) out.set(key, n.path);
  }
  return out;
}
