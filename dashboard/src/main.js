// Botect's dashboard: sign-in, overview, sessions, scoring settings with preview, rules,
// keys, API tokens, verified bots. Preact + htm (no build-time JSX), uPlot for the chart.
import { h, render } from "preact";
import { useEffect, useState, useCallback } from "preact/hooks";
import htm from "htm";
import { api, setCsrf, ApiError } from "./api.js";
import { Overview } from "./overview.js";
import { Sessions, SessionDetail } from "./sessions.js";
import { Settings } from "./settings.js";
import { Rules } from "./rules.js";
import { Keys, Tokens, VerifiedBots, Password } from "./account.js";

const html = htm.bind(h);

/** The navigation: the project's pages, then the account's Settings (as the authentication
 * docs name them: Settings → API Tokens). */
const PAGES = [
  ["overview", "Overview"],
  ["sessions", "Sessions"],
  ["settings", "Scoring settings"],
  ["rules", "Rules"],
  ["keys", "Keys"],
  ["verified", "Verified bots"],
];
const SETTINGS = [
  ["tokens", "API Tokens"],
  ["password", "Password"],
];

/** The hash route: `#/sessions/sess_…` → ["sessions", "sess_…"]. */
function useRoute() {
  const parse = () => (location.hash.replace(/^#\/?/, "") || "overview").split("/");
  const [route, setRoute] = useState(parse());
  useEffect(() => {
    const on = () => setRoute(parse());
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return route;
}

function SignIn({ onSignedIn }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      onSignedIn(await api("POST", "/dashboard/api/session", { email, password }));
    } catch (err) {
      setError(err.retryAfter ? `${err.message} (retry in ${err.retryAfter} s)` : err.message);
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="signin">
    <h1>Botect</h1>
    <form onSubmit=${submit} aria-label="Sign in">
      <label>Email <input id="email" type="email" autocomplete="username" required value=${email}
        onInput=${(e) => setEmail(e.target.value)} /></label>
      <label>Password <input id="password" type="password" autocomplete="current-password" required value=${password}
        onInput=${(e) => setPassword(e.target.value)} /></label>
      <button type="submit" disabled=${busy}>Sign in</button>
      ${error && html`<p class="error" role="alert">${error}</p>`}
    </form>
  </main>`;
}

function App() {
  const [session, setSession] = useState(undefined);
  const [projects, setProjects] = useState([]);
  const [project, setProject] = useState(null);
  const route = useRoute();

  const signedIn = useCallback((s) => {
    setCsrf(s.csrf_token);
    setSession(s);
  }, []);

  useEffect(() => {
    api("GET", "/dashboard/api/session").then(signedIn, () => setSession(null));
  }, []);

  useEffect(() => {
    if (!session) return;
    api("GET", "/v1/projects").then((ps) => {
      setProjects(ps);
      const saved = Number(localStorage.getItem("botect.project"));
      setProject((ps.find((p) => p.id === saved) || ps[0] || {}).id || null);
    }, () => setProjects([]));
  }, [session]);

  if (session === undefined) return html`<p class="loading">Loading…</p>`;
  if (!session) return html`<${SignIn} onSignedIn=${signedIn} />`;

  const signOut = async () => {
    try {
      await api("DELETE", "/dashboard/api/session");
    } finally {
      setCsrf("");
      setSession(null);
    }
  };
  const choose = (id) => {
    localStorage.setItem("botect.project", String(id));
    setProject(id);
  };
  const [page, arg] = route;
  const props = { project };
  let body;
  if (!project && !["tokens", "verified", "password"].includes(page)) {
    body = html`<p>No project yet: create one with <code>POST /v1/projects</code>.</p>`;
  } else if (page === "sessions" && arg) body = html`<${SessionDetail} ...${props} token=${arg} />`;
  else if (page === "sessions") body = html`<${Sessions} ...${props} />`;
  else if (page === "settings") body = html`<${Settings} ...${props} />`;
  else if (page === "rules") body = html`<${Rules} ...${props} />`;
  else if (page === "keys") body = html`<${Keys} ...${props} />`;
  else if (page === "tokens") body = html`<${Tokens} />`;
  else if (page === "verified") body = html`<${VerifiedBots} />`;
  else if (page === "password") body = html`<${Password} />`;
  else body = html`<${Overview} ...${props} />`;

  return html`<div class="layout">
    <header>
      <span class="brand">Botect</span>
      <label>Project
        <select id="project" value=${project || ""} onChange=${(e) => choose(Number(e.target.value))}>
          ${projects.map((p) => html`<option value=${p.id}>${p.name} (#${p.id})</option>`)}
        </select>
      </label>
      <span class="who">${session.user.email}</span>
      <button id="sign-out" onClick=${signOut}>Sign out</button>
    </header>
    <nav aria-label="Pages">
      ${PAGES.map(([id, label]) => html`<a href=${`#/${id}`} aria-current=${page === id ? "page" : undefined}>${label}</a>`)}
      <h2 class="nav-group" id="nav-settings">Settings</h2>
      <div role="group" aria-labelledby="nav-settings">
        ${SETTINGS.map(([id, label]) => html`<a href=${`#/${id}`} aria-current=${page === id ? "page" : undefined}>${label}</a>`)}
      </div>
    </nav>
    <main>${body}</main>
  </div>`;
}

export { ApiError };
render(html`<${App} />`, document.getElementById("app"));
