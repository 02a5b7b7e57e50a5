/**
 * Device selectors: compiled from a policy's `match`, tested against `MatchSubject`. Pure. Several conditions
 * AND; a list means any of its entries. Also the conservative overlap test conflict detection needs.
 */
import type { MatchSubject } from "./desired.types.js";
import type { RawMatch, RawParamCondition, RawScalar, RawStringMatch } from "./raw.js";
import type { Issue } from "./types.js";
import { ptr } from "./types.js";
import { isGlob } from "./glob.js";
import { compileGlob, compileLinearRegex, type LinearRegex } from "./linear-regex.js";
import type { Comparator } from "./version.js";
import { isVersionRange, parseVersionRange, satisfies } from "./version.js";

/** One field's matcher: exact literals (normalised), plus globs / regexes / version ranges. */
export interface StringMatcher {
  readonly literals: readonly string[];
  readonly tests: readonly ((s: string) => boolean)[];
  readonly caseInsensitive: boolean;
}

export interface ParamCondition {
  readonly path: string;
  readonly equals: string | undefined;
  readonly pattern: LinearRegex | undefined;
  readonly in: readonly string[] | undefined;
  readonly exists: boolean | undefined;
}

export const STRING_FIELDS = ["manufacturer", "oui", "productClass", "hardwareVersion", "softwareVersion", "serialNumber"] as const;
export type StringField = (typeof STRING_FIELDS)[number];

export interface Selector {
  readonly fields: Readonly<Partial<Record<StringField, StringMatcher>>>;
  readonly dataModel: "tr098" | "tr181" | undefined;
  readonly tags: { readonly all: readonly string[]; readonly any: readonly string[]; readonly none: readonly string[] };
  readonly parameters: readonly ParamCondition[];
  /** Canonical text of the `match` block: equal keys mean equal selectors. */
  readonly key: string;
  /** The `match` block as written: a selector crosses a thread boundary as this and is compiled again. */
  readonly raw: RawMatch | undefined;
}

const CASE_INSENSITIVE: ReadonlySet<StringField> = new Set(["manufacturer", "oui"]);

/** Compiles `match`. Invalid regexes and unparseable version ranges are issues; the selector is still returned. */
export function compileSelector(raw: RawMatch | undefined, base: string): { selector: Selector; issues: Issue[] } {
  const issues: Issue[] = [];
  const m = raw ?? {};
  const fields: Partial<Record<StringField, StringMatcher>> = {};
  for (const f of STRING_FIELDS) {
    const r = m[f];
    if (r !== undefined) fields[f] = compileStringMatch(r, ptr(ptr(base, "match"), f), f, issues);
  }
  const parameters = Object.entries(m.parameters ?? {}).map(([path, c]) => compileCondition(path, c, ptr(ptr(ptr(base, "match"), "parameters"), path), issues));
  const selector: Selector = {
    fields,
    dataModel: m.dataModel,
    tags: { all: m.tags?.all ?? [], any: m.tags?.any ?? [], none: m.tags?.none ?? [] },
    parameters,
    key: canonical(m),
    raw,
  };
  return { selector, issues };
}

function compileStringMatch(r: RawStringMatch, at: string, field: StringField, issues: Issue[]): StringMatcher {
  const ci = CASE_INSENSITIVE.has(field);
  if (typeof r === "object" && !Array.isArray(r) && "pattern" in r) {
    const re = compileRegex(r.pattern, ptr(at, "pattern"), issues, ci);
    return { literals: [], tests: re === undefined ? [] : [(s) => re.test(s)], caseInsensitive: ci };
  }
  const list: readonly string[] = typeof r === "string" ? [r] : (r as readonly string[]);
  const literals: string[] = [];
  const tests: ((s: string) => boolean)[] = [];
  list.forEach((s, i) => {
    const here = typeof r === "string" ? at : ptr(at, i);
    if (field === "softwareVersion" && isVersionRange(s)) {
      const range = parseVersionRange(s);
      if (range.ok) tests.push(rangeTest(range.value));
      else issues.push({ pointer: here, code: "invalid-version-range", severity: "error", message: `invalid version range "${s}": ${range.error}` });
    } else if (isGlob(s)) {
      const re = compileGlob(s, ci);
      tests.push((v) => re.test(v));
    } else literals.push(ci ? s.toLowerCase() : s);
  });
  return { literals, tests, caseInsensitive: ci };
}

const rangeTest =
  (range: readonly Comparator[]) =>
  (v: string): boolean =>
    satisfies(v, range);

/** A policy regex on the linear-time engine; an unsupported or invalid one is an `invalid-regex` error. */
function compileRegex(src: string, at: string, issues: Issue[], ci = false): LinearRegex | undefined {
  const re = compileLinearRegex(src, ci);
  if (re.ok) return re.value;
  issues.push({ pointer: at, code: "invalid-regex", severity: "error", message: `invalid regular expression: ${re.error}` });
  return undefined;
}

const lexical = (v: RawScalar): string => String(v);

function compileCondition(path: string, c: RawParamCondition, at: string, issues: Issue[]): ParamCondition {
  return {
    path,
    equals: c.equals === undefined ? undefined : lexical(c.equals),
    pattern: c.pattern === undefined ? undefined : compileRegex(c.pattern, ptr(at, "pattern"), issues),
    in: c.in?.map(lexical),
    exists: c.exists,
  };
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (typeof v === "object" && v !== null)
    return `{${Object.entries(v)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

/** Whether one field's matcher accepts a value. */
export function matchString(m: StringMatcher, value: string): boolean {
  const v = m.caseInsensitive ? value.toLowerCase() : value;
  return m.literals.includes(v) || m.tests.some((t) => t(value));
}

/** Whether a reported value counts as equal for a condition: "1"/"true" and "0"/"false" are the same boolean. */
function sameScalar(want: string, got: string): boolean {
  if (want === got) return true;
  const b = (s: string): string | undefined => (s === "true" || s === "1" ? "t" : s === "false" || s === "0" ? "f" : undefined);
  return b(want) !== undefined && b(want) === b(got) && (want === "true" || want === "false");
}

function conditionHolds(c: ParamCondition, reported: ReadonlyMap<string, string>): boolean {
  const v = reported.get(c.path);
  if (c.exists !== undefined && c.exists !== (v !== undefined)) return false;
  if (v === undefined) return c.equals === undefined && c.pattern === undefined && c.in === undefined;
  if (c.equals !== undefined && !sameScalar(c.equals, v)) return false;
  if (c.pattern !== undefined && !c.pattern.test(v)) return false;
  return c.in === undefined || c.in.some((w) => sameScalar(w, v));
}

/**
 * Whether a selector matches a device. Pure; reads only `facts`. A selector with `dataModel` never matches a
 * device whose data model is unknown.
 */
export function matchesDevice(s: Selector, facts: MatchSubject): boolean {
  for (const f of STRING_FIELDS) {
    const m = s.fields[f];
    if (m !== undefined && !matchString(m, facts[f])) return false;
  }
  if (s.dataModel !== undefined && s.dataModel !== facts.dataModel) return false;
  const { all, any, none } = s.tags;
  if (all.length > 0 && !all.every((t) => facts.tags.includes(t))) return false;
  if (any.length > 0 && !any.some((t) => facts.tags.includes(t))) return false;
  if (none.some((t) => facts.tags.includes(t))) return false;
  return s.parameters.every((c) => conditionHolds(c, facts.parameters));
}

/** A reason the selector can never match any device, or undefined. */
export function neverMatches(s: Selector): string | undefined {
  const { all, any, none } = s.tags;
  const both = all.find((t) => none.includes(t));
  if (both !== undefined) return `tag "${both}" is in both tags.all and tags.none`;
  if (any.length > 0 && any.every((t) => none.includes(t))) return "every tag of tags.any is also in tags.none";
  return undefined;
}

function fieldsDisjoint(a: StringMatcher, b: StringMatcher): boolean {
  // Only a finite literal set can be proven disjoint: none of its values may match the other side.
  const finite = (x: StringMatcher, y: StringMatcher): boolean => x.tests.length === 0 && x.literals.every((l) => !matchString(y, l));
  return finite(a, b) || finite(b, a);
}

function conditionsDisjoint(a: ParamCondition, b: ParamCondition): boolean {
  if (a.exists !== undefined && b.exists !== undefined && a.exists !== b.exists) return true;
  const values = (c: ParamCondition): readonly string[] | undefined => (c.equals !== undefined ? [c.equals] : c.in);
  const va = values(a),
    vb = values(b);
  if (va !== undefined && vb !== undefined) return !va.some((x) => vb.some((y) => sameScalar(x, y) || sameScalar(y, x)));
  return false;
}

/**
 * Conservative overlap test: true only when no device can match both selectors (a field with disjoint literal
 * values, different data models, contradicting tags or parameter conditions). Unknown means "may overlap".
 */
export function selectorsDisjoint(a: Selector, b: Selector, dmA: string | undefined, dmB: string | undefined): boolean {
  if (dmA !== undefined && dmB !== undefined && dmA !== dmB) return true;
  for (const f of STRING_FIELDS) {
    const x = a.fields[f],
      y = b.fields[f];
    if (x !== undefined && y !== undefined && fieldsDisjoint(x, y)) return true;
  }
  const tagClash = (x: Selector, y: Selector): boolean =>
    x.tags.all.some((t) => y.tags.none.includes(t)) || (x.tags.any.length > 0 && x.tags.any.every((t) => y.tags.none.includes(t)));
  if (tagClash(a, b) || tagClash(b, a)) return true;
  return a.parameters.some((c) => b.parameters.some((d) => c.path === d.path && conditionsDisjoint(c, d)));
}
