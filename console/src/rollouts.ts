/** Rollouts: each staged rollout with its progress per wave, the pause reason, and pause/resume/promote/abort. */
import { useState } from "preact/hooks";
import { api, get } from "./api.js";
import { ConfirmDialog, ErrorNote, Section, fmt, html, usePoll, type ConfirmRequest } from "./ui.js";
// The API's JSON shape, shared with the server (a type-only import: nothing of the server is bundled).
import type { RolloutView, WaveView } from "../../src/rollout/view.js";

type Action = "pause" | "resume" | "promote" | "abort";
const ACTIONS: Readonly<Record<string, readonly Action[]>> = {
  running: ["pause", "promote", "abort"],
  paused: ["resume", "promote", "abort"],
};
const DISRUPTIVE: ReadonlySet<Action> = new Set(["promote", "abort"]);

/** One wave as a bar: converged, pending, faulted and waiting shares of its devices. */
function WaveBar({ w }: { w: WaveView }) {
  const total = Math.max(1, w.devices);
  const part = (n: number, cls: string, label: string) =>
    n > 0 ? html`<span class=${`seg ${cls}`} style=${`width:${(100 * n) / total}%`} title=${`${fmt(n)} ${label}`}></span>` : null;
  return html`<tr>
    <th scope="row">Wave ${w.index + 1} (${w.size})${w.started ? "" : html` <span class="muted">not started</span>`}</th>
    <td class="bar-cell">
      <span
        class="bar"
        role="img"
        aria-label=${`${fmt(w.converged)} converged, ${fmt(w.pending)} pending, ${fmt(w.faulted)} faulted, ${fmt(w.waiting)} waiting of ${fmt(w.devices)}`}
      >
        ${part(w.converged, "ok", "converged")}${part(w.pending, "warn", "pending")}${part(w.faulted, "bad", "faulted")}${part(w.waiting, "idle", "waiting")}
      </span>
    </td>
    <td class="num">${fmt(w.devices)}</td>
    <td class="num">${fmt(w.converged)}</td>
    <td class="num">${fmt(w.pending)}</td>
    <td class="num">${fmt(w.faulted)}</td>
  </tr>`;
}

function RolloutCard({ r, writable, ask }: { r: RolloutView; writable: boolean; ask: (c: ConfirmRequest) => void }) {
  const actions = writable ? (ACTIONS[r.state] ?? []) : [];
  const run = (a: Action) => async () => void (await api("POST", `/api/rollouts/${encodeURIComponent(r.id)}/${a}`, {}));
  const buttons = actions.map(
    (a) =>
      html`<button
        type="button"
        class=${a === "abort" ? "danger" : ""}
        onClick=${() =>
          DISRUPTIVE.has(a)
            ? ask({
                title: `${a === "abort" ? "Abort" : "Promote"} rollout ${r.id}?`,
                message:
                  a === "abort"
                    ? `Every device of ${r.policy} goes back to the stable revision.`
                    : `The next wave of ${r.policy} starts now, without waiting for its soak.`,
                confirmLabel: a === "abort" ? "Abort" : "Promote",
                danger: a === "abort",
                run: run(a),
              })
            : void run(a)()}
      >
        ${a}
      </button>`,
  );
  return html`<${Section} title=${`${r.policy}: ${r.state}`} id=${`rollout-${r.id}`} actions=${html`<div class="row">${buttons}</div>`}>
    <p class="meta">
      Rollout <code>${r.id}</code> from <code>${r.stableRevision ?? "(new policy)"}</code> to <code>${r.canaryRevision}</code>, wave ${r.wave + 1} of
      ${r.waves.length}; updated ${r.updatedAt}.
    </p>
    ${r.reason ? html`<p class="alert bad" role="status" data-testid="pause-reason"><strong>Why:</strong> <code class="wrap">${JSON.stringify(r.reason)}</code></p>` : null}
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">Wave</th>
            <th scope="col">Progress</th>
            <th scope="col" class="num">Devices</th>
            <th scope="col" class="num">Converged</th>
            <th scope="col" class="num">Pending</th>
            <th scope="col" class="num">Faulted</th>
          </tr>
        </thead>
        <tbody>
          ${r.waves.map((w) => html`<${WaveBar} w=${w} />`)}
        </tbody>
      </table>
    </div>
  <//>`;
}

export function RolloutsPage({ writable }: { writable: boolean }) {
  const l = usePoll(() => get<{ rollouts: RolloutView[] }>("/api/rollouts"), 3000, "rollouts");
  const [confirm, setConfirm] = useState<ConfirmRequest | undefined>(undefined);
  const list = l.data?.rollouts ?? [];
  return html`<div class="page">
    <h1>Rollouts</h1>
    <${ErrorNote} error=${l.error} />
    ${l.data && list.length === 0 ? html`<p class="muted">No staged rollout. Policies with <code>rollout:</code> (or <code>rollout.default</code> in the configuration) start one when they change.</p>` : null}
    ${list.map((r) => html`<${RolloutCard} r=${r} writable=${writable} ask=${setConfirm} key=${r.id} />`)}
    <${ConfirmDialog} request=${confirm} onClose=${() => setConfirm(undefined)} />
  </div>`;
}
