/** Policies: each with priority and match count, the loaded revision, and the fleet plan by policy and model. */
import { get } from "./api.js";
import { PolicyErrors } from "./overview.js";
import type { Bucket, PlanView, PolicyList } from "./types.js";
import { ErrorNote, Section, Time, deviceHref, devicesHref, fmt, html, usePoll } from "./ui.js";

const KINDS = ["setValues", "setAttributes", "addObject", "deleteObject", "download", "reboot"];

function BucketTable({ title, rows, link }: { title: string; rows: Record<string, Bucket>; link: (k: string) => string }) {
  const entries = Object.entries(rows).sort((a, b) => b[1].devices - a[1].devices);
  if (entries.length === 0) return html`<p class="muted">No ${title.toLowerCase()} would change anything.</p>`;
  return html`<div class="scroll">
    <table>
      <caption>
        ${title}
      </caption>
      <thead>
        <tr>
          <th scope="col">${title}</th>
          <th scope="col" class="num">Devices changing</th>
          <th scope="col" class="num">Disruptive</th>
          ${KINDS.map((k) => html`<th scope="col" class="num">${k}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${entries.map(
          ([k, b]) =>
            html`<tr>
              <td class="wrap"><a href=${link(k)}>${k}</a></td>
              <td class="num">${fmt(b.devices)}</td>
              <td class="num">${fmt(b.disruptive)}</td>
              ${KINDS.map((s) => html`<td class="num">${fmt(b.steps[s] ?? 0)}</td>`)}
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function PlanSection() {
  const p = usePoll(() => get<PlanView>("/api/plan"), 3000, "plan");
  const v = p.data;
  const r = v?.result;
  const current = r !== null && r !== undefined && r.revision === v?.revision;
  return html`<${Section} title="Plan: what the loaded policies would change" id="plan">
    <${ErrorNote} error=${p.error} />
    ${v?.running ? html`<p class="meta" role="status">Planning the fleet for revision <code>${v.running.revision}</code>: ${fmt(v.running.planned)} of ${fmt(v.running.total)} devices...</p>` : null}
    ${v?.error ? html`<p class="error">The last plan failed: ${v.error.message}</p>` : null}
    ${
      r
        ? html`<p class="meta" data-testid="plan-summary">
              ${current ? "" : html`<strong>Older revision <code>${r.revision}</code>:</strong> `} ${fmt(r.summary.devices)} devices planned
              <${Time} ms=${r.computedAt} /> in ${fmt(r.durationMs)} ms:${" "}<strong>${fmt(r.summary.changing)}</strong> would change,
              ${fmt(r.summary.disruptiveDevices)} disruptively (reboot, download, delete); ${fmt(r.summary.unmatched)} match no policy.
            </p>
            <div class="grid2">
              <${BucketTable} title="Policy" rows=${r.summary.byPolicy} link=${(k: string) => devicesHref({ policy: k })} />
              <${BucketTable} title="Model" rows=${r.summary.byModel} link=${(k: string) => devicesHref({ productClass: k })} />
            </div>
            ${
              r.devices.length > 0
                ? html`<details>
                    <summary>${fmt(r.devices.length)} of the changing devices</summary>
                    <ul class="plain">
                      ${r.devices.map((c) => html`<li><a href=${deviceHref(c.deviceId)}>${c.deviceId}</a>: ${c.writes.map((w) => w.kind).join(", ")}${c.disruptive ? html` <span class="badge bad">disruptive</span>` : null} <span class="muted">(${c.policies.join(", ")})</span></li>`)}
                    </ul>
                  </details>`
                : null
            }`
        : v && !v.running
          ? html`<p class="muted">No policy set is loaded.</p>`
          : null
    }
  <//>`;
}

export function PoliciesPage() {
  const l = usePoll(() => get<PolicyList>("/api/policies"), 5000, "policies");
  const d = l.data;
  return html`<div class="page">
    <h1>Policies</h1>
    <${ErrorNote} error=${l.error} />
    ${
      d
        ? html`<p class="meta">Revision <code>${d.revision ?? "none"}</code> loaded <${Time} ms=${d.loadedAt} />.</p>
            ${d.errors.length > 0 ? html`<div class="alert bad" role="status"><strong>The policies folder is rejected</strong> (<${Time} ms=${d.lastErrorAt} />); the revision above keeps serving.<${PolicyErrors} errors=${d.errors} /></div>` : null}
            <${Section} title="Loaded policies" id="loaded">
              <div class="scroll">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Policy</th>
                      <th scope="col">File</th>
                      <th scope="col" class="num">Priority</th>
                      <th scope="col" class="num">Devices matched</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${[...d.policies]
                      .sort((a, b) => b.priority - a.priority)
                      .map(
                        (p) =>
                          html`<tr>
                            <td class="wrap">${p.name}</td>
                            <td class="wrap"><code>${p.file}</code></td>
                            <td class="num">${p.priority}</td>
                            <td class="num">
                              <a href=${devicesHref({ policy: p.name })} aria-label=${`${p.matches ?? 0} devices matched by ${p.name}`}
                                >${fmt(p.matches ?? 0)}</a
                              >
                            </td>
                          </tr>`,
                      )}
                  </tbody>
                </table>
              </div>
            <//>`
        : null
    }
    <${PlanSection} />
  </div>`;
}
