// Harness for the real-Chromium tests: a real `botect serve` on a temp SQLite file, a
// "customer site" on another origin, and Debian's Chromium driven by playwright-core or
// puppeteer-core (no browser downloads: executablePath /usr/bin/chromium).
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, existsSync, rmSync } from "node:fs";
import { createServer } from "node:http";
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

/** Starts `botect serve` on a fresh SQLite file; resolves to {base, url, cli, stop}. */
export async function startBotect(extra = []) {
  const dir = mkdtempSync(join(tmpdir(), "botect-browser-"));
  const db = `sqlite://${dir}/botect.db`;
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

/** A customer's site on another origin (localhost vs Botect's 127.0.0.1, another port). */
export async function customerSite(htmlFor) {
  const server = createServer((req, res) => {
    if (req.url === "/favicon.ico") {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(htmlFor(req.url));
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return { origin: `http://localhost:${port}`, close: () => server.close() };
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
