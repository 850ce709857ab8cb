// Server mode in real Chromium: a customer app that does what Botect's official server SDK
// does (mints `sess_` + 48 hex into its own cookie, reports every page hit with the private
// key, renders the SDK with `data-endpoint="/_botect/events?page_token=…"` and relays the
// browser's batches, passing only the hosted collector's vocabulary). The SDK talks to the
// relay only (no challenge, cookies sent, nothing the relay would drop), and Botect scores the
// backend-minted session with the page hits standing in for the proof.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, startBotect, tenant, scoredVerdict, wander } from "./harness.mjs";

const COLLECTOR = new Set(
  "mouse_entropy scroll_velocity visibility_changes first_input_delay_ms total_ms visible_ms time_to_first_input_ms mouse_moves pointer_moves scroll_events click_events key_events scroll_max_depth_pct max_touch_points coarse_pointer js_passed webdriver headless headless_ua zero_viewport missing_plugins navigator_anomaly collector_version page_path_hash page_path_shape pointer_types languages plugins".split(" "),
);
const HEADER_ALLOW = ["host", "user-agent", "accept", "accept-language", "accept-encoding", "cookie", "referer", "connection", "upgrade-insecure-requests", "sec-fetch-site", "sec-fetch-mode", "sec-fetch-dest", "sec-fetch-user", "sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform", "dnt", "cache-control"];

let botect, t, browser;
before(async () => {
  botect = await startBotect();
  t = await tenant(botect);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
});
after(async () => {
  await browser?.close();
  botect?.stop();
});

/** POSTs to Botect as the SDK does (private key, its user agent, an Idempotency-Key). */
async function sdkPost(path, body, key) {
  const r = await fetch(`${botect.base}/v1${path}`, {
    method: "POST",
    headers: {
      Accept: "application/json",
      Authorization: `Bearer ${t.privateKey}`,
      "User-Agent": "botect-sdk-php/0.1",
      "Content-Type": "application/json",
      "Idempotency-Key": createHash("sha256").update(key).digest("hex"),
    },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.text() };
}

/** The customer's app. */
async function app() {
  const pages = new Map(); // page_token → { pageId, token }
  const log = { hits: [], relayed: [], refused: [], tokens: new Set() };
  const server = createServer(async (req, res) => {
    const cookie = /(?:^|;\s*)app_session=(sess_[0-9a-f]{48})/.exec(req.headers.cookie || "");
    if (req.method === "GET" && req.url.startsWith("/checkout")) {
      const token = cookie ? cookie[1] : "sess_" + randomBytes(24).toString("hex");
      log.tokens.add(token);
      const pageId = randomBytes(16).toString("hex");
      const pageToken = randomBytes(12).toString("hex");
      pages.set(pageToken, { pageId, token });
      res.writeHead(200, {
        "content-type": "text/html; charset=utf-8",
        "set-cookie": `app_session=${token}; Path=/; HttpOnly; SameSite=Lax`,
      });
      res.end(`<!doctype html><html><head><title>Checkout</title></head><body>
<h1>Checkout</h1><input id="email"><label><input id="terms" type="checkbox"> terms</label>
<div style="height:2000px"></div>
<script src="${botect.base}/sdk/botect.js" data-site-key="${t.siteKey}" data-endpoint="/_botect/events?page_token=${pageToken}"></script>
</body></html>`);
      // The page hit, after the answer (as the SDK's terminate hook does).
      const names = [...new Set(req.rawHeaders.filter((_, i) => i % 2 == 0).map((h) => h.toLowerCase()))].filter((h) => HEADER_ALLOW.includes(h));
      const languages = (req.headers["accept-language"] || "").split(",").map((l) => l.split(";")[0].trim().toLowerCase()).filter(Boolean);
      const hit = {
        schema_version: 1,
        page_id: pageId,
        session_token: token,
        occurred_at: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        method: "GET",
        path_hash: createHmac("sha256", t.privateKey).update("/checkout").digest("hex"),
        header_names: names,
        languages,
        had_session_cookie: !!cookie,
        duration_ms: 3,
        ja4: null,
        observed_ip: "127.0.0.1",
        observed_ip_source: "request",
        observed_ip_inferred: false,
      };
      log.hits.push(await sdkPost("/server/page-hits", hit, `page-hit:${pageId}`));
      return;
    }
    const relay = req.method === "POST" && /^\/_botect\/events\?page_token=(\w+)$/.exec(req.url);
    if (relay) {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const body = JSON.parse(Buffer.concat(chunks).toString() || "{}");
      const page = pages.get(relay[1]);
      const refuse = (why) => {
        log.refused.push(why);
        res.writeHead(422).end();
      };
      if (!page) return refuse("unknown page_token");
      if (!cookie || cookie[1] !== page.token) return refuse("no session cookie");
      const top = Object.keys(body).filter((k) => !["events", "session_token", "site_key"].includes(k));
      if (top.length) return refuse(`top-level keys ${top}`);
      if (!Array.isArray(body.events) || body.events.length > 100) return refuse("events");
      for (const e of body.events)
        for (const k of Object.keys(e.payload || {})) if (!COLLECTOR.has(k)) return refuse(`payload key ${e.type}.${k}`);
      const events = body.events.map((e) => {
        const { page_path_shape, ...payload } = e.payload || {};
        return { ...e, payload };
      });
      const r = await sdkPost(
        "/server/events",
        { schema_version: 1, page_id: page.pageId, session_token: page.token, events, observed_ip: "127.0.0.1", observed_ip_source: "request", observed_ip_inferred: false },
        `events:${page.pageId}:${events.map((e) => e.request_id).join(",")}`,
      );
      log.relayed.push(r);
      res.writeHead(r.status === 202 ? 202 : 502).end();
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { origin: `http://localhost:${server.address().port}`, log, close: () => server.close() };
}

test("the SDK toward the official SDK's same-site relay, scored on the backend's session", async () => {
  const site = await app();
  const context = await browser.newContext();
  const page = await context.newPage();
  const toBotect = [];
  page.on("request", (r) => {
    if (r.url().startsWith(botect.base) && r.method() === "POST") toBotect.push(r.url());
  });
  try {
    await page.goto(`${site.origin}/checkout`);
    await page.waitForFunction(() => window.Botect && typeof window.Botect.flush === "function");
    await wander(page, [[120, 200, 12], [340, 260, 25], [300, 330, 9], [180, 420, 17]]);
    await page.click("#email");
    await page.keyboard.type("someone@example.com", { delay: 60 });
    await page.mouse.wheel(0, 400);
    await page.click("#terms");
    await page.evaluate(() => window.Botect.flush());

    assert.deepEqual(site.log.refused, [], "the relay dropped nothing");
    assert.ok(site.log.relayed.length >= 1, "batches were relayed");
    for (const r of site.log.relayed) assert.equal(r.status, 202, r.body);
    assert.equal(site.log.hits.length, 1);
    assert.equal(site.log.hits[0].status, 202, site.log.hits[0].body);
    // The browser never called Botect itself: no batch, no challenge.
    assert.deepEqual(toBotect, []);

    const [token] = [...site.log.tokens];
    const v = await scoredVerdict(botect.base, t.privateKey, token);
    assert.deepEqual(Object.keys(v), ["verdict", "score", "action", "detection_ids", "reason"]);
    assert.ok(v.score >= 1 && v.score <= 99, JSON.stringify(v));
    // The page hit stood in for the proof (no 16777227), and the session has no events
    // without a page hit (16777230).
    assert.ok(!v.detection_ids.includes(16777227), JSON.stringify(v));
    // A real browser's page requests agree with its events: none of the page-hit findings
    // (16777230–16777233) nor the TLS one (16777234) on this person stand-in.
    // Read from every engine's stored findings, not just the IDs the verdict names.
    const detail = await (
      await fetch(`${botect.base}/v1/projects/${t.project}/sessions/${token}`, { headers: { Authorization: `Bearer ${t.token}` } })
    ).json();
    const fired = (detail.engines || []).flatMap((e) => (e.findings || []).map((f) => f.detection_id));
    assert.ok(fired.every((id) => typeof id === "number"), JSON.stringify(fired));
    assert.ok(Array.isArray(detail.engines) && detail.engines.length > 0, JSON.stringify(detail));
    for (const id of [16777227, 16777230, 16777231, 16777232, 16777233, 16777234]) assert.ok(!fired.includes(id), `${id}: ${JSON.stringify(detail.engines)}`);

    // The next page of the tab: the same backend session, another page hit.
    await page.goto(`${site.origin}/checkout?step=2`);
    await page.waitForFunction(() => window.Botect && typeof window.Botect.flush === "function");
    await page.evaluate(() => window.Botect.flush());
    assert.equal(site.log.tokens.size, 1);
    assert.equal(site.log.hits.length, 2);
    assert.deepEqual(site.log.refused, []);
  } finally {
    await context.close();
    site.close();
  }
});
