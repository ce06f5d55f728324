"""Render a page in Chromium outside Scrapy: anti-bot re-checks and evidence screenshots.

The spider renders through scrapy-playwright; this is the same browser, the same context options
and the same way of letting a page settle, for the few pages the inspection opens afterwards.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

#: Tallest screenshot kept (CSS pixels); endless pages are cut here rather than eat memory.
MAX_SCREENSHOT_HEIGHT = 12000


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


async def screenshot(page) -> bytes | None:
    """Full-page PNG, cut at MAX_SCREENSHOT_HEIGHT."""
    try:
        height = await page.evaluate(
            "() => Math.max(document.documentElement.scrollHeight,"
            " document.body ? document.body.scrollHeight : 0)"
        )
        width = page.viewport_size["width"] if page.viewport_size else 1366
        if height and height > MAX_SCREENSHOT_HEIGHT:
            return await page.screenshot(
                full_page=True,
                clip={"x": 0, "y": 0, "width": width, "height": MAX_SCREENSHOT_HEIGHT},
            )
        return await page.screenshot(full_page=True)
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
    """``async with Renderer() as r: shot = await r.render(url)`` — bounded pages at once."""

    def __init__(self, concurrency: int = 2, timeout: float = 30.0, take_screenshot: bool = True):
        self.concurrency = concurrency
        self.timeout = timeout
        self.take_screenshot = take_screenshot
        self._pw = None
        self._browser = None
        self._context = None
        self._slots = asyncio.Semaphore(concurrency)

    async def __aenter__(self) -> Renderer:
        from playwright.async_api import async_playwright

        from . import CONTEXT_OPTIONS, launch_options

        self._pw = await async_playwright().start()
        try:
            self._browser = await self._pw.chromium.launch(**launch_options())
            self._context = await self._browser.new_context(**CONTEXT_OPTIONS)
        except Exception:
            await self._pw.stop()
            raise
        return self

    async def __aexit__(self, *exc) -> None:
        for closer in (self._context, self._browser):
            try:
                if closer is not None:
                    await closer.close()
            except Exception:  # noqa: BLE001
                pass
        if self._pw is not None:
            await self._pw.stop()

    async def render(self, url: str) -> Rendered:
        async with self._slots:
            page = await self._context.new_page()
            result = Rendered(url=url)
            try:
                response = await page.goto(url, timeout=self.timeout * 1000,
                                           wait_until="domcontentloaded")
                if response is not None:
                    result.status = response.status
                await settle(page, budget_ms=int(min(self.timeout, 8) * 1000))
                result.final_url = page.url
                result.title = await page.title()
                result.html = await page.content()
                result.frames = await frame_documents(page)
            except Exception as exc:  # noqa: BLE001 - the error is the finding
                result.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
            if self.take_screenshot:
                result.screenshot = await screenshot(page)
            await page.close()
            return result
