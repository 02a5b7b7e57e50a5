/**
 * The catalog of connection request outcomes (TR-069 §3.2.2 over HTTP, TR-111 Annex G over UDP): what a send
 * can come to (the `converge_connection_requests_total{outcome}` label) and the few outcomes the API and a
 * device's fault show (a refused target, a network error, a timeout and an HTTP error all show as
 * "unreachable", so the answer never tells what the target is). docs/codes.md lists them;
 * `test/unit/code-catalogs.test.ts` holds the emitters (`server/reach.ts`, `connreq/http.ts`) to exactly these.
 */
export const CONNREQ_OUTCOMES = {
  ok: "the CPE answered 200 or 204: it will open a session",
  udp_sent: "a TR-111 UDP connection request was sent (UDP has no answer)",
  auth_failed: "the CPE answered 401 to our credentials, or offered no challenge we can answer",
  unreachable: "the connection failed (refused, reset, no route, bad URL)",
  timeout: "no answer within the connection request timeout",
  busy: "the CPE answered 503 (it is in a session or busy)",
  http_error: "the CPE answered another HTTP status",
  no_url: "the device reported neither a ConnectionRequestURL nor a UDP address",
  target_refused: "the target is one a connection request never goes to (connectionRequest.allowedNetworks, the ACS itself, link-local, metadata)",
  rate_limited: "more than connectionRequest.perTargetPerMinute requests to this target",
} as const satisfies Readonly<Record<string, string>>;
export type ConnReqOutcomeKind = keyof typeof CONNREQ_OUTCOMES;

/**
 * What the API answers (`connection_request_<kind>` with the HTTP status) and the device's fault records
 * (`connection_request:<kind>`) for a connection request that did not get through.
 */
export const CONNREQ_PUBLIC = {
  unreachable: { status: 504, meaning: "the connection request did not reach the device (unreachable, timeout, http_error, target_refused)" },
  auth_failed: { status: 502, meaning: "the device refused the connection request credentials" },
  busy: { status: 503, meaning: "the device is busy (503)" },
  rate_limited: { status: 429, meaning: "too many connection requests to this target; try later" },
  no_url: { status: 409, meaning: "the device gave no address to reach it at" },
} as const satisfies Readonly<Record<string, { readonly status: number; readonly meaning: string }>>;
export type ConnReqPublicOutcome = keyof typeof CONNREQ_PUBLIC;
