/**
 * The web console's static files (issue 14), served by the API server under `/` while the API stays under
 * `/api`. The bundle is built by esbuild at install time (`npm run build:console`, run by `prepare`) into
 * dist/console/. Files are read once at start-up into memory (a few hundred KB), by a closed list of names: no
 * path from a request ever reaches the file system. Served without a token (the sign-in page must load); the
 * data behind it is the API, with its tokens.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import type { FastifyInstance, FastifyReply } from "fastify";

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".map": "application/json; charset=utf-8",
};

// Offline by construction: nothing but this origin, no inline script, no framing.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

function loadAssets(dir: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type === undefined) continue;
    const body = readFileSync(join(dir, name));
    out.set(name, { body, type, etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"` });
  }
  return out;
}

function send(reply: FastifyReply, a: Asset, ifNoneMatch: string | undefined): FastifyReply {
  reply.header("content-type", a.type).header("etag", a.etag).header("cache-control", "no-cache").header("x-content-type-options", "nosniff");
  reply.header("content-security-policy", CSP).header("referrer-policy", "no-referrer");
  if (ifNoneMatch === a.etag) return reply.code(304).send();
  return reply.send(a.body);
}

const NOT_BUILT = "The console is not built: run `npm run build:console` (npm install does it).\n";

export function consoleRoutes(app: FastifyInstance, dir: string): void {
  const assets = loadAssets(dir);
  const page = { type: "string", description: "the console's files" } as const;
  app.get(
    "/",
    {
      config: { public: true },
      schema: { summary: "The web console (a single page; the API stays under /api)", security: [], response: { 200: page, 304: { type: "null" }, 503: page } },
    },
    async (req, reply) => {
      const index = assets.get("index.html");
      if (!index) return reply.code(503).type("text/plain; charset=utf-8").send(NOT_BUILT);
      return send(reply, index, req.headers["if-none-match"]);
    },
  );
  app.get<{ Params: { file: string } }>(
    "/assets/:file",
    {
      config: { public: true },
      schema: {
        summary: "The console's scripts and styles",
        security: [],
        params: { type: "object", required: ["file"], properties: { file: { type: "string", maxLength: 64 } } },
        response: { 200: page, 304: { type: "null" }, 404: { type: "object", additionalProperties: true } },
      },
    },
    async (req, reply) => {
      const a = req.params.file === "index.html" ? undefined : assets.get(req.params.file);
      if (!a) return reply.code(404).send({ error: { code: "not_found", message: `no console file ${req.params.file}` } });
      return send(reply, a, req.headers["if-none-match"]);
    },
  );
}
