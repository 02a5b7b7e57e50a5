/**
 * The output of `converge plan` over a fleet: the summary and the changing devices (the first 10,000 in the JSON
 * and Markdown, the first 50 in the text; every one for a single device) as JSON, Markdown or text. Pure: the
 * plans come in, the text goes out (the CLI writes it).
 */
import { renderPreviews, type RolloutPreview } from "../rollout/preview.js";
import type { DevicePlan } from "./device-plan.js";
import { createAccumulator, deviceChange, type DeviceChange } from "./fleet-plan.js";
import { renderMarkdown, renderText } from "./render.js";

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
    if ((c.writes.length > 0 || c.drift.length > 0) && (o.single || details.length < 10_000)) details.push(c);
  }
  const summary = acc.summary();
  const output =
    o.format === "json"
      ? `${JSON.stringify({ revision: o.revision, summary, devices: details, rollouts: o.previews })}\n`
      : o.format === "markdown"
        ? renderMarkdown(summary, details, o.revision) + renderPreviews(o.previews)
        : renderText(summary, o.single ? details : details.slice(0, 50), o.revision) + renderPreviews(o.previews);
  return { output, changing: summary.changing };
}
