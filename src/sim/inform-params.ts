/** The Inform ParameterList of a simulated CPE (cwmp-notes §7.2). */
import type { ParamValue } from "../cwmp/types.js";
import type { DeviceParams } from "./state.js";

/**
 * The forced-inform parameters present in the model (TR-098 adds the default WAN connection's
 * ExternalIPAddress), then the parameters whose change is being notified (`4 VALUE CHANGE`).
 */
export function informParameters(p: DeviceParams, changed: ReadonlySet<string> | undefined): ParamValue[] {
  const paths = [...p.paths.forcedInform];
  const wan = p.tree.base.kind === "tr098" ? externalIpPath(p) : undefined;
  if (wan !== undefined) paths.push(wan);
  for (const c of changed ?? []) if (!paths.includes(c)) paths.push(c);
  const list: ParamValue[] = [];
  for (const path of paths) {
    const node = p.tree.node(path);
    if (node !== undefined && !node.object) list.push({ name: path, value: p.reported(node), type: node.type });
  }
  return list;
}

/** The default connection's ExternalIPAddress (Layer3Forwarding.DefaultConnectionService), else the model's fallback. */
function externalIpPath(p: DeviceParams): string | undefined {
  const service = (p.value(p.paths.defaultConnectionService) ?? "").trim().replace(/\.$/, "");
  const named = service === "" ? undefined : `${service}.ExternalIPAddress`;
  if (named !== undefined && p.tree.node(named) !== undefined) return named;
  return p.paths.fallbackExternalIp;
}
