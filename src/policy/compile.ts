/**
 * Compiles one validated policy document (`RawPolicy`) into a `Policy`: selector, values, tables, attributes,
 * firmware, verify/drift/ignore/reboot, and the data model it applies to. Pure; problems become `Issue`s.
 */
import type { NotificationLevel } from "../cwmp/types.js";
import type { DmIndex } from "../datamodel/dm-index.js";
import { dataModelOf } from "../domain/device.js";
import { checkKnownPath, checkTablePath, checkWritablePath } from "./dm-check.js";
import type { CompileContext } from "./compile-value.js";
import { compileText, compileValue } from "./compile-value.js";
import { compileSelector, neverMatches } from "./match.js";
import type { RawFirmware, RawPolicy, RawTable } from "./raw.js";
import { hostedPath } from "./hosted-path.js";
import type { Issue, Policy, PolicyAttribute, PolicyFirmware, PolicyInstance, PolicyTable, PolicyValue } from "./types.js";
import { ptr } from "./types.js";
import { pathPatternToRegExp } from "./glob.js";
import { createHash } from "node:crypto";
import { parseStrategy } from "../rollout/strategy.js";
import type { Strategy } from "../rollout/types.js";

export const DEFAULT_VERIFY_MS = 24 * 3600 * 1000;
export const DEFAULT_FILE_TYPE = "1 Firmware Upgrade Image";
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const NOTIFICATION: Readonly<Record<string, NotificationLevel>> = { off: 0, passive: 1, active: 2 };

export interface PolicyCompileContext extends CompileContext {
  readonly file: string;
  readonly dm: DmIndex | undefined;
}

/** Parses "30s", "15m", "24h", "7d" (the schema guarantees the shape). */
export function parseDuration(s: string): number {
  const unit = s.slice(-1) as keyof typeof UNIT_MS;
  return Number(s.slice(0, -1)) * (UNIT_MS[unit] ?? 0);
}

/** Compiles one policy. Always returns a policy (possibly partial); the caller rejects the set when issues hold errors. */
export function compilePolicy(raw: RawPolicy, ctx: PolicyCompileContext): Policy {
  const { selector, issues } = compileSelector(raw.match, "");
  ctx.issues.push(...issues);
  const values = compileParameters(raw, ctx);
  const tables = Object.entries(raw.objects ?? {}).map(([t, def]) => compileTable(t, def, ptr("/objects", t), ctx));
  const dm = effectiveDataModel(raw, values, tables, ctx);
  const never = neverMatches(selector);
  const policy: Policy = {
    name: raw.name,
    description: raw.description ?? "",
    priority: raw.priority ?? 0,
    file: ctx.file,
    line: ctx.siteOf("").line,
    site: ctx.siteOf(""),
    selector,
    dataModel: dm.dataModel,
    inert: dm.inert || never !== undefined,
    values,
    tables,
    attributes: compileAttributes(raw, ctx),
    firmware: raw.firmware === undefined ? undefined : compileFirmware(raw.firmware, ctx),
    verifyEveryMs: raw.verify === undefined ? DEFAULT_VERIFY_MS : parseDuration(raw.verify.every),
    drift: raw.drift ?? "heal",
    ignore: raw.ignore ?? [],
    ignoreMatchers: (raw.ignore ?? []).map(pathPatternToRegExp),
    allowReboot: raw.reboot?.allow,
    provisionConnectionRequest: raw.connectionRequest?.provision,
    rollout: compileRollout(raw, ctx),
    fingerprint: policyFingerprint(raw),
  };
  if (never !== undefined)
    ctx.issues.push({ pointer: "/match", code: "never-matches", severity: "warning", message: `policy "${raw.name}" can never match: ${never}` });
  return policy;
}

function compileParameters(raw: RawPolicy, ctx: PolicyCompileContext): PolicyValue[] {
  const out: PolicyValue[] = [];
  for (const [path, v] of Object.entries(raw.parameters ?? {})) {
    const at = ptr("/parameters", path);
    const dm = ctx.dm === undefined ? undefined : checkWritablePath(ctx.dm, path, at, ctx.issues);
    const value = compileValue(path, v, at, ctx, dm);
    if (value !== undefined) out.push(value);
  }
  return out;
}

function compileTable(table: string, def: RawTable, at: string, ctx: PolicyCompileContext): PolicyTable {
  const path = table.endsWith(".") ? table : `${table}.`;
  if (ctx.dm !== undefined) checkTablePath(ctx.dm, path, at, ctx.issues);
  const instances: PolicyInstance[] = [];
  def.instances.forEach((inst, i) => {
    const compiled = compileInstance(path, def.key, inst, ptr(ptr(at, "instances"), i), ctx);
    if (compiled !== undefined) instances.push(compiled);
  });
  checkDuplicateKeys(instances, def.key, at, ctx.issues);
  return { table: path, keyNames: def.key, prune: def.prune ?? false, instances, site: ctx.siteOf(at, true) };
}

function compileInstance(
  table: string,
  keyNames: readonly string[],
  inst: RawTable["instances"][number],
  at: string,
  ctx: PolicyCompileContext,
): PolicyInstance | undefined {
  const key: Record<string, string> = {};
  const values: PolicyValue[] = [];
  for (const k of keyNames) {
    const v = inst[k];
    if (v === undefined) {
      ctx.issues.push({
        pointer: at,
        code: "schema",
        severity: "error",
        message: `instance lacks key parameter "${k}"`,
        expected: `keys: ${keyNames.join(", ")}`,
      });
      return undefined;
    }
    const lex = String(typeof v === "object" ? v.value : v);
    if (lex.includes("${"))
      ctx.issues.push({
        pointer: ptr(at, k),
        code: "template-syntax",
        severity: "error",
        message: `key parameter "${k}" cannot use a template: keys identify instances across devices`,
      });
    key[k] = lex;
  }
  for (const [name, v] of Object.entries(inst)) {
    const full = `${table}1.${name}`; // any instance number maps to {i} for the data-model lookup
    const dm = ctx.dm === undefined ? undefined : checkWritablePath(ctx.dm, full, ptr(at, name), ctx.issues, name);
    const value = compileValue(name, v, ptr(at, name), ctx, dm);
    if (value !== undefined) values.push(value);
  }
  return { key, values, site: ctx.siteOf(at) };
}

function checkDuplicateKeys(instances: readonly PolicyInstance[], keyNames: readonly string[], at: string, issues: Issue[]): void {
  const seen = new Set<string>();
  instances.forEach((inst, i) => {
    const k = JSON.stringify(keyNames.map((n) => inst.key[n]));
    if (seen.has(k))
      issues.push({ pointer: ptr(ptr(at, "instances"), i), code: "conflict", severity: "error", message: `two instances have the same key ${k}` });
    seen.add(k);
  });
}

function compileAttributes(raw: RawPolicy, ctx: PolicyCompileContext): PolicyAttribute[] {
  if (ctx.dm !== undefined) for (const path of Object.keys(raw.attributes ?? {})) checkKnownPath(ctx.dm, path, ptr("/attributes", path), ctx.issues);
  return Object.entries(raw.attributes ?? {}).map(([path, a]) => ({
    path,
    notification: typeof a.notification === "number" ? (a.notification as NotificationLevel) : (NOTIFICATION[a.notification] ?? 0),
    site: ctx.siteOf(ptr("/attributes", path), true),
  }));
}

function textValue(path: string, text: string | undefined, pointer: string, ctx: PolicyCompileContext, writeOnly: boolean): PolicyValue {
  const t = text === undefined ? { literal: "", template: undefined } : compileText(text, pointer, ctx);
  return {
    path,
    literal: t.literal ?? (t.template === undefined ? "" : undefined),
    template: t.template,
    raw: text ?? "",
    type: "xsd:string",
    writeOnly,
    site: ctx.siteOf(pointer, true),
  };
}

function compileFirmware(f: RawFirmware, ctx: PolicyCompileContext): PolicyFirmware {
  if ((f.url === undefined) === (f.file === undefined))
    ctx.issues.push({
      pointer: "/firmware",
      code: "schema",
      severity: "error",
      message: "firmware needs exactly one of url and file",
      expected: "url: <http(s)/ftp URL or /files/name> or file: <a hosted file>",
      atKey: true,
    });
  return {
    version: f.version,
    // A hosted file is the relative URL /files/<name>: load.ts checks it exists and fills size and checksum; the
    // server resolves it against its public URL.
    url:
      f.file !== undefined
        ? textValue("firmware.url", hostedPath(f.file), "/firmware/file", ctx, false)
        : textValue("firmware.url", f.url, "/firmware/url", ctx, false),
    fileSize: f.fileSize ?? 0,
    fileType: f.fileType ?? DEFAULT_FILE_TYPE,
    username: textValue("firmware.username", f.username, "/firmware/username", ctx, false),
    password: textValue("firmware.password", f.password, "/firmware/password", ctx, true),
    checksum: f.checksum,
    site: ctx.siteOf("/firmware", true),
  };
}

/**
 * The data model a policy applies to: `match.dataModel`, else the one root all its paths share. Paths under
 * both roots without `match.dataModel` are an error; paths under the other root than `match.dataModel` make
 * the policy never match (a warning).
 */
function effectiveDataModel(
  raw: RawPolicy,
  values: readonly PolicyValue[],
  tables: readonly PolicyTable[],
  ctx: PolicyCompileContext,
): { dataModel: "tr098" | "tr181" | undefined; inert: boolean } {
  const paths = [...values.map((v) => v.path), ...tables.map((t) => t.table), ...Object.keys(raw.attributes ?? {}), ...(raw.ignore ?? [])];
  const roots = new Set(paths.map(dataModelOf).filter((d) => d !== undefined));
  const explicit = raw.match?.dataModel;
  if (explicit !== undefined) {
    const other = [...roots].find((r) => r !== explicit);
    if (other === undefined) return { dataModel: explicit, inert: false };
    ctx.issues.push({
      pointer: "/match/dataModel",
      code: "never-matches",
      severity: "warning",
      message: `policy "${raw.name}" can never apply: match.dataModel is ${explicit} but it sets ${other === "tr181" ? "TR-181 (Device.)" : "TR-098 (InternetGatewayDevice.)"} paths`,
    });
    return { dataModel: explicit, inert: true };
  }
  if (roots.size > 1) {
    ctx.issues.push({
      pointer: "",
      code: "mixed-data-models",
      severity: "error",
      message: `policy "${raw.name}" sets both InternetGatewayDevice. and Device. paths: split it, or set match.dataModel`,
    });
    return { dataModel: undefined, inert: false };
  }
  return { dataModel: [...roots][0], inert: false };
}

function compileRollout(raw: RawPolicy, ctx: PolicyCompileContext): Strategy | undefined {
  const r = parseStrategy(raw.rollout, "/rollout");
  ctx.issues.push(...r.issues);
  return r.strategy;
}

/** JSON with object keys sorted, so reordering keys in YAML is not a new version. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** Identifies a version of a policy: its document without `rollout:` (changing only the strategy is no rollout). */
export function policyFingerprint(raw: RawPolicy): string {
  const { rollout: _ignored, ...rest } = raw;
  return createHash("sha256").update(canonical(rest)).digest("hex").slice(0, 16);
}
