// Sessions: the filterable table and a session's detail, with the human/bot label.
import { useState } from "preact/hooks";
import { api, query } from "./api.js";
import { html, useGet, ErrorText, when } from "./ui.js";

const BANDS = ["", "not_computed", "definite", "likely_automated", "likely_human"];
const ACTIONS = ["", "allow", "challenge", "block", "log", "delay"];

/** Filters from the hash's query (`#/sessions?detection_id=…`). */
function initialFilters() {
  const q = new URLSearchParams(location.hash.split("?")[1] || "");
  return {
    band: q.get("band") || "",
    detection_id: q.get("detection_id") || "",
    min_score: "",
    max_score: "",
    action: q.get("action") || "",
  };
}

export function Sessions({ project }) {
  const [form, setForm] = useState(initialFilters);
  const [applied, setApplied] = useState(initialFilters);
  const [token, setToken] = useState("");
  const [page, error] = useGet(
    `/v1/projects/${project}/sessions${query({ ...applied, page_size: 50, page_token: token })}`,
    [project],
  );
  const field = (name) => (e) => setForm({ ...form, [name]: e.target.value });
  const apply = (e) => {
    e.preventDefault();
    setToken("");
    setApplied(form);
  };
  return html`<section aria-labelledby="sessions-title">
    <h1 id="sessions-title">Sessions</h1>
    <form class="filters" onSubmit=${apply} aria-label="Filters">
      <label>Band <select id="filter-band" value=${form.band} onChange=${field("band")}>
        ${BANDS.map((b) => html`<option value=${b}>${b || "any"}</option>`)}</select></label>
      <label>Detection ID <input id="filter-detection" inputmode="numeric" value=${form.detection_id} onInput=${field("detection_id")} /></label>
      <label>Min score <input id="filter-min" type="number" min="0" max="99" value=${form.min_score} onInput=${field("min_score")} /></label>
      <label>Max score <input id="filter-max" type="number" min="0" max="99" value=${form.max_score} onInput=${field("max_score")} /></label>
      <label>Action <select id="filter-action" value=${form.action} onChange=${field("action")}>
        ${ACTIONS.map((a) => html`<option value=${a}>${a || "any"}</option>`)}</select></label>
      <button type="submit" id="apply-filters">Apply</button>
    </form>
    <${ErrorText} error=${error} />
    ${page && html`
      <table id="sessions-table">
        <thead><tr>${["Session", "First seen", "Score", "Band", "Action", "Detections", "Events", "Batches", "UA class", "JS", "Label"].map(
          (c) => html`<th scope="col">${c}</th>`)}</tr></thead>
        <tbody>${page.sessions.map((s) => html`<tr>
          <td><a href=${`#/sessions/${s.session_token}`}>${s.session_token}</a></td>
          <td>${when(s.first_seen)}</td><td>${s.score}</td><td class=${`band ${s.band}`}>${s.band}</td>
          <td>${s.action}</td><td>${s.detection_ids.join(", ")}</td><td>${s.event_count}</td>
          <td>${s.batch_count}</td><td>${s.ua_class}</td>
          <td>${s.js_passed === undefined ? "—" : s.js_passed ? "passed" : "failed"}</td><td>${s.label}</td>
        </tr>`)}</tbody>
      </table>
      ${page.sessions.length === 0 && html`<p>No sessions match.</p>`}
      ${page.next_page_token && html`<button id="next-page" onClick=${() => setToken(page.next_page_token)}>Next page</button>`}
    `}
  </section>`;
}

export function SessionDetail({ project, token }) {
  const [d, error, reload] = useGet(`/v1/projects/${project}/sessions/${token}`, [project]);
  const [registry] = useGet("/v1/detections");
  const [saveError, setSaveError] = useState(null);
  const label = (id) => {
    const r = registry && registry.find((x) => x.id === id);
    return r ? r.label : "";
  };
  const mark = async (value) => {
    setSaveError(null);
    try {
      await api("POST", `/v1/projects/${project}/sessions/${token}/feedback`, { label: value });
      reload();
    } catch (e) {
      setSaveError(e);
    }
  };
  if (error) return html`<${ErrorText} error=${error} />`;
  if (!d) return html`<p>Loading…</p>`;
  const s = d.session;
  return html`<section aria-labelledby="detail-title">
    <p><a href="#/sessions">← Sessions</a></p>
    <h1 id="detail-title">Session <code>${s.session_token}</code></h1>
    <dl class="facts">
      <div><dt>Score</dt><dd id="detail-score">${s.score}</dd></div>
      <div><dt>Band</dt><dd id="detail-band">${s.band}</dd></div>
      <div><dt>Action</dt><dd>${s.action}</dd></div>
      <div><dt>Reason</dt><dd id="detail-reason">${s.reason}</dd></div>
      <div><dt>First / last seen</dt><dd>${when(s.first_seen)} / ${when(s.last_seen)}</dd></div>
      <div><dt>Request</dt><dd>${d.request.address_prefix}, ${d.request.ua_class}; headers: ${d.request.headers_present.join(", ")}</dd></div>
    </dl>
    <h2>Detections</h2>
    <ul id="detail-detections">${s.detection_ids.map((id) => html`<li><code>${id}</code> ${label(id)}</li>`)}</ul>
    <h2>Engines</h2>
    ${d.engines.length === 0 ? html`<p>Not scored yet.</p>` : html`<table id="detail-engines">
      <thead><tr><th scope="col">Engine</th><th scope="col">Score</th><th scope="col">Finding</th><th scope="col">Strength</th><th scope="col">Reason</th></tr></thead>
      <tbody>${d.engines.flatMap((e) => (e.findings.length ? e.findings : [null]).map((f) => html`<tr>
        <td>${e.engine}</td><td>${f ? f.score : e.score ?? "—"}</td><td>${f ? `${f.detection_id} ${f.label}` : "none"}</td>
        <td>${f ? f.strength : ""}</td><td>${f ? f.reason : ""}</td></tr>`))}</tbody></table>`}
    <h2>Timeline</h2>
    <ol id="detail-timeline">${d.batches.map((b) => html`<li>${when(b.at)}: ${b.events} events (${Object.entries(b.event_types)
      .map(([k, v]) => `${k} ×${v}`).join(", ")}), ${b.ua_class}, proof ${b.integrity}</li>`)}</ol>
    <h2>Label</h2>
    <p id="detail-label">${d.feedback ? `Marked ${d.feedback.label} (${when(d.feedback.updated_at)})` : "Not labelled."}</p>
    <button id="mark-human" onClick=${() => mark("human")}>Mark human</button>
    <button id="mark-bot" onClick=${() => mark("bot")}>Mark bot</button>
    <${ErrorText} error=${saveError} />
  </section>`;
}
