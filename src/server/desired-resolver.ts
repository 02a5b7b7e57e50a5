/**
 * The desired state of one device under the current policy snapshot, plus what Converge itself manages:
 * per-device connection request credentials (random secrets kept server-side, provisioned through the
 * reconciler like any other value; a policy that sets these paths wins, so rotation is a policy change).
 */
import { randomBytes } from "node:crypto";
import type { DeviceId } from "../domain/device.js";
import { generateConnReqCredentials } from "../connreq/credentials.js";
import { desiredStateFor } from "../policy/desired.js";
import type { PolicySet } from "../policy/types.js";
import type { DesiredState, DesiredValue, DeviceFacts } from "../policy/desired.types.js";
import type { Store } from "../store/types.js";

export const CR_USERNAME = "connreq.username";
export const CR_PASSWORD = "connreq.password";

const FROM = { policy: "converge:connection-request", file: "(built in)", line: 0 } as const;

/** The credentials Converge uses to reach this device, generated once and kept in the store. */
export function connReqCredentials(store: Store, id: DeviceId): { username: string; password: string } {
  const stored = storedCredentials(store, id);
  if (stored) return stored;
  const fresh = generateConnReqCredentials(id, randomBytes);
  store.setSecret(id, CR_USERNAME, fresh.username);
  store.setSecret(id, CR_PASSWORD, fresh.password);
  return fresh;
}

function credentialValues(root: string, creds: { username: string; password: string }): DesiredValue[] {
  const base = { type: "xsd:string" as const, drift: "heal" as const, verifyEveryMs: 7 * 24 * 3_600_000, from: FROM };
  return [
    { ...base, path: `${root}ManagementServer.ConnectionRequestUsername`, value: creds.username, writeOnly: false, builtin: true },
    { ...base, path: `${root}ManagementServer.ConnectionRequestPassword`, value: creds.password, writeOnly: true, builtin: true },
  ];
}

export interface DesiredResolverOptions {
  readonly current: () => PolicySet | undefined;
  readonly store: Store;
  /** "provision": generate missing credentials (the server); "existing": use stored ones only (plan, explain). */
  readonly provisionConnReq: boolean | "existing";
}

function storedCredentials(store: Store, id: DeviceId): { username: string; password: string } | undefined {
  const username = store.getSecret(id, CR_USERNAME);
  const password = store.getSecret(id, CR_PASSWORD);
  return username !== undefined && password !== undefined ? { username, password } : undefined;
}

export type DesiredResolver = (facts: DeviceFacts, set?: PolicySet) => DesiredState | undefined;

export function createDesiredResolver(opts: DesiredResolverOptions): DesiredResolver {
  return (facts, set = opts.current()) => {
    if (!set) return undefined;
    const desired = desiredStateFor(set, facts);
    const root = facts.dataModel === "tr098" ? "InternetGatewayDevice." : facts.dataModel === "tr181" ? "Device." : undefined;
    // Opted out per policy or model (`connectionRequest: { provision: false }`), or globally.
    if (!opts.provisionConnReq || !root || desired.provisionConnectionRequest === false) return desired;
    const id = facts.id as DeviceId;
    const creds = opts.provisionConnReq === "existing" ? storedCredentials(opts.store, id) : connReqCredentials(opts.store, id);
    if (!creds) return desired;
    const own = credentialValues(root, creds);
    const taken = new Set(desired.values.map((v) => v.path));
    const extra = own.filter((v) => !taken.has(v.path));
    return extra.length === 0 ? desired : { ...desired, values: [...desired.values, ...extra] };
  };
}
