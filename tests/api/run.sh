#!/usr/bin/env bash
# API fuzzing: schemathesis (PyPI, pinned with hashes in requirements.txt) against the
# /openapi.json of a live `botect serve` on a throwaway SQLite file, authenticated with a real
# account token. Fails on any server error (5xx), a status code or content type the document
# does not declare, or a response that does not match its schema. Bounded: --max-examples
# per operation (default 30) and a fixed seed, so a failure can be replayed. DeleteApiToken
# is left out: a generated id would revoke the fuzzer's own token (the first one) and turn
# the rest of the run into 401s; tests/tests/account_tokens.rs and auth_matrix.rs cover it.
#   tests/api/run.sh [--max-examples N] [--seed S]
set -euo pipefail
cd "$(dirname "$0")/../.."
examples=30
seed=20261201
while [ $# -gt 0 ]; do
  case "$1" in
    --max-examples) examples=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
target=${CARGO_TARGET_DIR:-target}
bin="$target/debug/botect"
[ -x "$bin" ] || cargo build -q -p botect
venv="$target/schemathesis-venv"
lock=$(sha256sum tests/api/requirements.txt | cut -d' ' -f1)
if [ "$(cat "$venv/.botect-lock" 2>/dev/null)" != "$lock" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check --require-hashes --no-deps -r tests/api/requirements.txt
  echo "$lock" > "$venv/.botect-lock"
fi
dir=$(mktemp -d /tmp/botect-api-fuzz.XXXXXX)
db="sqlite://$dir/botect.db"
log="$dir/server.log"
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
export BOTECT_LOG=warn
"$bin" --database-url "$db" account create --name "Fuzz" --email fuzz@api.test > /dev/null
token=$("$bin" --database-url "$db" token create --email fuzz@api.test --name fuzz)
"$bin" --database-url "$db" serve --listen 127.0.0.1:0 > "$dir/stdout" 2> "$log" &
pid=$!
for _ in $(seq 100); do
  base=$(sed -n 's/^botect listening on \(http:\/\/[^ ]*\).*/\1/p' "$dir/stdout")
  [ -n "$base" ] && break
  sleep 0.1
done
[ -n "$base" ] || { echo "botect did not start; log:" >&2; cat "$log" >&2; exit 1; }
echo "== schemathesis against $base/openapi.json (max $examples examples per operation, seed $seed)"
status=0
# Its cache (`.schemathesis/`) goes to the temp dir, not the working tree.
venv_abs=$(cd "$venv" && pwd)
cd "$dir"
"$venv_abs/bin/schemathesis" run "$base/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "$examples" --seed "$seed" --no-color \
  --exclude-operation-id DeleteApiToken \
  -H "Authorization: Bearer $token" || status=$?
if grep -q "ERROR" "$log"; then
  echo "the server logged errors during fuzzing:" >&2
  grep "ERROR" "$log" | head -20 >&2
  status=1
fi
exit "$status"
