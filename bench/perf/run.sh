#!/usr/bin/env bash
# Botect performance benchmark (docs/performance.md).
#   bench/perf/run.sh          # release build, throwaway PostgreSQL cluster with default
#                              # durability, writes docs/performance.md and bench/perf/out/results.json
#   bench/perf/run.sh --smoke  # debug build (the whole workspace, as scripts/test), short run;
#                              # PostgreSQL only when BOTECT_TEST_PG_URL is set; writes to a temp file
set -euo pipefail
cd "$(dirname "$0")/../.."

TARGET=${CARGO_TARGET_DIR:-target}
SMOKE=
if [ "${1:-}" = "--smoke" ]; then SMOKE=1; shift; fi
[ $# -eq 0 ] || { echo "usage: $0 [--smoke]" >&2; exit 2; }

if [ -n "$SMOKE" ]; then
  # The workspace's own feature set, as scripts/test builds it: building only these two
  # packages would resolve dependency features differently and compile a second copy of
  # about thirty crates (time and disk on CI).
  cargo build --workspace --all-targets
  OUT=$(mktemp /tmp/botect-bench-smoke.XXXXXX.md)
  PG_ARGS=()
  [ -n "${BOTECT_TEST_PG_URL:-}" ] && PG_ARGS=(--pg-url "$BOTECT_TEST_PG_URL")
  echo "== smoke run; results section also in $OUT"
  exec "$TARGET/debug/botect-bench" run --smoke --botect-bin "$TARGET/debug/botect" "${PG_ARGS[@]}" \
    --out "$OUT" --json "${OUT%.md}.json"
fi

cargo build --release -p botect -p botect-bench

# A throwaway PostgreSQL cluster with DEFAULT durability (fsync and synchronous_commit on),
# started as in scripts/test.
find_pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}
PGBIN=$(find_pg_bin) || { echo "PostgreSQL (initdb) not found; install postgresql" >&2; exit 1; }
PGDATA=$(mktemp -d /tmp/botect-bench-pg.XXXXXX)
PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)))
run_pg() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown -R postgres "$PGDATA"
    su postgres -s /bin/sh -c "$*"
  else
    sh -c "$*"
  fi
}
cleanup() {
  run_pg "'$PGBIN/pg_ctl' -D '$PGDATA' -m immediate stop" >/dev/null 2>&1 || true
  rm -rf "$PGDATA"
}
trap cleanup EXIT

echo "== PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PGPORT (default durability)"
run_pg "'$PGBIN/initdb' -D '$PGDATA' -U postgres --auth=trust -E UTF8 >/dev/null"
run_pg "'$PGBIN/pg_ctl' -D '$PGDATA' -l '$PGDATA/server.log' -w -o \"-p $PGPORT -k '$PGDATA' -c listen_addresses=127.0.0.1 -c max_connections=400\" start >/dev/null"

"$TARGET/release/botect-bench" run --botect-bin "$TARGET/release/botect" \
  --pg-url "postgres://postgres@127.0.0.1:$PGPORT/postgres" \
  --out docs/performance.md --json bench/perf/out/results.json
