"""Which Chromium runs and how it is launched: the executable (``find_browser``), its flags
(``launch_options``) and the context every page opens in (``context_options``). The package
``xunjian.browser`` re-exports them; the renderer imports them from here."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from xunjian.base import config

#: Flags for a headless Chromium on a locked-down machine: no sandbox (we may run as root), no
#: GPU, and none of the background traffic to Google that a closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
    # memory (bench/README, "Memory"): no separate GPU process, no software GL (WebGL is
    # nothing we inspect). No renderer process limit: pages sharing a renderer share its main
    # thread, and one page whose script never yields (while(true){}) froze the pages beside it
    # and new pages too (browser/deadline.py); the limit saved under 20 MB. The larger saving
    # is the headless shell itself (find_browser prefers it). No --enable-features or
    # --disable-features here: Chromium keeps only the last of each, which would silently drop
    # Playwright's own lists (its HttpsUpgrades off, for one: an http:// site must be fetched
    # over http).
    "--in-process-gpu",
    "--disable-software-rasterizer",
]

#: The headless shell's real binary: Debian's /usr/bin/chromium-headless-shell is a shell script
#: that stays alive as the browser's parent.
HEADLESS_SHELL_CANDIDATES = [
    "/usr/lib/chromium/chromium-headless-shell",
    "/usr/bin/chromium-headless-shell",
]
SYSTEM_CANDIDATES = [
    *HEADLESS_SHELL_CANDIDATES,
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/snap/bin/chromium",
    "/usr/bin/google-chrome",
    "/usr/bin/google-chrome-stable",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
]

HOW_TO_INSTALL = (
    "No Chromium found. Install one of:\n"
    "  Debian:         apt-get install -y chromium-headless-shell fonts-noto-cjk\n"
    "  Ubuntu:         apt-get install -y chromium fonts-noto-cjk\n"
    "  elsewhere:      .venv/bin/playwright install chromium\n"
    "or point XUNJIAN_BROWSER at a Chromium/Chrome executable."
)


class BrowserNotFound(RuntimeError):
    """No usable Chromium: the message says how to get one."""


#: Marker for "let Playwright use its own downloaded browser".
PLAYWRIGHT_BUNDLED = "playwright-bundled"


def _bundled_chromium() -> Path | None:
    root = os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or str(Path.home() / ".cache/ms-playwright")
    base = Path(root)
    if not base.is_dir():
        return None
    for pattern in ("chromium_headless_shell-*/*/chrome-*", "chromium-*/chrome-linux*/chrome",
                    "chromium-*/chrome-mac*/Chromium.app/Contents/MacOS/Chromium",
                    "chromium-*/chrome-win*/chrome.exe"):
        for hit in sorted(base.glob(pattern)):
            if hit.is_file():
                return hit
    return None


def find_browser() -> str:
    """Return the executable to launch, or PLAYWRIGHT_BUNDLED; raise BrowserNotFound."""
    configured = config.current().browser
    if configured:
        path = shutil.which(configured) or configured
        if not Path(path).is_file():
            raise BrowserNotFound(f"XUNJIAN_BROWSER={configured!r} is not an executable file.\n"
                                  + HOW_TO_INSTALL)
        return path
    for candidate in SYSTEM_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if _bundled_chromium():
        return PLAYWRIGHT_BUNDLED
    raise BrowserNotFound(HOW_TO_INSTALL)


def launch_options(executable: str | None = None) -> dict:
    """Keyword arguments for Playwright's ``chromium.launch`` (and PLAYWRIGHT_LAUNCH_OPTIONS)."""
    executable = executable or find_browser()
    options: dict = {"headless": True, "args": list(CHROMIUM_ARGS)}
    if executable != PLAYWRIGHT_BUNDLED:
        options["executable_path"] = executable
    return options


def context_options() -> dict:
    """Browser context used for every page: a Chinese desktop visitor, whose user agent
    (``XUNJIAN_USER_AGENT``) is what a government-site visitor's browser looks like (some walls
    refuse headless user agents)."""
    return {
        "viewport": {"width": 1366, "height": 900},
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "user_agent": config.current().user_agent,
    }
