/** What the CWMP app adds to fastify's request (see cwmp-app.ts). */
declare module "fastify" {
  interface FastifyRequest {
    /** The Content-Type the CPE sent (fastify's parsers see a neutral one). */
    cwmpContentType?: string;
  }
}

export {};
