/**
 * Device ids in URLs: the id is used exactly as the device list shows it. An id is `OUI-ProductClass-Serial`
 * with `-`, `%`, space, `/`, `?` and `#` inside the product class and serial written as `%2D`, `%25`, `%20`,
 * `%2F`, `%3F` and `%23` (domain/device.ts). An HTTP router decodes path parameters, which turned a pasted
 * `...-4857%2D1234` into `...-4857-1234`, a different (unknown) id: clients had to double-encode (`%252D`).
 *
 * The rule: the API reads the raw path segment. Those six escapes are kept as they are (they are part of the
 * id), any other percent-escape is decoded. A segment that names no stored device that way is decoded once
 * more and tried again, so double-encoded ids (`encodeURIComponent(id)`, what clients did until now) keep
 * working; for an id no device has yet, a segment holding `%252D`-style escapes is read as double-encoded. Linear in the segment's length; segments longer than MAX_RAW are left to the route's schema.
 */
import type { FastifyInstance } from "fastify";
import { parseDeviceId, type DeviceId } from "../../domain/device.js";

const ID_ESCAPE = /(%(?:2D|25|20|2F|3F|23))/i;
const MAX_RAW = 1000;

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The raw segment as an id: the id's own escapes kept (upper-cased), every other escape decoded. */
export function idOfSegment(raw: string): string {
  return raw
    .split(ID_ESCAPE)
    .map((part, i) => (i % 2 === 1 ? part.toUpperCase() : safeDecode(part)))
    .join("");
}

/** The stored device a raw URL segment names: as the list shows it first, then double-encoded. */
export async function resolveDeviceId(raw: string, exists: (id: DeviceId) => boolean | Promise<boolean>): Promise<string> {
  if (raw.length > MAX_RAW) return raw;
  const candidates = [idOfSegment(raw), idOfSegment(safeDecode(raw))];
  for (const c of candidates) {
    const id = parseDeviceId(c);
    if (id && (await exists(id))) return c;
  }
  // No stored device either way (e.g. credentials set before a first Inform): an escaped id escape (`%252D`)
  // is what encodeURIComponent(id) makes, so read it as double-encoded.
  const [asListed, decodedOnce] = candidates as [string, string];
  const preferred = DOUBLE_ENCODED.test(raw) ? [decodedOnce, asListed] : [asListed, decodedOnce];
  return preferred.find((c) => parseDeviceId(c) !== undefined) ?? asListed;
}

const DOUBLE_ENCODED = /%25(?:2D|25|20|2F|3F|23)/i;

/** Rewrites `:id` of every `/api/devices/:id...` route to the id the raw segment names (see above). */
export function deviceIdParams(app: FastifyInstance, exists: (id: DeviceId) => boolean | Promise<boolean>): void {
  app.addHook("preValidation", async (req) => {
    if (!req.routeOptions.url?.startsWith("/api/devices/:id")) return;
    const raw = (req.raw.url ?? "").split("?")[0]?.split("/")[3];
    const params = req.params as { id?: string };
    if (raw === undefined || params.id === undefined) return;
    params.id = await resolveDeviceId(raw, exists);
  });
}
