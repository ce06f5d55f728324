"""The flags our Chromium is launched with must not undo Playwright's own."""

from __future__ import annotations

from browser import launch_options


def test_no_feature_switches_that_would_replace_playwrights() -> None:
    """Chromium keeps only the last --enable-features and the last --disable-features. Playwright
    passes its own lists (HttpsUpgrades off among them: an http:// government site must be
    fetched over http, not upgraded); a list of ours after them would silently replace them."""
    args = launch_options("/usr/bin/true")["args"]
    assert not [a for a in args if a.startswith(("--enable-features", "--disable-features"))]
    assert "--no-sandbox" in args and "--renderer-process-limit=2" in args
