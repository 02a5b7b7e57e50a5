import { createHmac, randomBytes } from "node:crypto";
import { safeEqual } from "./safe-equal.js";

/**
 * Stateless Digest nonces: base64url(timestamp ms (6 bytes) | random (6) | HMAC-SHA256(secret, realm|ts|random)[0..12]),
 * 24 bytes = exactly 32 characters: embedded CPE stacks keep the nonce in a fixed 32-byte buffer and cut a longer
 * one (issue 9 point 5). 48 bits of milliseconds last until the year 10889; a 96-bit MAC cannot be forged.
 * The server keeps nothing per nonce to know it issued one and when; replay state lives elsewhere, bounded.
 */

const TS_LEN = 6;
const RAND_LEN = 6;
const MAC_LEN = 12;
/** The length of every nonce issued (and the most a CPE's nonce buffer needs). */
export const NONCE_CHARS = Math.ceil(((TS_LEN + RAND_LEN + MAC_LEN) * 4) / 3);

function mac(secret: Buffer, realm: string, body: Buffer): Buffer {
  return createHmac("sha256", secret).update(realm, "utf8").update(body).digest().subarray(0, MAC_LEN);
}

export function issueNonce(secret: Buffer, realm: string, nowMs: number, random: Buffer = randomBytes(RAND_LEN)): string {
  const body = Buffer.alloc(TS_LEN + RAND_LEN);
  body.writeUIntBE(Math.min(2 ** 48 - 1, Math.max(0, Math.floor(nowMs))), 0, TS_LEN);
  random.copy(body, TS_LEN, 0, RAND_LEN);
  return Buffer.concat([body, mac(secret, realm, body)]).toString("base64url");
}

/** Returns the issue time (ms) of a nonce we minted, or undefined for anything else. */
export function nonceIssuedAt(secret: Buffer, realm: string, nonce: string): number | undefined {
  if (nonce.length !== NONCE_CHARS || !/^[A-Za-z0-9_-]+$/.test(nonce)) return undefined;
  const raw = Buffer.from(nonce, "base64url");
  if (raw.length !== TS_LEN + RAND_LEN + MAC_LEN) return undefined;
  const body = raw.subarray(0, TS_LEN + RAND_LEN);
  if (!safeEqual(raw.subarray(TS_LEN + RAND_LEN), mac(secret, realm, body))) return undefined;
  return body.readUIntBE(0, TS_LEN);
}
