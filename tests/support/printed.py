"""Prints tests/sites/privacy/print/*.html to PDF in Chromium, the way a notice exported from Word
or WPS reaches a site: subset fonts embedded (here the machine's Noto CJK standing in for 仿宋/宋体),
a text layer, a table, a second page. The PDFs are committed beside their pages, so the tests that
read them need no browser; run this again after changing a page:

    .venv/bin/python -m tests.support.printed
"""

from __future__ import annotations

import asyncio
from pathlib import Path

FOLDER = Path(__file__).resolve().parent.parent / "sites" / "privacy" / "print"


async def _print(pages: list[Path]) -> None:
    from playwright.async_api import async_playwright

    from xunjian.browser.launch import launch_options

    async with async_playwright() as p:
        browser = await p.chromium.launch(**launch_options())
        page = await browser.new_page()
        for html in pages:
            await page.goto(html.as_uri())
            html.with_suffix(".pdf").write_bytes(await page.pdf(format="A4"))
        await browser.close()


if __name__ == "__main__":
    asyncio.run(_print(sorted(FOLDER.glob("*.html"))))
