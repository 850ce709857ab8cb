#!/usr/bin/env bash
# Proof-of-work benchmark (docs/performance.md#proof-of-work): the browser SDK's solve in real
# Chromium (browser.mjs) and the same solve in native code (the forger's cost) in one run, at
# each difficulty, plus the server's verification cost. Writes bench/pow/out/results.json and
# the section of docs/performance.md between its pow markers.
#   bench/pow/run.sh [--runs 30] [--difficulties 8,10,12,14,16,18,20]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=30
difficulties=8,10,12,14,16,18,20
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --difficulties) difficulties=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
target=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p botect-pow-bench
mkdir -p bench/pow/out
echo "== native solve and verification" >&2
"$target/release/botect-pow-bench" --difficulties "$difficulties" --runs "$runs" > bench/pow/out/native.json
echo "== Chromium (browser SDK solver)" >&2
node bench/pow/browser.mjs --difficulties "$difficulties" --runs "$runs" > bench/pow/out/browser.json
node bench/pow/report.mjs bench/pow/out/native.json bench/pow/out/browser.json \
  "bench/pow/run.sh --runs $runs --difficulties $difficulties" > bench/pow/out/section.md
node -e '
const fs = require("fs");
const doc = "docs/performance.md", begin = "<!-- pow:begin -->", end = "<!-- pow:end -->";
const s = fs.readFileSync(doc, "utf8"), section = fs.readFileSync("bench/pow/out/section.md", "utf8");
const i = s.indexOf(begin), j = s.indexOf(end);
if (i < 0 || j < i) throw new Error(doc + " lacks the pow markers");
fs.writeFileSync(doc, s.slice(0, i + begin.length) + "\n" + section + s.slice(j));
'
echo "== wrote docs/performance.md (proof of work) and bench/pow/out/" >&2
