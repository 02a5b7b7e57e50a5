import { randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { isIPv6 } from "node:net";
import type { ConnReqCredentials } from "./http.js";
import { buildUdpConnectionRequest } from "./udp-message.js";

export { buildUdpConnectionRequest, parseUdpConnectionRequest, udpSignature } from "./udp-message.js";
export type { UdpConnReqFields, UdpConnReqMessage, UdpConnReqParse, UdpParseOptions } from "./udp-message.js";

export interface UdpSendOptions {
  /** Copies of the identical message (TR-111: send several, the CPE ignores duplicates). */
  readonly repeats: number;
  readonly intervalMs: number;
  /**
   * Send from this socket: TR-111 Part 2 says the message must come from the STUN server's address
   * and port so the CPE's NAT binding lets it in. Default: a fresh ephemeral socket (labs, tests).
   */
  readonly socket?: Socket;
  /** Seconds since the epoch for `ts`; default the wall clock. */
  readonly nowSeconds?: number;
}

export type UdpSendOutcome =
  { readonly kind: "sent"; readonly copies: number; readonly id: number } | { readonly kind: "unreachable"; readonly message: string };

/** Splits `host:port` or `[v6]:port` (UDPConnectionRequestAddress). */
export function parseUdpAddress(address: string): { host: string; port: number } | undefined {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(address) ?? /^([^:]+):(\d{1,5})$/.exec(address);
  const port = Number(m?.[2]);
  if (m?.[1] === undefined || !(port >= 1 && port <= 65535)) return undefined;
  return { host: m[1], port };
}

function sendOne(socket: Socket, buf: Buffer, port: number, host: string): Promise<Error | undefined> {
  return new Promise((resolve) => socket.send(buf, port, host, (e) => resolve(e ?? undefined)));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Sends a UDP connection request (TR-069 Annex G) to `address` ("host:port"): `repeats` identical
 * copies (same ts, id, cn), `intervalMs` apart. UDP has no answer: "sent" only means the datagrams left;
 * success is the CPE's `6 CONNECTION REQUEST` Inform. Never rejects.
 */
export async function sendUdpConnectionRequest(address: string, creds: ConnReqCredentials, opts: UdpSendOptions): Promise<UdpSendOutcome> {
  const target = parseUdpAddress(address);
  if (target === undefined) return { kind: "unreachable", message: `invalid UDP connection request address ${JSON.stringify(address)}` };
  const id = randomBytes(4).readUInt32BE(0);
  const message = buildUdpConnectionRequest({
    ...target,
    ts: opts.nowSeconds ?? Math.floor(Date.now() / 1000),
    id,
    username: creds.username,
    cnonce: randomBytes(8).toString("hex"),
    password: creds.password,
  });
  const buf = Buffer.from(message, "utf8");
  const own = opts.socket === undefined;
  const socket = opts.socket ?? createSocket(isIPv6(target.host) ? "udp6" : "udp4");
  // Send errors arrive through the callbacks; a socket we own must not crash the process on 'error'.
  if (own) socket.on("error", () => undefined);
  try {
    for (let i = 0; i < Math.max(1, opts.repeats); i++) {
      if (i > 0) await sleep(opts.intervalMs);
      const e = await sendOne(socket, buf, target.port, target.host);
      if (e !== undefined) return { kind: "unreachable", message: e.message };
    }
    return { kind: "sent", copies: Math.max(1, opts.repeats), id };
  } finally {
    if (own) socket.close();
  }
}
