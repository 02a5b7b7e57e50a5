import { readFileSync } from "node:fs";
import type { Socket } from "node:net";
import { createSecureContext, TLSSocket } from "node:tls";

export interface TlsConfig {
  readonly cert?: string;
  readonly key?: string;
  readonly ca?: string;
  /** Ask CPEs for a client certificate (verified against `ca`); the app decides what a missing one means. */
  readonly requestClientCert?: boolean;
}

export interface TlsServerOptions {
  readonly key: Buffer;
  readonly cert: Buffer;
  readonly ca?: Buffer;
  readonly requestCert: boolean;
  readonly rejectUnauthorized: boolean;
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = e instanceof Error && "code" in e ? String(e.code) : "error";
    const why = code === "ENOENT" ? "file not found" : code === "EACCES" ? "permission denied" : code;
    throw new Error(`TLS ${what} file ${path}: ${why}`, { cause: e });
  }
}

/**
 * Reads the TLS files named in configuration. No cert and no key: undefined (plain HTTP, for labs).
 * One without the other, an unreadable file, or a key that does not match the certificate: an Error
 * naming the file or setting. With `requestClientCert`, `ca` is required and the handshake does not
 * reject unauthenticated clients (`rejectUnauthorized: false`): a CPE without a certificate can still
 * use HTTP authentication; use {@link verifiedClientCertName} to see who presented a valid one.
 */
export function loadTlsOptions(cfg: TlsConfig): TlsServerOptions | undefined {
  if (cfg.cert === undefined && cfg.key === undefined) {
    if (cfg.ca !== undefined || cfg.requestClientCert === true) throw new Error("TLS ca/requestClientCert set without cert and key");
    return undefined;
  }
  if (cfg.cert === undefined) throw new Error("TLS key is set but cert is missing");
  if (cfg.key === undefined) throw new Error("TLS cert is set but key is missing");
  const requestCert = cfg.requestClientCert === true;
  if (requestCert && cfg.ca === undefined) throw new Error("TLS requestClientCert needs ca (the CA that signs CPE certificates)");
  const cert = readPem(cfg.cert, "cert");
  const key = readPem(cfg.key, "key");
  const ca = cfg.ca === undefined ? undefined : readPem(cfg.ca, "ca");
  try {
    createSecureContext({ cert, key, ...(ca ? { ca } : {}) });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(`TLS cert ${cfg.cert} / key ${cfg.key} unusable: ${msg}`, { cause: e });
  }
  return { cert, key, ...(ca ? { ca } : {}), requestCert, rejectUnauthorized: false };
}

/**
 * The subject CN of a client certificate that verified against the configured CA, else undefined
 * (also for a plain TCP socket, or none).
 */
export function verifiedClientCertName(socket: Socket | undefined): string | undefined {
  if (!(socket instanceof TLSSocket) || !socket.authorized) return undefined;
  const cn = socket.getPeerCertificate().subject?.CN;
  return typeof cn === "string" && cn !== "" ? cn : undefined;
}
