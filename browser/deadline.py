"""A deadline on every browser step, one that holds when the page's renderer is stuck.

A page whose script never yields (``while(true){}`` after load, an endless ``alert()`` loop)
blocks its renderer's main thread: ``evaluate``, ``content()``, ``title()`` and screenshots
then wait for ever — Playwright's own timeouts cover navigations and actions, not those. Every
step the inspection takes on a page goes through ``step`` here: past ``XUNJIAN_STEP_TIMEOUT``
seconds (base/config.py) the page is abandoned (``abandon``: closed without its
``beforeunload``, else its whole context) and ``PageUnresponsive`` says which step of which
page hung. Callers store that as the page's error (``页面脚本无响应``) and go on.

Dialogs (alert/confirm/prompt/beforeunload) need nothing here: Playwright dismisses them itself
on every page no ``dialog`` listener is registered for, and we register none. And a page never
shares its renderer with another (browser/__init__.py: no renderer process limit), so one hung
page does not freeze the pages beside it.
"""

from __future__ import annotations

import asyncio
import logging

from xunjian.base import config

logger = logging.getLogger(__name__)

#: What a stored page's error starts with when its script stopped answering.
UNRESPONSIVE = "页面脚本无响应"
#: Closing a page (or its context) that hangs too is given this long before the next resort.
CLOSE_TIMEOUT = 10.0


def step_timeout() -> float:
    """Seconds one browser step may take (``XUNJIAN_STEP_TIMEOUT``, base/config.py)."""
    return config.current().step_timeout


class PageUnresponsive(Exception):
    """A browser step on ``url`` did not end within its deadline; the page was abandoned."""

    def __init__(self, step: str, url: str | None, seconds: float):
        self.step, self.url, self.seconds = step, url, seconds
        super().__init__(f"{UNRESPONSIVE}（{step} 超过 {seconds:g} 秒）")


def is_unresponsive(error: str | None) -> bool:
    return bool(error) and (error.startswith(UNRESPONSIVE) or "PageUnresponsive" in error)


#: Steps made of several bounded waits get their own budgets on top of the step deadline:
#: settling (network idle ≤ 8 s, scrolling, idle again ≤ 3 s) and a screenshot (painting, the
#: capture, one retry of a blank capture after XUNJIAN_PAINT_RETRY_MS).
EXTRA = {"settle": 12.0, "screenshot": 15.0}


async def step(page, awaitable, what: str, timeout: float | None = None, kind: str = ""):
    """``await awaitable`` (a step on ``page``) within ``timeout`` (default ``step_timeout()``,
    plus ``EXTRA[kind]``); past it the page is abandoned and ``PageUnresponsive`` raised."""
    seconds = (step_timeout() if timeout is None else timeout) + EXTRA.get(kind, 0.0)
    try:
        return await asyncio.wait_for(awaitable, seconds)
    except TimeoutError:
        url = _url(page)
        logger.warning("%s: %s did not end within %g s; page abandoned", url, what, seconds)
        await abandon(page)
        raise PageUnresponsive(what, url, seconds) from None


async def close_page(page) -> None:
    """Close ``page`` without running its ``beforeunload``, bounded (see ``abandon``)."""
    if page is None:
        return
    try:
        if page.is_closed():
            return
        await asyncio.wait_for(page.close(run_before_unload=False), CLOSE_TIMEOUT)
    except TimeoutError:
        await abandon(page)
    except Exception:  # noqa: BLE001 - closed already, with its context or browser
        pass


async def abandon(page) -> None:
    """Get rid of a page whose renderer may be stuck: close it (no ``beforeunload``); if that
    hangs too, close its whole context (its renderers go with it). Never raises, never waits
    longer than twice ``CLOSE_TIMEOUT``."""
    if page is None:
        return
    try:
        await asyncio.wait_for(page.close(run_before_unload=False), CLOSE_TIMEOUT)
        return
    except Exception:  # noqa: BLE001 - a timeout, or closed already
        if page.is_closed():
            return
    logger.warning("%s: closing the page hung; closing its browser context", _url(page))
    try:
        await asyncio.wait_for(page.context.close(), CLOSE_TIMEOUT)
    except Exception:  # noqa: BLE001 - the browser itself is gone or stuck: nothing more here
        logger.warning("%s: closing its browser context hung too", _url(page))


def _url(page) -> str | None:
    try:
        return page.url
    except Exception:  # noqa: BLE001
        return None
