/**
 * The stored fleet read over the REST API, for `converge plan --api`: pages of `GET /api/devices` (by id), then
 * each device's `GET /api/devices/:id/state` with bounded concurrency, yielded in id order. Read scope only.
 */
import { parseDeviceId, type DeviceId } from "../domain/device.js";
import type { PlanSubject } from "./device-plan.js";
import { stateResponseFromJson } from "./state-json.js";
import { valueDigest } from "../reconcile/parameter-key.js";

export interface ApiSourceOptions {
  /** e.g. http://127.0.0.1:7557 (a trailing slash is fine). */
  readonly baseUrl: string;
  /** Bearer token (read scope); none for an API bound to loopback without tokens. */
  readonly token?: string;
  /** Parallel state requests; default 8. */
  readonly concurrency?: number;
  /** Devices per page of GET /api/devices; default 500 (the API allows up to 1000). */
  readonly pageSize?: number;
}

export type RemoteDevice = PlanSubject & { readonly managedCredentials: boolean };

/** A request the API refused or answered with something we cannot read; `status` 404 for an unknown device. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
  }
}

async function getJson(o: ApiSourceOptions, path: string, body?: unknown): Promise<unknown> {
  const url = new URL(path, o.baseUrl.endsWith("/") ? o.baseUrl : `${o.baseUrl}/`);
  const method = body === undefined ? "GET" : "POST";
  const headers: Record<string, string> = { accept: "application/json" };
  if (o.token !== undefined) headers["authorization"] = `Bearer ${o.token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  } catch (e) {
    throw new ApiError(`${method} ${url.href}: ${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}`, undefined);
  }
  const text = await res.text();
  if (!res.ok) throw new ApiError(`${method} ${url.href}: HTTP ${res.status} ${text.slice(0, 200)}`, res.status);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(`${method} ${url.href}: not JSON`, res.status);
  }
}

/**
 * Which of `values` (clear, held by the client) are the write-only values Converge last set on the device: the
 * server compares the SHA-256 of each with its keyed hash and answers yes or no; no hash ever leaves it, no clear
 * value ever reaches it. Returns the applied paths.
 */
export async function compareWriteOnly(
  o: ApiSourceOptions,
  id: DeviceId,
  values: readonly { readonly path: string; readonly value: string }[],
): Promise<ReadonlySet<string>> {
  if (values.length === 0) return new Set();
  const applied = new Set<string>();
  for (let i = 0; i < values.length; i += 1024) {
    const chunk = values.slice(i, i + 1024).map((v) => ({ path: v.path, sha256: valueDigest(v.value) }));
    const body = await getJson(o, `api/devices/${encodeURIComponent(id)}/write-only/compare`, { values: chunk });
    const results = typeof body === "object" && body !== null && "results" in body && Array.isArray(body.results) ? (body.results as unknown[]) : undefined;
    if (!results) throw new ApiError(`device ${id}: unexpected write-only comparison`, undefined);
    for (const r of results)
      if (typeof r === "object" && r !== null && "path" in r && "applied" in r && r.applied === true && typeof r.path === "string") applied.add(r.path);
  }
  return applied;
}

/** One device's record, reported state and inventory. Throws ApiError (404 when the server does not know it). */
export async function fetchDevice(o: ApiSourceOptions, id: DeviceId): Promise<RemoteDevice> {
  const body = await getJson(o, `api/devices/${encodeURIComponent(id)}/state`);
  const state = stateResponseFromJson(body);
  if (!state.ok) throw new ApiError(`device ${id}: unexpected state: ${state.error}`, undefined);
  return state.value;
}

function pageOf(body: unknown): { ids: DeviceId[]; next: string | undefined } {
  const bad = (): never => {
    throw new ApiError("GET /api/devices: unexpected body (want { devices: [{ deviceId }], next })", undefined);
  };
  if (typeof body !== "object" || body === null || !("devices" in body) || !Array.isArray(body.devices)) return bad();
  const ids = body.devices.map((d: unknown) =>
    typeof d === "object" && d !== null && "deviceId" in d && typeof d.deviceId === "string" ? (parseDeviceId(d.deviceId) ?? bad()) : bad(),
  );
  const next = "next" in body && typeof body.next === "string" ? body.next : undefined;
  return { ids, next };
}

/** Maps `items` through `f` with at most `limit` calls in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let nextIndex = 0;
  const worker = async (): Promise<void> => {
    for (let i = nextIndex++; i < items.length; i = nextIndex++) out[i] = await f(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** Every device the server stores, in id order, each with its state. Throws ApiError on the first failure. */
export async function* remoteDevices(o: ApiSourceOptions): AsyncGenerator<RemoteDevice> {
  const limit = o.pageSize ?? 500;
  let after: string | undefined;
  for (;;) {
    const query = `limit=${limit}${after !== undefined ? `&after=${encodeURIComponent(after)}` : ""}`;
    const page = pageOf(await getJson(o, `api/devices?${query}`));
    yield* await mapLimit(page.ids, o.concurrency ?? 8, (id) => fetchDevice(o, id));
    if (page.next === undefined || page.ids.length === 0) return;
    after = page.next;
  }
}
