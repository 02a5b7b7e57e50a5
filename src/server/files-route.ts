/**
 * GET/HEAD /files/<name> on the CWMP listener: firmware and configuration files for CPEs (TR-069 Download).
 *
 * Why the CWMP listener: CPEs reach it by construction (it is their ManagementServer.URL, with its TLS and its
 * authentication), while the REST API binds to loopback by default and is the operators' interface, not the
 * devices'. Served with Content-Length, a strong ETag (the SHA-256), Last-Modified, the checksum
 * (`Repr-Digest: sha-256=:<base64>:`, RFC 9530, and `X-Checksum-Sha256: <hex>`), `Accept-Ranges: bytes`;
 * single byte ranges (`Range: bytes=a-b`, `bytes=a-`, `bytes=-n`) with `If-Range`, so an interrupted download
 * resumes; `If-None-Match` gives 304. Optionally behind the CPE credentials (files.auth: cpe).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { createReadStream } from "node:fs";
import { hostedFile, nameOfPath, type HostedFile } from "../files/catalog.js";
import type { CwmpDeps } from "./cwmp-deps.js";

export interface FilesRouteOptions {
  readonly dir: string;
  /** When set, every request must authenticate as a CPE does on the CWMP endpoint. */
  readonly authenticate?: NonNullable<CwmpDeps["authenticate"]>;
}

/** A single byte range of a file of `size` bytes: inclusive bounds, "unsatisfiable", or undefined (serve it all). */
export function byteRange(header: string | undefined, size: number): { start: number; end: number } | "unsatisfiable" | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim());
  if (!m) return undefined; // multiple ranges or another unit: RFC 9110 lets us ignore Range
  const [a, b] = [m[1] as string, m[2] as string];
  if (a === "" && b === "") return undefined;
  if (a === "") {
    const n = Number(b);
    if (n === 0) return "unsatisfiable";
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  const end = b === "" ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return { start, end };
}

const etagOf = (f: HostedFile): string => `"sha256-${f.sha256}"`;

function headers(reply: FastifyReply, f: HostedFile): void {
  reply
    .header("accept-ranges", "bytes")
    .header("etag", etagOf(f))
    .header("last-modified", new Date(f.mtimeMs).toUTCString())
    .header("repr-digest", `sha-256=:${Buffer.from(f.sha256, "hex").toString("base64")}:`)
    .header("x-checksum-sha256", f.sha256)
    .header("cache-control", "no-cache")
    .type("application/octet-stream");
}

export function registerFilesRoute(app: FastifyInstance, opts: FilesRouteOptions): void {
  const handler = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    if (opts.authenticate) {
      const out = await opts.authenticate({
        method: req.method,
        authorization: req.headers.authorization,
        tls: "encrypted" in req.raw.socket && req.raw.socket.encrypted === true,
        url: req.url,
      });
      if (!out.ok) {
        if (out.wwwAuthenticate.length > 0) reply.header("www-authenticate", [...out.wwwAuthenticate]);
        return reply.code(out.status).send();
      }
    }
    const name = nameOfPath((req.raw.url ?? "").split("?")[0] ?? "");
    const f = name === undefined ? undefined : await hostedFile(opts.dir, name);
    if (!f) return reply.code(404).type("text/plain").send("no such file\n");
    headers(reply, f);
    const inm = req.headers["if-none-match"];
    if (inm !== undefined && inm.split(",").some((t) => t.trim() === etagOf(f) || t.trim() === "*")) return reply.code(304).send();
    const ifRange = req.headers["if-range"];
    const range = ifRange === undefined || ifRange === etagOf(f) ? byteRange(req.headers.range, f.size) : undefined;
    if (range === "unsatisfiable") return reply.code(416).header("content-range", `bytes */${f.size}`).send();
    const [start, end] = range ? [range.start, range.end] : [0, f.size - 1];
    const length = f.size === 0 ? 0 : end - start + 1;
    reply.header("content-length", String(length));
    if (range) reply.code(206).header("content-range", `bytes ${start}-${end}/${f.size}`);
    if (length === 0) return reply.send();
    // HEAD too: fastify's HEAD route (from this GET) drops the body and keeps the headers.
    return reply.send(createReadStream(f.path, { start, end }));
  };
  // fastify answers HEAD from the GET route (exposeHeadRoutes): headers only.
  app.get("/files/*", { logLevel: "warn" }, handler);
}
