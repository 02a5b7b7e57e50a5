/**
 * What a simulated fleet is made of and how it runs: the options of `converge sim`, and the parsers for the
 * model and quirk mixes (`file:weight,...`, `noCookies:5,latin1+chunked:2,none:90`). Pure: no I/O.
 */
import { err, ok, type Result } from "../domain/result.js";
import type { SimQuirks } from "./types.js";

/** Quirk switches the fleet can hand out (those SimDevice and the session client implement). */
export const FLEET_QUIRKS = [
  "noCookies",
  "newConnectionPerRequest",
  "latin1",
  "booleanAsDigit",
  "lyingArrayCounts",
  "chunked",
  "noSoapHeader",
  "revealPasswords",
  "faultDetailInFaultstring",
  "newInstanceWithoutChildren",
  "firmwareNotApplied",
  "ignoresCrUsername",
  "noParameterKey",
  "resetWithoutBootstrap",
  "connReqBasicOnly",
  "authOnlyWithBody",
  "shortNonceBuffer",
  "emptyDigestUri",
  "reusedNonceCount",
  "emptyContentType",
  "noXmlDeclaration",
] as const satisfies readonly (keyof SimQuirks)[];
export type FleetQuirk = (typeof FLEET_QUIRKS)[number];

/** One line per quirk for `converge sim --help` (what the simulated CPE does, as the real ones seen did). */
export const FLEET_QUIRK_HELP: Readonly<Record<FleetQuirk, string>> = {
  noCookies: "never returns cookies (the connection is the session)",
  newConnectionPerRequest: "a new TCP connection for every request",
  latin1: "bodies in ISO-8859-1",
  booleanAsDigit: "booleans as 1/0",
  lyingArrayCounts: "SOAP array sizes that do not match the items",
  chunked: "Transfer-Encoding: chunked bodies",
  noSoapHeader: "no SOAP Header (no cwmp:ID)",
  revealPasswords: 'reads back passwords instead of ""',
  authOnlyWithBody: "Authorization only on requests with a body (the empty POST has the cookie alone)",
  shortNonceBuffer: "cuts a Digest nonce to 32 characters",
  emptyDigestUri: 'sends uri="" in Digest credentials',
  reusedNonceCount: "nc=00000001 on every request; re-authenticates only on stale=true",
  emptyContentType: "the empty POST carries an empty Content-Type: header",
  noXmlDeclaration: "refuses ACS messages that start with <?xml ...?>",
  faultDetailInFaultstring: "SOAP Faults carry <detail><cwmp:Fault> inside <faultstring>",
  newInstanceWithoutChildren: "AddObject creates an instance that shows no children (GPV/SPV of its keys answer 9005)",
  firmwareNotApplied: "a Download reports success (TransferComplete 0) and reboots, but the SoftwareVersion stays old",
  ignoresCrUsername: "accepts SetParameterValues of ConnectionRequestUsername, keeps its own",
  noParameterKey: "never stores ParameterKey (reports it empty)",
  resetWithoutBootstrap: 'after a reset (configuration and ParameterKey gone) informs "1 BOOT", not "0 BOOTSTRAP"',
  connReqBasicOnly: "its connection request listener offers and accepts Basic only",
};

export interface Weighted<T> {
  readonly value: T;
  readonly weight: number;
}

/** One entry of the quirk mix: a named set of switches ("none" = a well-behaved CPE). */
export interface QuirkSet {
  readonly name: string;
  readonly quirks: SimQuirks;
}

export interface FleetOptions {
  readonly acsUrl: string;
  readonly count: number;
  /** Model files (paths) with their weights. */
  readonly models: readonly Weighted<string>[];
  readonly quirks: readonly Weighted<QuirkSet>[];
  readonly seed: string;
  /** Periodic inform interval, seconds; each wait is jittered by ±`jitter` of it. */
  readonly intervalS: number;
  readonly jitter: number;
  /** At most this many sessions in flight. */
  readonly concurrency: number;
  /** Every device informs at t=0 (still bounded by `concurrency`). */
  readonly bootStorm: boolean;
  /** First informs spread uniformly over this many seconds (ignored with `bootStorm`). */
  readonly rampS: number;
  /** Run this long, informing periodically; undefined: until every device completed `rounds` sessions. */
  readonly durationS: number | undefined;
  readonly rounds: number;
  /** Hard stop for the rounds mode, seconds. */
  readonly deadlineS: number;
  /** Per HTTP request. */
  readonly timeoutMs: number;
  readonly maxMessages: number;
  /** TR-069 §3.2.1.1 CWMPRetryMinimumWaitInterval (seconds) for failed sessions; multiplier 2. */
  readonly retryMinS: number;
  /** Cap on an honoured Retry-After (seconds); Infinity = honour it fully, as a real CPE does. */
  readonly retryAfterMaxS: number;
  /** Start the connection-request listener and register every device with it. */
  readonly listen: boolean;
  readonly auth?: { readonly username: string; readonly password: string; readonly scheme?: "basic" | "digest" };
  /** PEM text of the CA(s) to trust for an https ACS (and https file servers); default: Node's bundled roots. */
  readonly ca?: string;
  /** REST API for converged/pending/faulted counts (optional). */
  readonly apiUrl?: string;
  readonly apiToken?: string;
  /** First device index (workers take disjoint ranges so serials stay unique across processes). */
  readonly indexOffset: number;
}

export const FLEET_DEFAULTS = {
  intervalS: 300,
  jitter: 0.1,
  concurrency: 64,
  rounds: 1,
  deadlineS: 3600,
  timeoutMs: 30_000,
  maxMessages: 512,
  retryMinS: 5,
  seed: "converge",
} as const;

function parseWeight(text: string | undefined, entry: string): Result<number, string> {
  if (text === undefined) return ok(1);
  const w = Number(text);
  return Number.isFinite(w) && w >= 0 ? ok(w) : err(`bad weight in "${entry}": expected a number >= 0`);
}

/** `a:3,b:1,c` -> weighted names (a missing weight is 1). Entries with weight 0 are dropped. */
export function parseMix(text: string): Result<Weighted<string>[], string> {
  const out: Weighted<string>[] = [];
  for (const raw of text.split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const colon = entry.lastIndexOf(":");
    const hasWeight = colon > 0 && /^[\d.]+$/.test(entry.slice(colon + 1));
    const name = hasWeight ? entry.slice(0, colon) : entry;
    const w = parseWeight(hasWeight ? entry.slice(colon + 1) : undefined, entry);
    if (!w.ok) return w;
    if (w.value > 0) out.push({ value: name, weight: w.value });
  }
  return out.length > 0 ? ok(out) : err("empty mix: expected name:weight[,name:weight...] with a weight > 0");
}

/** `none:90,noCookies:5,latin1+chunked:5` -> quirk sets; unknown switches and noCookies+newConnectionPerRequest are errors. */
export function parseQuirksMix(text: string): Result<Weighted<QuirkSet>[], string> {
  const mix = parseMix(text);
  if (!mix.ok) return mix;
  const out: Weighted<QuirkSet>[] = [];
  for (const { value: name, weight } of mix.value) {
    const set = quirkSet(name);
    if (!set.ok) return set;
    out.push({ value: set.value, weight });
  }
  return ok(out);
}

function quirkSet(name: string): Result<QuirkSet, string> {
  if (name === "none") return ok({ name, quirks: {} });
  const quirks: Partial<Record<FleetQuirk, boolean>> = {};
  for (const q of name.split("+")) {
    const known = FLEET_QUIRKS.find((k) => k === q);
    if (known === undefined) return err(`unknown quirk "${q}": expected none or ${FLEET_QUIRKS.join(", ")} (combine with +)`);
    quirks[known] = true;
  }
  // Without cookies and without a kept connection the ACS cannot tell which session a POST belongs to.
  if (quirks.noCookies === true && quirks.newConnectionPerRequest === true)
    return err(`quirk set "${name}": noCookies cannot be combined with newConnectionPerRequest`);
  return ok({ name, quirks });
}

/** A well-behaved fleet. */
export const NO_QUIRKS_MIX: readonly Weighted<QuirkSet>[] = [{ value: { name: "none", quirks: {} }, weight: 1 }];
