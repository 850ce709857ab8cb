#!/usr/bin/env bash
# The Python client's checks (scripts/test runs this): the generated code is current against
# proto/ (scripts/generate.py --check), the package installs (pip), and its tests pass against a
# live `botect serve`: the client (tests/test_live.py) and the ASGI, WSGI and Flask middleware in
# real Starlette and Flask apps (tests/test_middleware.py). Prints `# pass N` / `# fail N`.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
export BOTECT_BIN=${BOTECT_BIN:-$target/debug/botect}
[ -x "$BOTECT_BIN" ] || (cd "$root" && cargo build -q -p botect)
venv="$target/python-client-venv"
lock=$(sha256sum requirements.lock | cut -d' ' -f1)
if [ "$(cat "$venv/.botect-lock" 2>/dev/null)" != "$lock" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
  echo "$lock" > "$venv/.botect-lock"
fi
pass=0
fail=0
if "$venv/bin/python" scripts/generate.py --check; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
# Installed as a user would (pip from this directory), not imported from the source tree.
"$venv/bin/pip" install -q --disable-pip-version-check --no-deps --no-build-isolation --force-reinstall .
out=$(mktemp)
(cd tests && "$venv/bin/python" -m unittest -v test_live test_middleware 2>&1) | tee "$out" || true
ran=$(sed -n 's/^Ran \([0-9]*\) tests\{0,1\}.*/\1/p' "$out")
bad=$(grep -cE '^(FAIL|ERROR): ' "$out" || true)
ran=${ran:-0}
if [ "$ran" = 0 ]; then fail=$((fail + 1)); fi
pass=$((pass + ran - bad))
fail=$((fail + bad))
rm -f "$out"
echo "# pass $pass"
echo "# fail $fail"
[ "$fail" = 0 ]
