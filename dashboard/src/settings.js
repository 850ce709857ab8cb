// Scoring settings: the toggles and the threshold, with the preview of the change shown
// before it can be saved.
import { useEffect, useState } from "preact/hooks";
import { api } from "./api.js";
import { html, useGet, ErrorText, Counts } from "./ui.js";

const TOGGLES = [
  ["allow_verified", "Allow verified bots"],
  ["protect_static", "Protect static resources"],
  ["block_definite", "Block definite bots"],
  ["challenge_likely", "Challenge likely automated sessions"],
];

export function Preview({ preview }) {
  if (!preview) return null;
  return html`<div class="preview" id="preview" role="status">
    <p>Last 24 hours: ${preview.sessions} sessions; <strong id="preview-changed">${preview.changed}</strong> would get another action.</p>
    <h3>Now</h3><${Counts} counts=${preview.current} label="Actions now" />
    <h3>With the change</h3><${Counts} counts=${preview.proposed} label="Actions with the change" />
    ${preview.sample.length > 0 && html`<ul>${preview.sample.map((c) => html`<li>
      <a href=${`#/sessions/${c.session_token}`}>${c.session_token}</a>: ${c.action} → ${c.proposed_action} (score ${c.score})</li>`)}</ul>`}
  </div>`;
}

export function Settings({ project }) {
  const [scoring, error, reload] = useGet(`/v1/projects/${project}/scoring`, [project]);
  const [form, setForm] = useState(null);
  const [preview, setPreview] = useState(null);
  const [problem, setProblem] = useState(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (scoring) setForm({ ...scoring.bot_settings, likely_bot_threshold: scoring.likely_bot_threshold });
  }, [scoring]);
  if (error) return html`<${ErrorText} error=${error} />`;
  if (!form) return html`<p>Loading…</p>`;
  const proposal = () => ({
    bot_settings: Object.fromEntries(TOGGLES.map(([k]) => [k, form[k]])),
    likely_bot_threshold: Number(form.likely_bot_threshold),
  });
  const change = (k, v) => {
    setForm({ ...form, [k]: v });
    setPreview(null);
    setSaved(false);
  };
  const runPreview = async () => {
    setProblem(null);
    try {
      setPreview(await api("POST", `/v1/projects/${project}/scoring/preview`, proposal()));
    } catch (e) {
      setProblem(e);
    }
  };
  const save = async () => {
    setProblem(null);
    try {
      const p = proposal();
      await api("PUT", `/v1/projects/${project}/scoring/settings`, { ...p.bot_settings, likely_bot_threshold: p.likely_bot_threshold });
      setSaved(true);
      setPreview(null);
      reload();
    } catch (e) {
      setProblem(e);
    }
  };
  return html`<section aria-labelledby="settings-title">
    <h1 id="settings-title">Scoring settings</h1>
    <fieldset><legend>Toggles</legend>
      ${TOGGLES.map(([k, label]) => html`<label class="toggle"><input type="checkbox" id=${`toggle-${k}`} checked=${form[k]}
        onChange=${(e) => change(k, e.target.checked)} /> ${label}</label>`)}
    </fieldset>
    <label>Likely-bot threshold (1–99) <input id="threshold" type="number" min="1" max="99" value=${form.likely_bot_threshold}
      onInput=${(e) => change("likely_bot_threshold", e.target.value)} /></label>
    <p><button id="preview-settings" onClick=${runPreview}>Preview</button>
      <button id="save-settings" onClick=${save} disabled=${!preview}>Save</button></p>
    <${ErrorText} error=${problem} />
    <${Preview} preview=${preview} />
    ${saved && html`<p role="status" id="settings-saved">Saved: verdicts use it from the next read.</p>`}
  </section>`;
}
