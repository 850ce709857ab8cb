// Small shared pieces: loading data, errors, times, a copy button.
import { h } from "preact";
import { useEffect, useState, useCallback } from "preact/hooks";
import htm from "htm";
import { api } from "./api.js";

export const html = htm.bind(h);

/** GETs `path` (again when `deps` change or `reload()` is called): [data, error, reload]. */
export function useGet(path, deps = []) {
  const [state, setState] = useState({ data: null, error: null });
  const [n, setN] = useState(0);
  useEffect(() => {
    if (!path) return;
    let live = true;
    api("GET", path).then(
      (data) => live && setState({ data, error: null }),
      (error) => live && setState({ data: null, error }),
    );
    return () => {
      live = false;
    };
  }, [path, n, ...deps]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return [state.data, state.error, reload];
}

export function ErrorText({ error }) {
  if (!error) return null;
  const where = error.details && error.details.field ? ` (${error.details.field})` : "";
  const pos =
    error.details && error.details.line && !/line \d/.test(error.message)
      ? ` at line ${error.details.line}, column ${error.details.column}`
      : "";
  return html`<p class="error" role="alert">${error.message}${where}${pos}</p>`;
}

export function when(ts) {
  return ts ? new Date(ts).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z") : "—";
}

export function CopyButton({ text, label = "Copy" }) {
  const [done, setDone] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone(true);
    } catch {
      setDone(false);
    }
  };
  return html`<button type="button" onClick=${copy} aria-label=${`${label} to the clipboard`}>${done ? "Copied" : label}</button>`;
}

/** A secret shown once, with a copy button. */
export function Secret({ title, value }) {
  return html`<div class="secret" role="status">
    <p><strong>${title}</strong> It is shown only now: copy it.</p>
    <code id="secret-value">${value}</code> <${CopyButton} text=${value} />
  </div>`;
}

export function Counts({ counts, label }) {
  if (!counts) return null;
  return html`<table class="counts" aria-label=${label}>
    <thead><tr>${Object.keys(counts).map((k) => html`<th scope="col">${k}</th>`)}</tr></thead>
    <tbody><tr>${Object.values(counts).map((v) => html`<td>${v}</td>`)}</tr></tbody>
  </table>`;
}
