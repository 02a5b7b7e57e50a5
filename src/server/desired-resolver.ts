/**
 * The desired state of one device under the current policy snapshot, plus what Converge itself manages:
 * per-device connection request credentials (random secrets kept server-side, provisioned through the
 * reconciler like any other value; a policy that sets these paths wins, so rotation is a policy change).
 */
import { randomBytes } from "node:crypto";
import type { DeviceId } from "../domain/device.js";
import { generateConnReqCredentials } from "../connreq/credentials.js";
import { desiredStateFor, type VersionPins } from "../policy/desired.js";
import type { PolicySet } from "../policy/types.js";
import type { DesiredState, DesiredValue, MatchSubject } from "../policy/desired.types.js";
import type { Store } from "../domain/store.js";
import { FILES_PREFIX } from "../policy/hosted-path.js";

export const CR_USERNAME = "connreq.username";
export const CR_PASSWORD = "connreq.password";

const FROM = { policy: "converge:connection-request", file: "(built in)", line: 0 } as const;

/** Credentials as stored among a device's secrets, if both are. */
export function storedCredentials(secrets: ReadonlyMap<string, string>): { username: string; password: string } | undefined {
  const username = secrets.get(CR_USERNAME);
  const password = secrets.get(CR_PASSWORD);
  return username !== undefined && password !== undefined ? { username, password } : undefined;
}

/** Fresh connection request credentials for a device whose secrets lack them (undefined when it has both). */
export function drawConnReqCredentials(secrets: ReadonlyMap<string, string>, id: DeviceId): ReadonlyMap<string, string> | undefined {
  if (storedCredentials(secrets)) return undefined;
  const fresh = generateConnReqCredentials(id, randomBytes);
  return new Map([
    [CR_USERNAME, fresh.username],
    [CR_PASSWORD, fresh.password],
  ]);
}

/** The credentials Converge uses to reach this device, generated once and kept in the store. */
export async function connReqCredentials(store: Store, id: DeviceId): Promise<{ username: string; password: string }> {
  const secrets = await store.getSecrets(id);
  const drawn = drawConnReqCredentials(secrets, id);
  for (const [name, value] of drawn ?? []) await store.setSecret(id, name, value);
  const creds = storedCredentials(drawn ?? secrets);
  if (!creds) throw new Error("connection request credentials missing");
  return creds;
}

/**
 * The built-in values: the password always; the username set to ours, or, for a model that keeps its own
 * (`reported`), only read (`observe`: never written; its value is the one the CPE last reported).
 */
function credentialValues(
  root: string,
  creds: { username: string; password: string },
  username: UsernameMode,
  reported: ReadonlyMap<string, string>,
): DesiredValue[] {
  // Literals rather than a shared base spread: a spread followed by keys it lacks costs V8 ~1 µs per key (Node 20),
  // and these are built at every converge session.
  const [type, drift, verifyEveryMs] = ["xsd:string" as const, "heal" as const, 7 * 24 * 3_600_000];
  const userPath = `${root}ManagementServer.ConnectionRequestUsername`;
  const user: DesiredValue =
    username === "reported"
      ? { type, drift, verifyEveryMs, from: FROM, path: userPath, value: reported.get(userPath) ?? "", writeOnly: false, builtin: true, observe: true }
      : { type, drift, verifyEveryMs, from: FROM, path: userPath, value: creds.username, writeOnly: false, builtin: true };
  const password = `${root}ManagementServer.ConnectionRequestPassword`;
  return [user, { type, drift, verifyEveryMs, from: FROM, path: password, value: creds.password, writeOnly: true, builtin: true }];
}

type UsernameMode = "provisioned" | "reported";

export interface DesiredResolverOptions {
  readonly current: () => PolicySet | undefined;
  /** Provision the connection request credentials found among the device's secrets (false: never). */
  readonly provisionConnReq: boolean | "existing";
  /** Which version of each policy a device gets while rollouts are in progress (the rollout manager). */
  readonly pins?: (facts: MatchSubject) => VersionPins | undefined;
  /** Hosted firmware (`/files/...`): how the CPE reaches it. Absent: the URL stays relative (plan, explain). */
  readonly hosted?: HostedFiles;
  /**
   * Per model (`quirks:` connReqUsername, server/model-selector.ts): "reported" models keep their own connection
   * request username, so only the password is provisioned (the username is read, never set). Absent: "provisioned".
   */
  readonly connReqUsername?: (facts: MatchSubject) => UsernameMode;
}

export interface HostedFiles {
  /** The base URL CPEs reach the files route at (files.publicUrl, else the CWMP listener's URL); read per call. */
  readonly base: () => string | undefined;
  /** files.auth: cpe: the credentials the Download carries when the policy gives none (the device's own, else shared). */
  readonly credentials?: (id: DeviceId, secrets: ReadonlyMap<string, string>) => { readonly username: string; readonly password: string } | undefined;
}

/** A Download of a hosted file gets an absolute URL (and, behind CPE auth, the device's credentials). */
function withHostedFirmware(desired: DesiredState, id: DeviceId, secrets: ReadonlyMap<string, string>, hosted: HostedFiles | undefined): DesiredState {
  const fw = desired.firmware;
  if (!hosted || fw === undefined || !fw.url.startsWith(FILES_PREFIX)) return desired;
  const base = hosted.base();
  if (base === undefined) return desired;
  const creds = fw.username === "" && fw.password === "" ? hosted.credentials?.(id, secrets) : undefined;
  return {
    ...desired,
    firmware: { ...fw, url: `${base.replace(/\/+$/, "")}${fw.url}`, ...(creds ? { username: creds.username, password: creds.password } : {}) },
  };
}

/**
 * The desired state of a device under `set` (default: the current snapshot). Pure given its inputs: the
 * device's secrets are passed in (the session's Inform load, or `loadConnReqSecrets`); it never writes.
 */
export type DesiredResolver = (facts: MatchSubject, secrets: ReadonlyMap<string, string>, set?: PolicySet) => DesiredState | undefined;

export function createDesiredResolver(opts: DesiredResolverOptions): DesiredResolver {
  return (facts, secrets, set = opts.current()) => {
    if (!set) return undefined;
    const desired = withHostedFirmware(desiredStateFor(set, facts, opts.pins?.(facts)), facts.deviceId, secrets, opts.hosted);
    const root = facts.dataModel === "tr098" ? "InternetGatewayDevice." : facts.dataModel === "tr181" ? "Device." : undefined;
    // Opted out per policy or model (`connectionRequest: { provision: false }`), or globally.
    if (!opts.provisionConnReq || !root || desired.provisionConnectionRequest === false) return desired;
    const creds = storedCredentials(secrets);
    if (!creds) return desired;
    const own = credentialValues(root, creds, opts.connReqUsername?.(facts) ?? "provisioned", facts.parameters);
    const taken = new Set(desired.values.map((v) => v.path));
    const extra = own.filter((v) => !taken.has(v.path));
    return extra.length === 0 ? desired : { ...desired, values: [...desired.values, ...extra] };
  };
}
