// The dashboard in real Chromium against a real server with seeded sessions: sign in, read
// the overview, filter and open a session, label it, change a toggle after its preview,
// create a rule after fixing a syntax error, rotate a key, create and delete an API token,
// sign out. No request leaves the server's origin and the page's policy is never violated.
// Screenshots of each page go to tests/browser/screenshots/ (kept out of git).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { randomUUID } from "node:crypto";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, startBotect, tenant, scoredVerdict, botectBin, freshPostgres } from "./harness.mjs";

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), "..", "screenshots");
const PASSWORD = "dashboard passphrase 2026";

let botect, t, email, browser;
let shotPrefix = "";

async function ingest(events) {
  const r = await fetch(`${botect.base}/v1/events`, {
    method: "POST",
    headers: { "X-Botect-Site-Key": t.siteKey, "Content-Type": "application/json" },
    body: JSON.stringify({ events: events.map(([type, payload]) => ({ request_id: randomUUID(), type, received_at: "2026-06-14T10:00:00Z", payload })) }),
  });
  assert.equal(r.status, 202);
  return (await r.json()).session_token;
}

async function control(method, path, body) {
  const r = await fetch(`${botect.base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${t.token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: r.status === 204 ? null : await r.json() };
}

/** A server on `databaseUrl` (null: SQLite) with a tenant, a password and seeded sessions. */
async function setup(databaseUrl) {
  botect = await startBotect([], databaseUrl);
  t = await tenant(botect);
  const user = await (await fetch(`${botect.base}/user`, { headers: { Authorization: `Bearer ${t.token}` } })).json();
  email = user.email;
  execFileSync(botectBin(), ["--database-url", botect.db, "user", "set-password", "--email", email], {
    input: `${PASSWORD}\n`,
    env: { ...process.env, BOTECT_LOG: "warn" },
  });
  // Seeded sessions: two scripts posting by hand (likely automated), one headless browser
  // (definite).
  t.scripted = [await ingest([["mouse", { entropy: 0.74, samples: 128 }]]), await ingest([["scroll", { scroll_velocity: 300 }]])];
  t.headless = await ingest([["page", { page_path_hash: "ab12" }], ["js_probe", { webdriver: true, headless: true, plugins: [] }]]);
  for (const s of [...t.scripted, t.headless]) await scoredVerdict(botect.base, t.privateKey, s);
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
});

after(async () => {
  await browser?.close();
});

/** Every control of the page has an accessible name. */
async function assertLabelled(page, where) {
  const unnamed = await page.evaluate(() =>
    [...document.querySelectorAll("input, select, textarea, button")]
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label") && !el.textContent.trim())
      .map((el) => el.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(unnamed, [], `${where}: controls without a label`);
}

async function walkThrough() {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  const foreign = [];
  const violations = [];
  const origin = new URL(botect.base).origin;
  page.on("request", (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith("data:")) foreign.push(r.url());
  });
  page.on("console", (m) => {
    if (m.type() === "error") violations.push(m.text());
  });
  page.on("dialog", (d) => d.accept());
  const shot = async (name) => {
    await assertLabelled(page, name);
    await page.screenshot({ path: join(SHOTS, `${shotPrefix}${name}.png`), fullPage: true });
  };
  try {
    // Sign in (a wrong password first).
    await page.goto(`${botect.base}/dashboard`);
    await page.fill("#email", email);
    await page.fill("#password", "not the password");
    await page.click("button[type=submit]");
    await page.waitForSelector(".error");
    assert.match(await page.textContent(".error"), /Wrong email or password/);
    await shot("01-sign-in");
    await page.fill("#password", PASSWORD);
    await page.click("button[type=submit]");
    await page.waitForSelector("#sign-out");
    const cookie = (await context.cookies()).find((c) => c.name === "botect_dashboard");
    assert.ok(cookie, "the session cookie");
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, "Strict");

    // Overview from the seeded data.
    await page.waitForSelector("#band-totals");
    assert.equal(await page.textContent('dd[data-band="definite"]'), "1");
    assert.equal(await page.textContent('dd[data-band="likely_automated"]'), "2");
    await page.waitForSelector(".chart canvas");
    assert.match(await page.textContent("#top-detections"), /16777226/);
    await shot("02-overview");

    // Sessions: filter, open one, label it.
    await page.click('nav a[href="#/sessions"]');
    await page.waitForSelector("#sessions-table tbody tr");
    assert.equal(await page.locator("#sessions-table tbody tr").count(), 3);
    await page.selectOption("#filter-band", "definite");
    await page.click("#apply-filters");
    await page.waitForFunction(() => document.querySelectorAll("#sessions-table tbody tr").length === 1);
    await shot("03-sessions-filtered");
    await page.click(`a[href="#/sessions/${t.headless}"]`);
    await page.waitForSelector("#detail-band");
    assert.equal(await page.textContent("#detail-band"), "definite");
    assert.match(await page.textContent("#detail-engines"), /deterministic/);
    assert.match(await page.textContent("#detail-detections"), /Headless automation signature/);
    await page.click("#mark-bot");
    await page.waitForFunction(() => document.querySelector("#detail-label").textContent.includes("Marked bot"));
    await shot("04-session-detail");
    const labelled = await control("GET", `/v1/projects/${t.project}/sessions/${t.headless}`);
    assert.equal(labelled.body.feedback.label, "bot");

    // Scoring settings: the preview before saving.
    await page.click('nav a[href="#/settings"]');
    await page.waitForSelector("#toggle-block_definite");
    assert.equal(await page.isDisabled("#save-settings"), true, "no save before a preview");
    await page.check("#toggle-block_definite");
    await page.click("#preview-settings");
    await page.waitForSelector("#preview");
    assert.equal(await page.textContent("#preview-changed"), "1");
    await shot("05-settings-preview");
    await page.click("#save-settings");
    await page.waitForSelector("#settings-saved");
    assert.equal((await control("GET", `/v1/projects/${t.project}/scoring`)).body.bot_settings.block_definite, true);

    // Rules: a syntax error shown with its position, fixed, previewed, saved.
    await page.click('nav a[href="#/rules"]');
    await page.click("#new-rule");
    await page.fill("#rule-name", "challenge scripted");
    await page.fill("#rule-expression", "score <");
    await page.waitForFunction(() => /line \d+, column \d+/.test(document.querySelector("#rule-check").textContent));
    assert.equal(await page.isDisabled("#save-rule"), true);
    await shot("06-rule-syntax-error");
    await page.fill("#rule-expression", "score < 5");
    await page.selectOption("#rule-action", "challenge");
    await page.waitForFunction(() => document.querySelector("#rule-check").textContent.includes("Valid"));
    await page.waitForSelector("#preview");
    await page.click("#save-rule");
    await page.waitForFunction(() => document.querySelector("#rules-table")?.textContent.includes("challenge scripted"));
    await shot("07-rules");
    const rules = (await control("GET", `/v1/projects/${t.project}/rules`)).body;
    assert.deepEqual(rules.map((r) => [r.name, r.expression_source, r.action]), [["challenge scripted", "score < 5", "challenge"]]);

    // Keys: rotate the private key; the new one is shown once, the old one stops working.
    await page.click('nav a[href="#/keys"]');
    await page.waitForSelector("#site-key");
    assert.equal(await page.textContent("#site-key"), t.siteKey);
    await page.click("#rotate-private");
    await page.waitForSelector("#secret-value");
    const newKey = await page.textContent("#secret-value");
    assert.match(newKey, /^sk_/);
    await shot("08-keys");
    const oldRead = await fetch(`${botect.base}/v1/sessions/${t.headless}/verdict`, { headers: { Authorization: `Bearer ${t.privateKey}` } });
    assert.equal(oldRead.status, 401);
    const newRead = await fetch(`${botect.base}/v1/sessions/${t.headless}/verdict`, { headers: { Authorization: `Bearer ${newKey}` } });
    assert.equal((await newRead.json()).action, "challenge", "the rule saved above decides before the block_definite toggle");

    // Settings → API Tokens: create (the secret once), use, delete.
    await page.click('nav a[href="#/tokens"]');
    await page.waitForSelector("#tokens-table");
    await page.fill("#token-name", "ci-dashboard");
    await page.click("#create-token");
    await page.waitForSelector("#secret-value");
    const secret = await page.textContent("#secret-value");
    assert.equal((await fetch(`${botect.base}/v1/account`, { headers: { Authorization: `Bearer ${secret}` } })).status, 200);
    await page.waitForFunction(() => document.querySelector("#tokens-table").textContent.includes("ci-dashboard"));
    await shot("09-api-tokens");
    await page.click('button[aria-label="Delete token ci-dashboard"]');
    await page.waitForFunction(() => !document.querySelector("#tokens-table").textContent.includes("ci-dashboard"));
    assert.equal((await fetch(`${botect.base}/v1/account`, { headers: { Authorization: `Bearer ${secret}` } })).status, 401);

    // Sign out: back to the form, and the cookie no longer works.
    await page.click("#sign-out");
    await page.waitForSelector("#email");
    await shot("10-signed-out");
    const after = await page.evaluate(async () => (await fetch("/dashboard/api/session")).status);
    assert.equal(after, 401);

    assert.deepEqual(foreign, [], "no request leaves the server's origin");
    assert.deepEqual(violations.filter((v) => /Content Security Policy|Refused/.test(v)), [], "no policy violation");
  } finally {
    await context.close();
  }
}

test("the dashboard, page by page (SQLite)", async () => {
  shotPrefix = "";
  await setup(null);
  try {
    await walkThrough();
  } finally {
    botect.stop();
  }
});

test("the dashboard, page by page (PostgreSQL)", { skip: !process.env.BOTECT_TEST_PG_URL && "BOTECT_TEST_PG_URL is not set" }, async () => {
  shotPrefix = "pg-";
  await setup(freshPostgres());
  try {
    await walkThrough();
  } finally {
    botect.stop();
  }
});
