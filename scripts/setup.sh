#!/usr/bin/env bash
# Set up xunjian on this machine; safe to run again (it only does what is missing).
#  1. a Chromium for headless rendering (+ CJK fonts so Chinese screenshots are readable)
#  2. a redis-server for the inspection queue (workqueue/, docs/QUEUE.md; its tests start their own)
#  3. a virtualenv in .venv with xunjian and its test dependencies
set -euo pipefail
cd "$(dirname "$0")/.."

have_browser() {
  [ -n "${XUNJIAN_BROWSER:-}" ] && [ -x "${XUNJIAN_BROWSER}" ] && return 0
  for b in /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
    [ -x "$b" ] && return 0
  done
  ls "${PLAYWRIGHT_BROWSERS_PATH:-$HOME/.cache/ms-playwright}"/chromium-*/chrome-linux*/chrome \
    >/dev/null 2>&1
}
have_cjk_fonts() { command -v fc-list >/dev/null && fc-list :lang=zh | grep -q .; }

apt_install() {
  local sudo=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && sudo="sudo"
  if command -v apt-get >/dev/null && { [ "$(id -u)" -eq 0 ] || [ -n "$sudo" ]; }; then
    echo "setup: installing $* (Debian packages)"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
    return 0
  fi
  return 1
}

missing=()
have_browser || missing+=(chromium)
have_cjk_fonts || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ] && ! apt_install "${missing[@]}"; then
  echo "setup: could not install ${missing[*]} with apt-get." >&2
  echo "       install a Chromium and CJK fonts yourself, or after this script run:" >&2
  echo "       .venv/bin/playwright install chromium" >&2
fi
if ! command -v redis-server >/dev/null && ! apt_install redis-server; then
  echo "setup: could not install redis-server with apt-get; install Redis >= 6 yourself" >&2
  echo "       (the queue tests are skipped without it)." >&2
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.xunjian-installed
want="$(cat pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing xunjian and its dependencies into .venv"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install -q -e '.[test]' 2>&1 | grep -v '^WARNING: Location' || true
  .venv/bin/python -c "import xunjian.cli, scrapy_playwright, mongomock" \
    || { echo "setup: the install failed" >&2; exit 1; }
  echo "$want" > "$stamp"
fi
echo "setup: ready"
