/**
 * Reads a captured raw HTTP request (`.http` fixture): request line (optional — some captures start at the
 * headers), headers up to the first blank line, then the body, de-chunked when `Transfer-Encoding: chunked`.
 * Content-Length is not trusted (publishers re-indented some captures, cwmp-notes §8).
 */
export interface HttpFixture {
  readonly requestLine: string | undefined;
  /** Header names lower-cased; values trimmed. */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
  /** Set when the chunked framing is broken (a truncated or hand-edited capture); `body` is then the raw rest. */
  readonly chunkError: string | undefined;
}

function headerEnd(raw: Buffer): { end: number; sep: number } {
  const crlf = raw.indexOf("\r\n\r\n");
  const lf = raw.indexOf("\n\n");
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { end: crlf, sep: 4 };
  if (lf >= 0) return { end: lf, sep: 2 };
  return { end: raw.length, sep: 0 };
}

/** Undoes chunked transfer coding (RFC 9112 §7.1) on bytes; chunk boundaries may fall inside element names. */
export function dechunk(data: Buffer): { body: Buffer; error: string | undefined } {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = data.indexOf("\n", pos);
    if (eol < 0) return { body: Buffer.concat(parts), error: `chunk size line missing at byte ${pos}` };
    const line = data.subarray(pos, eol).toString("latin1").replace(/\r$/, "");
    const size = /^[0-9a-fA-F]+/.test(line) ? Number.parseInt(line, 16) : Number.NaN;
    if (Number.isNaN(size)) return { body: Buffer.concat(parts), error: `bad chunk size line "${line.slice(0, 20)}" at byte ${pos}` };
    if (size === 0) return { body: Buffer.concat(parts), error: undefined };
    const start = eol + 1;
    if (start + size > data.length) return { body: Buffer.concat(parts), error: `chunk of ${size} bytes truncated` };
    parts.push(data.subarray(start, start + size));
    pos = start + size;
    if (data[pos] === 0x0d) pos++;
    if (data[pos] === 0x0a) pos++;
  }
}

export function parseHttpFixture(raw: Buffer): HttpFixture {
  const { end, sep } = headerEnd(raw);
  const lines = raw.subarray(0, end).toString("latin1").split(/\r?\n/);
  const requestLine = /^[A-Z]+ \S+ HTTP\/\d/.test(lines[0] ?? "") ? lines.shift() : undefined;
  const headers = new Map<string, string>();
  for (const l of lines) {
    const i = l.indexOf(":");
    if (i > 0) headers.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
  }
  const rest = raw.subarray(end + sep);
  if (headers.get("transfer-encoding")?.toLowerCase() !== "chunked") return { requestLine, headers, body: rest, chunkError: undefined };
  const { body, error } = dechunk(rest);
  return { requestLine, headers, body: error === undefined ? body : rest, chunkError: error };
}
