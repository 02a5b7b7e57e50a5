import { createHmac, randomBytes } from "node:crypto";
import { safeEqual } from "./safe-equal.js";

/**
 * Stateless Digest nonces: base64url(timestamp ms (8 bytes) | random (8) | HMAC-SHA256(secret, realm|ts|random)[0..16]).
 * The server keeps nothing per nonce to know it issued one and when; replay state lives elsewhere, bounded.
 */

const TS_LEN = 8;
const RAND_LEN = 8;
const MAC_LEN = 16;

function mac(secret: Buffer, realm: string, body: Buffer): Buffer {
  return createHmac("sha256", secret).update(realm, "utf8").update(body).digest().subarray(0, MAC_LEN);
}

export function issueNonce(secret: Buffer, realm: string, nowMs: number, random: Buffer = randomBytes(RAND_LEN)): string {
  const body = Buffer.alloc(TS_LEN + RAND_LEN);
  body.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(nowMs))), 0);
  random.copy(body, TS_LEN, 0, RAND_LEN);
  return Buffer.concat([body, mac(secret, realm, body)]).toString("base64url");
}

/** Returns the issue time (ms) of a nonce we minted, or undefined for anything else. */
export function nonceIssuedAt(secret: Buffer, realm: string, nonce: string): number | undefined {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(nonce)) return undefined;
  const raw = Buffer.from(nonce, "base64url");
  if (raw.length !== TS_LEN + RAND_LEN + MAC_LEN) return undefined;
  const body = raw.subarray(0, TS_LEN + RAND_LEN);
  if (!safeEqual(raw.subarray(TS_LEN + RAND_LEN), mac(secret, realm, body))) return undefined;
  return Number(body.readBigUInt64BE(0));
}
