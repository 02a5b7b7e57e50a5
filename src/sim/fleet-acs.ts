/**
 * Where the fleet stands according to the ACS (I/O): devices stored (`GET /api/health`) and how many are
 * Converged / Pending / Faulted, counted by walking `GET /api/devices?condition=...` page by page.
 */

export interface AcsCounts {
  readonly devices: number;
  readonly converged: number;
  readonly pending: number;
  readonly faulted: number;
}

const PAGE = 1000;

async function getJson(url: string, token: string | undefined): Promise<unknown> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.json();
}

function field(v: unknown, key: string): unknown {
  return typeof v === "object" && v !== null && key in v ? (v as Record<string, unknown>)[key] : undefined;
}

/** Devices with `condition` (e.g. "Converged=true"), counted over every page. */
export async function countCondition(apiUrl: string, condition: string, token?: string): Promise<number> {
  let n = 0;
  let after: string | undefined;
  for (;;) {
    const q = new URLSearchParams({ condition, limit: String(PAGE), ...(after !== undefined ? { after } : {}) });
    const page = await getJson(`${apiUrl}/api/devices?${q}`, token);
    const devices = field(page, "devices");
    const next = field(page, "next");
    n += Array.isArray(devices) ? devices.length : 0;
    if (typeof next !== "string" || next === "") return n;
    after = next;
  }
}

/** Stored devices and condition counts from the REST API. */
export async function acsCounts(apiUrl: string, token?: string): Promise<AcsCounts> {
  const base = apiUrl.replace(/\/+$/, "");
  const health = await getJson(`${base}/api/health`, token);
  const devices = field(health, "devices");
  const [converged, pending, faulted] = await Promise.all(["Converged=true", "Pending=true", "Faulted=true"].map((c) => countCondition(base, c, token)));
  return { devices: typeof devices === "number" ? devices : 0, converged: converged ?? 0, pending: pending ?? 0, faulted: faulted ?? 0 };
}
