/**
 * The output of `converge plan` over a fleet: the summary and the changing devices (the first 10,000 in the JSON
 * and Markdown, the first 50 in the text; every one for a single device) as JSON, Markdown or text. Pure: the
 * plans come in, the text goes out (the CLI writes it).
 */
import { renderPreviews, type RolloutPreview } from "../rollout/preview.js";
import type { DevicePlan } from "./device-plan.js";
import { createAccumulator, deviceChange, type DeviceChange, type FleetSummary } from "./fleet-plan.js";
import { renderMarkdown, renderText } from "./render.js";
import { mergeParts, type ReportPart } from "./report-parts.js";

/** Changing devices listed in the JSON and Markdown of a fleet (the text shows the first 50). */
export const DETAILS = 10_000;

export interface ReportOptions {
  readonly format: "json" | "markdown" | "text";
  readonly revision: string;
  /** One device (`--device`): every detail shown. */
  readonly single: boolean;
  readonly previews: readonly RolloutPreview[];
}

export async function fleetReport(
  plans: AsyncIterable<DevicePlan> | Iterable<DevicePlan>,
  o: ReportOptions,
): Promise<{ readonly output: string; readonly changing: number }> {
  const acc = createAccumulator();
  const details: DeviceChange[] = [];
  for await (const dp of plans) {
    const c = deviceChange(dp);
    acc.accumulate(dp, c);
    if ((c.writes.length > 0 || c.drift.length > 0) && (o.single || details.length < DETAILS)) details.push(c);
  }
  return rendered(acc.summary(), details, o);
}

/** The same report from parts folded apart (report-parts.ts: worker threads over slices of the store). */
export function partsReport(parts: readonly ReportPart[], o: ReportOptions): { readonly output: string; readonly changing: number } {
  const { summary, details } = mergeParts(parts, DETAILS);
  return rendered(summary, details, o);
}

function rendered(summary: FleetSummary, details: readonly DeviceChange[], o: ReportOptions): { readonly output: string; readonly changing: number } {
  const output =
    o.format === "json"
      ? `${JSON.stringify({ revision: o.revision, summary, devices: details, rollouts: o.previews })}\n`
      : o.format === "markdown"
        ? renderMarkdown(summary, details, o.revision) + renderPreviews(o.previews)
        : renderText(summary, o.single ? details : details.slice(0, 50), o.revision) + renderPreviews(o.previews);
  return { output, changing: summary.changing };
}
