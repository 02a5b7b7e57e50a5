/**
 * Compiles one desired value (scalar, `{ value, type, writeOnly }`, or template text) into a `PolicyValue`,
 * checking templates and, when the data model knows the parameter, type and range. Pure.
 */
import type { XsdType } from "../domain/xsd.js";
import { parseXsdType } from "../domain/xsd.js";
import type { DmParam } from "../datamodel/dm-index.js";
import { checkValue, xsdTypeOf } from "../datamodel/dm-index.js";
import type { RawScalar, RawValue } from "./raw.js";
import type { Template } from "./template.js";
import { parseTemplate, templateRefs } from "./template.js";
import type { Issue, PolicyValue, Site } from "./types.js";
import { ptr } from "./types.js";
import { isSecretPath } from "../domain/mask.js";

export interface CompileContext {
  readonly issues: Issue[];
  readonly siteOf: (pointer: string, atKey?: boolean) => Site;
  readonly hasVariable: (name: string) => boolean;
  readonly hasSecret: (name: string) => boolean;
}

/** TR-106: hidden parameters (passwords, keys) read back empty: the one rule of `domain/mask.ts`. */
export const isWriteOnlyName = isSecretPath;

/** Parses text that may hold templates. Returns the literal (templates absent) or the template. */
export function compileText(text: string, pointer: string, ctx: CompileContext): { literal: string | undefined; template: Template | undefined } {
  const t = parseTemplate(text);
  if (!t.ok) {
    const code = t.error.kind === "unknown-filter" ? "unknown-filter" : t.error.kind === "unknown-root" ? "unknown-template-variable" : "template-syntax";
    ctx.issues.push({ pointer, code, severity: "error", message: `template ${JSON.stringify(text)}: ${t.error.message}` });
    return { literal: undefined, template: undefined };
  }
  if (t.value.parts.every((p) => typeof p === "string")) return { literal: t.value.parts.join(""), template: undefined };
  for (const ref of templateRefs(t.value)) {
    if (ref.root === "vars" && !ctx.hasVariable(ref.name))
      ctx.issues.push({
        pointer,
        code: "unknown-template-variable",
        severity: "error",
        message: `unknown variable "vars.${ref.name}" (no file in vars/ defines it)`,
      });
    if (ref.root === "secret" && !ctx.hasSecret(ref.name))
      ctx.issues.push({
        pointer,
        code: "missing-secret",
        severity: "warning",
        message: `secret "${ref.name}" is not set (CONVERGE_SECRET_${ref.name} or the secrets file): devices will show it unresolved`,
      });
  }
  return { literal: undefined, template: t.value };
}

function inferType(v: RawScalar, dm: DmParam | undefined): XsdType | undefined {
  const fromDm = dm === undefined ? undefined : xsdTypeOf(dm.t);
  if (fromDm !== undefined) return fromDm;
  if (typeof v === "boolean") return "xsd:boolean";
  if (typeof v === "number") return v < 0 ? "xsd:int" : "xsd:unsignedInt";
  return "xsd:string";
}

/**
 * Compiles a desired value at `pointer` for parameter `path`. Returns undefined (and records an issue) when the
 * value is unusable: a non-integer number, a template error, or a literal the data model rejects.
 */
export function compileValue(path: string, raw: RawValue, pointer: string, ctx: CompileContext, dm: DmParam | undefined): PolicyValue | undefined {
  const typed = typeof raw === "object" ? raw : undefined;
  const v: RawScalar = typeof raw === "object" ? raw.value : raw;
  const vPtr = typed === undefined ? pointer : ptr(pointer, "value");
  if (typeof v === "number" && !Number.isSafeInteger(v)) {
    ctx.issues.push({ pointer: vPtr, code: "invalid-value", severity: "error", message: `${v} is not an integer: quote it to send it as a string` });
    return undefined;
  }
  const explicit = typed?.type === undefined ? undefined : parseXsdType(typed.type.includes(":") ? typed.type : `xsd:${typed.type}`);
  const raw_ = String(v);
  const text = typeof v === "string" ? compileText(v, vPtr, ctx) : { literal: raw_, template: undefined };
  if (text.literal === undefined && text.template === undefined) return undefined;
  if (text.literal !== undefined && dm !== undefined && explicit === undefined) {
    const problem = checkValue(dm, text.literal);
    if (problem !== undefined) {
      ctx.issues.push({ pointer: vPtr, code: "invalid-value", severity: "error", message: `invalid value for ${path}: ${problem}` });
      return undefined;
    }
  }
  return {
    path,
    literal: text.literal,
    template: text.template,
    raw: raw_,
    type: explicit ?? inferType(v, dm),
    writeOnly: typed?.writeOnly ?? (isWriteOnlyName(path) || dm?.h === 1),
    site: ctx.siteOf(pointer, true),
  };
}
