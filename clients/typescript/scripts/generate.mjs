#!/usr/bin/env node
// Generates the code of every Botect service from ../../proto with buf and protoc-gen-es (both
// from npm, pinned in package-lock.json) into gen/ (JavaScript + .d.ts).
//
//   node scripts/generate.mjs          # rewrites gen/
//   node scripts/generate.mjs --check  # exits 1 when gen/ differs from what proto/ generates
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, cpSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = join(dirname(fileURLToPath(import.meta.url)), "..");
const proto = join(here, "..", "..", "proto");
const check = process.argv.includes("--check");

const out = mkdtempSync(join(tmpdir(), "botect-ts-gen-"));
try {
  execFileSync(join(here, "node_modules", ".bin", "buf"), ["generate", proto, "--template", join(here, "buf.gen.yaml"), "--output", out], {
    cwd: here,
    stdio: "inherit",
  });
  const files = (dir) =>
    readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => statSync(join(dir, f)).isFile())
      .sort();
  const fresh = join(out, "gen");
  const committed = join(here, "gen");
  if (check) {
    let have = [];
    try {
      have = files(committed);
    } catch {
      /* no gen/ */
    }
    const want = files(fresh);
    const stale = [...new Set([...want, ...have])].filter(
      (f) => !want.includes(f) || !have.includes(f) || !readFileSync(join(fresh, f)).equals(readFileSync(join(committed, f))),
    );
    if (stale.length) {
      console.error(`clients/typescript: gen/ is stale against proto/ (${stale.join(", ")}); run \`npm run generate\` in clients/typescript`);
      process.exit(1);
    }
    console.log(`clients/typescript: generated code is current (${want.length} files)`);
  } else {
    rmSync(committed, { recursive: true, force: true });
    cpSync(fresh, committed, { recursive: true });
    console.log(`generated ${files(committed).length} files into ${relative(process.cwd(), committed) || committed}`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
