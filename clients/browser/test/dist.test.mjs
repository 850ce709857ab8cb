// The committed dist/ is what the sources build to (the Rust server embeds dist/botect.js),
// and the bundles stay within the size budget.
import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { buildAll } from "../scripts/build.mjs";
import { BUDGET, sizes } from "../scripts/size.mjs";
import { root } from "./helpers.mjs";

test("a fresh build equals the committed dist/ (run `npm run build` after changing src/)", async () => {
  const out = await buildAll(await mkdtemp(join(tmpdir(), "botect-dist-")));
  const built = (await readdir(out)).sort();
  const committed = (await readdir(join(root, "dist"))).sort();
  assert.deepEqual(committed, built);
  for (const f of built) {
    const [a, b] = await Promise.all([readFile(join(out, f), "utf8"), readFile(join(root, "dist", f), "utf8")]);
    assert.ok(a === b, `dist/${f} is stale: run \`npm run build\` in clients/browser and commit dist/`);
  }
});

test("each bundle is at most 11 KB gzipped", () => {
  for (const s of sizes()) assert.ok(s.gzip <= BUDGET, `${s.file}: ${s.gzip} bytes gzipped > ${BUDGET}`);
});

test("the bundles expose the API", async () => {
  const esm = await import("../dist/botect.mjs");
  for (const k of ["init", "flush", "getSessionToken"]) {
    assert.equal(typeof esm[k], "function");
    assert.equal(typeof esm.default[k], "function");
  }
  assert.match(esm.version, /^\d+\.\d+\.\d+$/);
  const iife = await readFile(join(root, "dist", "botect.js"), "utf8");
  assert.match(iife, /^\/\*! Botect browser SDK /);
  assert.ok(!/\bexport\b/.test(iife.slice(-200)), "the classic script has no ESM exports");
});
