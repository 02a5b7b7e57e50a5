/**
 * Where a connection request may go (issue 10 point 10: blind SSRF), pure: address classification, CIDR
 * matching and the verdict for one target. Never: link-local and cloud metadata (169.254.0.0/16, fe80::/10),
 * unspecified, multicast and broadcast addresses, IPv4 inside IPv6 (::ffff:a.b.c.d) of those, and the ACS's own
 * listening ports on its own addresses. When `allowedNetworks` is set (production), only inside those networks.
 * Parsing is by hand, linear, on strings already normalised by WHATWG URL (no regex over CPE input).
 */
import { isIP } from "node:net";

export type AddressClass = "link_local" | "unspecified" | "multicast" | "broadcast" | "loopback" | "other";

/** An address as a family and a big integer (IPv4-mapped IPv6 addresses are their IPv4 address). */
export interface Ip {
  readonly family: 4 | 6;
  readonly value: bigint;
}

export interface Cidr {
  readonly family: 4 | 6;
  readonly base: bigint;
  readonly bits: number;
}

function v4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let out = 0n;
  for (const p of parts) {
    if (p === "" || p.length > 3 || ![...p].every((c) => c >= "0" && c <= "9")) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out = (out << 8n) | BigInt(n);
  }
  return out;
}

const isHex = (c: string): boolean => (c >= "0" && c <= "9") || (c >= "a" && c <= "f") || (c >= "A" && c <= "F");

function v6(text: string): bigint | undefined {
  let s = text;
  if (s.includes(".")) {
    // An embedded IPv4 tail (::ffff:1.2.3.4): rewrite it as two hex groups.
    const at = s.lastIndexOf(":");
    const four = v4(s.slice(at + 1));
    if (four === undefined) return undefined;
    s = `${s.slice(0, at + 1)}${(four >> 16n).toString(16)}:${(four & 0xffffn).toString(16)}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const group = (h: string): bigint[] | undefined => {
    if (h === "") return [];
    const out: bigint[] = [];
    for (const g of h.split(":")) {
      if (g === "" || g.length > 4 || ![...g].every(isHex)) return undefined;
      out.push(BigInt(`0x${g}`));
    }
    return out;
  };
  const head = group(halves[0] ?? "");
  const rest = halves.length === 2 ? group(halves[1] ?? "") : [];
  if (head === undefined || rest === undefined) return undefined;
  const fixed = head.length + rest.length;
  if (halves.length === 1 ? fixed !== 8 : fixed > 7) return undefined;
  const groups = [...head, ...Array<bigint>(8 - fixed).fill(0n), ...rest];
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

const MAPPED_PREFIX = 0xffffn << 32n;

/** Parses an IP literal (IPv6 with or without brackets); IPv4-mapped IPv6 becomes IPv4. */
export function parseIp(text: string): Ip | undefined {
  const t = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const kind = isIP(t);
  if (kind === 4) {
    const v = v4(t);
    return v === undefined ? undefined : { family: 4, value: v };
  }
  if (kind !== 6) return undefined;
  const v = v6(t.split("%")[0] ?? "");
  if (v === undefined) return undefined;
  if (v >> 32n === 0xffffn) return { family: 4, value: v - MAPPED_PREFIX };
  return { family: 6, value: v };
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a single address. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf("/");
  const ip = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (!ip) return undefined;
  const max = ip.family === 4 ? 32 : 128;
  const bitsText = slash < 0 ? String(max) : text.slice(slash + 1);
  if (bitsText === "" || bitsText.length > 3 || ![...bitsText].every((c) => c >= "0" && c <= "9")) return undefined;
  const bits = Number(bitsText);
  if (bits > max) return undefined;
  const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(max - bits);
  return { family: ip.family, base: ip.value & mask, bits };
}

export function inCidr(ip: Ip, c: Cidr): boolean {
  if (ip.family !== c.family) return false;
  const max = c.family === 4 ? 32 : 128;
  const mask = c.bits === 0 ? 0n : ((1n << BigInt(c.bits)) - 1n) << BigInt(max - c.bits);
  return (ip.value & mask) === c.base;
}

const NET = (t: string): Cidr => {
  const c = parseCidr(t);
  if (!c) throw new Error(`bad built-in network ${t}`);
  return c;
};

const CLASSES: readonly (readonly [AddressClass, Cidr])[] = [
  ["link_local", NET("169.254.0.0/16")],
  ["link_local", NET("fe80::/10")],
  ["unspecified", NET("0.0.0.0/8")],
  ["unspecified", NET("::/128")],
  ["multicast", NET("224.0.0.0/4")],
  ["multicast", NET("ff00::/8")],
  ["broadcast", NET("255.255.255.255/32")],
  ["loopback", NET("127.0.0.0/8")],
  ["loopback", NET("::1/128")],
];

export function classify(ip: Ip): AddressClass {
  for (const [cls, net] of CLASSES) if (inCidr(ip, net)) return cls;
  return "other";
}

export interface TargetPolicy {
  /** Empty: any address that is not never-targeted. */
  readonly allowedNetworks: readonly Cidr[];
  /** The ACS's own listening ports (CWMP, API). */
  readonly ownPorts: ReadonlySet<number>;
  /** The ACS host's own addresses (interfaces and bind addresses); loopback always counts as own. */
  readonly ownAddresses: readonly Ip[];
}

export type TargetVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const NEVER: ReadonlySet<AddressClass> = new Set(["link_local", "unspecified", "multicast", "broadcast"]);

/** May a connection request go to `ip`:`port`? */
export function targetVerdict(ip: Ip, port: number, policy: TargetPolicy): TargetVerdict {
  const cls = classify(ip);
  if (NEVER.has(cls)) return { ok: false, reason: `${cls.replace("_", "-")} address` };
  const own = cls === "loopback" || policy.ownAddresses.some((a) => a.family === ip.family && a.value === ip.value);
  if (own && policy.ownPorts.has(port)) return { ok: false, reason: `the ACS's own port ${port}` };
  if (policy.allowedNetworks.length > 0 && !policy.allowedNetworks.some((n) => inCidr(ip, n)))
    return { ok: false, reason: "outside connectionRequest.allowedNetworks" };
  return { ok: true };
}
