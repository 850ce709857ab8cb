// Renders bench/pow/run.sh's results as the markdown of docs/performance.md's proof-of-work
// section: node report.mjs native.json browser.json "<command>"
import { readFileSync } from "node:fs";

const [nativeFile, browserFile, command] = process.argv.slice(2);
const native = JSON.parse(readFileSync(nativeFile, "utf8"));
const browser = JSON.parse(readFileSync(browserFile, "utf8"));
const fmt = (x, d = 1) => (x >= 100 ? Math.round(x).toString() : x.toFixed(d));
const rate = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M/s` : `${Math.round(x / 1e3)} k/s`);
const worker = browser.results.filter((r) => (r.mode || "worker") === "worker");
const main = browser.results.filter((r) => r.mode === "main-thread");

const lines = [];
lines.push(`Command: \`${command}\` (Chromium ${browser.chromium}, both sides in the same run, one core each).`);
lines.push("");
lines.push("| difficulty (bits) | browser SDK median | browser p95 | browser hashes/s | native median | native p95 | native hashes/s | native ÷ browser (hashes/s) |");
lines.push("|---|---|---|---|---|---|---|---|");
for (const b of worker) {
  const n = native.solve.find((x) => x.difficulty === b.difficulty);
  if (!n) continue;
  lines.push(
    `| ${b.difficulty} | ${fmt(b.median_ms)} ms | ${fmt(b.p95_ms)} ms | ${rate(b.hashes_per_s)} | ${fmt(n.median_ms, 2)} ms | ${fmt(n.p95_ms, 2)} ms | ${rate(n.hashes_per_s)} | ${fmt(n.hashes_per_s / b.hashes_per_s)}× |`,
  );
}
lines.push("");
lines.push(
  "Each solve is a fresh random challenge, so single medians scatter (the work is geometric: 2^d hashes on average, often far fewer or more); the hashing speeds are the stable comparison. At low difficulties the browser's time is mostly the Web Worker's start-up.",
);
const at = (d) => [worker.find((x) => x.difficulty === d), native.solve.find((x) => x.difficulty === d)];
const [b18, n18] = at(18);
if (b18 && n18) {
  const mean = 2 ** 18 / n18.hashes_per_s * 1e3;
  lines.push("");
  lines.push(
    `**At the default 18 bits** a forger's native script pays on average 2^18 hashes = **${fmt(mean)} ms of one core per session** (about ${Math.round(1000 / mean)} sessions per core-second, before the 4 volume bits a busy public address adds: 16× that); a person's browser pays ${fmt(b18.median_ms)} ms median (p95 ${fmt(b18.p95_ms)} ms) in a background worker.`,
  );
}
for (const m of main) {
  lines.push("");
  lines.push(
    `Main-thread fallback (no Worker) at ${m.difficulty} bits: median ${fmt(m.median_ms)} ms, p95 ${fmt(m.p95_ms)} ms, ${rate(m.hashes_per_s)}; the page was never blocked longer than ${fmt(m.max_gap_ms)} ms.`,
  );
}
lines.push("");
lines.push(
  `Server side: verifying a proof (decode, HMAC-SHA256, binding digests, one SHA-256) costs **${fmt(native.verify_ns / 1000, 2)} µs** of CPU per batch that carries one, with no database read; the single-use check is one \`INSERT … ON CONFLICT DO NOTHING\` inside the batch's existing transaction. Issuing a challenge costs ${fmt(native.mint_ns / 1000, 2)} µs plus the site-key lookup ingest also makes.`,
);
lines.push("");
console.log(lines.join("\n"));
