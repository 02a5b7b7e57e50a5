/**
 * `converge explain <device-id>` and `GET /api/devices/:id/explain`: which policies match a device, every desired
 * path with its value and provenance, and the notes (conflicts, unresolved templates, shadowed values).
 * `explainData` is the structured form (the API's JSON); `explainDevice` renders it as text. Pure: the caller
 * loads the policies and the device facts. Write-only values (passwords, keys) and firmware credentials are never
 * included: the structured form carries `MASK` in their place, and is masked by the one rule besides.
 */
import { desiredStateFor, matchingPolicies, type VersionPins } from "../policy/desired.js";
import type { DesiredValue, MatchSubject, Provenance } from "../policy/desired.types.js";
import type { PolicySet } from "../policy/types.js";
import type { NotificationLevel } from "../cwmp/types.js";
import { MASK, maskJson } from "../domain/mask.js";
import { secretValuesOf } from "./device-plan.js";

export interface ExplainedValue {
  readonly path: string;
  /** The desired value; `MASK` for a write-only value. */
  readonly value: string;
  readonly type: string | null;
  readonly writeOnly: boolean;
  readonly drift: "heal" | "report";
  readonly verifyEverySeconds: number;
  readonly from: Provenance;
}

export interface Explanation {
  readonly device: {
    readonly id: string;
    readonly manufacturer: string;
    readonly productClass: string;
    readonly dataModel: string | null;
    readonly softwareVersion: string;
  };
  readonly revision: string;
  readonly matched: readonly { readonly name: string; readonly priority: number; readonly file: string; readonly line: number }[];
  readonly parameters: readonly ExplainedValue[];
  readonly tables: readonly {
    readonly table: string;
    readonly keyNames: readonly string[];
    readonly prune: boolean;
    readonly from: Provenance;
    readonly instances: readonly { readonly values: readonly ExplainedValue[]; readonly from: Provenance }[];
  }[];
  readonly attributes: readonly { readonly path: string; readonly notification: NotificationLevel; readonly from: Provenance }[];
  readonly firmware: { readonly version: string; readonly url: string; readonly fileSize: number; readonly from: Provenance } | null;
  readonly ignore: readonly string[];
  readonly allowReboot: boolean;
  readonly notes: readonly { readonly kind: string; readonly path: string; readonly message: string; readonly from: readonly Provenance[] }[];
}

const value = (v: DesiredValue): ExplainedValue => ({
  path: v.path,
  value: v.writeOnly ? MASK : v.value,
  type: v.type ?? null,
  writeOnly: v.writeOnly,
  drift: v.drift,
  verifyEverySeconds: v.verifyEveryMs / 1000,
  from: v.from,
});

/** The structured explanation of one device's desired state (secrets masked). */
export function explainData(set: PolicySet, facts: MatchSubject, pins?: VersionPins): Explanation {
  const d = desiredStateFor(set, facts, pins);
  const out: Explanation = {
    device: {
      id: facts.deviceId,
      manufacturer: facts.manufacturer,
      productClass: facts.productClass,
      dataModel: facts.dataModel ?? null,
      softwareVersion: facts.softwareVersion,
    },
    revision: set.revision,
    matched: matchingPolicies(set, facts).map((p) => ({ name: p.name, priority: p.priority, file: p.file, line: p.line })),
    parameters: [...d.values].sort((a, b) => (a.path < b.path ? -1 : 1)).map(value),
    tables: d.tables.map((t) => ({
      table: t.table,
      keyNames: t.keyNames,
      prune: t.prune,
      from: t.from,
      instances: t.instances.map((i) => ({ values: i.values.map(value), from: i.from })),
    })),
    attributes: d.attributes.map((a) => ({ path: a.path, notification: a.notification, from: a.from })),
    firmware: d.firmware ? { version: d.firmware.version, url: d.firmware.url, fileSize: d.firmware.fileSize, from: d.firmware.from } : null,
    ignore: d.ignore,
    allowReboot: d.allowReboot,
    notes: d.notes.map((n) => ({ kind: n.kind, path: n.path, message: n.message, from: n.from })),
  };
  return maskJson(out, [...secretValuesOf(d), ...(set.lookups.secretValues?.() ?? [])]);
}

const at = (f: Provenance): string => `${f.policy} (${f.file}:${f.line})`;
const shown = (v: ExplainedValue): string => (v.writeOnly ? "(write-only, hidden)" : JSON.stringify(v.value));
const typeOf = (v: ExplainedValue): string => (v.type === null ? "" : ` ${v.type}`);

/** Renders the explanation of one device's desired state. Ends with a newline. */
export function explainDevice(set: PolicySet, facts: MatchSubject, pins?: VersionPins): string {
  return renderExplanation(explainData(set, facts, pins));
}

export function renderExplanation(e: Explanation): string {
  const lines: string[] = [
    `device ${e.device.id} (${e.device.manufacturer} ${e.device.productClass}, ${e.device.dataModel ?? "unknown data model"}, software ${e.device.softwareVersion || "?"})`,
    `policy revision ${e.revision}`,
    "",
    `matched policies (${e.matched.length}, highest precedence first):`,
  ];
  for (const p of e.matched) lines.push(`  ${p.name}  priority ${p.priority}  ${p.file}:${p.line}`);
  if (e.matched.length === 0) lines.push("  (none)");
  lines.push("", `parameters (${e.parameters.length}):`);
  for (const v of e.parameters) lines.push(`  ${v.path} = ${shown(v)}${typeOf(v)}  [${v.drift}, verify ${v.verifyEverySeconds}s]  from ${at(v.from)}`);
  for (const t of e.tables) {
    lines.push("", `table ${t.table} keyed by [${t.keyNames.join(", ")}]${t.prune ? ", prune" : ""}  from ${at(t.from)}`);
    for (const i of t.instances) lines.push(`  - ${i.values.map((v) => `${v.path}=${shown(v)}`).join(" ")}  from ${at(i.from)}`);
  }
  if (e.attributes.length > 0) lines.push("", "attributes:");
  for (const a of e.attributes) lines.push(`  ${a.path} notification ${a.notification}  from ${at(a.from)}`);
  if (e.firmware !== null) lines.push("", `firmware ${e.firmware.version} from ${e.firmware.url} (${e.firmware.fileSize} bytes)  from ${at(e.firmware.from)}`);
  if (e.ignore.length > 0) lines.push("", `ignored: ${e.ignore.join(", ")}`);
  lines.push("", `reboot allowed: ${e.allowReboot ? "yes" : "no"}`);
  if (e.notes.length > 0) lines.push("", "notes:");
  for (const n of e.notes) lines.push(`  ${n.kind}: ${n.path}: ${n.message}  [${n.from.map(at).join("; ")}]`);
  return lines.join("\n") + "\n";
}
