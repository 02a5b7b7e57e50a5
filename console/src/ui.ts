/** Small shared pieces: the htm binding, polling, formatting, badges, a confirmation dialog. */
import { h, type ComponentChildren } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import htm from "htm";

export const html = htm.bind(h);

export interface Poll<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  readonly loading: boolean;
  reload(): void;
}

/** Loads `load()` now and every `everyMs` (paused while the tab is hidden); `key` restarts it. */
export function usePoll<T>(load: () => Promise<T>, everyMs: number, key: string): Poll<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const loadRef = useRef(load);
  loadRef.current = load;
  const seq = useRef(0);
  const run = useCallback(() => {
    const mine = ++seq.current;
    loadRef.current().then(
      (d) => {
        if (mine !== seq.current) return;
        setData(d);
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        if (mine !== seq.current) return;
        setError(e instanceof Error ? e : new Error(String(e)));
        setLoading(false);
      },
    );
  }, []);
  useEffect(() => {
    setData(undefined);
    setLoading(true);
    run();
    if (everyMs <= 0) return undefined;
    const t = setInterval(() => {
      if (!document.hidden) run();
    }, everyMs);
    return () => clearInterval(t);
  }, [key, everyMs]);
  return { data, error, loading, reload: run };
}

const rtf = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** "3 min ago" for a ms epoch; the exact time goes in a title. */
export function ago(ms: number | null | undefined, now = Date.now()): string {
  if (ms === null || ms === undefined || ms === 0) return "never";
  const s = Math.round((ms - now) / 1000);
  const abs = Math.abs(s);
  if (abs < 60) return rtf.format(s, "second");
  if (abs < 3600) return rtf.format(Math.round(s / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(s / 3600), "hour");
  return rtf.format(Math.round(s / 86400), "day");
}

export const iso = (ms: number | null | undefined): string =>
  ms
    ? new Date(ms)
        .toISOString()
        .replace("T", " ")
        .replace(/\.\d+Z$/, " UTC")
    : "";

export function Time({ ms }: { ms: number | null | undefined }) {
  return html`<time datetime=${ms ? new Date(ms).toISOString() : ""} title=${iso(ms)}>${ago(ms)}</time>`;
}

export const fmt = (n: number): string => n.toLocaleString("en");

/** A condition as a badge: the word carries the meaning, the colour only helps. */
export function ConditionBadge({ type, status }: { type: string; status: boolean }) {
  const tone = type === "Converged" ? (status ? "good" : "warn") : status ? (type === "Faulted" ? "bad" : "warn") : "muted";
  return html`<span class=${`badge ${tone}`}>${type}${status ? "" : ": no"}</span>`;
}

/** The conditions of a device that matter at a glance (true ones; Converged either way). */
export function Conditions({ conditions }: { conditions: readonly { type: string; status: boolean }[] | undefined }) {
  if (!conditions || conditions.length === 0) return html`<span class="badge muted">no status yet</span>`;
  const shown = conditions.filter((c) => c.type !== "Matched" && (c.status || c.type === "Converged"));
  return html`<span class="badges">${shown.map((c) => html`<${ConditionBadge} type=${c.type} status=${c.status} />`)}</span>`;
}

export function ErrorNote({ error }: { error: Error | undefined }) {
  return error ? html`<p class="error" role="alert">${error.message}</p>` : null;
}

export function Section({ title, id, children, actions }: { title: string; id: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return html`<section class="card" aria-labelledby=${id}>
    <div class="card-head">
      <h2 id=${id}>${title}</h2>
      ${actions ?? null}
    </div>
    ${children}
  </section>`;
}

export interface ConfirmRequest {
  readonly title: string;
  readonly message: string;
  readonly confirmLabel: string;
  readonly danger: boolean;
  readonly run: () => Promise<void>;
}

/** A modal confirmation (native <dialog>: focus is trapped and Escape cancels). */
export function ConfirmDialog({ request, onClose }: { request: ConfirmRequest | undefined; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (request && !d.open) {
      setError(undefined);
      d.showModal();
    }
    if (!request && d.open) d.close();
  }, [request]);
  const confirm = async () => {
    if (!request) return;
    setBusy(true);
    try {
      await request.run();
      onClose();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return html`<dialog ref=${ref} class="confirm" aria-labelledby="confirm-title" onClose=${onClose} onCancel=${onClose}>
    <h2 id="confirm-title">${request?.title ?? ""}</h2>
    <p>${request?.message ?? ""}</p>
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}
    <div class="row end">
      <button type="button" onClick=${onClose}>Cancel</button>
      <button type="button" class=${request?.danger ? "danger" : "primary"} disabled=${busy} onClick=${confirm}>
        ${busy ? "Working..." : (request?.confirmLabel ?? "OK")}
      </button>
    </div>
  </dialog>`;
}

/** The current hash route: path and query. */
export function useRoute(): { path: string; params: URLSearchParams } {
  const read = () => {
    const raw = location.hash.replace(/^#/, "") || "/";
    const q = raw.indexOf("?");
    return { path: q < 0 ? raw : raw.slice(0, q), params: new URLSearchParams(q < 0 ? "" : raw.slice(q + 1)) };
  };
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const on = () => setRoute(read());
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return route;
}

/** A parameter path that may wrap after each dot (never inside a name). */
export function Path({ path }: { path: string }) {
  const parts = path.split(".");
  return html`<code class="path">${parts.map((p, i) => (i < parts.length - 1 ? html`${p}.<wbr />` : p))}</code>`;
}

export const deviceHref = (id: string): string => `#/devices/${encodeURIComponent(id)}`;
export function devicesHref(filters: Readonly<Record<string, string>>): string {
  const q = new URLSearchParams(filters).toString();
  return `#/devices${q ? `?${q}` : ""}`;
}
