// Rules: list, create, edit, reorder, delete. The expression is checked as you type by the
// server (the scoring preview validates a proposed rule exactly as saving would), and the
// preview of the rule's effect is shown before saving.
import { useEffect, useState } from "preact/hooks";
import { api } from "./api.js";
import { html, useGet, ErrorText } from "./ui.js";
import { Preview } from "./settings.js";

const ACTIONS = ["allow", "challenge", "block", "log", "delay"];

function RuleForm({ project, rule, onSaved, onCancel }) {
  const [name, setName] = useState(rule ? rule.name : "");
  const [expression, setExpression] = useState(rule ? rule.expression_source : "");
  const [action, setAction] = useState(rule ? rule.action : "log");
  const [check, setCheck] = useState(null);
  const [preview, setPreview] = useState(null);
  const [problem, setProblem] = useState(null);
  const proposed = () => ({ name: name || "unnamed", expression, action, sort_order: rule ? rule.sort_order : 0 });
  // As you type: the server's own check (and its position), after a short pause.
  useEffect(() => {
    setPreview(null);
    if (!expression.trim()) {
      setCheck(null);
      return;
    }
    const t = setTimeout(async () => {
      try {
        const p = await api("POST", `/v1/projects/${project}/scoring/preview`, { rules: [proposed()] });
        setCheck({ ok: true });
        setPreview(p);
      } catch (e) {
        setCheck({ ok: false, error: e });
      }
    }, 300);
    return () => clearTimeout(t);
  }, [expression, action]);
  const save = async (e) => {
    e.preventDefault();
    setProblem(null);
    try {
      const body = { name, expression, action };
      if (rule) await api("PUT", `/v1/projects/${project}/rules/${rule.id}`, body);
      else await api("POST", `/v1/projects/${project}/rules`, body);
      onSaved();
    } catch (err) {
      setProblem(err);
    }
  };
  return html`<form class="rule-form" onSubmit=${save} aria-label=${rule ? "Edit rule" : "New rule"}>
    <label>Name <input id="rule-name" required maxlength="200" value=${name} onInput=${(e) => setName(e.target.value)} /></label>
    <label>Expression <textarea id="rule-expression" rows="3" required value=${expression}
      onInput=${(e) => setExpression(e.target.value)} aria-describedby="rule-check"></textarea></label>
    <p id="rule-check" aria-live="polite">${check === null ? "" : check.ok
      ? html`<span class="ok">Valid.</span>`
      : html`<${ErrorText} error=${check.error} />`}</p>
    <label>Action <select id="rule-action" value=${action} onChange=${(e) => setAction(e.target.value)}>
      ${ACTIONS.map((a) => html`<option value=${a}>${a}</option>`)}</select></label>
    <${Preview} preview=${preview} />
    <p><button type="submit" id="save-rule" disabled=${!check || !check.ok}>Save rule</button>
      ${onCancel && html`<button type="button" onClick=${onCancel}>Cancel</button>`}</p>
    <${ErrorText} error=${problem} />
  </form>`;
}

export function Rules({ project }) {
  const [rules, error, reload] = useGet(`/v1/projects/${project}/rules`, [project]);
  const [editing, setEditing] = useState(null);
  const [adding, setAdding] = useState(false);
  const [problem, setProblem] = useState(null);
  const act = async (f) => {
    setProblem(null);
    try {
      await f();
      reload();
    } catch (e) {
      setProblem(e);
    }
  };
  const move = (i, delta) => act(async () => {
    const list = [...rules];
    const [r] = list.splice(i, 1);
    list.splice(i + delta, 0, r);
    for (let k = 0; k < list.length; k++) {
      if (list[k].sort_order !== k) await api("PUT", `/v1/projects/${project}/rules/${list[k].id}`, { sort_order: k });
    }
  });
  if (error) return html`<${ErrorText} error=${error} />`;
  return html`<section aria-labelledby="rules-title">
    <h1 id="rules-title">Rules</h1>
    <p>Evaluated in order; the first matching rule that is not <code>log</code> decides (docs/rules.md).</p>
    ${rules && html`<table id="rules-table"><thead><tr><th scope="col">Order</th><th scope="col">Name</th><th scope="col">Expression</th>
      <th scope="col">Action</th><th scope="col">Active</th><th scope="col">Change</th></tr></thead>
      <tbody>${rules.map((r, i) => html`<tr>
        <td>${i + 1}</td><td>${r.name}</td><td><code>${r.expression_source}</code></td><td>${r.action}</td>
        <td><input type="checkbox" aria-label=${`Rule ${r.name} active`} checked=${r.is_active}
          onChange=${(e) => act(() => api("PUT", `/v1/projects/${project}/rules/${r.id}`, { is_active: e.target.checked }))} /></td>
        <td><button aria-label=${`Move ${r.name} up`} disabled=${i === 0} onClick=${() => move(i, -1)}>↑</button>
          <button aria-label=${`Move ${r.name} down`} disabled=${i === rules.length - 1} onClick=${() => move(i, 1)}>↓</button>
          <button onClick=${() => setEditing(r)}>Edit</button>
          <button aria-label=${`Delete ${r.name}`} onClick=${() => act(() => api("DELETE", `/v1/projects/${project}/rules/${r.id}`))}>Delete</button></td>
      </tr>`)}</tbody></table>`}
    <${ErrorText} error=${problem} />
    ${editing && html`<${RuleForm} project=${project} rule=${editing} onSaved=${() => { setEditing(null); reload(); }} onCancel=${() => setEditing(null)} />`}
    ${adding
      ? html`<${RuleForm} project=${project} onSaved=${() => { setAdding(false); reload(); }} onCancel=${() => setAdding(false)} />`
      : html`<button id="new-rule" onClick=${() => setAdding(true)}>New rule</button>`}
  </section>`;
}
