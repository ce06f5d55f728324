"""The flags our Chromium is launched with must not undo Playwright's own."""

from __future__ import annotations

from xunjian.browser import launch_options


def test_no_feature_switches_that_would_replace_playwrights() -> None:
    """Chromium keeps only the last --enable-features and the last --disable-features. Playwright
    passes its own lists (HttpsUpgrades off among them: an http:// government site must be
    fetched over http, not upgraded); a list of ours after them would silently replace them."""
    args = launch_options("/usr/bin/true")["args"]
    assert not [a for a in args if a.startswith(("--enable-features", "--disable-features"))]
    assert "--no-sandbox" in args
    # a page whose script never yields must not freeze the pages sharing its renderer
    assert not [a for a in args if a.startswith("--renderer-process-limit")]


def test_the_headless_shell_is_chosen_over_full_chromium(tmp_path, monkeypatch) -> None:
    """Where both are installed, inspections run the headless shell (~160 MB less per inspection,
    bench/README "Memory"); XUNJIAN_BROWSER still wins over both."""
    from xunjian.browser import launch as browser
    full, shell, mine = (tmp_path / name for name in ("chromium", "chromium-headless-shell",
                                                       "my-chrome"))
    for path in (full, shell, mine):
        path.write_text("#!/bin/sh\n")
    monkeypatch.delenv("XUNJIAN_BROWSER", raising=False)
    monkeypatch.setattr(browser, "SYSTEM_CANDIDATES", [str(shell), str(full)])
    assert browser.find_browser() == str(shell)
    shell.unlink()
    assert browser.find_browser() == str(full)
    monkeypatch.setenv("XUNJIAN_BROWSER", str(mine))
    assert browser.find_browser() == str(mine)


def test_the_shell_is_the_first_system_candidate() -> None:
    from xunjian.browser import HEADLESS_SHELL_CANDIDATES, SYSTEM_CANDIDATES

    assert SYSTEM_CANDIDATES[:len(HEADLESS_SHELL_CANDIDATES)] == HEADLESS_SHELL_CANDIDATES
    assert SYSTEM_CANDIDATES.index("/usr/bin/chromium") > len(HEADLESS_SHELL_CANDIDATES) - 1
