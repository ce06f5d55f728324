#!/usr/bin/env bash
# Set up xunjian on this machine; safe to run again (it only does what is missing).
#  1. a Chromium for headless rendering — its headless shell where apt has one — and CJK fonts
#     so Chinese screenshots are readable
#  2. a redis-server for the inspection queue (workqueue/, docs/QUEUE.md; its tests start their own)
#  2b. tesseract with simplified-Chinese data, for OCR of scanned attachments (off unless
#     XUNJIAN_OCR_PAGES is set; ~10 s and ~30 MB to install)
#  3. a virtualenv in .venv with xunjian and its test dependencies
set -euo pipefail
cd "$(dirname "$0")/.."

# The headless shell (Chromium without the desktop browser around it, what Playwright runs for
# headless pages) costs ~160 MB less per inspection than full Chromium: preferred where apt has it.
have_headless_shell() {  # or the browser the user chose: nothing to install then
  [ -n "${XUNJIAN_BROWSER:-}" ] && [ -x "${XUNJIAN_BROWSER}" ] && return 0
  [ -x /usr/lib/chromium/chromium-headless-shell ] && return 0
  ls "${PLAYWRIGHT_BROWSERS_PATH:-$HOME/.cache/ms-playwright}"/chromium_headless_shell-*/*/chrome-* \
    >/dev/null 2>&1
}
have_browser() {
  have_headless_shell && return 0
  for b in /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
    [ -x "$b" ] && return 0
  done
  ls "${PLAYWRIGHT_BROWSERS_PATH:-$HOME/.cache/ms-playwright}"/chromium-*/chrome-linux*/chrome \
    >/dev/null 2>&1
}
have_cjk_fonts() { command -v fc-list >/dev/null && fc-list :lang=zh | grep -q .; }

apt_updated=""
apt_install() {
  local sudo=""
  [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && sudo="sudo"
  command -v apt-get >/dev/null && { [ "$(id -u)" -eq 0 ] || [ -n "$sudo" ]; } || return 1
  echo "setup: installing $* (Debian packages)"
  if [ -z "$apt_updated" ]; then $sudo apt-get update -qq || return 1; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

if ! have_headless_shell && ! apt_install chromium-headless-shell 2>/dev/null; then
  have_browser || apt_install chromium || {
    echo "setup: could not install a Chromium with apt-get." >&2
    echo "       install one yourself (or point XUNJIAN_BROWSER at it), or after this script run:" >&2
    echo "       .venv/bin/playwright install chromium" >&2
  }
fi
if ! have_cjk_fonts && ! apt_install fonts-noto-cjk; then
  echo "setup: could not install CJK fonts (fonts-noto-cjk) with apt-get: Chinese text in" >&2
  echo "       screenshots will show as boxes until some are installed." >&2
fi
if ! command -v redis-server >/dev/null && ! apt_install redis-server; then
  echo "setup: could not install redis-server with apt-get; install Redis >= 6 yourself" >&2
  echo "       (the queue tests are skipped without it)." >&2
fi
if ! { command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx chi_sim; } \
    && ! apt_install tesseract-ocr tesseract-ocr-chi-sim; then
  echo "setup: could not install tesseract-ocr-chi-sim with apt-get: scanned attachments stay" >&2
  echo "       unread (no_text) even with XUNJIAN_OCR_PAGES set; the OCR tests are skipped." >&2
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
