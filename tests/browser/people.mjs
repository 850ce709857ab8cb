// Person stand-ins without a mouse, in real browsers (docs/evaluation.md, "Other browsers and
// people without a mouse"): a keyboard-only visitor, one who pastes into every field, and a
// reader who only scrolls, both a plain browser process
// (Chromium or Firefox ESR) under Xvfb with input from the X server (xdotool), like the person
// stand-in of scenarios.mjs; and a phone: Chromium with mobile emulation and touch input, taps
// and typing the way a virtual keyboard sends keys (keydown and keyup together), driven through
// the DevTools protocol by patchright (no `navigator.webdriver`, no `Runtime.enable`): no browser
// in the suite produces OS touch input, so the phone's input is dispatched; what counts here is
// only what the page sees of a phone.
//
//   node people.mjs --runs N [--only <name part>]   # each stand-in N times, one JSON line per session
import { chromium as patchright } from "patchright-core";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHROMIUM, CHROMIUM_ARGS, customerSite, personPage, startBotect, tenant } from "./test/harness.mjs";
import { rng, typeLines, wheelLines, pauseLines } from "./motion.mjs";
import { PERSON_BROWSERS, settledVerdict, withXvfb, xdo } from "./scenarios.mjs";

const seedNow = () => (Date.now() ^ (Math.random() * 2 ** 31)) >>> 0;
const EMAILS = ["ines.moreau@example.com", "k.tanaka@example.org", "dev@shop.example"];
const NOTES = ["Back door please", "Weekdays after six", "Thank you"];

/**
 * A visitor without a mouse. `mode: "keyboard"`: Tab to the email field, type, Tab, type the
 * notes, Tab, Space on the box, Tab, Enter on "Buy". `mode: "paste"`: the same, but each field
 * is filled by pasting (Ctrl+V) what the clipboard holds (set with xclip, as a password manager
 * or a copy from another window would). `mode: "reader"`: the page with
 * `#reader`; a few wheel ticks down, a pause, back up (the page flushes once it is back at the
 * top). The X pointer stays where a new Xvfb puts it, over the window (X focus follows it).
 * Resolves to {verdict, seed, fields, typed?}.
 */
export async function personWithoutMouse(botect, t, { mode, browser = "chromium", seed = seedNow() }) {
  const r = rng(seed);
  const site = await customerSite(() => personPage({ base: botect.base, siteKey: t.siteKey }));
  const dir = mkdtempSync(join(tmpdir(), "botect-person-"));
  try {
    return await withXvfb(async (env) => {
      const url = `${site.origin}/checkout${mode === "reader" ? "#reader" : ""}`;
      const [exe, args] = PERSON_BROWSERS[browser](dir, url);
      const proc = spawn(exe, args, { env, detached: true, stdio: "ignore" });
      try {
        await site.waitFor("ready", 60000);
        await xdo(env, pauseLines(r, 0.8, 1.5));
        let typed;
        if (mode === "keyboard" || mode === "paste") {
          const email = EMAILS[r.int(0, EMAILS.length - 1)];
          const notes = NOTES[r.int(0, NOTES.length - 1)];
          typed = { email, notes };
          const key = (k) => [...pauseLines(r, 0.25, 0.7), `keydown ${k}`, `sleep ${r.between(0.06, 0.13).toFixed(3)}`, `keyup ${k}`];
          if (mode === "keyboard") {
            await xdo(env, [...key("Tab"), ...typeLines(r, email), ...key("Tab"), ...typeLines(r, notes)]);
          } else {
            const paste = ["keydown Control_L", `sleep ${r.between(0.08, 0.2).toFixed(3)}`, ...key("v"), `sleep ${r.between(0.05, 0.15).toFixed(3)}`, "keyup Control_L"];
            for (const text of [email, notes]) {
              await clipboard(env, text);
              await xdo(env, [...key("Tab"), ...pauseLines(r, 0.3, 0.8), ...paste]);
            }
          }
          await xdo(env, [...key("Tab"), ...key("space"), ...key("Tab"), ...key("Return")]);
        } else {
          const down = r.int(4, 7);
          await xdo(env, [...wheelLines(r, down), ...pauseLines(r, 1.5, 3.0), ...wheelLines(r, down + 3, false)]);
        }
        const done = await site.waitFor("done", 30000);
        if (done.error) throw new Error(`Botect.flush() failed in the page: ${done.error}`);
        return { verdict: await settledVerdict(botect, t, done.session), seed, fields: done.fields, typed };
      } finally {
        try {
          process.kill(-proc.pid, "SIGKILL");
        } catch {
          /* already gone */
        }
      }
    });
  } finally {
    site.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Puts `text` on the display's clipboard: xclip keeps serving it until something else is copied. */
function clipboard(env, text) {
  return new Promise((ok, fail) => {
    const p = spawn("xclip", ["-selection", "clipboard"], { env, stdio: ["pipe", "ignore", "ignore"] });
    p.on("error", fail);
    p.on("exit", (code) => (code === 0 ? ok() : fail(new Error(`xclip exited with ${code}`))));
    p.stdin.end(text);
  });
}

/** A phone as Chromium's emulation presents it (Playwright's device descriptor fields). */
const PHONE = {
  viewport: { width: 412, height: 839 },
  deviceScaleFactor: 2.625,
  isMobile: true,
  hasTouch: true,
  locale: "en-GB",
  userAgent:
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36",
};

/**
 * A phone: headed Chromium under Xvfb with mobile emulation; taps on the fields, typing as a
 * virtual keyboard sends it (keydown and keyup back to back, 150–450 ms between keys), a swipe
 * down the page and back, a tap on "Buy".
 */
export async function touchPerson(botect, t, { seed = seedNow() } = {}) {
  const r = rng(seed);
  const site = await customerSite(() => personPage({ base: botect.base, siteKey: t.siteKey }));
  const dir = mkdtempSync(join(tmpdir(), "botect-phone-"));
  try {
    return await withXvfb(async (env) => {
      const context = await patchright.launchPersistentContext(dir, {
        executablePath: CHROMIUM,
        args: CHROMIUM_ARGS,
        headless: false,
        env,
        ...PHONE,
      });
      try {
        const page = context.pages()[0] ?? (await context.newPage());
        await page.goto(`${site.origin}/checkout`);
        await site.waitFor("ready", 60000);
        const sleep = (lo, hi) => new Promise((ok) => setTimeout(ok, r.between(lo, hi)));
        const cdp = await context.newCDPSession(page);
        const touch = (type, x, y) =>
          cdp.send("Input.dispatchTouchEvent", { type, touchPoints: type === "touchEnd" ? [] : [{ x, y, radiusX: 11, radiusY: 11, force: 1 }] });
        const tap = async (id) => {
          const lay = site.reports.layout.at(-1);
          const e = lay.rects[id];
          const x = e.x + e.w * r.between(0.3, 0.7);
          const y = e.y - lay.scrollY + e.h * r.between(0.3, 0.7);
          await touch("touchStart", x, y);
          await sleep(60, 120);
          await touch("touchEnd", x, y);
        };
        const type = async (text) => {
          for (const ch of text) {
            await sleep(150, 450);
            // A virtual keyboard: keydown and keyup together, no dwell.
            await page.keyboard.down(ch);
            await page.keyboard.up(ch);
          }
        };
        const email = EMAILS[r.int(0, EMAILS.length - 1)];
        const notes = NOTES[r.int(0, NOTES.length - 1)];
        await sleep(800, 1500);
        await tap("email");
        await sleep(400, 900);
        await type(email);
        await sleep(600, 1200);
        await tap("notes");
        await sleep(400, 900);
        await type(notes);
        await sleep(500, 1000);
        await tap("terms");
        await sleep(600, 1200);
        // A swipe up the page and back: a finger dragged over about 300 ms.
        for (const [from, to] of [[600, 250], [250, 650]]) {
          const x = r.between(150, 250);
          await touch("touchStart", x, from);
          for (let i = 1; i <= 18; i++) {
            await new Promise((ok) => setTimeout(ok, 16));
            await touch("touchMove", x + r.between(-2, 2), from + ((to - from) * i) / 18);
          }
          await touch("touchEnd", x, to);
          await sleep(700, 1400);
        }
        await site.waitFor("layout", 10000, (l) => l.scrollY === 0 && site.reports.layout.at(-1) === l).catch(() => {});
        await tap("buy");
        const done = await site.waitFor("done", 30000);
        if (done.error) throw new Error(`Botect.flush() failed in the page: ${done.error}`);
        return { verdict: await settledVerdict(botect, t, done.session), seed, fields: done.fields, typed: { email, notes } };
      } finally {
        await context.close().catch(() => {});
      }
    });
  } finally {
    site.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const PEOPLE = {
  "keyboard only (Chromium, xdotool)": (b, t) => personWithoutMouse(b, t, { mode: "keyboard" }),
  "keyboard only (Firefox ESR, xdotool)": (b, t) => personWithoutMouse(b, t, { mode: "keyboard", browser: "firefox" }),
  "paste into every field (Chromium, xdotool)": (b, t) => personWithoutMouse(b, t, { mode: "paste" }),
  "paste into every field (Firefox ESR, xdotool)": (b, t) => personWithoutMouse(b, t, { mode: "paste", browser: "firefox" }),
  "scroll-only reader (Chromium, xdotool)": (b, t) => personWithoutMouse(b, t, { mode: "reader" }),
  "scroll-only reader (Firefox ESR, xdotool)": (b, t) => personWithoutMouse(b, t, { mode: "reader", browser: "firefox" }),
  "phone: touch and a virtual keyboard (Chromium mobile emulation)": (b, t) => touchPerson(b, t),
};

if (process.argv.includes("--runs")) {
  const runs = Number(process.argv[process.argv.indexOf("--runs") + 1] || 5);
  const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : null;
  const botect = await startBotect();
  const t = await tenant(botect);
  try {
    for (const [name, run] of Object.entries(PEOPLE)) {
      if (only && !name.includes(only)) continue;
      for (let i = 0; i < runs; i++) {
        try {
          const p = await run(botect, t);
          console.log(JSON.stringify({ person: name, run: i + 1, seed: p.seed, verdict: p.verdict.verdict, score: p.verdict.score, detection_ids: p.verdict.detection_ids, fields_ok: !p.typed || (p.fields.email === p.typed.email && p.fields.notes === p.typed.notes) }));
        } catch (e) {
          console.log(JSON.stringify({ person: name, run: i + 1, error: String(e) }));
        }
      }
    }
  } finally {
    botect.stop();
  }
}
