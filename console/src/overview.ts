/** Fleet overview: devices by condition, policy, model/firmware; the policy revision; activity; top faults. */
import { get } from "./api.js";
import { ActivityChart } from "./chart.js";
import type { Activity, Overview, PolicyError, TopFault } from "./types.js";
import { ErrorNote, Section, Time, devicesHref, fmt, html, usePoll } from "./ui.js";

const CONDITION_TILES: readonly { key: string; label: string; filter?: string; tone: string }[] = [
  { key: "converged", label: "Converged", filter: "Converged=true", tone: "good" },
  { key: "not_converged", label: "Not converged", filter: "Converged=false", tone: "warn" },
  { key: "drifted", label: "Drifted", filter: "Drifted=true", tone: "warn" },
  { key: "faulted", label: "Faulted", filter: "Faulted=true", tone: "bad" },
  { key: "pending", label: "Pending", filter: "Pending=true", tone: "muted" },
  { key: "unknown", label: "No status yet", tone: "muted" },
];

export function PolicyErrors({ errors }: { errors: readonly PolicyError[] }) {
  return html`<ul class="errors">
    ${errors.slice(0, 20).map((e) => html`<li><code>${e.file ?? "?"}:${e.line ?? 0}:${e.column ?? 0}</code> ${e.message ?? e.code ?? ""}</li>`)}
    ${errors.length > 20 ? html`<li>... and ${errors.length - 20} more</li>` : null}
  </ul>`;
}

export function OverviewPage() {
  const o = usePoll(() => get<Overview>("/api/overview"), 5000, "overview");
  const a = usePoll(() => get<Activity>("/api/activity?minutes=180&bucketSeconds=60"), 15000, "activity");
  const f = usePoll(() => get<{ faults: TopFault[] }>("/api/faults/top?hours=24&limit=10"), 15000, "faults");
  const d = o.data;
  return html`<div class="page">
    <h1>Fleet overview</h1>
    <${ErrorNote} error=${o.error} />
    ${
      d
        ? html` ${
              d.policies.failing || d.policies.lastRejected
                ? html`<div class=${d.policies.failing ? "alert bad" : "alert warn"} role="status" data-testid="policy-alert">
                    <strong>${d.policies.failing ? "The policies folder is rejected" : "Last rejected policy change"}</strong>
                    ${d.policies.lastRejected ? html` <${Time} ms=${d.policies.lastRejected.at} />: ${d.policies.lastRejected.errors.length} error(s); revision <code>${d.policies.revision ?? "none"}</code> keeps serving.` : null}
                    ${d.policies.lastRejected ? html`<${PolicyErrors} errors=${d.policies.lastRejected.errors.filter((e) => e.severity !== "warning")} />` : null}
                  </div>`
                : null
            }
            <div class="tiles" data-testid="condition-tiles">
              <a class="tile" href="#/devices"><span class="n" data-count="devices">${fmt(d.devices)}</span><span class="l">Devices</span></a>
              ${CONDITION_TILES.map(
                (t) =>
                  html`<a class=${`tile ${t.tone}`} href=${t.filter ? devicesHref({ condition: t.filter }) : "#/devices"}>
                    <span class="n" data-count=${t.key}>${fmt(d.conditions[t.key] ?? 0)}</span><span class="l">${t.label}</span>
                  </a>`,
              )}
            </div>
            <p class="meta">
              Policy revision <code data-testid="revision">${d.policies.revision ?? "none loaded"}</code>, ${d.policies.count} policies, loaded${" "}<${Time}
                ms=${d.policies.loadedAt}
              />.${" "}${fmt(d.activeSessions)} session(s) in progress.
            </p>`
        : o.loading
          ? html`<p>Loading...</p>`
          : null
    }
    <${Section} title="Sessions and faults, last 3 hours" id="activity">
      <${ErrorNote} error=${a.error} />
      ${a.data ? html`<${ActivityChart} activity=${a.data} />` : null}
    <//>
    <div class="grid2">
      <${Section} title="Most common faults (24 h)" id="top-faults">
        <${ErrorNote} error=${f.error} />
        ${f.data && f.data.faults.length === 0 ? html`<p class="muted">No faults recorded.</p>` : null}
        ${
          f.data && f.data.faults.length > 0
            ? html`<table>
                <thead>
                  <tr>
                    <th scope="col">Code</th>
                    <th scope="col">Message</th>
                    <th scope="col" class="num">Devices</th>
                    <th scope="col" class="num">Faults</th>
                    <th scope="col">Last</th>
                  </tr>
                </thead>
                <tbody>
                  ${f.data.faults.map(
                    (x) =>
                      html`<tr>
                        <td><code>${x.code}</code></td>
                        <td class="wrap">${x.message}</td>
                        <td class="num">
                          <a href=${devicesHref({ fault: x.code })} aria-label=${`${x.devices} devices with fault ${x.code}`}>${fmt(x.devices)}</a>
                        </td>
                        <td class="num">${fmt(x.faults)}</td>
                        <td><${Time} ms=${x.lastAt} /></td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
            : null
        }
      <//>
      <${Section} title="Devices by policy" id="by-policy">
        ${d && Object.keys(d.byPolicy).length === 0 ? html`<p class="muted">No device matched a policy yet.</p>` : null}
        ${
          d && Object.keys(d.byPolicy).length > 0
            ? html`<table>
                <thead>
                  <tr>
                    <th scope="col">Policy</th>
                    <th scope="col" class="num">Devices</th>
                  </tr>
                </thead>
                <tbody>
                  ${Object.entries(d.byPolicy)
                    .sort((x, y) => y[1] - x[1])
                    .map(
                      ([name, n]) =>
                        html`<tr>
                          <td class="wrap">${name}</td>
                          <td class="num"><a href=${devicesHref({ policy: name })}>${fmt(n)}</a></td>
                        </tr>`,
                    )}
                </tbody>
              </table>`
            : null
        }
      <//>
    </div>
    <${Section} title="Devices by model and firmware" id="by-model">
      ${
        d
          ? html`<table>
              <thead>
                <tr>
                  <th scope="col">Model</th>
                  <th scope="col">Firmware</th>
                  <th scope="col" class="num">Devices</th>
                </tr>
              </thead>
              <tbody>
                ${d.byModel.map(
                  (m) =>
                    html`<tr>
                      <td class="wrap">${m.productClass}</td>
                      <td class="wrap"><code>${m.softwareVersion}</code></td>
                      <td class="num"><a href=${devicesHref({ productClass: m.productClass, softwareVersion: m.softwareVersion })}>${fmt(m.devices)}</a></td>
                    </tr>`,
                )}
              </tbody>
            </table>`
          : null
      }
    <//>
  </div>`;
}
