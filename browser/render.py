"""Render a page in Chromium outside Scrapy: anti-bot re-checks and evidence screenshots.

The spider renders through scrapy-playwright; this is the same browser, the same context options
and the same way of letting a page settle, for the few pages the inspection opens afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from xunjian.base import config

from .blank import is_blank
from .deadline import CLOSE_TIMEOUT, PageUnresponsive, close_page, step, step_timeout
from .launch import context_options, launch_options
from .outline import link_boxes
from .netpolicy import PolicyProxy, net_error

#: Tallest screenshot kept (CSS pixels); endless pages are cut here rather than eat memory.
MAX_SCREENSHOT_HEIGHT = 12000
#: How long a blank capture waits for the page to draw something before the one retry is
#: ``XUNJIAN_PAINT_RETRY_MS``: anti-bot challenge pages (安全狗, 知道创宇 …) often paint only
#: after a script's timer.
PAINT_SETTLE_MS = 300  # after the first change of the page, before looking again

_NEXT_FRAMES = """() => new Promise(done => requestAnimationFrame(
    () => requestAnimationFrame(() => setTimeout(done, 50))))"""
#: Resolves on the page's first change (then PAINT_SETTLE_MS later) or after the given ms.
_NEXT_CHANGE = """([wait, settle]) => new Promise(done => {
    const seen = new MutationObserver(() => { seen.disconnect(); setTimeout(done, settle); });
    seen.observe(document, {subtree: true, childList: true, attributes: true,
                            characterData: true});
    setTimeout(() => { seen.disconnect(); done(); }, wait);
})"""


@dataclass
class Rendered:
    url: str
    final_url: str | None = None
    status: int | None = None
    title: str = ""
    html: str = ""
    screenshot: bytes | None = None
    error: str | None = None
    frames: list[tuple[str, str]] = field(default_factory=list)  # (frame url, frame html)
    screenshot_blank: bool = False  # the capture is one uniform colour (shows nothing)
    link_boxes: dict | None = None  # where each link is on the screenshot (browser/outline.py)


async def settle(page, budget_ms: int = 8000) -> None:
    """Give JavaScript lists time to draw: network idle (bounded), then a scroll for lazy loads."""
    try:
        await page.wait_for_load_state("networkidle", timeout=budget_ms)
    except Exception:  # noqa: BLE001 - a page that never idles is still worth a look
        pass
    try:
        await page.evaluate(
            """async () => {
                const step = Math.max(400, window.innerHeight);
                const limit = Math.min(document.body ? document.body.scrollHeight : 0, 20000);
                for (let y = 0; y < limit; y += step) {
                    window.scrollTo(0, y);
                    await new Promise(r => setTimeout(r, 30));
                }
                window.scrollTo(0, 0);
            }"""
        )
        await page.wait_for_load_state("networkidle", timeout=min(budget_ms, 3000))
    except Exception:  # noqa: BLE001
        pass


async def loaded(page, budget_ms: int) -> None:
    """Wait (bounded) for the load event: pictures and styles in, no network-idle wait."""
    try:
        await page.wait_for_load_state("load", timeout=budget_ms)
    except Exception:  # noqa: BLE001 - a page still loading is still worth a picture
        pass


async def painted(page, budget_ms: int = 3000) -> None:
    """Wait (bounded) for the load event and for two frames to be painted after it."""
    try:
        await page.wait_for_load_state("load", timeout=budget_ms)
    except Exception:  # noqa: BLE001 - a page still loading is still worth a picture
        pass
    try:
        await asyncio.wait_for(page.evaluate(_NEXT_FRAMES), timeout=budget_ms / 1000)
    except Exception:  # noqa: BLE001 - navigated away, closed, or never paints: go on
        pass


async def capture(page, retry_ms: int | None = None, paint_ms: int = 3000,
                  shot_ms: int = 30000) -> tuple[bytes | None, bool]:
    """(full-page PNG, blank?) of what the browser shows once it has painted.

    A blank capture (one uniform colour) waits up to ``retry_ms`` for the page to change — a
    challenge page drawing itself, or its script reloading the page — and is taken once more.
    The flag says whether the picture kept is still blank, so evidence can say so.
    """
    retry_ms = config.current().paint_retry_ms if retry_ms is None else retry_ms
    await painted(page, paint_ms)
    shot = await _full_page(page, shot_ms)
    if shot is None or not is_blank(shot):
        return shot, shot is None
    if retry_ms > 0:
        try:
            await asyncio.wait_for(page.evaluate(_NEXT_CHANGE, [retry_ms, PAINT_SETTLE_MS]),
                                   timeout=retry_ms / 1000 + 1)
        except Exception:  # noqa: BLE001 - the page navigated (a challenge passed) or closed
            pass
        await painted(page, paint_ms)
        again = await _full_page(page, shot_ms)
        if again is not None:
            return again, is_blank(again)
    return shot, True


async def screenshot(page) -> bytes | None:
    """Full-page PNG of what the browser shows once painted (see ``capture``)."""
    shot, _ = await capture(page)
    return shot


async def _full_page(page, timeout_ms: int = 30000) -> bytes | None:
    """Full-page PNG, cut at MAX_SCREENSHOT_HEIGHT."""
    try:
        height = await asyncio.wait_for(page.evaluate(
            "() => Math.max(document.documentElement.scrollHeight,"
            " document.body ? document.body.scrollHeight : 0)"
        ), timeout=timeout_ms / 1000)
        width = page.viewport_size["width"] if page.viewport_size else 1366
        if height and height > MAX_SCREENSHOT_HEIGHT:
            return await page.screenshot(
                full_page=True, timeout=timeout_ms,
                clip={"x": 0, "y": 0, "width": width, "height": MAX_SCREENSHOT_HEIGHT},
            )
        return await page.screenshot(full_page=True, timeout=timeout_ms)
    except Exception:  # noqa: BLE001 - a crashed or closed page has no picture
        return None


async def frame_documents(page) -> list[tuple[str, str]]:
    """HTML of every child frame (iframes): their links show on the page too."""
    out = []
    for frame in page.frames[1:]:
        if frame.is_detached() or not frame.url or frame.url == "about:blank":
            continue
        try:
            out.append((frame.url, await frame.content()))
        except Exception:  # noqa: BLE001
            continue
    return out


class Renderer:
    """``async with Renderer() as r: shot = await r.render(url)`` — bounded pages at once.

    With ``browser`` (a Playwright ``Browser`` already running, e.g. the crawl's own) it opens
    only a context of its own in that browser and closes only that: one Chromium per
    inspection. Without, it launches a browser for itself and closes it on exit."""

    def __init__(self, concurrency: int = 2, timeout: float = 30.0, take_screenshot: bool = True,
                 browser=None, policy=None):
        self.concurrency = concurrency
        self.timeout = timeout
        self.take_screenshot = take_screenshot
        self._pw = None
        self._shared = browser
        self._browser = None
        self._context = None
        self._slots = asyncio.Semaphore(concurrency)
        # ``policy`` (browser/netpolicy.py): every request of the context (redirect hops,
        # frames) goes through a proxy judging its address; None: no site, nothing judged
        self.policy = policy
        self._proxy = None

    async def __aenter__(self) -> Renderer:
        options = context_options()
        if self.policy is not None:
            self._proxy = await PolicyProxy(self.policy).start()
            options.update(self._proxy.context_options())
        if self._shared is not None:
            self._context = await self._shared.new_context(**options)
            return self
        from playwright.async_api import async_playwright

        self._pw = await async_playwright().start()
        try:
            self._browser = await self._pw.chromium.launch(**launch_options())
            self._context = await self._browser.new_context(**options)
        except Exception:
            await self._pw.stop()
            raise
        return self

    async def __aexit__(self, *exc) -> None:
        for closer in (self._context, self._browser):  # never the shared browser
            try:  # bounded (browser/deadline.py): a stuck renderer must not hold the exit
                if closer is not None:
                    await asyncio.wait_for(closer.close(), 3 * CLOSE_TIMEOUT)
            except Exception:  # noqa: BLE001
                pass
        if self._pw is not None:
            await self._pw.stop()
        if self._proxy is not None:
            await self._proxy.close()

    @contextlib.asynccontextmanager
    async def page(self):
        """A page of the renderer's context for a caller that drives it (fills a search box,
        presses Enter): bounded like ``render``'s own pages, closed on every path."""
        async with self._slots:
            page = await step(None, self._context.new_page(), "打开新页面")
            try:
                yield page
            finally:
                await close_page(page)

    async def render(self, url: str, budget: float | None = None,
                     settle_ms: int | None = None, measure: bool = False) -> Rendered:
        """Open ``url`` and read it. With ``budget`` (seconds) everything — loading, settling
        and the screenshot of whatever the browser then shows — ends within that time. With
        ``settle_ms`` the page only gets that long to finish loading (no network-idle wait, no
        scrolling for lazy loads): enough for an evidence picture of a page already read. With
        ``measure`` the boxes of its links are measured on the page just photographed
        (``link_boxes``, browser/outline.py)."""
        async with self._slots:
            loop = asyncio.get_running_loop()
            ends = loop.time() + budget if budget else None

            def left(share: float, cap: float) -> float:
                if ends is None:
                    return cap
                return max(0.1, min(cap, (ends - loop.time()) * share))

            try:
                page = await step(None, self._context.new_page(), "打开新页面")
            except PageUnresponsive as exc:
                return Rendered(url=url, error=str(exc))
            try:
                result = await self._read(page, url, left, ends, settle_ms)
                if measure and result.screenshot:
                    try:  # bounded; a page that hangs now keeps its picture, unmeasured
                        result.link_boxes = await step(
                            page, link_boxes(page, result.screenshot), "测量链接位置")
                    except PageUnresponsive:
                        pass
                return result
            finally:  # every path, a cancelled render too: the page never outlives its render
                await close_page(page)  # bounded, without the page's beforeunload

    async def _read(self, page, url: str, left, ends, settle_ms: int | None) -> Rendered:
        result = Rendered(url=url)
        if self.policy is not None:
            try:  # refused before the browser opens it: no picture of an intranet address
                await self.policy.resolve(url)
            except Exception as exc:  # noqa: BLE001 - AddressRefused: the refusal is the answer
                result.error = str(exc)
                return result
        mark = len(self.policy.refused) if self.policy is not None else 0
        try:
            nav = left(0.5, self.timeout)
            response = await step(page, page.goto(url, timeout=nav * 1000,
                                                   wait_until="domcontentloaded"),
                                  "打开页面", timeout=nav + step_timeout())
            if response is not None:
                result.status = response.status
                if self.policy is not None:

                    failed = net_error(await step(page, response.all_headers(), "读取响应"), url)
                    if failed:  # its proxy could not connect: as the browser would say
                        result.status = None
                        raise RuntimeError(failed)
            # every step within its deadline (browser/deadline.py): a page whose script never
            # yields is abandoned, and its error says 页面脚本无响应 and which step hung
            if settle_ms is None:
                await step(page, settle(page, budget_ms=int(left(0.3, min(self.timeout, 8))
                                                          * 1000)), "等待页面稳定", kind="settle")
            else:
                await step(page, loaded(page, settle_ms), "等待加载",
                           timeout=settle_ms / 1000 + step_timeout())
            result.final_url = page.url
            result.title = await step(page, page.title(), "读取标题")
            result.html = await step(page, page.content(), "读取页面")
            result.frames = await step(page, frame_documents(page), "读取框架")
        except PageUnresponsive as exc:
            result.error = str(exc)
            return result  # the page is gone: no picture of it
        except Exception as exc:  # noqa: BLE001 - the error is the finding
            result.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
            refused = self.policy.refused_after(mark) if self.policy is not None else None
            if refused is not None:  # a redirect hop to an intranet address
                result.error = str(refused)
                return result
        if self.take_screenshot:
            retry = None if ends is None \
                else int(left(0.4, config.current().paint_retry_ms / 1000) * 1000)
            paint = 3000 if ends is None else int(left(0.15, 3) * 1000)
            shot_ms = 30000 if ends is None else int(left(0.9, 30) * 1000)
            try:
                result.screenshot, result.screenshot_blank = await step(
                    page, capture(page, retry, paint, shot_ms), "截图", kind="screenshot")
            except PageUnresponsive as exc:
                result.error = result.error or str(exc)
        return result
