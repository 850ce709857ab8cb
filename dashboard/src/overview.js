// Overview: sessions by band over time (uPlot), top detections, ingest against quota.
import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import { html, useGet, ErrorText } from "./ui.js";

const BANDS = [
  ["definite", "#b3261e"],
  ["likely_automated", "#e8711a"],
  ["likely_human", "#2e7d32"],
  ["not_computed", "#9e9e9e"],
];

function Chart({ buckets }) {
  const el = useRef(null);
  useEffect(() => {
    if (!el.current || !buckets) return;
    const xs = buckets.map((b) => Date.parse(b.start) / 1000);
    const data = [xs, ...BANDS.map(([band]) => buckets.map((b) => b.sessions[band]))];
    const plot = new uPlot(
      {
        width: Math.max(320, el.current.clientWidth || 800),
        height: 260,
        series: [{}, ...BANDS.map(([band, stroke]) => ({ label: band, stroke, width: 2 }))],
        axes: [{}, { label: "sessions" }],
      },
      data,
      el.current,
    );
    return () => plot.destroy();
  }, [buckets]);
  return html`<figure>
    <div ref=${el} class="chart" role="img" aria-label="Sessions by band over time"></div>
    <figcaption>Sessions first seen per bucket, by band under the current threshold.</figcaption>
  </figure>`;
}

export function Overview({ project }) {
  const [bucket, setBucket] = useState("hour");
  const [stats, error] = useGet(`/v1/projects/${project}/stats?bucket=${bucket}`, [project]);
  const total = (k) => (stats ? stats.buckets.reduce((n, b) => n + b.sessions[k], 0) : 0);
  return html`<section aria-labelledby="overview-title">
    <h1 id="overview-title">Overview</h1>
    <label>Buckets
      <select id="bucket" value=${bucket} onChange=${(e) => setBucket(e.target.value)}>
        <option value="hour">hourly, last 24 hours</option>
        <option value="day">daily, last 30 days</option>
      </select>
    </label>
    <${ErrorText} error=${error} />
    ${stats && html`
      <dl class="totals" id="band-totals">
        ${BANDS.map(([band]) => html`<div><dt>${band}</dt><dd data-band=${band}>${total(band)}</dd></div>`)}
      </dl>
      <${Chart} buckets=${stats.buckets} />
      <h2>Top detections</h2>
      ${stats.top_detections.length === 0
        ? html`<p>No detections in this window.</p>`
        : html`<table id="top-detections"><thead><tr><th scope="col">ID</th><th scope="col">Detection</th><th scope="col">Sessions</th></tr></thead>
          <tbody>${stats.top_detections.map((d) => html`<tr>
            <td><a href=${`#/sessions?detection_id=${d.detection_id}`}>${d.detection_id}</a></td>
            <td>${d.label || d.name}</td><td>${d.sessions}</td></tr>`)}</tbody></table>`}
      <h2>Ingest</h2>
      <p id="quota">${stats.events_this_month} events this month${
        stats.monthly_event_quota ? ` of ${stats.monthly_event_quota} (quota)` : " (no quota)"}${
        stats.buckets.some((b) => b.over_quota_events) ? "; some accepted over quota" : ""}.</p>
      ${stats.actions_exclude_rules && html`<p class="note">Actions in stats apply the toggles only; rules are applied per session in the sessions list.</p>`}
    `}
  </section>`;
}
