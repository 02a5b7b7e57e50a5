/**
 * Reads back JSON the store itself wrote from a typed value (events, tags, status, task requests). The column is
 * only ever written by this module from a `T`, so the parse is trusted rather than re-validated on every read.
 */
export function fromJson<T>(text: string): T {
  const value: T = JSON.parse(text);
  return value;
}

export function fromJsonOr<T>(text: string | null, fallback: T): T {
  return text === null ? fallback : fromJson<T>(text);
}
