/** A tiny JSON client for the REST API in tests. */
export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly json: T;
}

export function apiClient(base: string, token?: string): <T = unknown>(method: string, path: string, body?: unknown) => Promise<ApiResponse<T>> {
  return async <T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (token !== undefined) headers["authorization"] = `Bearer ${token}`;
    const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : undefined) as T };
  };
}
