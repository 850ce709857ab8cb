#!/usr/bin/env bash
# Offline behaviour evaluation of Botect's pointer detection (docs/evaluation.md).
#
#   bench/eval/run.sh                  # full run: all 2,356 cursory humans + 7 bot generators,
#                                      # release build; rewrites docs/evaluation.md
#   bench/eval/run.sh --quick --check  # CI: a few hundred trajectories, debug build; exits
#                                      # non-zero unless held-out humans are at most 1 % below T,
#                                      # none is `definite` and every payload passes ingest
#   bench/eval/run.sh --split tune     # tuning report: every bot, but humans from the tuning
#                                      # half only (the scorer drops held-out humans unread);
#                                      # per-detection firing, catch rates, payload-key
#                                      # quantiles → bench/eval/out/tune-results.md; the
#                                      # published page is not touched
#   bench/eval/run.sh --train          # retrain the behavioral engine's kinematics model
#                                      # (server/src/engines/kinematics_model.json) from the
#                                      # tuning half and its bots, and measure it leave one
#                                      # generator out (bench/eval/logo.json); then run the
#                                      # full evaluation to publish the numbers
#
# Steps: fetch the human data sets from PyPI (cached in bench/eval/.cache, never committed),
# compute every trajectory's `mouse` payload with the browser SDK's aggregation module
# (js/features.mjs), score them through the engines (the botect-eval crate).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT"

QUICK=0
CHECK=0
TRAIN=0
SPLIT=test
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --check) CHECK=1 ;;
    --train) TRAIN=1 ;;
    --split) SPLIT=${2:-}; shift ;;
    --split=*) SPLIT=${1#--split=} ;;
    -h | --help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$SPLIT" in
  test) ;;
  tune) [ "$CHECK" = 0 ] || { echo "run.sh: --split tune is a tuning report; --check measures the held-out half" >&2; exit 2; } ;;
  *) echo "run.sh: --split must be test or tune, not '$SPLIT'" >&2; exit 2 ;;
esac

CACHE="$HERE/.cache"
OUT="$HERE/out"
mkdir -p "$CACHE" "$OUT"
log() { echo "== eval: $*" >&2; }

# The human data sets (cursory, smart-mouse) from PyPI, checked and unpacked into .cache.
CURSORY_SHA=$(bash "$HERE/fetch-data.sh" --print-sha cursory)
SMART_SHA=$(bash "$HERE/fetch-data.sh" --print-sha smart-mouse)
bash "$HERE/fetch-data.sh"

# The SDK's own aggregation code: the committed build output of clients/browser (its tests
# check that dist/ matches src/). BOTECT_AGGREGATE overrides the path.
AGG="${BOTECT_AGGREGATE:-$ROOT/clients/browser/dist/aggregate.mjs}"
[ -f "$AGG" ] || { echo "run.sh: $AGG not found (build the browser SDK: cd clients/browser && npm ci && npm run build)" >&2; exit 1; }

[ -d "$HERE/node_modules/ghost-cursor" ] || (cd "$HERE" && npm ci --no-audit --no-fund >&2)

log "generator tests"
node --test "$HERE/js/" >"$OUT/generator-tests.log" 2>&1 || { cat "$OUT/generator-tests.log" >&2; exit 1; }
grep -E '^# (pass|fail) ' "$OUT/generator-tests.log"

if [ "$TRAIN" = 1 ]; then
  log "features (full) for training"
  node "$HERE/js/features.mjs" --cache "$CACHE" --aggregate "$AGG" --out "$OUT/features.jsonl"
  node "$HERE/js/train.mjs" --input "$OUT/features.jsonl" \
    --model "$ROOT/server/src/engines/kinematics_model.json" --logo "$HERE/logo.json"
  exit 0
fi

if [ "$SPLIT" = tune ]; then
  if [ "$QUICK" = 1 ]; then
    FEATURES="$OUT/quick-features.jsonl"
    node "$HERE/js/features.mjs" --cache "$CACHE" --aggregate "$AGG" --out "$FEATURES" --quick
  else
    FEATURES="$OUT/features.jsonl"
    node "$HERE/js/features.mjs" --cache "$CACHE" --aggregate "$AGG" --out "$FEATURES"
  fi
  log "scoring (tuning half only, release build)"
  cargo run --release --quiet -p botect-eval -- --input "$FEATURES" --split tune \
    --json-out "$OUT/tune-results.json" --md-out "$OUT/tune-results.md"
  exit 0
fi

if [ "$QUICK" = 1 ]; then
  PREFIX="$OUT/quick-"
  log "features (quick)"
  node "$HERE/js/features.mjs" --cache "$CACHE" --aggregate "$AGG" --out "${PREFIX}features.jsonl" --quick
  log "scoring (quick, debug build)"
  # Built with the workspace's feature set (as scripts/test builds it), so that a test run
  # does not compile a second copy of the dependencies for `-p botect-eval` alone.
  cargo build --quiet --workspace --all-targets
  "${CARGO_TARGET_DIR:-$ROOT/target}/debug/botect-eval" --input "${PREFIX}features.jsonl" \
    --json-out "${PREFIX}results.json" --md-out "${PREFIX}results.md" \
    $([ "$CHECK" = 1 ] && echo --check)
  exit 0
fi

log "features (full)"
node "$HERE/js/features.mjs" --cache "$CACHE" --aggregate "$AGG" --out "$OUT/features.jsonl"
log "scoring (full, release build)"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
# The code measured: the engines (server/) and the SDK's aggregation (clients/browser/).
if [ -n "$(git status --porcelain -- server clients/browser 2>/dev/null)" ]; then
  commit="$commit + uncommitted changes"
fi
cargo run --release --quiet -p botect-eval -- --input "$OUT/features.jsonl" \
  --json-out "$HERE/results.json" --md-out "$OUT/results.md" --logo "$HERE/logo.json" \
  --template "$HERE/evaluation.md.in" --doc-out "$ROOT/docs/evaluation.md" \
  --meta "date=$(date -u +%Y-%m-%d)" \
  --meta "commit=$commit" \
  --meta "node=$(node --version)" \
  --meta "rustc=$(rustc --version | cut -d' ' -f2)" \
  --meta "cursory_sha256=$CURSORY_SHA" \
  --meta "smart_sha256=$SMART_SHA" \
  $([ "$CHECK" = 1 ] && echo --check)
