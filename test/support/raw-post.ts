/** One raw HTTP POST over a given agent (so tests can pin every request to one kept-alive connection). */
import http from "node:http";

export interface RawResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** The client side port of the connection that carried the request. */
  readonly localPort: number | undefined;
}

export function rawPost(url: string, agent: http.Agent | false, headers: Record<string, string>, body = ""): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const h: Record<string, string> = { ...headers, "content-length": String(Buffer.byteLength(body)) };
    if (body !== "" && h["content-type"] === undefined) h["content-type"] = 'text/xml; charset="utf-8"';
    const req = http.request(url, { method: "POST", agent, headers: h }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, localPort: res.socket?.localPort }));
    });
    req.setTimeout(5_000, () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end(body);
  });
}

export function cookieOf(res: RawResponse): string {
  const sc = res.headers["set-cookie"];
  return ((Array.isArray(sc) ? sc[0] : sc) ?? "").split(";")[0] ?? "";
}
