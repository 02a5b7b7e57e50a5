/** Sessions and faults per minute as a plain SVG bar chart (no chart library: a few rectangles and a path). */
import { html, fmt } from "./ui.js";
import type { Activity } from "./types.js";

const W = 720;
const H = 160;
const PAD = { left: 44, right: 8, top: 10, bottom: 22 };

/** Every bucket of the window, with zeros where the API left one out. */
function filled(a: Activity): Activity["buckets"] {
  const byAt = new Map(a.buckets.map((b) => [b.at, b]));
  const out: Activity["buckets"] = [];
  const start = Math.floor(a.from / a.bucketMs) * a.bucketMs;
  for (let at = start; at <= a.to; at += a.bucketMs) out.push(byAt.get(at) ?? { at, sessions: 0, failedSessions: 0, faults: 0 });
  return out;
}

const hhmm = (ms: number): string => new Date(ms).toISOString().slice(11, 16);

export function ActivityChart({ activity }: { activity: Activity }) {
  const buckets = filled(activity);
  const max = Math.max(1, ...buckets.map((b) => Math.max(b.sessions, b.faults)));
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const bw = iw / Math.max(1, buckets.length);
  const y = (v: number): number => PAD.top + ih - (v / max) * ih;
  const total = buckets.reduce((t, b) => ({ s: t.s + b.sessions, f: t.f + b.faults, x: t.x + b.failedSessions }), { s: 0, f: 0, x: 0 });
  const minutes = Math.round((activity.to - activity.from) / 60_000);
  const label = `${fmt(total.s)} sessions (${fmt(total.x)} not ok) and ${fmt(total.f)} faults in the last ${minutes} minutes, per ${Math.round(activity.bucketMs / 1000)} s`;
  const faultPath = buckets.map((b, i) => `${i === 0 ? "M" : "L"}${(PAD.left + i * bw + bw / 2).toFixed(1)},${y(b.faults).toFixed(1)}`).join("");
  const ticks = [0, Math.round(max / 2), max];
  const every = Math.max(1, Math.ceil(buckets.length / 6));
  return html`<figure class="chart">
    <svg viewBox=${`0 0 ${W} ${H}`} role="img" aria-label=${label} preserveAspectRatio="none">
      <title>${label}</title>
      ${ticks.map((t) => html`<g><line x1=${PAD.left} x2=${W - PAD.right} y1=${y(t)} y2=${y(t)} class="grid" /><text x=${PAD.left - 6} y=${y(t) + 4} class="axis" text-anchor="end">${fmt(t)}</text></g>`)}
      ${buckets.map(
        (b, i) =>
          html`<g>
            <rect x=${PAD.left + i * bw + 0.5} y=${y(b.sessions)} width=${Math.max(0.5, bw - 1)} height=${PAD.top + ih - y(b.sessions)} class="bar-ok" />
            ${b.failedSessions > 0 ? html`<rect x=${PAD.left + i * bw + 0.5} y=${y(b.failedSessions)} width=${Math.max(0.5, bw - 1)} height=${PAD.top + ih - y(b.failedSessions)} class="bar-bad" />` : null}
            ${i % every === 0 ? html`<text x=${PAD.left + i * bw} y=${H - 6} class="axis">${hhmm(b.at)}</text>` : null}
          </g>`,
      )}
      <path d=${faultPath} class="line-fault" />
    </svg>
    <figcaption>
      <span class="key key-ok"></span> sessions <span class="key key-bad"></span> not ok <span class="key key-fault"></span> faults · ${label} (UTC)
    </figcaption>
  </figure>`;
}
