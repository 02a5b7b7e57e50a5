/**
 * Vendor firmware version strings ("V5R020C10S115", "6.2.15.5", "1.00(AAQU.1)b20", "G4.16L.06RC1") compared
 * token by token: runs of digits compare as integers (arbitrary length, never parseFloat), runs of letters
 * compare case-insensitively, everything else separates. Ranges are space-separated comparators that all hold.
 */
import type { Result } from "../domain/result.js";
import { err, ok } from "../domain/result.js";

export type Token = { readonly num: true; readonly digits: string } | { readonly num: false; readonly text: string };

/** Splits a version string into numeric and alphabetic runs; separators (".", "-", "(", ...) are dropped. */
export function tokenizeVersion(v: string): readonly Token[] {
  const out: Token[] = [];
  for (const m of v.matchAll(/[0-9]+|[A-Za-z]+/g)) {
    const s = m[0];
    out.push(/^[0-9]/.test(s) ? { num: true, digits: s.replace(/^0+(?=.)/, "") } : { num: false, text: s.toLowerCase() });
  }
  return out;
}

function compareToken(a: Token, b: Token): number {
  if (a.num && b.num) {
    if (a.digits.length !== b.digits.length) return a.digits.length < b.digits.length ? -1 : 1;
    return a.digits < b.digits ? -1 : a.digits > b.digits ? 1 : 0;
  }
  // As rpmvercmp: a numeric run is newer than an alphabetic one in the same position.
  if (a.num !== b.num) return a.num ? 1 : -1;
  const x = a.num ? "" : a.text,
    y = b.num ? "" : b.text;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Compares two vendor version strings. Returns -1, 0 or 1. A version that is a prefix of another is older
 * ("V5R020C10" < "V5R020C10S115"). Leading zeros do not count ("R020" = "R20").
 */
export function compareVersions(a: string, b: string): number {
  return compareTokens(tokenizeVersion(a), tokenizeVersion(b));
}

function compareTokens(ta: readonly Token[], tb: readonly Token[]): number {
  const n = Math.min(ta.length, tb.length);
  for (let i = 0; i < n; i++) {
    const c = compareToken(ta[i] as Token, tb[i] as Token);
    if (c !== 0) return c;
  }
  return ta.length === tb.length ? 0 : ta.length < tb.length ? -1 : 1;
}

export type VersionOp = ">=" | ">" | "<=" | "<" | "=" | "!=";
export interface Comparator {
  readonly op: VersionOp;
  readonly version: string;
  readonly tokens: readonly Token[];
}

const COMPARATOR = /^(>=|<=|!=|>|<|=)([A-Za-z0-9][A-Za-z0-9._()+~-]*)$/;

/** True when the text is meant as a range (it starts with a comparison operator). */
export const isVersionRange = (s: string): boolean => /^\s*[<>=!]/.test(s);

/** Parses ">=V5R020C10 <V5R021" into comparators. Every space-separated token must be operator + version. */
export function parseVersionRange(s: string): Result<readonly Comparator[], string> {
  const parts = s.trim().split(/\s+/);
  const out: Comparator[] = [];
  for (const part of parts) {
    const m = COMPARATOR.exec(part);
    if (m === null) return err(`"${part}" is not a comparator (expected one of >=, >, <=, <, =, != followed by a version, e.g. ">=V5R020C10 <V5R021")`);
    const version = m[2] as string;
    const tokens = tokenizeVersion(version);
    if (tokens.length === 0) return err(`"${version}" has no digits or letters to compare`);
    out.push({ op: m[1] as VersionOp, version, tokens });
  }
  return ok(out);
}

/** Whether `version` satisfies every comparator. */
export function satisfies(version: string, range: readonly Comparator[]): boolean {
  const mine = tokenizeVersion(version);
  return range.every(({ op, tokens }) => {
    const c = compareTokens(mine, tokens);
    switch (op) {
      case ">=":
        return c >= 0;
      case ">":
        return c > 0;
      case "<=":
        return c <= 0;
      case "<":
        return c < 0;
      case "=":
        return c === 0;
      case "!=":
        return c !== 0;
    }
  });
}
