/**
 * The baseline: a bare fastify route that parses every CPE message with fast-xml-parser using Converge's own
 * parser options, keeps a session by cookie, and answers what a minimal ACS answers — InformResponse, then
 * (mode "converge") GetParameterValues, SetParameterValues, GetParameterValues read-back, then 204. No store,
 * no policies, no planner: the ceiling a CWMP server on this stack can reach.
 * Usage: node --import tsx bench/support/bare-main.ts <port> <minimal|converge[:gpv,spv,gpv]>
 * (the converge steps are configurable so the baseline sends exactly the RPCs the real server sends).
 */
import Fastify from "fastify";
import { XMLParser } from "fast-xml-parser";
import { XML_PARSER_OPTIONS } from "../../src/cwmp/xml.js";
import { encodeAcsMessage } from "../../src/cwmp/encode.js";
import type { AcsMessage, CwmpVersion } from "../../src/cwmp/types.js";

const port = Number(process.argv[2] ?? 0);
const [mode = "minimal", stepList = "gpv,spv,gpv"] = (process.argv[3] ?? "minimal").split(":");
const steps = mode === "converge" ? stepList.split(",") : [];
const parser = new XMLParser(XML_PARSER_OPTIONS);

interface Session {
  readonly root: string;
  readonly version: CwmpVersion;
  step: number;
}
const sessions = new Map<string, Session>();
let next = 0;
let value = 1000;

function headerId(doc: unknown): string {
  const env = (doc as { Envelope?: { Header?: { ID?: unknown } } }).Envelope;
  const id = env?.Header?.ID;
  if (typeof id === "string") return id;
  if (typeof id === "object" && id !== null && "#text" in id) return String((id as { "#text": unknown })["#text"]);
  return "1";
}

function rpc(s: Session): AcsMessage | undefined {
  const name = `${s.root}ManagementServer.PeriodicInformInterval`;
  switch (steps[s.step]) {
    case "gpv":
      return { method: "GetParameterValues", names: [name] };
    case "spv":
      return { method: "SetParameterValues", values: [{ name, value: String(value++), type: "xsd:unsignedInt" }], parameterKey: "bench" };
    default:
      return undefined;
  }
}

const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
app.addContentTypeParser(["text/xml", "application/xml", "application/soap+xml"], { parseAs: "string" }, (_req, body, done) => done(null, body));
app.get("/health", async () => ({ ok: true }));
app.post("/", async (req, reply) => {
  const body = typeof req.body === "string" ? req.body : "";
  const sid = /(?:^|;\s*)bare=([^;]+)/.exec(req.headers.cookie ?? "")?.[1];
  if (body.length > 0 && body.includes("Inform>") === false && sid === undefined) return reply.code(400).send();
  if (body.length > 0) {
    const doc = parser.parse(body);
    const id = headerId(doc);
    if (/<(?:\w+:)?Inform[\s>]/.test(body)) {
      const s: Session = {
        root: body.includes("InternetGatewayDevice.") ? "InternetGatewayDevice." : "Device.",
        version: body.includes("cwmp-1-0") ? "1.0" : "1.2",
        step: 0,
      };
      const newSid = String(++next);
      sessions.set(newSid, s);
      return reply
        .code(200)
        .type("text/xml; charset=utf-8")
        .header("set-cookie", `bare=${newSid}; Path=/; HttpOnly`)
        .send(encodeAcsMessage({ method: "InformResponse", maxEnvelopes: 1 }, { version: s.version, id }));
    }
    const s = sid === undefined ? undefined : sessions.get(sid);
    if (s === undefined) return reply.code(400).send();
    s.step++;
    return answer(reply, sid as string, s);
  }
  const s = sid === undefined ? undefined : sessions.get(sid);
  if (s === undefined) return reply.code(400).send();
  return answer(reply, sid as string, s);
});

function answer(reply: import("fastify").FastifyReply, sid: string, s: Session): import("fastify").FastifyReply {
  const msg = rpc(s);
  if (msg === undefined) {
    sessions.delete(sid);
    return reply.code(204).send();
  }
  return reply
    .code(200)
    .type("text/xml; charset=utf-8")
    .send(encodeAcsMessage(msg, { version: s.version, id: `b${s.step}` }));
}

await app.listen({ port, host: "127.0.0.1" });
