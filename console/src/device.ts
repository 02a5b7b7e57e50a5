/**
 * One device: facts, conditions, the desired-vs-reported diff with the policy (and revision) that wants each
 * value, faults with backoff, sessions with their SOAP transcripts, tags, and actions (write tokens only).
 */
import { useState } from "preact/hooks";
import { api, devicePath, get } from "./api.js";
import type { DetailLoad } from "./device-actions.js";
import { Actions } from "./device-actions.js";
import type { DeviceDetail, DevicePlan, SessionRecord } from "./types.js";
import { ConditionBadge, ErrorNote, Path, Section, Time, devicesHref, fmt, html, iso, usePoll } from "./ui.js";

function Facts({ d }: { d: DeviceDetail }) {
  const x = d.device;
  const rows: [string, unknown][] = [
    ["Manufacturer", x.manufacturer],
    ["OUI", x.oui],
    ["Product class", x.productClass],
    ["Serial number", x.serialNumber],
    ["Software version", x.softwareVersion],
    ["Hardware version", x.hardwareVersion],
    ["Data model", x.dataModel ?? "unknown"],
    ["IP address", x.ip],
    ["Connection request URL", x.connectionRequestUrl || "none"],
    ["Last inform", html`<${Time} ms=${x.lastInform} /> (${x.lastEvents.map((e) => e.code).join(", ")})`],
    ["Last boot", html`<${Time} ms=${x.lastBoot} />`],
    ["First seen", html`<${Time} ms=${x.firstSeen} />`],
    ["Applied revision", html`<code>${x.status?.appliedRevision ?? "none"}</code>`],
    [
      "Matched policies",
      x.status?.matchedPolicies.length ? x.status.matchedPolicies.map((p) => html`<a class="tag" href=${devicesHref({ policy: p })}>${p}</a>`) : "none",
    ],
  ];
  return html`<dl class="facts">
    ${rows.map(
      ([k, v]) =>
        html`<div>
          <dt>${k}</dt>
          <dd class="wrap">${v}</dd>
        </div>`,
    )}
  </dl>`;
}

function ConditionsTable({ d }: { d: DeviceDetail }) {
  const cs = d.device.status?.conditions ?? [];
  if (cs.length === 0) return html`<p class="muted">No session has ended for this device yet.</p>`;
  return html`<table>
    <thead>
      <tr>
        <th scope="col">Condition</th>
        <th scope="col">Reason</th>
        <th scope="col">Message</th>
        <th scope="col">Since</th>
      </tr>
    </thead>
    <tbody>
      ${cs.map(
        (c) =>
          html`<tr>
            <td><${ConditionBadge} type=${c.type} status=${c.status} /></td>
            <td><code>${c.reason}</code></td>
            <td class="wrap">${c.message}</td>
            <td><${Time} ms=${c.lastTransition} /></td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

const STATE_LABEL: Record<string, string> = { equal: "as desired", differs: "differs", unknown: "not reported", "write-only": "write-only" };

function Diff({ plan, error }: { plan: DevicePlan | undefined; error: Error | undefined }) {
  const [onlyDiff, setOnlyDiff] = useState(false);
  if (error) return html`<${ErrorNote} error=${error} />`;
  if (!plan) return html`<p>Loading...</p>`;
  if (plan.matched.length === 0) return html`<p class="muted">No policy matches this device.</p>`;
  const rows = onlyDiff ? plan.diff.filter((r) => r.state !== "equal") : plan.diff;
  const steps = plan.plan?.steps ?? [];
  return html`<div>
    <p class="meta">
      Desired state of revision <code data-testid="plan-revision">${plan.revision ?? "?"}</code> from ${plan.matched.length}
      polic${plan.matched.length === 1 ? "y" : "ies"};
      ${steps.length === 0 ? " the next session has nothing to do." : ` the next session would run: ${steps.map((s) => s.kind).join(", ")}.`}
    </p>
    <label class="inline"
      ><input type="checkbox" checked=${onlyDiff} onChange=${(e: Event) => setOnlyDiff((e.target as HTMLInputElement).checked)} /> only values that
      differ</label
    >
    <div class="scroll">
      <table class="diff" data-testid="diff">
        <thead>
          <tr>
            <th scope="col">Parameter</th>
            <th scope="col">Desired</th>
            <th scope="col">Reported</th>
            <th scope="col">State</th>
            <th scope="col">Wanted by</th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (r) =>
              html`<tr class=${`state-${r.state}`}>
                <td class="wrap"><${Path} path=${r.path} /></td>
                <td class="wrap"><code>${r.desired}</code></td>
                <td class="wrap"><code>${r.reported ?? "-"}</code></td>
                <td>
                  <span class=${`badge ${r.state === "equal" ? "good" : r.state === "differs" ? "warn" : "muted"}`}>${STATE_LABEL[r.state] ?? r.state}</span>
                </td>
                <td class="wrap" data-testid="provenance">${r.policy} <span class="muted">@ ${plan.revision ?? "?"}</span></td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </div>`;
}

function Faults({ d }: { d: DeviceDetail }) {
  if (d.faults.length === 0) return html`<p class="muted">No stored faults.</p>`;
  const backoff = new Map(d.backoff.map((b) => [b.path, b]));
  return html`<div class="scroll">
    <table>
      <thead>
        <tr>
          <th scope="col">Code</th>
          <th scope="col">Message</th>
          <th scope="col">Parameter</th>
          <th scope="col">Policy</th>
          <th scope="col">When</th>
          <th scope="col">Backoff</th>
        </tr>
      </thead>
      <tbody>
        ${d.faults.map((f) => {
          const b = f.path ? backoff.get(f.path) : undefined;
          return html`<tr>
            <td>
              <a href=${devicesHref({ fault: f.code })}><code>${f.code}</code></a>
            </td>
            <td class="wrap">${f.message}</td>
            <td class="wrap">${f.path ? html`<${Path} path=${f.path} />` : "-"}</td>
            <td class="wrap">${f.policy ?? "-"}</td>
            <td><${Time} ms=${f.at} /></td>
            <td>${b ? html`retry after <${Time} ms=${b.until} /> (attempt ${b.attempts})` : f.retryable ? "retried next session" : "-"}</td>
          </tr>`;
        })}
      </tbody>
    </table>
  </div>`;
}

interface Transcript {
  session: string;
  entries: { at: number; direction: "in" | "out"; status?: number; body: string }[];
}

function Sessions({ d, id, load }: { d: DeviceDetail; id: string; load: DetailLoad }) {
  const [open, setOpen] = useState<string | undefined>(undefined);
  const [t, setT] = useState<Transcript | { error: string } | undefined>(undefined);
  const show = async (s: SessionRecord) => {
    if (open === s.id) return setOpen(undefined);
    setOpen(s.id);
    setT(undefined);
    try {
      setT(await get<Transcript>(`${devicePath(id)}/sessions/${encodeURIComponent(s.id)}`));
    } catch (e) {
      setT({ error: e instanceof Error ? e.message : String(e) });
    }
  };
  return html`<div>
    ${
      load.writable
        ? html`<label class="inline"
            ><input
              type="checkbox"
              checked=${d.debug}
              onChange=${async (e: Event) => {
                await api("PUT", `${devicePath(id)}/debug`, { enabled: (e.target as HTMLInputElement).checked });
                load.reload();
              }}
            />
            Record SOAP transcripts of this device's sessions (debug)</label
          >`
        : html`<p class="meta">Transcripts are recorded ${d.debug ? "(debug is on)" : "only while debug is on"}.</p>`
    }
    ${d.sessions.length === 0 ? html`<p class="muted">No session recorded.</p>` : null}
    <div class="scroll">
      <table data-testid="sessions">
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Outcome</th>
            <th scope="col" class="num">RPCs</th>
            <th scope="col">Events</th>
            <th scope="col">Revision</th>
            <th scope="col">Duration</th>
            <th scope="col">Transcript</th>
          </tr>
        </thead>
        <tbody>
          ${d.sessions.map(
            (s) =>
              html`<tr data-session=${s.id}>
                <td><${Time} ms=${s.startedAt} /></td>
                <td><span class=${`badge ${s.outcome === "ok" ? "good" : "bad"}`}>${s.outcome}</span></td>
                <td class="num">${s.rpcCount}</td>
                <td class="wrap">${s.events.join(", ")}</td>
                <td><code>${s.revision ?? "-"}</code></td>
                <td>${s.endedAt ? `${fmt(s.endedAt - s.startedAt)} ms` : "-"}</td>
                <td><button type="button" class="link" aria-expanded=${open === s.id} onClick=${() => show(s)}>${open === s.id ? "Hide" : "Show"}</button></td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    ${
      open
        ? html`<div class="transcript" aria-live="polite">
            <h3>Session <code>${open}</code></h3>
            ${
              t === undefined
                ? html`<p>Loading...</p>`
                : "error" in t
                  ? html`<p class="muted">${t.error.includes("no transcript") ? "No transcript: this session ran without debug." : t.error}</p>`
                  : t.entries.map(
                      (e) =>
                        html`<div class=${`soap ${e.direction}`}>
                          <div class="soap-head">
                            ${e.direction === "in" ? "CPE → ACS" : "ACS → CPE"}${e.status ? ` (HTTP ${e.status})` : ""} · ${iso(e.at)}
                          </div>
                          <pre>${e.body || "(empty)"}</pre>
                        </div>`,
                    )
            }
          </div>`
        : null
    }
  </div>`;
}

function Tags({ d, id, load }: { d: DeviceDetail; id: string; load: DetailLoad }) {
  const [text, setText] = useState("");
  const [error, setError] = useState<string | undefined>(undefined);
  const change = async (add: string[], remove: string[]) => {
    setError(undefined);
    try {
      await api("POST", `${devicePath(id)}/tags`, { add, remove });
      setText("");
      load.reload();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return html`<div>
    <ul class="taglist">
      ${d.device.tags.length === 0 ? html`<li class="muted">No tags.</li>` : null}
      ${d.device.tags.map((t) => html`<li><a class="tag" href=${devicesHref({ tag: t })}>${t}</a>${load.writable ? html`<button type="button" class="link" aria-label=${`Remove tag ${t}`} onClick=${() => change([], [t])}>×</button>` : null}</li>`)}
    </ul>
    ${
      load.writable
        ? html`<form class="row" onSubmit=${(e: Event) => (e.preventDefault(), text.trim() && change([text.trim()], []))}>
            <label class="field inline-field"
              ><span>Add tag</span
              ><input
                value=${text}
                onInput=${(e: Event) => setText((e.target as HTMLInputElement).value)}
                pattern="[A-Za-z0-9_.:\\-]{1,64}"
                title="letters, digits, _ . : - (at most 64)"
            /></label>
            <button type="submit">Add</button>
          </form>`
        : null
    }
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}
  </div>`;
}

function Parameters({ d }: { d: DeviceDetail }) {
  const [filter, setFilter] = useState("");
  const all = Object.entries(d.parameters);
  const f = filter.toLowerCase();
  const shown = (f ? all.filter(([p, v]) => p.toLowerCase().includes(f) || v.value.toLowerCase().includes(f)) : all).slice(0, 300);
  return html`<div>
    <label class="field"
      ><span>Filter ${fmt(all.length)} reported parameters</span
      ><input type="search" value=${filter} onInput=${(e: Event) => setFilter((e.target as HTMLInputElement).value)} placeholder="path or value"
    /></label>
    <div class="scroll tall">
      <table>
        <thead>
          <tr>
            <th scope="col">Parameter</th>
            <th scope="col">Value</th>
            <th scope="col">Type</th>
            <th scope="col">Observed</th>
          </tr>
        </thead>
        <tbody>
          ${shown.map(
            ([p, v]) =>
              html`<tr>
                <td class="wrap"><${Path} path=${p} /></td>
                <td class="wrap"><code>${v.value}</code></td>
                <td>${v.type}</td>
                <td><${Time} ms=${v.observedAt} /></td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    ${shown.length === 300 ? html`<p class="meta">Showing the first 300; narrow the filter.</p>` : null}
  </div>`;
}

function Explain({ id }: { id: string }) {
  const [text, setText] = useState<string | undefined>(undefined);
  return html`<details
    onToggle=${async (e: Event) => {
      if ((e.target as HTMLDetailsElement).open && text === undefined) setText((await get<{ text: string }>(`${devicePath(id)}/explain`)).text);
    }}
  >
    <summary>Why these values: matched policies and provenance (explain)</summary>
    <pre class="explain">${text ?? "Loading..."}</pre>
  </details>`;
}

export function DevicePage({ id, writable }: { id: string; writable: boolean }) {
  const detail = usePoll(() => get<DeviceDetail>(devicePath(id)), 2000, `d:${id}`);
  const plan = usePoll(() => get<DevicePlan>(`${devicePath(id)}/plan`), 5000, `p:${id}`);
  const load: DetailLoad = { writable, reload: () => (detail.reload(), plan.reload()) };
  const d = detail.data;
  if (detail.error && !d)
    return html`<div class="page">
      <h1>Device</h1>
      <${ErrorNote} error=${detail.error} />
      <p><a href="#/devices">Back to devices</a></p>
    </div>`;
  if (!d) return html`<div class="page"><p>Loading...</p></div>`;
  return html`<div class="page">
    <p class="crumbs"><a href="#/devices">Devices</a> › <span class="wrap">${d.device.deviceId}</span></p>
    <h1 class="wrap">${d.device.productClass} <span class="muted">${d.device.serialNumber}</span></h1>
    <p class="badges big">
      ${(d.device.status?.conditions ?? []).filter((c) => c.type !== "Matched").map((c) => html`<${ConditionBadge} type=${c.type} status=${c.status} />`)}
    </p>
    ${writable ? html`<${Actions} d=${d} id=${id} load=${load} />` : null}
    <div class="grid2">
      <${Section} title="Facts" id="facts"><${Facts} d=${d} /><//>
      <${Section} title="Conditions" id="conditions"><${ConditionsTable} d=${d} /><//>
    </div>
    <${Section} title="Desired vs reported" id="diff"><${Diff} plan=${plan.data} error=${plan.error} /><${Explain} id=${id} /><//>
    <${Section} title="Faults" id="faults"><${Faults} d=${d} /><//>
    <${Section} title="Sessions" id="sessions"><${Sessions} d=${d} id=${id} load=${load} /><//>
    <div class="grid2">
      <${Section} title="Tags" id="tags"><${Tags} d=${d} id=${id} load=${load} /><//>
      <${Section} title="Tasks" id="tasks">
        ${
          d.tasks.length === 0
            ? html`<p class="muted">No operator tasks.</p>`
            : html`<table>
                <thead>
                  <tr>
                    <th scope="col">Task</th>
                    <th scope="col">State</th>
                    <th scope="col">Queued</th>
                  </tr>
                </thead>
                <tbody>
                  ${d.tasks.map(
                    (t) =>
                      html`<tr>
                        <td>${t.request.method}</td>
                        <td>${t.state}</td>
                        <td><${Time} ms=${t.createdAt} /></td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
        }
      <//>
    </div>
    <${Section} title="Reported parameters" id="parameters"><${Parameters} d=${d} /><//>
  </div>`;
}
