// Keys, API tokens, verified bots and the password.
import { useState } from "preact/hooks";
import { api } from "./api.js";
import { html, useGet, ErrorText, Secret, CopyButton, when } from "./ui.js";

export function Keys({ project }) {
  const [scoring, error, reload] = useGet(`/v1/projects/${project}/scoring`, [project]);
  const [shown, setShown] = useState(null);
  const [problem, setProblem] = useState(null);
  const run = async (f) => {
    setProblem(null);
    try {
      await f();
      reload();
    } catch (e) {
      setProblem(e);
    }
  };
  if (error) return html`<${ErrorText} error=${error} />`;
  if (!scoring) return html`<p>Loading…</p>`;
  const enable = () => run(async () => {
    const r = await api("POST", `/v1/projects/${project}/scoring`);
    if (r.private_key) setShown({ title: "Your private key (sk_…).", value: r.private_key });
  });
  const rotate = (type) => run(async () => {
    if (!confirm(`Rotate the ${type} key? The current one stops working at once.`)) return;
    const r = await api("POST", `/v1/projects/${project}/scoring/rotate`, { type });
    setShown({ title: `Your new ${type} key.`, value: r.key });
  });
  return html`<section aria-labelledby="keys-title">
    <h1 id="keys-title">Keys</h1>
    ${scoring.enabled
      ? html`<p>Site key (public, for the browser SDK): <code id="site-key">${scoring.site_key}</code> <${CopyButton} text=${scoring.site_key} /></p>
        <p>The private key is stored only as a hash: it cannot be shown again, only rotated.</p>
        <p><button id="rotate-site" onClick=${() => rotate("site")}>Rotate site key</button>
          <button id="rotate-private" onClick=${() => rotate("private")}>Rotate private key</button></p>`
      : html`<p>Scoring is not enabled.</p><button id="enable-scoring" onClick=${enable}>Enable scoring</button>`}
    ${shown && html`<${Secret} title=${shown.title} value=${shown.value} />`}
    <${ErrorText} error=${problem} />
  </section>`;
}

export function Tokens() {
  const [tokens, error, reload] = useGet("/v1/account/tokens");
  const [name, setName] = useState("");
  const [created, setCreated] = useState(null);
  const [problem, setProblem] = useState(null);
  const create = async (e) => {
    e.preventDefault();
    setProblem(null);
    try {
      setCreated(await api("POST", "/v1/account/tokens", { name }));
      setName("");
      reload();
    } catch (err) {
      setProblem(err);
    }
  };
  const remove = async (t) => {
    setProblem(null);
    try {
      await api("DELETE", `/v1/account/tokens/${t.id}`);
      reload();
    } catch (err) {
      setProblem(err);
    }
  };
  return html`<section aria-labelledby="tokens-title">
    <h1 id="tokens-title">API Tokens</h1>
    <p>Account API tokens authenticate the control plane (<code>Authorization: Bearer …</code>). Rotate one by creating its replacement and deleting it.</p>
    <${ErrorText} error=${error} />
    ${tokens && html`<table id="tokens-table"><thead><tr><th scope="col">Name</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col"></th></tr></thead>
      <tbody>${tokens.map((t) => html`<tr><td>${t.name}</td><td>${when(t.created_at)}</td><td>${when(t.last_used_at)}</td>
        <td><button aria-label=${`Delete token ${t.name}`} onClick=${() => remove(t)}>Delete</button></td></tr>`)}</tbody></table>`}
    <form onSubmit=${create} aria-label="Create a token">
      <label>Name <input id="token-name" required maxlength="200" placeholder="ci" value=${name} onInput=${(e) => setName(e.target.value)} /></label>
      <button type="submit" id="create-token">Create token</button>
    </form>
    ${created && html`<${Secret} title=${`Token “${created.name}”.`} value=${created.token} />`}
    <${ErrorText} error=${problem} />
  </section>`;
}

export function VerifiedBots() {
  const [data, error] = useGet("/v1/verified-bots/export");
  return html`<section aria-labelledby="verified-title">
    <h1 id="verified-title">Verified bots</h1>
    <${ErrorText} error=${error} />
    ${data && html`<p>${data.meta.count} entries. A request is a verified bot only when its address matches (published ranges, or reverse and forward DNS); a user agent alone never is.</p>
      <table id="verified-table"><thead><tr><th scope="col">Name</th><th scope="col">Category</th><th scope="col">Matched by</th><th scope="col">Value</th></tr></thead>
      <tbody>${data.data.map((b) => html`<tr><td>${b.name}</td><td>${b.category}</td><td>${b.match_method}</td><td><code>${b.match_value}</code></td></tr>`)}</tbody></table>`}
  </section>`;
}

export function Password() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [done, setDone] = useState(false);
  const [problem, setProblem] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setProblem(null);
    setDone(false);
    try {
      await api("PUT", "/dashboard/api/password", { current_password: current, new_password: next });
      setDone(true);
      setCurrent("");
      setNext("");
    } catch (err) {
      setProblem(err);
    }
  };
  return html`<section aria-labelledby="password-title">
    <h1 id="password-title">Password</h1>
    <form onSubmit=${submit} aria-label="Change password">
      <label>Current password <input id="current-password" type="password" autocomplete="current-password" required value=${current} onInput=${(e) => setCurrent(e.target.value)} /></label>
      <label>New password (10 characters or more) <input id="new-password" type="password" autocomplete="new-password" minlength="10" required value=${next} onInput=${(e) => setNext(e.target.value)} /></label>
      <button type="submit">Change password</button>
    </form>
    ${done && html`<p role="status">Changed. Your other sessions have ended.</p>`}
    <${ErrorText} error=${problem} />
  </section>`;
}
