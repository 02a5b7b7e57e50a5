import { createHash } from "node:crypto";

export interface ConnReqCredentialPair {
  readonly username: string;
  readonly password: string;
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const PASSWORD_LENGTH = 24;
const MAX_USERNAME = 64;
// The largest multiple of 62 below 256: bytes at or above it are rejected to avoid modulo bias.
const UNBIASED_LIMIT = 256 - (256 % ALPHABET.length);

function usernameFor(deviceId: string): string {
  const clean = deviceId.replace(/[^A-Za-z0-9._-]/g, "_");
  if (clean.length <= MAX_USERNAME && clean !== "") return clean;
  // Long ids: keep a readable prefix and add a hash so distinct devices keep distinct usernames.
  const tag = createHash("sha256").update(deviceId, "utf8").digest("hex").slice(0, 8);
  return `${clean.slice(0, MAX_USERNAME - 9)}-${tag}`;
}

/**
 * Per-device ConnectionRequestUsername/Password that Converge provisions (TR-069 §3.2.2: the ACS
 * authenticates connection requests with these). The username is the device id made header-safe
 * (at most 64 characters); the password is 24 characters from [A-Za-z0-9] (~142 bits), drawn
 * without modulo bias. Pure given `randomBytes`.
 */
export function generateConnReqCredentials(deviceId: string, randomBytes: (n: number) => Buffer): ConnReqCredentialPair {
  let password = "";
  for (let round = 0; password.length < PASSWORD_LENGTH; round++) {
    if (round === 64) throw new Error("random source keeps returning out-of-range bytes");
    for (const byte of randomBytes(PASSWORD_LENGTH * 2)) {
      if (byte < UNBIASED_LIMIT && password.length < PASSWORD_LENGTH) password += ALPHABET[byte % ALPHABET.length];
    }
  }
  return { username: usernameFor(deviceId), password };
}
