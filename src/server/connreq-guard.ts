/**
 * The I/O side of connection-request targets (issue 10 point 10): resolves a CPE-reported URL or UDP address
 * once, checks every address it resolves to (connreq/targets.ts), and pins the request to the checked address
 * (no second lookup an attacker's DNS could answer differently). URL userinfo is ignored. A per-target rate
 * limit (host:port) bounds what any number of devices reporting one target can make the ACS send there
 * (loopback targets, the simulator's, are exempt: a production allowedNetworks excludes loopback).
 */
import { lookup } from "node:dns/promises";
import { networkInterfaces } from "node:os";
import { createRateLimiter, type RateLimiter } from "../auth/rate-limit.js";
import { classify, parseCidr, parseIp, targetVerdict, type Cidr, type Ip, type TargetPolicy } from "../connreq/targets.js";
import { parseUdpAddress } from "../connreq/udp.js";

export type Guarded<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly kind: "target_refused" | "rate_limited"; readonly reason: string };

export interface PinnedHttp {
  /** The URL with its host replaced by the checked address and no userinfo. */
  readonly url: string;
  /** The Host header the CPE expects (the reported host and port). */
  readonly host: string;
}

export interface ConnReqGuard {
  http(url: string, now: number): Promise<Guarded<PinnedHttp>>;
  /** `host:port` of a checked address for a UDPConnectionRequestAddress. */
  udp(address: string, now: number): Promise<Guarded<string>>;
}

export interface GuardOptions {
  readonly allowedNetworks: readonly string[];
  readonly perTargetPerMinute: number;
  /** The ACS's listening ports, known once it listens. */
  readonly ownPorts: () => readonly number[];
  /** Resolver; default the system's (dns.lookup, every address). */
  readonly resolve?: (host: string) => Promise<readonly string[]>;
}

/** Refuses a configuration whose allowedNetworks do not parse (start-up error). */
export function allowedNetworksProblem(networks: readonly string[]): string | undefined {
  const bad = networks.filter((n) => parseCidr(n) === undefined);
  return bad.length > 0 ? `connectionRequest.allowedNetworks: not a CIDR network: ${bad.join(", ")}` : undefined;
}

function ownAddresses(): Ip[] {
  const out: Ip[] = [];
  for (const list of Object.values(networkInterfaces()))
    for (const i of list ?? []) {
      const ip = parseIp(i.address);
      if (ip) out.push(ip);
    }
  return out;
}

const systemResolve = async (host: string): Promise<readonly string[]> => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

export function createConnReqGuard(opts: GuardOptions): ConnReqGuard {
  const networks: Cidr[] = opts.allowedNetworks.map((n) => parseCidr(n)).filter((c): c is Cidr => c !== undefined);
  const own = ownAddresses();
  const limiter: RateLimiter = createRateLimiter({
    burst: Math.max(1, Math.min(opts.perTargetPerMinute, 3)),
    perSecond: opts.perTargetPerMinute / 60,
    maxKeys: 100_000,
  });
  const resolve = opts.resolve ?? systemResolve;
  const policy = (): TargetPolicy => ({ allowedNetworks: networks, ownPorts: new Set(opts.ownPorts()), ownAddresses: own });

  async function check(host: string, port: number, now: number): Promise<Guarded<Ip & { text: string }>> {
    const literal = parseIp(host);
    let addresses: readonly string[];
    if (literal) addresses = [host.startsWith("[") ? host.slice(1, -1) : host];
    else {
      try {
        addresses = await resolve(host);
      } catch {
        return { ok: false, kind: "target_refused", reason: "the host does not resolve" };
      }
    }
    if (addresses.length === 0) return { ok: false, kind: "target_refused", reason: "the host does not resolve" };
    const p = policy();
    let first: (Ip & { text: string }) | undefined;
    for (const a of addresses) {
      const ip = parseIp(a);
      if (!ip) return { ok: false, kind: "target_refused", reason: "the host resolves to an unusable address" };
      const v = targetVerdict(ip, port, p);
      if (!v.ok) return { ok: false, kind: "target_refused", reason: v.reason };
      first ??= { ...ip, text: a };
    }
    if (!first) return { ok: false, kind: "target_refused", reason: "the host does not resolve" };
    // Loopback is the simulator's home (one listener for a whole fleet); production excludes it by allowedNetworks.
    if (classify(first) !== "loopback" && !limiter.take(`${first.text}|${port}`, now))
      return { ok: false, kind: "rate_limited", reason: `more than ${opts.perTargetPerMinute} connection requests a minute to this target` };
    return { ok: true, value: first };
  }

  return {
    async http(text, now) {
      let u: URL;
      try {
        u = new URL(text);
      } catch {
        return { ok: false, kind: "target_refused", reason: "not a URL" };
      }
      if (u.protocol !== "http:") return { ok: false, kind: "target_refused", reason: `scheme ${u.protocol.slice(0, 10)}` };
      const port = u.port === "" ? 80 : Number(u.port);
      const checked = await check(u.hostname, port, now);
      if (!checked.ok) return checked;
      const host = u.host;
      // Credentials come from the store, never from the URL a CPE reported.
      u.username = "";
      u.password = "";
      u.hostname = checked.value.family === 6 ? `[${checked.value.text}]` : checked.value.text;
      return { ok: true, value: { url: u.toString(), host } };
    },
    async udp(address, now) {
      const a = parseUdpAddress(address);
      if (!a) return { ok: false, kind: "target_refused", reason: "not host:port" };
      const checked = await check(a.host, a.port, now);
      if (!checked.ok) return checked;
      return { ok: true, value: checked.value.family === 6 ? `[${checked.value.text}]:${a.port}` : `${checked.value.text}:${a.port}` };
    },
  };
}
