#!/usr/bin/env node
// The browser SDK's proof-of-work solver in headless Chromium: for each difficulty, solves
// `--runs` random 100-character challenges in a Web Worker made from a Blob URL, exactly as
// the SDK does (clients/browser/dist/pow.mjs `solveInWorker`: a new worker per solve, so the
// time includes starting the worker and the JIT warming up), then once more at one difficulty
// on the main thread in slices (the SDK's fallback where no worker can be made).
//
//   node bench/pow/browser.mjs [--difficulties 8,10,12,14,16,18,20] [--runs 30]
//                              [--main-thread 16] [--chromium /usr/bin/chromium]
//
// Prints one JSON object: {"chromium": "<version>", "results": [{"difficulty", "runs",
// "median_ms", "p95_ms", "hashes_per_s", "mode"}, …]}; hashes_per_s = Σ(nonce + 1) / Σ time
// (the search counts up from 0, so a solve at nonce n hashed n + 1 times). The main-thread
// entry also has max_gap_ms: the longest the page went without running a queued timer.
// Progress goes to stderr. Needs playwright-core from tests/browser (npm ci there) and a
// Chromium (CHROMIUM_PATH, default /usr/bin/chromium).
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const POW = join(root, "clients", "browser", "dist", "pow.mjs");

function args(argv) {
  const o = { difficulties: [8, 10, 12, 14, 16, 18, 20], runs: 30, mainThread: 16, chromium: process.env.CHROMIUM_PATH || "/usr/bin/chromium" };
  for (let i = 0; i < argv.length; i++) {
    const [k, inline] = argv[i].split("=", 2);
    const v = () => (inline !== undefined ? inline : argv[++i]);
    if (k === "--difficulties") o.difficulties = v().split(",").map(Number);
    else if (k === "--runs") o.runs = Number(v());
    else if (k === "--main-thread") o.mainThread = Number(v());
    else if (k === "--chromium") o.chromium = v();
    else if (k === "-h" || k === "--help") {
      console.error("usage: node bench/pow/browser.mjs [--difficulties 8,10,…] [--runs 30] [--main-thread 16] [--chromium PATH]");
      process.exit(0);
    } else throw new Error(`unknown argument ${argv[i]}`);
  }
  for (const d of [...o.difficulties, o.mainThread]) if (!(Number.isInteger(d) && d >= 0 && d <= 32)) throw new Error(`bad difficulty ${d}`);
  if (!(Number.isInteger(o.runs) && o.runs > 0)) throw new Error(`bad --runs ${o.runs}`);
  return o;
}

function zeroBits(challenge, nonce) {
  const h = createHash("sha256").update(challenge + nonce, "utf8").digest();
  let n = 0;
  for (const x of h) {
    if (x) return n + Math.clz32(x) - 24;
    n += 8;
  }
  return n;
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
const r1 = (x) => Math.round(x * 10) / 10;

function summarize(difficulty, mode, solves) {
  for (const s of solves) if (zeroBits(s.challenge, s.nonce) < difficulty) throw new Error(`wrong nonce ${s.nonce} for difficulty ${difficulty}`);
  const ms = solves.map((s) => s.ms).sort((a, b) => a - b);
  const hashes = solves.reduce((a, s) => a + Number(s.nonce) + 1, 0);
  const total = ms.reduce((a, b) => a + b, 0);
  return {
    difficulty,
    runs: solves.length,
    median_ms: r1(quantile(ms, 0.5)),
    p95_ms: r1(quantile(ms, 0.95)),
    hashes_per_s: Math.round(hashes / (total / 1000)),
    mode,
  };
}

/** In the page: `runs` solves of random challenges; returns [{challenge, nonce, ms}]. */
async function inPage({ difficulty, runs, mode }) {
  const pow = await import("/pow.mjs");
  const ABC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const random = () => Array.from(crypto.getRandomValues(new Uint8Array(100)), (b) => ABC[b & 63]).join("");
  const out = [];
  let maxGap = 0;
  let last = performance.now();
  let beating = mode === "main-thread";
  const beat = () => {
    const t = performance.now();
    maxGap = Math.max(maxGap, t - last);
    last = t;
    if (beating) setTimeout(beat);
  };
  if (beating) setTimeout(beat);
  for (let i = 0; i < runs; i++) {
    const challenge = random();
    const t = performance.now();
    const nonce = mode === "worker" ? await pow.solveInWorker(challenge, difficulty) : await pow.solveInSlices(challenge, difficulty);
    out.push({ challenge, nonce, ms: performance.now() - t });
  }
  beating = false;
  return { solves: out, maxGap };
}

async function main() {
  const o = args(process.argv.slice(2));
  if (!existsSync(POW)) throw new Error(`${POW} is missing: run npm run build in clients/browser`);
  if (!existsSync(o.chromium)) throw new Error(`no Chromium at ${o.chromium} (set --chromium or CHROMIUM_PATH)`);
  const require = createRequire(join(root, "tests", "browser", "package.json"));
  let chromium;
  try {
    ({ chromium } = require("playwright-core"));
  } catch {
    throw new Error("playwright-core is missing: cd tests/browser && PUPPETEER_SKIP_DOWNLOAD=1 npm ci");
  }

  const pow = readFileSync(POW);
  const server = createServer((req, res) => {
    if (req.url === "/pow.mjs") res.writeHead(200, { "content-type": "text/javascript" }).end(pow);
    else res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>pow bench</title>");
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const browser = await chromium.launch({
    executablePath: o.chromium,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-dev-shm-usage"],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    const results = [];
    const runs = [...o.difficulties.map((d) => [d, "worker"]), [o.mainThread, "main-thread"]];
    for (const [difficulty, mode] of runs) {
      const t = Date.now();
      const { solves, maxGap } = await page.evaluate(inPage, { difficulty, runs: o.runs, mode });
      const r = summarize(difficulty, mode, solves);
      if (mode === "main-thread") r.max_gap_ms = r1(maxGap);
      results.push(r);
      console.error(`difficulty ${difficulty} (${mode}): median ${r.median_ms} ms, ${(r.hashes_per_s / 1e6).toFixed(2)} MH/s [${((Date.now() - t) / 1000).toFixed(1)} s]`);
    }
    console.log(JSON.stringify({ chromium: browser.version(), results }));
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e) => {
  console.error(e.message || e);
  process.exit(1);
});
