/**
 * Lenient decoder for everything a CPE sends (cwmp-notes §2, §5, §8): one linear pass (well-formedness,
 * namespaces, the tree: cwmp/xml.ts), then per-method readers that record warnings instead of failing on known quirks.
 */
import { err, ok, type Result } from "../domain/result.js";
import { CPE_REQUEST_DECODERS } from "./decode-cpe-requests.js";
import { CPE_RESPONSE_DECODERS } from "./decode-cpe-responses.js";
import { decodeErr, openEnvelope, type DecodeError } from "./envelope.js";
import type { DecodedEnvelope } from "./types.js";

export type { DecodeError } from "./envelope.js";

const DECODERS = { ...CPE_REQUEST_DECODERS, ...CPE_RESPONSE_DECODERS };

function decode(xml: string): Result<DecodedEnvelope, DecodeError> {
  const env = openEnvelope(xml);
  if (!env.ok) return env;
  const { method, rpc, warnings, version, header } = env.value;
  const decoder = Object.hasOwn(DECODERS, method) ? DECODERS[method] : undefined;
  if (decoder === undefined) return decodeErr("unknown_method", `unknown CPE message <${method}>`);
  const msg = decoder(rpc, warnings);
  if (!msg.ok) return decodeErr("invalid", msg.error);
  return ok({ version, header, message: msg.value, warnings });
}

/**
 * Decodes one CPE → ACS envelope (any `CpeMessage`, including SOAP Faults). Never throws: malformed XML, a
 * non-SOAP document, an empty Body, an unknown method and a message missing identity fields are error values;
 * schema deviations seen in real CPEs decode with `warnings`.
 */
export function decodeCpeEnvelope(xml: string): Result<DecodedEnvelope, DecodeError> {
  try {
    return decode(xml);
  } catch (e) {
    return err({ code: "malformed", message: `decoder failure: ${e instanceof Error ? e.message : String(e)}` });
  }
}
