/** Devices: search (every filter runs in SQL on the server) with keyset paging. */
import { useEffect, useState } from "preact/hooks";
import { get, query } from "./api.js";
import type { Device } from "./types.js";
import { Conditions, ErrorNote, Time, deviceHref, devicesHref, fmt, html, usePoll } from "./ui.js";

const MAIN: readonly { name: string; label: string; hint: string }[] = [
  { name: "serial", label: "Serial number", hint: "starts with, any case" },
  { name: "deviceId", label: "Device id", hint: "OUI-ProductClass-Serial, starts with" },
  { name: "model", label: "Model", hint: "product class, starts with" },
  { name: "firmware", label: "Firmware", hint: "software version, starts with" },
];
const MORE: readonly { name: string; label: string; hint: string }[] = [
  { name: "manufacturer", label: "Manufacturer", hint: "starts with" },
  { name: "oui", label: "OUI", hint: "exact" },
  { name: "ip", label: "IP address", hint: "starts with, e.g. 10.0.3." },
  { name: "tag", label: "Tag", hint: "exact" },
  { name: "policy", label: "Policy", hint: "matched at the last session" },
  { name: "fault", label: "Fault code", hint: "e.g. 9007" },
  { name: "informedWithin", label: "Informed within", hint: "e.g. 15m, 2h, 7d" },
  { name: "silentFor", label: "Silent for", hint: "no Inform for, e.g. 1d" },
  { name: "param", label: "Reported parameter", hint: "full path" },
  { name: "value", label: "with value", hint: "any case" },
  { name: "productClass", label: "Product class", hint: "exact" },
  { name: "softwareVersion", label: "Software version", hint: "exact" },
];
const CONDITIONS = ["", "Converged=true", "Converged=false", "Drifted=true", "Faulted=true", "Pending=true"];
const FILTERS = [...MAIN, ...MORE].map((f) => f.name).concat("condition");

interface Page {
  devices: Device[];
  next: string | null;
  total?: number | null;
}

export function DevicesPage({ params }: { params: URLSearchParams }) {
  const filters: Record<string, string> = {};
  for (const k of FILTERS) {
    const v = params.get(k);
    if (v) filters[k] = v;
  }
  const key = JSON.stringify(filters);
  const [cursors, setCursors] = useState<string[]>([]);
  useEffect(() => setCursors([]), [key]);
  const after = cursors.at(-1);
  const page = usePoll(
    () => get<Page>(`/api/devices${query({ ...filters, limit: 50, after, count: filters["param"] ? undefined : true })}`),
    10000,
    `${key}|${after ?? ""}`,
  );
  const more = MORE.some((f) => filters[f.name]);

  const submit = (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const next: Record<string, string> = {};
    for (const k of FILTERS) {
      const v = String(form.get(k) ?? "").trim();
      if (v) next[k] = v;
    }
    location.hash = devicesHref(next);
  };
  const field = (f: { name: string; label: string; hint: string }) =>
    html`<label class="field">
      <span>${f.label}</span>
      <input name=${f.name} value=${filters[f.name] ?? ""} placeholder=${f.hint} autocomplete="off" spellcheck=${false} maxlength="256" />
    </label>`;

  const d = page.data;
  return html`<div class="page">
    <h1>Devices</h1>
    <form class="search" role="search" aria-label="Search devices" onSubmit=${submit} key=${key}>
      <div class="fields">
        ${MAIN.map(field)}
        <label class="field"
          ><span>Condition</span>
          <select name="condition">
            ${CONDITIONS.map((c) => html`<option value=${c} selected=${(filters["condition"] ?? "") === c}>${c || "any"}</option>`)}
          </select>
        </label>
      </div>
      <details open=${more}>
        <summary>More filters</summary>
        <div class="fields">${MORE.map(field)}</div>
      </details>
      <div class="row">
        <button type="submit" class="primary">Search</button>
        <a href="#/devices" class="button">Clear</a>
      </div>
    </form>
    <${ErrorNote} error=${page.error} />
    ${
      d
        ? html`<p class="meta" aria-live="polite" data-testid="result-count">
              ${d.total !== undefined && d.total !== null ? `${fmt(d.total)} device(s) match` : "Matching devices"}${cursors.length > 0 ? `, page ${cursors.length + 1}` : ""}
            </p>
            <div class="scroll">
              <table class="devices">
                <thead>
                  <tr>
                    <th scope="col">Device</th>
                    <th scope="col">Model</th>
                    <th scope="col">Firmware</th>
                    <th scope="col">IP</th>
                    <th scope="col">Last inform</th>
                    <th scope="col">Status</th>
                    <th scope="col">Tags</th>
                  </tr>
                </thead>
                <tbody>
                  ${d.devices.map(
                    (x) =>
                      html`<tr>
                        <td class="wrap"><a href=${deviceHref(x.deviceId)}>${x.deviceId}</a></td>
                        <td class="wrap">${x.productClass}</td>
                        <td class="wrap"><code>${x.softwareVersion}</code></td>
                        <td><code>${x.ip}</code></td>
                        <td><${Time} ms=${x.lastInform} /></td>
                        <td><${Conditions} conditions=${x.status?.conditions} /></td>
                        <td class="wrap">${x.tags.map((t) => html`<span class="tag">${t}</span>`)}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>
            ${d.devices.length === 0 ? html`<p class="muted">No device on this page${d.next ? " (this filter scans in windows: go on to the next page)" : " matches"}.</p>` : null}
            <nav class="row" aria-label="Pages">
              <button type="button" disabled=${cursors.length === 0} onClick=${() => setCursors(cursors.slice(0, -1))}>Previous page</button>
              <button type="button" disabled=${!d.next} onClick=${() => d.next && setCursors([...cursors, d.next])}>Next page</button>
            </nav>`
        : page.loading
          ? html`<p>Loading...</p>`
          : null
    }
  </div>`;
}
