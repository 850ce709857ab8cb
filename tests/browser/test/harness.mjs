// Harness for the real-Chromium tests: a real `botect serve` on a temp SQLite file, a
// "customer site" on another origin, and Debian's Chromium driven by playwright-core or
// puppeteer-core (no browser downloads: executablePath /usr/bin/chromium).
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, existsSync, rmSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";

const here = dirname(fileURLToPath(import.meta.url));
export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

export function botectBin() {
  const bin = process.env.BOTECT_BIN || resolve(here, "../../../target/debug/botect");
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run cargo build -p botect (scripts/test does)`);
  return bin;
}

/** `psql` from PATH, else from the cluster's own binaries (as scripts/test finds them). */
function psql() {
  for (const dir of (process.env.PATH || "").split(":")) {
    if (dir && existsSync(join(dir, "psql"))) return join(dir, "psql");
  }
  for (const v of ["17", "16", "15", "14", "13"]) {
    const p = `/usr/lib/postgresql/${v}/bin/psql`;
    if (existsSync(p)) return p;
  }
  return "psql";
}

/**
 * A fresh PostgreSQL database on the cluster of `BOTECT_TEST_PG_URL` (scripts/test starts
 * one), or null when there is none.
 */
export function freshPostgres() {
  const url = process.env.BOTECT_TEST_PG_URL;
  if (!url) return null;
  const name = `botect_browser_${randomUUID().replace(/-/g, "")}`;
  execFileSync(psql(), [url, "-q", "-c", `CREATE DATABASE ${name}`]);
  return url.replace(/\/[^/]*$/, `/${name}`);
}

/**
 * Starts `botect serve` on a fresh SQLite file (or on `databaseUrl`); resolves to
 * {base, url, cli, stop}.
 */
export async function startBotect(extra = [], databaseUrl = null) {
  const dir = mkdtempSync(join(tmpdir(), "botect-browser-"));
  const db = databaseUrl || `sqlite://${dir}/botect.db`;
  const child = spawn(botectBin(), ["--database-url", db, "serve", "--listen", "127.0.0.1:0", ...extra], {
    env: { ...process.env, BOTECT_LOG: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const base = await new Promise((ok, fail) => {
    const rl = createInterface({ input: child.stdout });
    const timer = setTimeout(() => fail(new Error("botect did not start")), 30000);
    rl.on("line", (line) => {
      const m = line.match(/^botect listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    child.on("exit", (code) => fail(new Error(`botect exited with ${code}`)));
  });
  const cli = (...args) =>
    execFileSync(botectBin(), ["--database-url", db, ...args], { env: { ...process.env, BOTECT_LOG: "warn" } })
      .toString()
      .trim();
  // stop() also removes the database directory (nothing is left in the temp dir).
  const stop = () => {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  return { base, db, dir, cli, stop };
}

/** Account, token, project and enabled scoring. */
export async function tenant(botect) {
  const email = `${randomUUID()}@browser.test`;
  botect.cli("account", "create", "--name", "Browser Shop", "--email", email);
  const token = botect.cli("token", "create", "--email", email, "--name", "tests");
  const auth = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
  const project = await (await fetch(`${botect.base}/v1/projects`, { method: "POST", headers: auth, body: JSON.stringify({ name: "shop" }) })).json();
  const scoring = await (await fetch(`${botect.base}/v1/projects/${project.id}/scoring`, { method: "POST", headers: auth })).json();
  return { token, project: project.id, siteKey: scoring.site_key, privateKey: scoring.private_key };
}

/**
 * A customer's site on another origin (localhost vs Botect's 127.0.0.1, another port).
 * Its pages may POST JSON to `/report/<name>` (same origin): the site keeps every report, and
 * `waitFor(name, ms, pred)` resolves with the first (or the first matching) one.
 */
export async function customerSite(htmlFor) {
  const reports = {};
  const waiters = [];
  const server = createServer((req, res) => {
    if (req.url === "/favicon.ico") {
      res.writeHead(404).end();
      return;
    }
    const report = req.method === "POST" && req.url.match(/^\/report\/([\w-]+)$/);
    if (report) {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        let body = null;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString() || "null");
        } catch {
          /* not JSON: kept as null */
        }
        (reports[report[1]] ||= []).push(body);
        for (const w of [...waiters]) w();
        res.writeHead(204).end();
      });
      return;
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(htmlFor(req.url));
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  /** The first report `name` for which `pred` holds (the latest when `latest`), waited for up to `ms`. */
  const waitFor = (name, ms = 30000, pred = () => true, latest = false) =>
    new Promise((ok, fail) => {
      const stop = () => {
        clearTimeout(timer);
        const i = waiters.indexOf(check);
        if (i >= 0) waiters.splice(i, 1);
      };
      const check = () => {
        const list = (reports[name] || []).filter(pred);
        if (!list.length) return;
        stop();
        ok(latest ? list[list.length - 1] : list[0]);
      };
      const timer = setTimeout(() => {
        stop();
        fail(new Error(`no "${name}" report from the page in ${ms} ms`));
      }, ms);
      waiters.push(check);
      check();
    });
  return { origin: `http://localhost:${port}`, reports, waitFor, close: () => server.close() };
}

/**
 * A forwarding proxy in front of Botect that records the SDK's REST calls (request headers,
 * JSON body and the answer's status and body): how the replay scenarios get a real browser's
 * batches without a DevTools connection. Everything else is passed through unchanged.
 */
export async function recordingProxy(target) {
  const up = new URL(target);
  const calls = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const record = req.method === "POST" && /^\/v1\/(events|challenges)/.test(req.url);
      const call = record ? { path: req.url, headers: { ...req.headers }, body: safeJson(body) } : null;
      const fwd = httpRequest(
        { host: up.hostname, port: up.port, method: req.method, path: req.url, headers: { ...req.headers, host: up.host } },
        (r) => {
          const out = [];
          r.on("data", (c) => {
            out.push(c);
            res.write(c);
          });
          r.on("end", () => {
            if (call) {
              call.status = r.statusCode;
              call.answer = safeJson(Buffer.concat(out));
              calls.push(call);
            }
            res.end();
          });
          res.writeHead(r.statusCode, r.headers);
        },
      );
      fwd.on("error", () => res.writeHead(502).end());
      fwd.end(body);
    });
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return { origin: `http://127.0.0.1:${port}`, calls, close: () => server.close() };
}

function safeJson(buf) {
  try {
    return JSON.parse(buf.toString());
  } catch {
    return null;
  }
}

/** A plain page with fields to click and type into, loading the SDK from Botect's origin. */
export function shopPage({ base, siteKey, transport }) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>
<script src="${base}/sdk/botect.js" data-site-key="${siteKey}" data-endpoint="${base}" data-transport="${transport}"></script>
</head><body style="font:16px sans-serif;margin:40px">
<h1>Checkout</h1>
<form onsubmit="return false">
<p><label>Email <input id="email" name="email" style="width:300px"></label></p>
<p><label>Notes <textarea id="notes" rows="4" cols="40"></textarea></label></p>
<p><label><input type="checkbox" id="terms"> I agree</label></p>
<p><button id="buy" type="submit" style="padding:10px 30px">Buy</button></p>
</form>
<div style="height:2000px;background:linear-gradient(#fff,#ddd)">long content</div>
</body></html>`;
}

/**
 * The shop page with a fixed layout, for input that comes from outside the browser (xdotool):
 * the page reports its layout (element boxes in document coordinates, the scroll position) to
 * its own site on load, resize and scroll, and the offset between screen and page
 * coordinates from the pointer events it sees (`screenX − clientX`), so that the driver can
 * aim at the fields. "Buy" makes the page flush the SDK itself and report its session token
 * (`/report/done`, with the fields' values). Nothing here touches the SDK or the browser's own functions.
 */
export function personPage({ base, endpoint = base, siteKey }) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>
<script src="${base}/sdk/botect.js" data-site-key="${siteKey}" data-endpoint="${endpoint}" data-transport="rest"></script>
<style>
body{margin:0;font:16px sans-serif;position:relative;height:2600px;background:linear-gradient(#fff,#ddd)}
#f>*{position:absolute;box-sizing:border-box;margin:0}
h1{position:absolute;left:40px;top:16px;margin:0;font-size:28px}
</style>
</head><body>
<h1>Checkout</h1>
<form id="f" onsubmit="return false">
<label style="left:40px;top:84px">Email</label>
<input id="email" name="email" style="left:40px;top:108px;width:340px;height:34px">
<label style="left:40px;top:164px">Notes</label>
<textarea id="notes" style="left:40px;top:188px;width:440px;height:110px"></textarea>
<input type="checkbox" id="terms" style="left:40px;top:322px;width:22px;height:22px">
<label for="terms" style="left:72px;top:322px">I agree</label>
<button id="buy" type="submit" style="left:40px;top:370px;width:180px;height:46px">Buy</button>
</form>
<script>
(function () {
  var post = function (name, body) {
    return fetch("/report/" + name, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  };
  var layout = function () {
    var r = {};
    ["email", "notes", "terms", "buy"].forEach(function (id) {
      var b = document.getElementById(id).getBoundingClientRect();
      r[id] = { x: b.left + scrollX, y: b.top + scrollY, w: b.width, h: b.height };
    });
    post("layout", { scrollY: scrollY, innerWidth: innerWidth, innerHeight: innerHeight, outerWidth: outerWidth, outerHeight: outerHeight, screenX: screenX, screenY: screenY, rects: r });
  };
  var off = null;
  addEventListener("pointermove", function (e) {
    var o = [e.screenX - e.clientX, e.screenY - e.clientY];
    if (!off || o[0] != off[0] || o[1] != off[1]) {
      off = o;
      post("offset", { x: o[0], y: o[1] });
    }
  }, { passive: true });
  var st = null;
  addEventListener("scroll", function () {
    clearTimeout(st);
    st = setTimeout(layout, 150);
  }, { passive: true });
  addEventListener("resize", layout);
  addEventListener("load", function () {
    layout();
    var wait = setInterval(function () {
      if (window.Botect && typeof window.Botect.flush == "function") {
        clearInterval(wait);
        post("ready", { ua: navigator.userAgent });
      }
    }, 50);
  });
  var done = function () {
    var fields = function () {
      return { email: document.getElementById("email").value, notes: document.getElementById("notes").value, terms: document.getElementById("terms").checked };
    };
    window.Botect.flush().then(
      function () { post("done", { session: window.Botect.getSessionToken(), fields: fields() }); },
      function (e) { post("done", { session: window.Botect.getSessionToken(), fields: fields(), error: JSON.stringify(e) || String(e) }); }
    );
  };
  // A reader (#reader) never clicks: the page flushes 1.5 s after it is scrolled back to the top.
  if (location.hash == "#reader") {
    var deep = false;
    var back = null;
    addEventListener("scroll", function () {
      if (scrollY > 0) deep = true;
      clearTimeout(back);
      if (deep && scrollY == 0) back = setTimeout(done, 1500);
    }, { passive: true });
  }
  document.getElementById("buy").addEventListener("click", done);
})();
</script>
</body></html>`;
}

/** The verdict, polled until scored (up to 20 s). */
export async function scoredVerdict(base, privateKey, session) {
  const start = Date.now();
  for (;;) {
    const r = await fetch(`${base}/v1/sessions/${session}/verdict`, { headers: { Authorization: `Bearer ${privateKey}` } });
    const v = await r.json();
    if (r.status !== 200) throw new Error(`verdict ${r.status}: ${JSON.stringify(v)}`);
    if (v.verdict !== "not_computed") return v;
    if (Date.now() - start > 20000) throw new Error(`session ${session} not scored in 20 s`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

/** Human-ish mouse wandering with playwright's mouse (steps → many pointermove events). */
export async function wander(page, points) {
  for (const [x, y, steps] of points) await page.mouse.move(x, y, { steps });
}
