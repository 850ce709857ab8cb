// Gzipped size of each bundle; exits 1 when one is over the budget (11 KB = 11,264 bytes).
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

export const BUDGET = 11 * 1024;
const dist = join(resolve(dirname(fileURLToPath(import.meta.url)), ".."), "dist");

export function sizes() {
  return ["botect.js", "botect.mjs"].map((f) => {
    const raw = readFileSync(join(dist, f));
    return { file: f, bytes: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let ok = true;
  for (const s of sizes()) {
    const over = s.gzip > BUDGET;
    ok &&= !over;
    console.log(`${s.file}: ${s.bytes} B, ${s.gzip} B gzipped (budget ${BUDGET})${over ? "  OVER BUDGET" : ""}`);
  }
  process.exit(ok ? 0 : 1);
}
