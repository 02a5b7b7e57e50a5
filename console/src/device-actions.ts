/** The device page's actions (write tokens only): converge now, refresh a subtree, reboot, factory reset, firmware. */
import { useState } from "preact/hooks";
import { api, devicePath } from "./api.js";
import type { DeviceDetail } from "./types.js";
import { ConfirmDialog, html, type ConfirmRequest } from "./ui.js";

export interface DetailLoad {
  readonly writable: boolean;
  reload(): void;
}

interface CrAnswer {
  outcome?: string;
  session?: { sessionId: string; outcome: string; rpcCount: number; durationMs: number; rpcs: string[] } | null;
  message?: string;
}

export function Actions({ d, id, load }: { d: DeviceDetail; id: string; load: DetailLoad }) {
  const [status, setStatus] = useState<{ text: string; tone: string; session?: string } | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState<ConfirmRequest | undefined>(undefined);
  const root = d.device.dataModel === "tr181" ? "Device." : "InternetGatewayDevice.";
  const [subtree, setSubtree] = useState(root);
  const [url, setUrl] = useState("");

  const convergeNow = async (waitMs = 30000) => {
    setBusy(true);
    setStatus({ text: "Connection request sent; waiting for the device's session...", tone: "muted" });
    try {
      const r = await api<CrAnswer>("POST", `${devicePath(id)}/connection-request?waitMs=${waitMs}`);
      if (r.session)
        setStatus({
          text: `Session ${r.session.sessionId} ended: ${r.session.outcome}, ${r.session.rpcCount} RPC(s) ${r.session.rpcs.length ? `(${r.session.rpcs.join(", ")})` : ""} in ${r.session.durationMs} ms.`,
          tone: r.session.outcome === "ok" ? "good" : "bad",
          session: r.session.sessionId,
        });
      else setStatus({ text: r.message ?? `Connection request: ${r.outcome ?? "sent"}; no session yet.`, tone: "warn" });
    } catch (e) {
      setStatus({ text: e instanceof Error ? e.message : String(e), tone: "bad" });
    } finally {
      setBusy(false);
      load.reload();
    }
  };

  /** Queues a task for the next session, then asks the device to open one now. */
  const task = (body: Record<string, unknown>, what: string) => async () => {
    await api("POST", `${devicePath(id)}/tasks`, body);
    setStatus({ text: `${what} queued for the next session.`, tone: "muted" });
    await convergeNow();
  };

  const ask = (title: string, message: string, confirmLabel: string, danger: boolean, run: () => Promise<void>) =>
    setConfirm({ title, message, confirmLabel, danger, run });
  const name = `${d.device.productClass} ${d.device.serialNumber}`;

  return html`<section class="card actions" aria-labelledby="actions-h">
    <h2 id="actions-h">Actions</h2>
    <div class="row wrap-row">
      <button type="button" class="primary" disabled=${busy} onClick=${() => convergeNow()} data-testid="converge-now">Converge now</button>
      <form
        class="row"
        onSubmit=${(e: Event) => (e.preventDefault(), void task({ method: "GetParameterValues", names: [subtree] }, `Refresh of ${subtree}`)())}
      >
        <label class="field inline-field"
          ><span>Subtree</span><input value=${subtree} onInput=${(e: Event) => setSubtree((e.target as HTMLInputElement).value)} maxlength="256"
        /></label>
        <button type="submit" disabled=${busy}>Refresh subtree</button>
      </form>
      <button
        type="button"
        disabled=${busy}
        onClick=${() => ask("Reboot this device?", `${name} restarts: its users lose service for a minute or two.`, "Reboot", true, task({ method: "Reboot" }, "Reboot"))}
      >
        Reboot
      </button>
      <button
        type="button"
        class="danger"
        disabled=${busy}
        onClick=${() => ask("Factory reset this device?", `${name} loses every setting and starts from scratch (Converge then re-applies its policies).`, "Factory reset", true, task({ method: "FactoryReset" }, "Factory reset"))}
      >
        Factory reset
      </button>
      <form
        class="row"
        onSubmit=${(e: Event) => {
          e.preventDefault();
          if (url.trim())
            ask(
              "Install firmware?",
              `${name} downloads ${url.trim()} and reboots to install it.`,
              "Download and install",
              true,
              task({ method: "Download", url: url.trim(), fileType: "1 Firmware Upgrade Image" }, "Firmware download"),
            );
        }}
      >
        <label class="field inline-field"
          ><span>Firmware URL</span
          ><input
            type="url"
            value=${url}
            onInput=${(e: Event) => setUrl((e.target as HTMLInputElement).value)}
            placeholder="http://files.example/fw.bin"
            maxlength="256"
        /></label>
        <button type="submit" disabled=${busy || !url.trim()}>Download firmware</button>
      </form>
    </div>
    <p class=${`status ${status?.tone ?? ""}`} role="status" aria-live="polite" data-testid="action-status" data-session=${status?.session ?? ""}>
      ${status?.text ?? ""}
    </p>
    <${ConfirmDialog} request=${confirm} onClose=${() => setConfirm(undefined)} />
  </section>`;
}
