// Patched drivers replaying recorded people: `patchright-core` (a patched Playwright) and
// `rebrowser-puppeteer-core` (a patched Puppeteer), which remove the DevTools-protocol leaks
// stealth plugins leave (no `Runtime.enable`, scripts in isolated worlds, no tampered natives),
// driving Debian's Chromium headless or headed under Xvfb. The input is a forger's best: every
// pointer movement is a recorded human trajectory from the evaluation's held-out cursory half
// (recorded.mjs) with its own timing, sent move by move through `page.mouse.move`; typing has
// human dwell and gap times; the page is the person stand-in's (it flushes the SDK on "Buy" and
// reports its session token to its site, so the driver never evaluates script in the page).
//
//   node patched.mjs --runs 20 [--only <config>]   # each config N times: one JSON line per run,
//                                                  # then the share of runs in a bot band
// Used by test/patched_drivers.test.mjs (CI) and docs/evaluation.md ("Patched drivers").
import { chromium as patchright } from "patchright-core";
import rebrowser from "rebrowser-puppeteer-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHROMIUM, CHROMIUM_ARGS, startBotect, tenant, customerSite, personPage } from "./test/harness.mjs";
import { rng } from "./motion.mjs";
import { recordedPath, typingPlan } from "./recorded.mjs";
import { settledVerdict, withXvfb, BOT_BANDS } from "./scenarios.mjs";

const sleep = (ms) => new Promise((ok) => setTimeout(ok, Math.max(0, ms)));
const WINDOW = ["--window-size=1366,768", "--window-position=0,0"];

/** A page's input, the same for both drivers (whose mouse and keyboard differ in `wheel` only). */
const inputOf = (page, wheel) => ({
  move: (x, y) => page.mouse.move(x, y),
  down: () => page.mouse.down(),
  up: () => page.mouse.up(),
  wheel,
  keyDown: (k) => page.keyboard.down(k),
  keyUp: (k) => page.keyboard.up(k),
});

/** Launches `driver`'s browser: its first page and that page's input. */
async function launch(driver, { headless, env, noViewport, dir }) {
  if (driver === "patchright") {
    const context = await patchright.launchPersistentContext(dir, {
      executablePath: CHROMIUM,
      args: [...CHROMIUM_ARGS, ...WINDOW],
      headless,
      env: env ?? process.env,
      ...(noViewport ? { viewport: null } : {}),
    });
    const page = context.pages()[0] ?? (await context.newPage());
    return { page, input: inputOf(page, (dy) => page.mouse.wheel(0, dy)), close: () => context.close() };
  }
  const browser = await rebrowser.launch({
    executablePath: CHROMIUM,
    args: [...CHROMIUM_ARGS, ...WINDOW],
    headless,
    env: env ?? process.env,
    userDataDir: dir,
    ...(noViewport ? { defaultViewport: null } : {}),
  });
  const page = (await browser.pages())[0] ?? (await browser.newPage());
  return { page, input: inputOf(page, (dy) => page.mouse.wheel({ deltaY: dy })), close: () => browser.close() };
}

/** Plays [x, y, dtMs] steps with their own timing, one `mouse.move` each. */
async function play(input, steps) {
  const t0 = performance.now();
  let due = 0;
  for (const [x, y, dt] of steps) {
    due += dt;
    await sleep(due - (performance.now() - t0));
    await input.move(x, y);
  }
}

const EMAILS = ["lena.berg@example.com", "p.okafor@example.org", "chris.lu@example.net", "tom@shop.example"];
const NOTES = ["Leave it with the neighbour", "Call when you are outside", "Any day this week works", "Thanks a lot"];

/**
 * One session: load the person stand-in's page, move (recorded trajectories) into the email
 * field, click, type, the same for the notes, tick the box, scroll a little and back, "Buy".
 * Resolves to {verdict, seed, fields}.
 */
export async function patchedDriver(botect, t, { driver, headless = true, env, noViewport = false, seed = (Date.now() ^ (Math.random() * 2 ** 31)) >>> 0 }) {
  const r = rng(seed);
  const site = await customerSite(() => personPage({ base: botect.base, siteKey: t.siteKey }));
  const dir = mkdtempSync(join(tmpdir(), `botect-${driver}-`));
  let b;
  try {
    b = await launch(driver, { headless, env, noViewport, dir });
    await b.page.goto(`${site.origin}/checkout`);
    await site.waitFor("ready", 60000);
    const { input } = b;
    let pos = [r.int(500, 900), r.int(250, 500)];
    await input.move(...pos);
    await sleep(r.between(500, 1100));
    const aim = (id) => {
      const lay = site.reports.layout.at(-1);
      const e = lay.rects[id];
      return [Math.round(e.x + e.w * r.between(0.2, 0.8)), Math.round(e.y - lay.scrollY + e.h * r.between(0.3, 0.7))];
    };
    const go = async (id) => {
      const to = aim(id);
      await play(input, recordedPath(r, pos, to));
      pos = to;
    };
    const click = async () => {
      await input.down();
      await sleep(r.between(60, 130));
      await input.up();
    };
    const type = async (text) => {
      for (const k of typingPlan(r, text)) {
        await sleep(k.gap);
        await input.keyDown(k.ch);
        await sleep(k.dwell);
        await input.keyUp(k.ch);
      }
    };
    const email = EMAILS[r.int(0, EMAILS.length - 1)];
    const notes = NOTES[r.int(0, NOTES.length - 1)];
    await go("email");
    await click();
    await sleep(r.between(300, 700));
    await type(email);
    await sleep(r.between(600, 1400));
    await go("notes");
    await click();
    await sleep(r.between(300, 800));
    await type(notes);
    await sleep(r.between(500, 1200));
    await go("terms");
    await click();
    const aside = [r.int(640, 900), r.int(320, 520)];
    await sleep(r.between(300, 800));
    await play(input, recordedPath(r, pos, aside));
    pos = aside;
    const ticks = r.int(3, 5);
    for (let i = 0; i < ticks; i++) {
      await input.wheel(100);
      await sleep(r.between(60, 160));
    }
    await sleep(r.between(800, 1600));
    for (let i = 0; i < ticks + 3; i++) {
      await input.wheel(-100);
      await sleep(r.between(60, 160));
    }
    await site.waitFor("layout", 10000, (l) => l.scrollY === 0 && site.reports.layout.at(-1) === l);
    await sleep(r.between(400, 1000));
    await go("buy");
    await click();
    const done = await site.waitFor("done", 30000);
    if (done.error) throw new Error(`Botect.flush() failed in the page: ${done.error}`);
    const verdict = await settledVerdict(botect, t, done.session);
    return { verdict, seed, fields: done.fields, typed: { email, notes } };
  } finally {
    await b?.close().catch(() => {});
    site.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The configurations measured: both drivers, headless and headed under Xvfb; patchright also
 *  with `viewport: null`, as its documentation recommends for stealth. */
export const CONFIGS = {
  "patchright headless": (b, t, o) => patchedDriver(b, t, { ...o, driver: "patchright" }),
  "patchright headed (Xvfb)": (b, t, o) => withXvfb((env) => patchedDriver(b, t, { ...o, driver: "patchright", headless: false, env })),
  "patchright headed (Xvfb), viewport: null": (b, t, o) =>
    withXvfb((env) => patchedDriver(b, t, { ...o, driver: "patchright", headless: false, env, noViewport: true })),
  "rebrowser-puppeteer headless": (b, t, o) => patchedDriver(b, t, { ...o, driver: "rebrowser" }),
  "rebrowser-puppeteer headed (Xvfb)": (b, t, o) =>
    withXvfb((env) => patchedDriver(b, t, { ...o, driver: "rebrowser", headless: false, env })),
};

if (process.argv.includes("--runs")) {
  const runs = Number(process.argv[process.argv.indexOf("--runs") + 1] || 20);
  const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : null;
  const botect = await startBotect();
  const t = await tenant(botect);
  try {
    for (const [name, run] of Object.entries(CONFIGS)) {
      if (only && !name.includes(only)) continue;
      const ids = {};
      let bot = 0;
      let errors = 0;
      for (let i = 0; i < runs; i++) {
        try {
          const v = await run(botect, t, {});
          if (BOT_BANDS.includes(v.verdict.verdict)) bot++;
          for (const id of v.verdict.detection_ids) ids[id] = (ids[id] || 0) + 1;
          console.log(JSON.stringify({ config: name, run: i + 1, seed: v.seed, verdict: v.verdict.verdict, score: v.verdict.score, detection_ids: v.verdict.detection_ids }));
        } catch (e) {
          errors++;
          console.log(JSON.stringify({ config: name, run: i + 1, error: String(e) }));
        }
      }
      console.log(JSON.stringify({ config: name, runs, in_bot_band: bot, errors, detection_counts: ids }));
    }
  } finally {
    botect.stop();
  }
}
