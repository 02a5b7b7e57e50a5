import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "selfsigned";

export interface TestCert {
  readonly dir: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly cert: string;
  readonly key: string;
  /** A client certificate signed by the server key (its CA is `cert`), when asked for. */
  readonly client?: { readonly certPath: string; readonly keyPath: string; readonly cert: string; readonly key: string };
  remove(): void;
}

const SAN = [
  { type: 2 as const, value: "localhost" },
  { type: 7 as const, ip: "127.0.0.1" },
];

async function withSelfsigned(clientCn: string | undefined): Promise<{ cert: string; key: string; client?: { cert: string; key: string } }> {
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keySize: 2048,
    algorithm: "sha256",
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: "extKeyUsage", serverAuth: true, clientAuth: true },
      { name: "subjectAltName", altNames: SAN },
    ],
    ...(clientCn ? { clientCertificate: { cn: clientCn } } : {}),
  });
  const client = pems.clientcert && pems.clientprivate ? { cert: pems.clientcert, key: pems.clientprivate } : undefined;
  return { cert: pems.cert, key: pems.private, ...(client ? { client } : {}) };
}

function withOpenssl(dir: string): { cert: string; key: string } {
  const keyPath = join(dir, "ossl-key.pem");
  const certPath = join(dir, "ossl-cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-keyout",
      keyPath,
      "-out",
      certPath,
    ],
    { stdio: "ignore" },
  );
  return { cert: readFileSync(certPath, "utf8"), key: readFileSync(keyPath, "utf8") };
}

/**
 * A throw-away self-signed certificate for localhost/127.0.0.1, written to a temp dir (for config paths).
 * Uses the `selfsigned` package (v5, async); falls back to `openssl req -x509` if it fails.
 * `clientCn` also issues a client certificate (selfsigned only).
 */
export async function generateTestCert(opts: { clientCn?: string } = {}): Promise<TestCert> {
  const dir = mkdtempSync(join(tmpdir(), "converge-tls-"));
  let pems: { cert: string; key: string; client?: { cert: string; key: string } };
  try {
    pems = await withSelfsigned(opts.clientCn);
  } catch {
    pems = withOpenssl(dir);
  }
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  writeFileSync(certPath, pems.cert);
  writeFileSync(keyPath, pems.key, { mode: 0o600 });
  let client: TestCert["client"];
  if (pems.client) {
    const c = { certPath: join(dir, "client-cert.pem"), keyPath: join(dir, "client-key.pem"), ...pems.client };
    writeFileSync(c.certPath, c.cert);
    writeFileSync(c.keyPath, c.key, { mode: 0o600 });
    client = c;
  }
  return { dir, certPath, keyPath, cert: pems.cert, key: pems.key, ...(client ? { client } : {}), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
