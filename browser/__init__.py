"""The one seam to headless Chromium.

Everything that needs a browser asks here: the Scrapy settings (scrapy-playwright launch options),
the re-check of links an anti-bot wall blocked, evidence screenshots of referring pages, and later
probes and on-demand screenshots. Which browser runs is a setting, not code:

1. ``XUNJIAN_BROWSER`` (a path to a Chromium/Chrome executable), else
2. a system Chromium headless shell (Debian's ``chromium-headless-shell``), else
3. a system Chromium (Debian's ``/usr/bin/chromium`` and the usual other names), else
4. Playwright's own downloaded headless shell or Chromium (``playwright install chromium``).

The headless shell is Chromium's renderer without the desktop browser around it — the build
Playwright itself runs for headless pages. Same Blink, same pictures, and about 160 MB less
memory per inspection than the full browser's headless mode (bench/README, issue 14): its
binary is smaller, and less of it is touched.
"""

from __future__ import annotations

from .launch import (
    CHROMIUM_ARGS,
    HEADLESS_SHELL_CANDIDATES,
    HOW_TO_INSTALL,
    PLAYWRIGHT_BUNDLED,
    SYSTEM_CANDIDATES,
    BrowserNotFound,
    context_options,
    find_browser,
    launch_options,
)
from .render import Rendered, Renderer

__all__ = ["CHROMIUM_ARGS", "HEADLESS_SHELL_CANDIDATES", "HOW_TO_INSTALL", "PLAYWRIGHT_BUNDLED",
           "SYSTEM_CANDIDATES", "BrowserNotFound", "Rendered", "Renderer", "context_options",
           "find_browser", "launch_options"]
