// Builds the dashboard with esbuild (deterministic for the esbuild version pinned in
// package-lock.json) into dist/, which is committed: the Rust server embeds
// dist/dashboard.js and dist/dashboard.css (server/src/dashboard_assets.rs), so building the
// server never needs npm. `node scripts/build.mjs [outdir]`; `--check` rebuilds into a temp
// dir and fails when the committed dist/ differs (scripts/test runs it).
import { build } from "esbuild";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export async function buildAll(outdir) {
  mkdirSync(outdir, { recursive: true });
  await build({
    absWorkingDir: root,
    entryPoints: ["src/main.js"],
    bundle: true,
    format: "iife",
    minify: true,
    target: "es2020",
    platform: "browser",
    legalComments: "none",
    charset: "utf8",
    logLevel: "warning",
    banner: { js: "/*! Botect dashboard | Apache-2.0; includes Preact (MIT), htm (Apache-2.0), uPlot (MIT) */" },
    outfile: join(outdir, "dashboard.js"),
  });
  const css =
    readFileSync(join(root, "node_modules/uplot/dist/uPlot.min.css"), "utf8") +
    "\n" +
    readFileSync(join(root, "src/dashboard.css"), "utf8");
  writeFileSync(join(outdir, "dashboard.css"), css);
}

const check = process.argv.includes("--check");
const outdir = check ? mkdtempSync(join(tmpdir(), "botect-dashboard-")) : process.argv[2] || join(root, "dist");
await buildAll(outdir);
for (const f of ["dashboard.js", "dashboard.css"]) {
  const built = readFileSync(join(outdir, f));
  if (check) {
    const committed = readFileSync(join(root, "dist", f));
    if (!built.equals(committed)) {
      console.error(`dist/${f} is stale: run npm run build in dashboard/ and commit it`);
      process.exit(1);
    }
  }
  console.log(`${f}: ${statSync(join(outdir, f)).size} bytes, ${gzipSync(built).length} gzipped`);
}
