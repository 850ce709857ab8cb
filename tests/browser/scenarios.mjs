// Automation scenarios against a real Botect and Debian's Chromium. Used by the CI test
// (test/scenarios.test.mjs) and by the report (`node scenarios.mjs --report`), which prints
// each scenario's verdict as JSON lines for docs/evaluation.md.
import { chromium } from "playwright-core";
import puppeteerCore from "puppeteer-core";
import { addExtra } from "puppeteer-extra";
import Stealth from "puppeteer-extra-plugin-stealth";
import { createCursor } from "ghost-cursor";
import { spawn } from "node:child_process";
import { CHROMIUM, CHROMIUM_ARGS, startBotect, tenant, customerSite, shopPage, scoredVerdict, wander } from "./test/harness.mjs";

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
async function settledVerdict(botect, t, session) {
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

/** Runs `fn` with a virtual X display (Xvfb) for headed Chromium. */
export async function withXvfb(fn) {
  const display = `:${90 + Math.floor(Math.random() * 100)}`;
  const xvfb = spawn("Xvfb", [display, "-screen", "0", "1366x768x24", "-nolisten", "tcp"], { stdio: "ignore" });
  await new Promise((ok) => setTimeout(ok, 700));
  try {
    return await fn({ ...process.env, DISPLAY: display });
  } finally {
    xvfb.kill("SIGKILL");
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
          console.log(JSON.stringify({ scenario: name, page, ...v }));
        } catch (e) {
          console.log(JSON.stringify({ scenario: name, page, error: String(e) }));
        }
      }
    }
  });
}

// `node scenarios.mjs --repeat N`: the headless stealth scenario N times on the customer page,
// one JSON line per session (how often each finding is present; docs/evaluation.md).
const repeat = process.argv.indexOf("--repeat");
if (repeat > 0) {
  const n = Number(process.argv[repeat + 1] || 10);
  await withShop(async (botect, t, site) => {
    for (let i = 0; i < n; i++) {
      const v = await stealthGhost(botect, t, `${site.origin}/checkout`);
      console.log(JSON.stringify({ run: i + 1, ...v }));
    }
  });
}
