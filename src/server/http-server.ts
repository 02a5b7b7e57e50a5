/**
 * Builds the raw node server fastify runs on: HTTPS when TLS options are given, else HTTP. Fastify's types are
 * parameterised on the server class; both servers handle requests identically for our routes, so we present
 * the HTTPS server as an http.Server to keep one FastifyInstance type across the code base.
 */
import http from "node:http";
import https from "node:https";
import type { TlsServerOptions } from "../auth/tls.js";

export type { TlsServerOptions };

export function serverFactory(tls: TlsServerOptions | undefined): (handler: http.RequestListener) => http.Server {
  return (handler) => {
    const server = tls ? (https.createServer({ ...tls }, handler) as unknown as http.Server) : http.createServer(handler);
    // CPEs keep the connection open for a whole session (TR-069 §3.4.1); keep idle sockets long enough.
    server.keepAliveTimeout = 35_000;
    server.headersTimeout = 40_000;
    server.requestTimeout = 60_000;
    return server;
  };
}
