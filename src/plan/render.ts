/** Renders a fleet plan as text (terminal) or Markdown (a PR comment). */
import type { PlanStep } from "../reconcile/types.js";
import { WRITE_KINDS, type AttributedStep, type Bucket, type DeviceChange, type FleetSummary } from "./fleet-plan.js";

export function describeStep(s: PlanStep): string {
  switch (s.kind) {
    case "setValues": {
      const secret = new Set(s.writeOnly ?? []);
      return `set ${s.values.map((v) => `${v.name}=${secret.has(v.name) ? "(secret)" : JSON.stringify(v.value)}`).join(", ")}`;
    }
    case "addObject":
      return `add ${s.table} {${Object.entries(s.key)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ")}}`;
    case "deleteObject":
      return `DELETE ${s.object}`;
    case "setAttributes":
      return `notify ${s.attributes.map((a) => `${a.path}=${a.notification}`).join(", ")}`;
    case "download":
      return `DOWNLOAD firmware ${s.version} from ${s.url}`;
    case "reboot":
      return `REBOOT (${s.reason})`;
    case "discover":
      return `discover ${s.path}`;
    case "refresh":
      return `read ${s.paths.length} value(s) (${s.reason})`;
    case "readAttributes":
      return `read attributes of ${s.paths.length} parameter(s)`;
  }
}

/** A `drift: report` difference: listed, never reverted. */
function describeDrift(x: DeviceChange["drift"][number]): string {
  return `drift (report: not reverted) ${x.path}: device has ${JSON.stringify(x.reported)}, policy wants ${JSON.stringify(x.desired)}`;
}

/** " [policy@revision]": which policies caused a step. */
function causedBy(s: AttributedStep): string {
  return s.policies.length > 0 ? ` [${s.policies.join(", ")}]` : "";
}

function stepCounts(steps: Readonly<Record<string, number>>): string {
  return (
    WRITE_KINDS.filter((k) => (steps[k] ?? 0) > 0)
      .map((k) => `${steps[k]} ${k}`)
      .join(", ") || "no writes"
  );
}

function table(title: string, rows: Readonly<Record<string, Bucket>>, md: boolean): string[] {
  const keys = Object.keys(rows).sort();
  if (keys.length === 0) return [];
  if (!md)
    return [
      `${title}:`,
      ...keys.map(
        (k) => `  ${k}: ${rows[k]?.devices} device(s), ${stepCounts(rows[k]?.steps ?? {})}${rows[k]?.disruptive ? `, ${rows[k]?.disruptive} disruptive` : ""}`,
      ),
    ];
  return [
    `| ${title} | devices | steps | disruptive |`,
    "|---|---:|---|---:|",
    ...keys.map((k) => `| ${k} | ${rows[k]?.devices} | ${stepCounts(rows[k]?.steps ?? {})} | ${rows[k]?.disruptive ? `⚠️ ${rows[k]?.disruptive}` : 0} |`),
  ];
}

export function renderText(s: FleetSummary, details: readonly DeviceChange[], revision: string): string {
  const lines = [
    `Plan for policy revision ${revision}: ${s.changing} of ${s.devices} device(s) would change${s.disruptiveDevices ? `, ${s.disruptiveDevices} DISRUPTIVELY` : ""}.`,
    `Steps: ${stepCounts(s.steps)}.${s.unmatched ? ` ${s.unmatched} device(s) match no policy.` : ""}${s.drifted ? ` ${s.drifted} device(s) drifted from a drift: report value (listed, not reverted).` : ""}`,
    ...table("by policy", s.byPolicy, false),
    ...table("by model", s.byModel, false),
  ];
  for (const d of details) {
    lines.push(`${d.disruptive ? "!" : "~"} ${d.deviceId} (${d.productClass})${d.reads ? ` [+${d.reads} read(s)]` : ""}`);
    for (const st of d.writes) lines.push(`    ${describeStep(st)}${causedBy(st)}`);
    for (const x of d.drift) lines.push(`    ${describeDrift(x)}`);
  }
  return `${lines.join("\n")}\n`;
}

export function renderMarkdown(s: FleetSummary, details: readonly DeviceChange[], revision: string): string {
  const lines = [
    `### Converge plan for \`${revision}\``,
    "",
    `**${s.changing}** of ${s.devices} device(s) would change${s.disruptiveDevices ? `, **⚠️ ${s.disruptiveDevices} disruptively** (reboot, download or delete)` : ""}. Steps: ${stepCounts(s.steps)}.${s.drifted ? ` ${s.drifted} device(s) with drift: report drift (listed, not reverted).` : ""}`,
    "",
    ...table("policy", s.byPolicy, true),
    "",
    ...table("model", s.byModel, true),
  ];
  if (details.length > 0) {
    lines.push("", "<details><summary>Per device</summary>", "");
    for (const d of details.slice(0, 200)) {
      lines.push(`- \`${d.deviceId}\` (${d.productClass})${d.disruptive ? " ⚠️" : ""}`);
      for (const st of d.writes) lines.push(`  - ${describeStep(st)}${causedBy(st)}`);
      for (const x of d.drift) lines.push(`  - ${describeDrift(x)}`);
    }
    if (details.length > 200) lines.push(`- … and ${details.length - 200} more`);
    lines.push("", "</details>");
  }
  return `${lines.join("\n")}\n`;
}
