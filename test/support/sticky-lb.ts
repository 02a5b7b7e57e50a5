/**
 * A small HTTP load balancer for tests, as an operator would configure one in front of several nodes
 * (docs/operations.md "Several nodes"): a CWMP session is pinned to the node that answered its Inform by the
 * session cookie (`converge_session`), because the session lives in that node's memory; a request without a
 * known cookie (an Inform) goes to the next node round robin, and to another one when that node is down. A
 * node that fails mid-session loses the session: the request gets 503 + Retry-After and the CPE starts over.
 * Counts each node's completed sessions (its 204s). Loopback only.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface StickyLb {
  readonly url: string;
  /** Adds a node (its CWMP base URL); nodes are known by their index in the order added. */
  add(backend: string): void;
  /** Sessions each backend ended with 204 (by backend index). */
  readonly completed: number[];
  /** Requests the balancer could not forward (their node was down). */
  failed(): number;
  close(): Promise<void>;
}

const COOKIE_RE = /converge_session="?([A-Za-z0-9_-]{8,64})/;
const MAX_PINS = 200_000;

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "host"]);

function endToEnd(h: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(h).filter(([k]) => !HOP_BY_HOP.has(k)));
}

export async function startStickyLb(): Promise<StickyLb> {
  const targets: URL[] = [];
  const agents: http.Agent[] = [];
  const downUntil: number[] = [];
  const pins = new Map<string, number>();
  const completed: number[] = [];
  let next = 0;
  let failures = 0;

  /** The nodes an Inform may go to, the next one round robin first, nodes seen down in the last second last. */
  const order = (): number[] => {
    const now = Date.now();
    const start = next++ % targets.length;
    const all = targets.map((_, i) => (start + i) % targets.length);
    return [...all.filter((k) => downUntil[k]! <= now), ...all.filter((k) => downUntil[k]! > now)];
  };

  const forward = (k: number, req: http.IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const t = targets[k]!;
      const headers = { ...endToEnd(req.headers), host: t.host, "content-length": String(body.length) };
      const out = http.request({ host: t.hostname, port: t.port, path: req.url, method: req.method, headers, agent: agents[k] }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      });
      out.setTimeout(30_000, () => out.destroy(new Error("backend timeout")));
      out.on("error", reject);
      out.end(body);
    });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const cookie = COOKIE_RE.exec(req.headers.cookie ?? "")?.[1];
        const pinned = cookie !== undefined ? pins.get(cookie) : undefined;
        // An Inform (no known session) may try every node; a session's request only its own.
        for (const k of pinned !== undefined ? [pinned] : order()) {
          try {
            const r = await forward(k, req, body);
            const set = r.headers["set-cookie"];
            const fresh = COOKIE_RE.exec((Array.isArray(set) ? set.join(";") : set) ?? "")?.[1];
            if (fresh !== undefined) {
              if (pins.size >= MAX_PINS) pins.delete(pins.keys().next().value as string);
              pins.set(fresh, k);
            }
            if (r.status === 204) {
              completed[k]!++;
              if (cookie !== undefined) pins.delete(cookie);
            }
            res.writeHead(r.status, r.status === 204 ? endToEnd(r.headers) : { ...endToEnd(r.headers), "content-length": String(r.body.length) });
            res.end(r.status === 204 ? undefined : r.body);
            return;
          } catch {
            downUntil[k] = Date.now() + 1_000;
            failures++;
          }
        }
        if (cookie !== undefined) pins.delete(cookie);
        res.writeHead(503, { "retry-after": "1", "content-length": "0" });
        res.end();
      })();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    add(backend) {
      targets.push(new URL(backend));
      agents.push(new http.Agent({ keepAlive: true, maxSockets: 256 }));
      downUntil.push(0);
      completed.push(0);
    },
    completed,
    failed: () => failures,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      for (const a of agents) a.destroy();
    },
  };
}
