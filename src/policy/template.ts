/**
 * Value templates: `isp-${device.serialNumber | last(4)}`, `${vars.wifiKey}`, `${secret.ACS_PASS}`,
 * `${param.InternetGatewayDevice.DeviceInfo.SerialNumber | lower}`. Parsed once at load time (syntax, roots and
 * filters are checked then); resolved per device. Resolution never yields an empty expression: a missing or empty
 * value is an error unless `default("...")` supplies one. `$${` writes a literal `${`. No general-purpose code.
 */
import type { Result } from "../domain/result.js";
import { err, ok } from "../domain/result.js";
import type { MatchSubject } from "./desired.types.js";

export const DEVICE_FIELDS = ["id", "serialNumber", "oui", "productClass", "manufacturer", "softwareVersion", "hardwareVersion"] as const;
export type DeviceField = (typeof DEVICE_FIELDS)[number];
export const ROOTS = ["device", "param", "vars", "secret"] as const;
export const FILTERS = ["last", "first", "upper", "lower", "default"] as const;

export type Ref = { readonly root: "device"; readonly name: DeviceField } | { readonly root: "param" | "vars" | "secret"; readonly name: string };

export type Filter =
  { readonly name: "last" | "first"; readonly n: number } | { readonly name: "upper" | "lower" } | { readonly name: "default"; readonly value: string };

export interface TemplateExpr {
  readonly ref: Ref;
  readonly filters: readonly Filter[];
  readonly source: string;
}

export interface Template {
  readonly parts: readonly (string | TemplateExpr)[];
}

export interface TemplateError {
  readonly message: string;
  readonly offset: number; // into the template text
  readonly kind: "syntax" | "unknown-root" | "unknown-filter";
}

export interface TemplateContext {
  readonly facts: MatchSubject;
  readonly variable: (name: string) => string | undefined;
  readonly secret: (name: string) => string | undefined;
}

/** Parses template text. Returns the first error with its offset. */
export function parseTemplate(text: string): Result<Template, TemplateError> {
  const parts: (string | TemplateExpr)[] = [];
  let lit = "";
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("$${", i)) {
      lit += "${";
      i += 3;
    } else if (text.startsWith("${", i)) {
      const end = text.indexOf("}", i + 2);
      if (end < 0) return err({ message: `unclosed "\${" (expected "}")`, offset: i, kind: "syntax" });
      const e = parseExpr(text.slice(i + 2, end), i + 2);
      if (!e.ok) return e;
      if (lit !== "") parts.push(lit);
      lit = "";
      parts.push(e.value);
      i = end + 1;
    } else {
      lit += text[i];
      i++;
    }
  }
  if (lit !== "") parts.push(lit);
  return ok({ parts });
}

const REF = /^([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z0-9_.{}-]+))?$/;

function parseExpr(src: string, offset: number): Result<TemplateExpr, TemplateError> {
  const [head = "", ...filterSrcs] = splitPipes(src);
  const trimmed = head.trim();
  const m = REF.exec(trimmed);
  if (m === null) return err({ message: `"${trimmed}" is not a reference (expected root.name, e.g. device.serialNumber)`, offset, kind: "syntax" });
  const ref = toRef(m[1] as string, m[2], offset);
  if (!ref.ok) return ref;
  const filters: Filter[] = [];
  let at = offset + head.length + 1;
  for (const f of filterSrcs) {
    const parsed = parseFilter(f.trim(), at);
    if (!parsed.ok) return parsed;
    filters.push(parsed.value);
    at += f.length + 1;
  }
  return ok({ ref: ref.value, filters, source: src.trim() });
}

/** Splits on "|" outside double quotes. */
function splitPipes(s: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (const c of s) {
    if (c === '"') quoted = !quoted;
    if (c === "|" && !quoted) {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function toRef(root: string, name: string | undefined, offset: number): Result<Ref, TemplateError> {
  if (!(ROOTS as readonly string[]).includes(root))
    return err({ message: `unknown template root "${root}" (expected one of: ${ROOTS.join(", ")})`, offset, kind: "unknown-root" });
  if (name === undefined) return err({ message: `"${root}" needs a name, e.g. ${root}.${exampleName(root)}`, offset, kind: "syntax" });
  if (root === "device") {
    const field = DEVICE_FIELDS.find((f) => f === name);
    if (field === undefined)
      return err({ message: `unknown device fact "${name}" (expected one of: ${DEVICE_FIELDS.join(", ")})`, offset, kind: "unknown-root" });
    return ok({ root: "device", name: field });
  }
  if (root === "param" && !/^(InternetGatewayDevice|Device)\.[A-Za-z0-9_.-]*[A-Za-z0-9_]$/.test(name))
    return err({ message: `"param.${name}" must name a full parameter path (InternetGatewayDevice.… or Device.…)`, offset, kind: "syntax" });
  if ((root === "vars" || root === "secret") && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    return err({ message: `"${root}.${name}" is not a valid name (letters, digits, _)`, offset, kind: "syntax" });
  return ok({ root: root === "param" ? "param" : root === "vars" ? "vars" : "secret", name });
}

const exampleName = (root: string): string =>
  root === "device" ? "serialNumber" : root === "param" ? "InternetGatewayDevice.DeviceInfo.SerialNumber" : "NAME";

const FILTER = /^([a-z]+)(?:\(\s*(?:(-?[0-9]+)|"((?:[^"\\]|\\.)*)")?\s*\))?$/;

function parseFilter(src: string, offset: number): Result<Filter, TemplateError> {
  const m = FILTER.exec(src);
  if (m === null) return err({ message: `"${src}" is not a filter (expected name or name(arg))`, offset, kind: "syntax" });
  const [, name = "", num, str] = m;
  const bad = (usage: string): Result<Filter, TemplateError> => err({ message: `filter "${name}" expects ${usage}`, offset, kind: "syntax" });
  switch (name) {
    case "last":
    case "first":
      return num !== undefined && Number(num) > 0 ? ok({ name, n: Number(num) }) : bad("a positive count, e.g. last(4)");
    case "upper":
    case "lower":
      return num === undefined && str === undefined ? ok({ name }) : bad("no argument");
    case "default":
      return str !== undefined && str !== "" ? ok({ name, value: str.replace(/\\(.)/g, "$1") }) : bad('a non-empty string, e.g. default("x")');
    default:
      return err({ message: `unknown filter "${name}" (expected one of: ${FILTERS.join(", ")})`, offset, kind: "unknown-filter" });
  }
}

/** Every reference a template makes (for validation: unknown variables, missing secrets). */
export function templateRefs(t: Template): readonly Ref[] {
  return t.parts.flatMap((p) => (typeof p === "string" ? [] : [p.ref]));
}

/**
 * Resolves a template for one device. Returns an error naming the first reference that has no value (after
 * filters, an empty string counts as no value): the caller must then omit the value, never send "".
 */
export function resolveTemplate(t: Template, ctx: TemplateContext): Result<string, string> {
  let out = "";
  for (const p of t.parts) {
    if (typeof p === "string") {
      out += p;
      continue;
    }
    const v = applyFilters(lookup(p.ref, ctx), p.filters);
    if (v === undefined || v === "") return err(`\${${p.source}} has no value for this device`);
    out += v;
  }
  return ok(out);
}

function lookup(ref: Ref, ctx: TemplateContext): string | undefined {
  switch (ref.root) {
    case "device":
      return ref.name === "id" ? ctx.facts.deviceId : ctx.facts[ref.name];
    case "param":
      return ctx.facts.parameters.get(ref.name);
    case "vars":
      return ctx.variable(ref.name);
    case "secret":
      return ctx.secret(ref.name);
  }
}

function applyFilters(v: string | undefined, filters: readonly Filter[]): string | undefined {
  let cur = v;
  for (const f of filters) {
    switch (f.name) {
      case "default":
        cur = cur === undefined || cur === "" ? f.value : cur;
        break;
      case "last":
        cur = cur?.slice(-f.n);
        break;
      case "first":
        cur = cur?.slice(0, f.n);
        break;
      case "upper":
        cur = cur?.toUpperCase();
        break;
      case "lower":
        cur = cur?.toLowerCase();
        break;
    }
  }
  return cur;
}
