// Builds the SDK with esbuild (deterministic for a given esbuild version, pinned in
// package-lock.json):
//   dist/botect.mjs    ESM, minified          (import Botect from ".../botect.mjs")
//   dist/botect.js     classic-script IIFE, minified, defines window.Botect and auto-inits;
//                      the Rust server embeds it (server/src/web.rs) and serves /sdk/botect.js
//   dist/aggregate.mjs ESM, readable: the pure aggregation maths for the offline evaluation
//   dist/pow.mjs       ESM, readable: the proof-of-work solver (for benchmarks, bench/pow/)
// `node scripts/build.mjs [outdir]` (default dist/); test/dist.test.mjs rebuilds into a temp
// dir and compares with the committed dist/.
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

export async function buildAll(outdir = join(root, "dist")) {
  const common = {
    absWorkingDir: root,
    bundle: true,
    target: "es2018",
    platform: "browser",
    legalComments: "none",
    charset: "utf8",
    define: { __VERSION__: JSON.stringify(version) },
    logLevel: "warning",
  };
  const banner = { js: `/*! Botect browser SDK ${version} | Apache-2.0 */` };
  await Promise.all([
    build({ ...common, entryPoints: ["src/esm.ts"], format: "esm", minify: true, banner, outfile: join(outdir, "botect.mjs") }),
    build({ ...common, entryPoints: ["src/iife.ts"], format: "iife", minify: true, banner, outfile: join(outdir, "botect.js") }),
    build({
      ...common,
      entryPoints: ["src/aggregate.ts"],
      format: "esm",
      minify: false,
      banner: { js: `// Botect browser SDK ${version}: aggregation maths (generated from src/aggregate.ts; do not edit)` },
      outfile: join(outdir, "aggregate.mjs"),
    }),
    build({
      ...common,
      entryPoints: ["src/pow.ts"],
      format: "esm",
      minify: false,
      banner: { js: `// Botect browser SDK ${version}: proof-of-work solver (generated from src/pow.ts; do not edit)` },
      outfile: join(outdir, "pow.mjs"),
    }),
  ]);
  return outdir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildAll(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.log(`built ${out}`);
}
