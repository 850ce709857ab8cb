// Automation scenarios against a real Botect and Debian's Chromium, scripts that post to the
// ingest API directly (the quickstart's event; a real browser's SDK batches replayed, with and
// without a natively solved proof of work), and a person stand-in (a plain headed Chromium under
// Xvfb driven through the X server by xdotool, motion.mjs). Used by the CI test
// (test/scenarios.test.mjs) and by the report (`node scenarios.mjs --report [--volume N]`),
// which prints each scenario's verdict as JSON lines for docs/evaluation.md.
// `--repeat N` runs the headless stealth scenario N times, `--repeat-person N [--seed S]
// [--browser chromium|firefox] [--motion recorded|synthetic]` the person stand-in.
import { chromium } from "playwright-core";
import puppeteerCore from "puppeteer-core";
import { addExtra } from "puppeteer-extra";
import Stealth from "puppeteer-extra-plugin-stealth";
import { createCursor } from "ghost-cursor";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { solveSync } from "../../clients/browser/dist/pow.mjs";
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  startBotect,
  tenant,
  customerSite,
  shopPage,
  personPage,
  recordingProxy,
  scoredVerdict,
  wander,
} from "./test/harness.mjs";
import { rng, trajectory, moveLines, clickLines, typeLines, wheelLines, pauseLines } from "./motion.mjs";
import { recordedPath } from "./recorded.mjs";
import { writeFileSync } from "node:fs";

/** Element selectors of a page: the customer's shop page (default) or the server's /demo. */
export const SHOP = { field1: "#email", field2: "#notes", check: "#terms", submit: "#buy" };
export const DEMO = { field1: "#name", field2: "#message", check: "#agree", submit: "#submit" };

async function flushAndRead(botect, t, page) {
  await page.waitForFunction(() => window.Botect && typeof window.Botect.flush === "function");
  await page.evaluate(() => window.Botect.flush());
  const session = await page.evaluate(() => window.Botect.getSessionToken());
  return settledVerdict(botect, t, session);
}

/** The verdict once rescoring has caught up: scoring is asynchronous, so the first computed
 *  verdict may still be that of an earlier batch (e.g. the probe without the interaction that
 *  followed). Reads until the same verdict comes back for a full second (at most 10 s). */
export async function settledVerdict(botect, t, session) {
  let v = await scoredVerdict(botect.base, t.privateKey, session);
  let since = Date.now();
  const start = since;
  while (Date.now() - since < 1000 && Date.now() - start < 10000) {
    await new Promise((ok) => setTimeout(ok, 150));
    const next = await scoredVerdict(botect.base, t.privateKey, session);
    if (JSON.stringify(next) !== JSON.stringify(v)) {
      v = next;
      since = Date.now();
    }
  }
  return v;
}

/** Plain headless Chromium (playwright): load the page, no interaction. */
export async function plainHeadless(botect, t, url) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForTimeout(500);
    return await flushAndRead(botect, t, page);
  } finally {
    await browser.close();
  }
}

/** Headless playwright with `mouse.move` steps, clicks and typing. */
export async function headlessScripted(botect, t, url, sel = SHOP) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    await wander(page, [[200, 200, 10], [400, 250, 10], [250, 330, 10]]);
    await page.click(sel.field1);
    await page.keyboard.type("bot@example.com", { delay: 30 });
    await page.click(sel.check);
    await page.click(sel.submit);
    return await flushAndRead(botect, t, page);
  } finally {
    await browser.close();
  }
}

/** puppeteer-extra + stealth plugin + ghost-cursor (Bézier paths, Fitts's-law timing). */
export async function stealthGhost(botect, t, url, { headless = true, env, sel = SHOP } = {}) {
  const pptr = addExtra(puppeteerCore);
  pptr.use(Stealth());
  const browser = await pptr.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless,
    env: env ?? process.env,
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1366, height: 768 });
    await page.goto(url);
    const cursor = createCursor(page);
    await cursor.move(sel.field1);
    await cursor.click(sel.field1);
    await page.keyboard.type("stealthy@example.com", { delay: 80 });
    await cursor.move(sel.field2);
    await cursor.click(sel.field2);
    await page.keyboard.type("please ship fast", { delay: 90 });
    await cursor.click(sel.check);
    await cursor.move(sel.submit);
    await cursor.click(sel.submit);
    return await flushAndRead(botect, t, page);
  } finally {
    await browser.close();
  }
}

/** Runs `fn` with a virtual X display (Xvfb picks a free display number and reports it). */
export async function withXvfb(fn) {
  const xvfb = spawn("Xvfb", ["-displayfd", "3", "-screen", "0", "1366x768x24", "-nolisten", "tcp"], {
    stdio: ["ignore", "ignore", "ignore", "pipe"],
  });
  try {
    const display = await new Promise((ok, fail) => {
      const timer = setTimeout(() => fail(new Error("Xvfb did not start")), 15000);
      createInterface({ input: xvfb.stdio[3] }).once("line", (n) => {
        clearTimeout(timer);
        ok(`:${n.trim()}`);
      });
      xvfb.once("exit", (code) => fail(new Error(`Xvfb exited with ${code}`)));
    });
    return await fn({ ...process.env, DISPLAY: display });
  } finally {
    xvfb.kill("SIGKILL");
  }
}

// ---- scripts that post to the ingest API directly ----

/** The bands a bot may land in. */
export const BOT_BANDS = ["likely_automated", "definite"];

/** The README quickstart's single mouse event, posted by a script (python-requests' user agent). */
export async function quickstartScript(botect, t) {
  const r = await fetch(`${botect.base}/v1/events`, {
    method: "POST",
    headers: {
      "User-Agent": "python-requests/2.32.3",
      Accept: "*/*",
      "Accept-Encoding": "gzip, deflate",
      "Content-Type": "application/json",
      "X-Botect-Site-Key": t.siteKey,
      "Idempotency-Key": randomUUID(),
    },
    body: JSON.stringify({
      session_token: null,
      events: [{ request_id: randomUUID(), type: "mouse", received_at: new Date().toISOString(), payload: { entropy: 0.74, samples: 128 } }],
    }),
  });
  if (r.status !== 202) throw new Error(`events ${r.status}: ${await r.text()}`);
  return settledVerdict(botect, t, (await r.json()).session_token);
}

/** Keys whose values are shares (0–1) or percentages (0–100): a perturbed value stays in range. */
const SHARE = /entropy|straightness|ratio/;
const PCT = /_pct$/;

/**
 * Moves a number by ±3–5 %: integers stay integers (and ≥ 0), fractions keep their precision
 * (one more decimal if rounding would give the old value back), shares stay ≤ 1 and
 * percentages ≤ 100. Zero stays zero; booleans and strings are kept.
 */
function perturbNumber(v, key, r) {
  if (typeof v !== "number" || !Number.isFinite(v) || v === 0) return v;
  const x = v * (1 + (r() < 0.5 ? -1 : 1) * r.between(0.03, 0.05));
  let out;
  if (Number.isInteger(v)) out = Math.max(0, Math.round(x));
  else {
    let d = (String(v).split(".")[1] || "").length;
    out = Math.round(x * 10 ** d) / 10 ** d;
    if (out === v) out = Math.round(x * 10 ** ++d) / 10 ** d;
  }
  if (SHARE.test(key)) out = Math.min(1, out);
  if (PCT.test(key)) out = Math.min(100, out);
  return out;
}

function perturb(value, r, key = "") {
  if (Array.isArray(value)) return value.map((v) => perturb(v, r, key));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, perturb(v, r, k)]));
  return perturbNumber(value, key, r);
}

/**
 * Headers a forger copies from a real Chromium's ingest requests (the recording), with a
 * browser's defaults where the recording lacks one: the same User-Agent (the probe's
 * `ua_hash` must match it), Accept-Language, Accept-Encoding, Fetch-Metadata, client hints
 * and the customer's Origin.
 */
export function browserHeaders(recorded) {
  const h = recorded.headers;
  const ua = h["user-agent"];
  const major = (ua.match(/Chrome\/(\d+)/) || [])[1] || "148";
  return {
    "user-agent": ua,
    accept: h.accept || "*/*",
    "accept-language": h["accept-language"] || "en-US,en;q=0.9",
    "accept-encoding": h["accept-encoding"] || "gzip, deflate, br, zstd",
    "sec-ch-ua": h["sec-ch-ua"] || `"Chromium";v="${major}", "Not_A Brand";v="24"`,
    "sec-ch-ua-mobile": h["sec-ch-ua-mobile"] || "?0",
    "sec-ch-ua-platform": h["sec-ch-ua-platform"] || '"Linux"',
    "sec-fetch-mode": h["sec-fetch-mode"] || "cors",
    "sec-fetch-site": h["sec-fetch-site"] || "cross-site",
    "sec-fetch-dest": h["sec-fetch-dest"] || "empty",
    origin: h.origin,
    ...(h.referer ? { referer: h.referer } : {}),
    "content-type": "application/json",
  };
}

/** A challenge for the forger's headers, solved in node with the SDK's own solver; the time is CPU time of one core. */
export async function solveChallenge(botect, t, headers) {
  const r = await fetch(`${botect.base}/v1/challenges`, { method: "POST", headers: { ...headers, "x-botect-site-key": t.siteKey }, body: "{}" });
  if (r.status !== 200) throw new Error(`challenges ${r.status}: ${await r.text()}`);
  const ch = await r.json();
  const t0 = performance.now();
  const nonce = solveSync(ch.challenge, ch.difficulty);
  const solveMs = performance.now() - t0;
  if (nonce == null) throw new Error("no nonce found");
  return { integrity: { challenge: ch.challenge, nonce }, difficulty: ch.difficulty, solveMs };
}

/**
 * Replays a recorded SDK session as a new one: the recorded batches in order, the first
 * with `session_token: null` and the rest with the minted token, every event with a new
 * `request_id`, the current time and every numeric payload value moved by ±3–5 %
 * ({@link perturbNumber}), the recording's browser headers, and `integrity` on the first
 * batch when given. Resolves to the new session token.
 */
export async function replaySession(botect, t, recording, { integrity, seed = Date.now() } = {}) {
  const r = rng(seed);
  const headers = browserHeaders(recording.batches[0]);
  let token = null;
  for (const [i, b] of recording.batches.entries()) {
    const events = b.body.events.map((e) => ({
      request_id: randomUUID(),
      type: e.type,
      received_at: new Date().toISOString(),
      payload: perturb(e.payload, r),
    }));
    const body = { session_token: token, events };
    if (i === 0 && integrity) body.integrity = integrity;
    const res = await fetch(`${botect.base}/v1/events`, {
      method: "POST",
      headers: { ...headers, "x-botect-site-key": t.siteKey, "idempotency-key": randomUUID() },
      body: JSON.stringify(body),
    });
    if (res.status !== 202) throw new Error(`events ${res.status}: ${await res.text()}`);
    token = (await res.json()).session_token;
  }
  return token;
}

/** Scenario 2: the recorded batches replayed, perturbed, with browser headers, no proof. */
export async function replayNoProof(botect, t, recording) {
  return settledVerdict(botect, t, await replaySession(botect, t, recording));
}

/** Scenario 3: the same with a challenge fetched for the forger's headers and solved in node. */
export async function replaySolved(botect, t, recording) {
  const proof = await solveChallenge(botect, t, browserHeaders(recording.batches[0]));
  const session = await replaySession(botect, t, recording, { integrity: proof.integrity });
  return { verdict: await settledVerdict(botect, t, session), proof, session };
}

/** One solved proof used by a second session: that session's requests carry a reused proof. */
export async function replayReusedProof(botect, t, recording, proof) {
  return settledVerdict(botect, t, await replaySession(botect, t, recording, { integrity: proof.integrity }));
}

/**
 * Scenario 3 at volume: `n` forged sessions from this address in a loop, each with its own
 * solved challenge. Returns every session's first computed verdict, the settled verdicts of
 * the last `last`, the solve times and the wall time.
 */
export async function replayVolume(botect, t, recording, n = 60, last = 5) {
  const t0 = Date.now();
  const runs = [];
  for (let i = 0; i < n; i++) {
    const proof = await solveChallenge(botect, t, browserHeaders(recording.batches[0]));
    runs.push({ session: await replaySession(botect, t, recording, { integrity: proof.integrity }), solveMs: proof.solveMs, difficulty: proof.difficulty });
  }
  const wallMs = Date.now() - t0;
  const first = [];
  for (const r of runs) first.push(await scoredVerdict(botect.base, t.privateKey, r.session));
  const settled = [];
  for (const r of runs.slice(-last)) settled.push(await settledVerdict(botect, t, r.session));
  return { runs, first, settled, wallMs };
}

// ---- the person stand-in: a plain headed Chromium under Xvfb, input from xdotool ----

/** Flags of the plain Chromium process: no DevTools port, no automation switches. */
export const PERSON_CHROMIUM_ARGS = [
  "--no-first-run",
  "--no-default-browser-check",
  "--disable-gpu",
  "--no-sandbox",
  "--password-store=basic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
  "--window-size=1366,768",
  "--window-position=0,0",
];

/** Runs one xdotool script (one command a line) on the display of `env`. */
export function xdo(env, lines) {
  return new Promise((ok, fail) => {
    const p = spawn("xdotool", ["-"], { env, stdio: ["pipe", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d) => (err += d));
    p.on("error", fail);
    p.on("exit", (code) => (code === 0 ? ok() : fail(new Error(`xdotool exited with ${code}: ${err}`))));
    p.stdin.end(lines.join("\n") + "\n");
  });
}

/** The browsers a person stand-in runs: a plain process on the Xvfb display, a fresh profile. */
export const PERSON_BROWSERS = {
  chromium: (dir, url) => [CHROMIUM, [...PERSON_CHROMIUM_ARGS, `--user-data-dir=${dir}`, url]],
  firefox: (dir, url) => {
    // A first start without first-run pages, default-browser prompts or telemetry.
    writeFileSync(
      join(dir, "user.js"),
      [
        ["browser.shell.checkDefaultBrowser", false],
        ["browser.startup.homepage_override.mstone", '"ignore"'],
        ["startup.homepage_welcome_url", '""'],
        ["browser.aboutwelcome.enabled", false],
        ["datareporting.policy.dataSubmissionEnabled", false],
        ["datareporting.policy.firstRunURL", '""'],
        ["toolkit.telemetry.reportingpolicy.firstRun", false],
        ["app.update.disabledForTesting", true],
        ["browser.sessionstore.resume_from_crash", false],
        ["browser.tabs.warnOnClose", false],
      ]
        .map(([k, v]) => `user_pref("${k}", ${v});`)
        .join("\n") + "\n",
    );
    return [FIREFOX, ["--no-remote", "--new-instance", "--profile", dir, "-width", "1366", "-height", "768", url]];
  },
};
/** GNOME Web (Debian's `epiphany-browser`, WebKitGTK). */
PERSON_BROWSERS.webkit = (dir, url) => [
  "/usr/bin/env",
  // Its own D-Bus session (it needs one); WebKit's bubblewrap sandbox does not start as root.
  ["WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS=1", "dbus-run-session", "--", EPIPHANY, "--private-instance", `--profile=${dir}`, url],
];
/** Debian's GNOME Web. */
export const EPIPHANY = process.env.EPIPHANY_PATH || "/usr/bin/epiphany-browser";
/** Debian's Firefox ESR (`firefox-esr`). */
export const FIREFOX = process.env.FIREFOX_PATH || "/usr/bin/firefox-esr";

const EMAILS = ["jane.doe@example.com", "m.rossi@example.org", "alex.kim@example.net", "sam@shop.example"];
const NOTES = ["Please leave it at the door", "Ring twice, thanks", "No rush, next week is fine", "Gift wrap if you can"];

/**
 * A person stand-in: a plain browser process (`browser`: `chromium`, Debian's Chromium, or
 * `firefox`, Firefox ESR; no Playwright/Puppeteer, no DevTools port, no `--enable-automation`)
 * on an Xvfb display, the input coming from the X server via xdotool: mouse movements that are
 * recorded people's (`motion: "recorded"`, the held-out cursory half, recorded.mjs) or
 * motion.mjs's synthetic minimum-jerk paths with tremor and overshoot (`motion: "synthetic"`),
 * clicks into the fields, typing with varied dwell and gaps, a few wheel ticks, and "Buy",
 * after which the page flushes the SDK itself and reports its session token to its site.
 * With `record`, the SDK talks to Botect through {@link recordingProxy} and the result holds
 * the recording (the batches' headers and bodies) for the replay scenarios.
 * Resolves to {verdict, seed, typed (what xdotool typed), fields (the form's values at "Buy"),
 * recording?}.
 */
export async function personStandIn(
  botect,
  t,
  { record = false, browser = "chromium", motion = "recorded", seed = (Date.now() ^ (Math.random() * 2 ** 31)) >>> 0 } = {},
) {
  const r = rng(seed);
  /** A movement from `a` to `b`: a recorded person's (default) or motion.mjs's synthetic one. */
  const path = (a, b, opts) => (motion === "recorded" ? recordedPath(r, a, b) : trajectory(r, a, b, opts));
  const proxy = record ? await recordingProxy(botect.base) : null;
  const site = await customerSite(() => personPage({ base: botect.base, endpoint: proxy ? proxy.origin : botect.base, siteKey: t.siteKey }));
  const dir = mkdtempSync(join(tmpdir(), "botect-person-"));
  try {
    return await withXvfb(async (env) => {
      const [exe, args] = PERSON_BROWSERS[browser](dir, `${site.origin}/checkout`);
      const chrome = spawn(exe, args, {
        env,
        detached: true,
        stdio: "ignore",
      });
      try {
        await site.waitFor("ready", 60000);
        // Look at the page for a moment, then move: the first pointer events tell the page
        // where its viewport is on the screen. A new Xvfb puts the cursor in the middle of the
        // screen (the `mousemove` there moves nothing, so the cursor never jumps).
        let pos = [683, 384];
        await xdo(env, [`mousemove ${pos[0]} ${pos[1]}`, ...pauseLines(r, 0.6, 1.2)]);
        const first = [r.int(420, 560), r.int(200, 300)];
        await xdo(env, [...pauseLines(r, 0.2, 0.5), ...moveLines(path(pos, first))]);
        pos = first;
        await site.waitFor("offset", 10000);
        /** A point on element `id`, in screen pixels (somewhere inside its middle 60 %). */
        const aim = (id) => {
          const off = site.reports.offset.at(-1);
          const lay = site.reports.layout.at(-1);
          const b = lay.rects[id];
          return [Math.round(off.x + b.x + b.w * r.between(0.2, 0.8)), Math.round(off.y + b.y - lay.scrollY + b.h * r.between(0.3, 0.7))];
        };
        const go = (id, width) => {
          const to = aim(id);
          const lines = moveLines(path(pos, to, { width }));
          pos = to;
          return lines;
        };
        const email = EMAILS[r.int(0, EMAILS.length - 1)];
        const notes = NOTES[r.int(0, NOTES.length - 1)];
        await xdo(env, [...pauseLines(r, 0.4, 0.9), ...go("email", 34), ...clickLines(r), ...pauseLines(r, 0.3, 0.7), ...typeLines(r, email)]);
        await xdo(env, [...pauseLines(r, 0.6, 1.4), ...go("notes", 110), ...clickLines(r), ...pauseLines(r, 0.3, 0.8), ...typeLines(r, notes)]);
        await xdo(env, [...pauseLines(r, 0.5, 1.2), ...go("terms", 22), ...clickLines(r)]);
        // Read on: move aside, roll the wheel down a few ticks, pause, and back to the top.
        const aside = [r.int(640, 900), r.int(320, 520)];
        const down = r.int(3, 5);
        await xdo(env, [
          ...pauseLines(r, 0.3, 0.8),
          ...moveLines(path(pos, aside)),
          ...pauseLines(r, 0.2, 0.5),
          ...wheelLines(r, down),
          ...pauseLines(r, 0.8, 1.6),
          ...wheelLines(r, down + 3, false),
        ]);
        pos = aside;
        await site.waitFor("layout", 10000, (l) => l.scrollY === 0 && site.reports.layout.at(-1) === l);
        await xdo(env, [...pauseLines(r, 0.4, 1.0), ...go("buy", 46), ...clickLines(r)]);
        const done = await site.waitFor("done", 30000);
        if (done.error) throw new Error(`Botect.flush() failed in the page: ${done.error}`);
        const recording = proxy
          ? { batches: proxy.calls.filter((c) => c.path.startsWith("/v1/events") && c.status === 202), challenges: proxy.calls.filter((c) => c.path.startsWith("/v1/challenges")) }
          : undefined;
        const verdict = await settledVerdict(botect, t, done.session);
        return { verdict, seed, typed: { email, notes }, fields: done.fields, recording };
      } finally {
        try {
          process.kill(-chrome.pid, "SIGKILL");
        } catch {
          /* already gone */
        }
      }
    });
  } finally {
    site.close();
    proxy?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const SCENARIOS = {
  "plain headless": (b, t, u) => plainHeadless(b, t, u),
  "headless + mouse.move steps + typing": (b, t, u, sel) => headlessScripted(b, t, u, sel),
  "puppeteer-extra stealth + ghost-cursor (headless)": (b, t, u, sel) => stealthGhost(b, t, u, { sel }),
  "puppeteer-extra stealth + ghost-cursor (headed, Xvfb)": (b, t, u, sel) =>
    withXvfb((env) => stealthGhost(b, t, u, { headless: false, env, sel })),
};

/** A Botect, a tenant and the customer's shop page for the command-line modes below. */
async function withShop(fn) {
  const botect = await startBotect();
  const t = await tenant(botect);
  const site = await customerSite(() => shopPage({ base: botect.base, siteKey: t.siteKey, transport: "rest" }));
  try {
    await fn(botect, t, site);
  } finally {
    site.close();
    botect.stop();
  }
}

/** What a report line shows of a verdict. */
const line = (o) => console.log(JSON.stringify(o));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : null;
};
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

/** The scripted and person stand-in scenarios of the report (customer page only). */
async function reportScripts(botect, t, volume) {
  line({ scenario: "script: quickstart event", ...(await quickstartScript(botect, t)) });
  const person = await personStandIn(botect, t, { record: true });
  line({ scenario: "person stand-in (headed Chromium under Xvfb, xdotool)", seed: person.seed, batches: person.recording.batches.length, ...person.verdict });
  const rec = person.recording;
  line({ scenario: "script: replayed SDK batches, perturbed, no proof", ...(await replayNoProof(botect, t, rec)) });
  const solved = await replaySolved(botect, t, rec);
  line({
    scenario: "script: replayed SDK batches, perturbed, proof solved natively",
    difficulty: solved.proof.difficulty,
    solve_ms: Math.round(solved.proof.solveMs),
    ...solved.verdict,
  });
  line({ scenario: "script: the same proof reused by a second session", ...(await replayReusedProof(botect, t, rec, solved.proof)) });
  const vol = await replayVolume(botect, t, rec, volume);
  const bands = {};
  for (const v of vol.first) bands[v.verdict] = (bands[v.verdict] || 0) + 1;
  const ms = vol.runs.map((r) => r.solveMs);
  line({
    scenario: `script: ${volume} forged sessions with solved proofs from one address (loopback: exempt from the per-address rate)`,
    difficulty: vol.runs[0]?.difficulty,
    wall_ms: vol.wallMs,
    solve_ms: { median: Math.round(median(ms)), p90: Math.round(pct(ms, 0.9)), max: Math.round(Math.max(...ms)), total: Math.round(ms.reduce((a, b) => a + b, 0)) },
    first_verdicts: bands,
    last_settled: vol.settled.map((v) => ({ verdict: v.verdict, score: v.score, detection_ids: v.detection_ids })),
  });
}

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1] || dflt) : null;
};

if (process.argv.includes("--report")) {
  await withShop(async (botect, t, site) => {
    const pages = [
      ["customer page on another origin", `${site.origin}/checkout`, SHOP],
      ["Botect's /demo page", `${botect.base}/demo?site_key=${t.siteKey}`, DEMO],
    ];
    for (const [page, url, sel] of pages) {
      for (const [name, run] of Object.entries(SCENARIOS)) {
        try {
          const v = await run(botect, t, url, sel);
          line({ scenario: name, page, ...v });
        } catch (e) {
          line({ scenario: name, page, error: String(e) });
        }
      }
    }
    await reportScripts(botect, t, arg("--volume", 60) ?? 60);
  });
}

// `node scenarios.mjs --repeat N`: the headless stealth scenario N times on the customer page,
// one JSON line per session (how often each finding is present; docs/evaluation.md).
const repeat = arg("--repeat", 10);
if (repeat) {
  await withShop(async (botect, t, site) => {
    for (let i = 0; i < repeat; i++) {
      const v = await stealthGhost(botect, t, `${site.origin}/checkout`);
      line({ run: i + 1, ...v });
    }
  });
}

// `node scenarios.mjs --repeat-person N [--browser chromium|firefox] [--motion recorded|synthetic]`:
// the person stand-in N times (each with a fresh seed, printed, so that a run can be repeated
// with `--seed S`), one JSON line per session.
const repeatPerson = arg("--repeat-person", 5);
if (repeatPerson) {
  const fixed = arg("--seed", 0);
  const opt = (name) => (process.argv.includes(name) ? { [name.slice(2)]: process.argv[process.argv.indexOf(name) + 1] } : {});
  const options = { ...opt("--browser"), ...opt("--motion") };
  await withShop(async (botect, t) => {
    for (let i = 0; i < repeatPerson; i++) {
      const p = await personStandIn(botect, t, { ...options, ...(fixed ? { seed: fixed } : {}) });
      line({ run: i + 1, ...options, seed: p.seed, ...p.verdict });
    }
  });
}
