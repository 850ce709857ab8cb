// Which properties of pointer and keyboard events tell DevTools-injected input (CDP
// `Input.dispatch*`, what Playwright, Puppeteer, patchright and rebrowser-puppeteer send) from
// input that came through the operating system (the X server, driven by xdotool), in the
// Chromium this machine has. docs/evaluation.md ("DevTools-injected input") has the table.
//
//   node input_probe.mjs                # every mode, one JSON line each
//   node input_probe.mjs xdotool pw-headed
//
// Each mode loads one page, moves the pointer 40 steps, clicks into a field and types "hello";
// the page records what its listeners saw and posts it back. Modes: xdotool (a plain Chromium
// process, OS input), {pw,patchright,pptr,rebrowser}-{headed,headless}. Headed modes and
// xdotool run on their own Xvfb display.
import http from "node:http";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHROMIUM } from "./test/harness.mjs";
import { withXvfb, PERSON_CHROMIUM_ARGS } from "./scenarios.mjs";

const PAGE = `<!doctype html><html><body style="margin:0;height:2000px">
<input id="f" style="position:absolute;left:300px;top:300px;width:200px">
<script>
const seen = { moves: [], downs: [], keys: [], counts: {} };
const count = (t) => (seen.counts[t] = (seen.counts[t] || 0) + 1);
for (const t of ["pointerrawupdate", "pointermove", "mousemove", "pointerover", "pointerenter", "mouseover", "pointerdown", "click"])
  addEventListener(t, (e) => {
    count(t);
    if (t === "pointermove" && seen.moves.length < 200)
      seen.moves.push({ off: [e.screenX - e.clientX, e.screenY - e.clientY], ts: e.timeStamp, co: e.getCoalescedEvents ? e.getCoalescedEvents().length : -1, caps: !!e.sourceCapabilities, mv: [e.movementX, e.movementY] });
    if (t === "pointerdown") seen.downs.push({ pressure: e.pressure, buttons: e.buttons, type: e.pointerType });
  }, true);
addEventListener("keydown", (e) => seen.keys.push({ ts: e.timeStamp, key: e.key, code: e.code, kc: e.keyCode }), true);
addEventListener("keydown", (e) => {
  if (e.key !== "F2") return;
  seen.window = { screenX, screenY, outerWidth, outerHeight, innerWidth, innerHeight };
  fetch("/report", { method: "POST", body: JSON.stringify(seen) });
}, true);
</script></body></html>`;

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** One mode: resolves to what the page saw. */
async function probe(mode) {
  let reported;
  const got = new Promise((ok) => (reported = ok));
  const server = http.createServer((req, res) => {
    if (req.url === "/report") {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        reported(JSON.parse(body));
        res.end();
      });
      return;
    }
    res.setHeader("content-type", "text/html");
    res.end(PAGE);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${server.address().port}/`;
  const dir = mkdtempSync(join(tmpdir(), "botect-probe-"));
  try {
    const headless = mode.endsWith("-headless");
    const run = async (env) => {
      if (mode === "xdotool") {
        const p = spawn(CHROMIUM, [...PERSON_CHROMIUM_ARGS, `--user-data-dir=${dir}`, url], { env, detached: true, stdio: "ignore" });
        try {
          await sleep(4000);
          const x = (...a) => execFileSync("xdotool", a, { env });
          for (let i = 0; i < 40; i++) {
            x("mousemove", String(200 + i * 4), String(380 + i));
            await sleep(16);
          }
          x("click", "1");
          x("type", "--delay", "90", "hello");
          x("key", "F2");
          return await got;
        } finally {
          process.kill(-p.pid, "SIGKILL");
        }
      }
      const lib = mode.split("-")[0];
      const args = ["--no-sandbox", "--disable-gpu", "--window-size=1366,768", "--window-position=0,0"];
      let page, close;
      if (lib === "pw" || lib === "patchright") {
        const { chromium } = await import(lib === "pw" ? "playwright-core" : "patchright-core");
        const b = await chromium.launch({ executablePath: CHROMIUM, headless, args, env });
        page = await b.newPage();
        close = () => b.close();
      } else {
        const pptr = (await import(lib === "pptr" ? "puppeteer-core" : "rebrowser-puppeteer-core")).default;
        const b = await pptr.launch({ executablePath: CHROMIUM, headless, args, env });
        page = await b.newPage();
        close = () => b.close();
      }
      try {
        await page.goto(url);
        await sleep(500);
        for (let i = 0; i < 40; i++) {
          await page.mouse.move(200 + i * 4, 300 + i);
          await sleep(16);
        }
        await page.mouse.click(400, 310);
        await page.keyboard.type("hello", { delay: 90 });
        await page.keyboard.press("F2");
        return await got;
      } finally {
        await close();
      }
    };
    return mode === "xdotool" || !headless ? await withXvfb(run) : await run(process.env);
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What each property looked like in one mode. */
function summarise(mode, s) {
  const w = s.window;
  const offsets = [...new Set(s.moves.map((m) => m.off.join(",")))];
  const fractions = (ts) => new Set(ts.map((t) => (((t % 1) + 1) % 1).toFixed(1))).size;
  return {
    mode,
    window: `${w.outerWidth}x${w.outerHeight} outer, ${w.innerWidth}x${w.innerHeight} inner at ${w.screenX},${w.screenY}`,
    screen_minus_client: offsets.join(" "),
    window_chrome: `${w.outerWidth - w.innerWidth},${w.outerHeight - w.innerHeight}`,
    pointerdown_pressure: s.downs.map((d) => `${d.pressure} (${d.type}, buttons ${d.buttons})`).join(" "),
    move_timestamp_fractions: `${fractions(s.moves.map((m) => m.ts))} distinct tenths of a ms over ${s.moves.length} moves`,
    key_timestamp_fractions: `${fractions(s.keys.map((k) => k.ts))} over ${s.keys.length} keys`,
    coalesced: [...new Set(s.moves.map((m) => m.co))].join(","),
    source_capabilities: [...new Set(s.moves.map((m) => m.caps))].join(","),
    counts: s.counts,
  };
}

const MODES = ["xdotool", "pw-headed", "pw-headless", "patchright-headed", "patchright-headless", "pptr-headed", "pptr-headless", "rebrowser-headed", "rebrowser-headless"];
for (const mode of process.argv.length > 2 ? process.argv.slice(2) : MODES) {
  try {
    console.log(JSON.stringify(summarise(mode, await probe(mode))));
  } catch (e) {
    console.log(JSON.stringify({ mode, error: String(e) }));
  }
}
