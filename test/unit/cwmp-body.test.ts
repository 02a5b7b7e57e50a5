/** decodeBody: content-encoding, charset, bounds, DOCTYPE/ENTITY refusal, empty POST. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { decodeBody, type BodyError } from "../../src/cwmp/body.js";

const XML = '<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"><soap-env:Body/></soap-env:Envelope>';
const LATIN1_XML = (decl: string): Buffer => Buffer.from(`${decl}<a>Caf\u00e9 \u00e0 l'\u00e9t\u00e9</a>`, "latin1");
const LIMIT = { maxBytes: 64 * 1024 };

interface Row {
  readonly name: string;
  readonly raw: Buffer;
  readonly contentType?: string;
  readonly contentEncoding?: string;
  readonly maxBytes?: number;
  readonly expect: { readonly text: string } | { readonly error: BodyError["code"] };
}

const rows: readonly Row[] = [
  { name: "identity UTF-8", raw: Buffer.from(XML), contentType: "text/xml; charset=utf-8", expect: { text: XML } },
  { name: "gzip", raw: gzipSync(Buffer.from(XML)), contentEncoding: "gzip", expect: { text: XML } },
  { name: "x-gzip, upper case", raw: gzipSync(Buffer.from(XML)), contentEncoding: "X-GZIP", expect: { text: XML } },
  { name: "deflate (zlib-wrapped)", raw: deflateSync(Buffer.from(XML)), contentEncoding: "deflate", expect: { text: XML } },
  { name: "deflate (raw, as some clients send)", raw: deflateRawSync(Buffer.from(XML)), contentEncoding: "deflate", expect: { text: XML } },
  { name: "corrupt gzip", raw: Buffer.from("not gzip at all"), contentEncoding: "gzip", expect: { error: "bad_encoding" } },
  { name: "unsupported encoding", raw: Buffer.from(XML), contentEncoding: "br", expect: { error: "bad_encoding" } },
  {
    name: "latin1 via the HTTP header (Thomson)",
    raw: LATIN1_XML(""),
    contentType: "text/xml; charset=ISO-8859-1",
    expect: { text: "<a>Café à l'été</a>" },
  },
  { name: "latin1 via a quoted header charset", raw: LATIN1_XML(""), contentType: 'text/html; charset="iso-8859-1"', expect: { text: "<a>Café à l'été</a>" } },
  {
    name: "latin1 via the XML declaration",
    raw: LATIN1_XML('<?xml version="1.0" encoding="ISO-8859-1"?>'),
    contentType: "text/xml",
    expect: { text: `<?xml version="1.0" encoding="ISO-8859-1"?><a>Café à l'été</a>` },
  },
  {
    name: "the HTTP charset wins over the XML declaration",
    raw: Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?><a>été</a>`, "utf8"),
    contentType: "text/xml; charset=utf-8",
    expect: { text: `<?xml version="1.0" encoding="ISO-8859-1"?><a>été</a>` },
  },
  { name: "default UTF-8 without any declaration", raw: Buffer.from("<a>été 😀</a>"), expect: { text: "<a>été 😀</a>" } },
  { name: "UTF-8 BOM is dropped", raw: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(XML)]), expect: { text: XML } },
  { name: "unknown charset in the header", raw: Buffer.from(XML), contentType: "text/xml; charset=koi8-r", expect: { error: "bad_charset" } },
  { name: "unknown charset in the declaration", raw: Buffer.from(`<?xml version="1.0" encoding="Shift_JIS"?><a/>`), expect: { error: "bad_charset" } },
  { name: "UTF-16 is refused", raw: Buffer.from("\ufeff<a/>", "utf16le"), expect: { error: "bad_charset" } },
  { name: "body over the limit", raw: Buffer.alloc(2048, 0x20), maxBytes: 1024, expect: { error: "too_large" } },
  {
    name: "gzip bomb is bounded by the inflated size",
    raw: gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x41)),
    contentEncoding: "gzip",
    maxBytes: 1024 * 1024,
    expect: { error: "too_large" },
  },
  {
    name: "deflate bomb is bounded too",
    raw: deflateSync(Buffer.alloc(8 * 1024 * 1024, 0x41)),
    contentEncoding: "deflate",
    maxBytes: 1024 * 1024,
    expect: { error: "too_large" },
  },
  { name: "DOCTYPE is refused", raw: Buffer.from(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`), expect: { error: "doctype" } },
  { name: "ENTITY anywhere is refused", raw: Buffer.from(`<x><!ENTITY a SYSTEM "file:///etc/passwd"></x>`), expect: { error: "doctype" } },
  { name: "lower-case doctype is refused", raw: Buffer.from(`<!doctype x><x/>`), expect: { error: "doctype" } },
  { name: "DOCTYPE hidden in gzip is refused", raw: gzipSync(Buffer.from(`<!DOCTYPE x><x/>`)), contentEncoding: "gzip", expect: { error: "doctype" } },
  { name: "empty body is the empty POST", raw: Buffer.alloc(0), expect: { text: "" } },
  { name: "whitespace-only body is the empty POST", raw: Buffer.from(" \r\n\t "), contentType: "text/xml", expect: { text: "" } },
  { name: "gzip of nothing is the empty POST", raw: gzipSync(Buffer.alloc(0)), contentEncoding: "gzip", expect: { text: "" } },
];

describe("decodeBody", () => {
  for (const row of rows) {
    it(row.name, () => {
      const r = decodeBody(row.raw, { contentType: row.contentType, contentEncoding: row.contentEncoding }, { maxBytes: row.maxBytes ?? LIMIT.maxBytes });
      if ("text" in row.expect) {
        assert.ok(r.ok, JSON.stringify(r));
        assert.equal(r.value, row.expect.text);
      } else {
        assert.ok(!r.ok, `expected ${row.expect.error}`);
        assert.equal(r.error.code, row.expect.error);
        assert.ok(r.error.message.length > 0);
      }
    });
  }
});
