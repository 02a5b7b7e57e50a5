/**
 * The text rendering of `converge explain <device-id>`: which policies match a device, every desired path with
 * its value and provenance, and the notes (conflicts, unresolved templates, shadowed values). Pure: the
 * dispatcher loads the policies and the device facts. Write-only values (passwords, keys) are never printed.
 */
import { desiredStateFor, matchingPolicies } from "../policy/desired.js";
import type { DesiredValue, MatchSubject, Provenance } from "../policy/desired.types.js";
import type { PolicySet } from "../policy/types.js";

const at = (f: Provenance): string => `${f.policy} (${f.file}:${f.line})`;
const shown = (v: DesiredValue): string => (v.writeOnly ? "(write-only, hidden)" : JSON.stringify(v.value));
const typeOf = (v: DesiredValue): string => (v.type === undefined ? "" : ` ${v.type}`);

/** Renders the explanation of one device's desired state. Ends with a newline. */
export function explainDevice(set: PolicySet, facts: MatchSubject): string {
  const d = desiredStateFor(set, facts);
  const lines: string[] = [
    `device ${facts.deviceId} (${facts.manufacturer} ${facts.productClass}, ${facts.dataModel ?? "unknown data model"}, software ${facts.softwareVersion || "?"})`,
    `policy revision ${set.revision}`,
    "",
    `matched policies (${d.matched.length}, highest precedence first):`,
  ];
  for (const p of matchingPolicies(set, facts)) lines.push(`  ${p.name}  priority ${p.priority}  ${p.file}:${p.line}`);
  if (d.matched.length === 0) lines.push("  (none)");
  lines.push("", `parameters (${d.values.length}):`);
  for (const v of [...d.values].sort((a, b) => (a.path < b.path ? -1 : 1)))
    lines.push(`  ${v.path} = ${shown(v)}${typeOf(v)}  [${v.drift}, verify ${v.verifyEveryMs / 1000}s]  from ${at(v.from)}`);
  for (const t of d.tables) {
    lines.push("", `table ${t.table} keyed by [${t.keyNames.join(", ")}]${t.prune ? ", prune" : ""}  from ${at(t.from)}`);
    for (const i of t.instances) lines.push(`  - ${i.values.map((v) => `${v.path}=${shown(v)}`).join(" ")}  from ${at(i.from)}`);
  }
  if (d.attributes.length > 0) lines.push("", "attributes:");
  for (const a of d.attributes) lines.push(`  ${a.path} notification ${a.notification}  from ${at(a.from)}`);
  if (d.firmware !== undefined) lines.push("", `firmware ${d.firmware.version} from ${d.firmware.url} (${d.firmware.fileSize} bytes)  from ${at(d.firmware.from)}`);
  if (d.ignore.length > 0) lines.push("", `ignored: ${d.ignore.join(", ")}`);
  lines.push("", `reboot allowed: ${d.allowReboot ? "yes" : "no"}`);
  if (d.notes.length > 0) lines.push("", "notes:");
  for (const n of d.notes) lines.push(`  ${n.kind}: ${n.path}: ${n.message}  [${n.from.map(at).join("; ")}]`);
  return lines.join("\n") + "\n";
}
