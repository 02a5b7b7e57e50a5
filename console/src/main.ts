/**
 * The Converge console: a single page over the REST API (it holds no state of its own). Sign-in is an API token
 * kept in sessionStorage and sent as a Bearer header; a read token sees no write action; without configured
 * tokens (loopback only) it opens directly, as the API does.
 */
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, get, token, whenUnauthorized } from "./api.js";
import { DevicePage } from "./device.js";
import { DevicesPage } from "./devices.js";
import { OverviewPage } from "./overview.js";
import { PoliciesPage } from "./policies.js";
import { RolloutsPage } from "./rollouts.js";
import type { Me } from "./types.js";
import { html, useRoute } from "./ui.js";

type Auth = { state: "checking" } | { state: "signin"; error?: string } | { state: "in"; me: Me };

function SignIn({ error, onToken }: { error: string | undefined; onToken: (t: string) => void }) {
  const [value, setValue] = useState("");
  return html`<main class="signin" id="main">
    <h1>Converge</h1>
    <form onSubmit=${(e: Event) => (e.preventDefault(), value.trim() && onToken(value.trim()))}>
      <label class="field"
        ><span>API token</span
        ><input type="password" name="token" autocomplete="off" value=${value} onInput=${(e: Event) => setValue((e.target as HTMLInputElement).value)} required
      /></label>
      <p class="meta">
        A token made with <code>converge token new</code> and configured on the server. It is kept for this tab only (sessionStorage) and sent as a header.
      </p>
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
      <button type="submit" class="primary">Sign in</button>
    </form>
  </main>`;
}

const NAV = [
  { href: "#/", label: "Overview", match: (p: string) => p === "/" },
  { href: "#/devices", label: "Devices", match: (p: string) => p.startsWith("/devices") },
  { href: "#/policies", label: "Policies", match: (p: string) => p.startsWith("/policies") },
  { href: "#/rollouts", label: "Rollouts", match: (p: string) => p.startsWith("/rollouts") },
];

function App() {
  const [auth, setAuth] = useState<Auth>({ state: "checking" });
  const route = useRoute();
  const check = async () => {
    try {
      setAuth({ state: "in", me: await get<Me>("/api/me") });
    } catch (e) {
      const had = token.get() !== null;
      if (e instanceof ApiError && e.status === 401) {
        token.clear();
        setAuth({ state: "signin", ...(had ? { error: "This token was refused." } : {}) });
      } else setAuth({ state: "signin", error: e instanceof Error ? e.message : String(e) });
    }
  };
  useEffect(() => {
    whenUnauthorized(() => {
      token.clear();
      setAuth({ state: "signin", error: "Signed out: the token was refused." });
    });
    void check();
  }, []);
  if (auth.state === "checking") return html`<p class="page">Loading...</p>`;
  if (auth.state === "signin") return html`<${SignIn} error=${auth.error} onToken=${(t: string) => (token.set(t), void check())} />`;
  const writable = auth.me.scope === "write";
  const path = route.path;
  const deviceMatch = /^\/devices\/(.+)$/.exec(path);
  const page = deviceMatch
    ? html`<${DevicePage} id=${decodeURIComponent(deviceMatch[1] ?? "")} writable=${writable} key=${deviceMatch[1]} />`
    : path.startsWith("/devices")
      ? html`<${DevicesPage} params=${route.params} />`
      : path.startsWith("/policies")
        ? html`<${PoliciesPage} />`
        : path.startsWith("/rollouts")
          ? html`<${RolloutsPage} writable=${writable} />`
          : html`<${OverviewPage} />`;
  return html`<div>
    <a class="skip" href="#main" onClick=${(e: Event) => (e.preventDefault(), document.getElementById("main")?.focus())}>Skip to content</a>
    <header class="top">
      <span class="brand">Converge</span>
      <nav aria-label="Main">${NAV.map((n) => html`<a href=${n.href} aria-current=${n.match(path) ? "page" : undefined}>${n.label}</a>`)}</nav>
      <span class="who" data-testid="scope">${auth.me.tokens ? `${writable ? "write" : "read-only"} token` : "no tokens (loopback)"}</span>
      ${auth.me.tokens ? html`<button type="button" class="link" onClick=${() => (token.clear(), setAuth({ state: "signin" }))}>Sign out</button>` : null}
    </header>
    <main id="main" tabindex="-1">${page}</main>
  </div>`;
}

const root = document.getElementById("app");
if (root) render(html`<${App} />`, root);
