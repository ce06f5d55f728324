"""What the report formats share: the Jinja2 templates, bar charts (SVG for HTML/PDF, PNG for
DOCX/XLSX) and printing HTML to PDF with the Chromium the inspections already use.

The PDF is the HTML report printed by Chromium (Playwright ``page.pdf``), launched through
``browser.launch_options()`` so it is the same executable and arguments as the crawl: one
rendering stack, and Chinese glyphs come from the same installed fonts (fonts-noto-cjk).
"""

from __future__ import annotations

import base64
import glob
import html
import io
import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from xunjian.base import clock
from xunjian.base.clock import ZONE_NOTE, ZONE_SUFFIX  # the formats say the zone once

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: Fonts tried, in order, for the PNG charts (Pillow needs a file; the browser finds its own).
CJK_FONTS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
             "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
MIME = {"pdf": "application/pdf",
        "html": "text/html; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


class ReportError(RuntimeError):
    """A report cannot be built; the message says why and what to do."""


def points(value) -> str:
    return "—" if value is None else f"{value:g}"


def beijing(value) -> str:
    """A stored time as the reports print it: Beijing time to the second (base/clock.py)."""
    return clock.beijing(value, seconds=True)


def beijing_short(value) -> str:
    """A stored time as a short Beijing time for a narrow cell (12-03 13:40; base/clock.py)."""
    return clock.beijing_short(value)


#: Where a URL may wrap: after these characters (never inside a short path segment).
URL_BREAKS = frozenset("/?&")
#: In a full-width cell a segment (between '/', '?' and '&') up to this long stays on one line;
#: a longer one, or any segment in a narrow cell, may also wrap after each percent-encoded
#: byte (%E6) and after '=', '_', '-', '.', ',' — never inside %E6.
LONG_SEGMENT = 48
_SEGMENT = re.compile(r"[^/?&]+|[/?&]")
_INNER_BREAK = re.compile(r"(%[0-9A-Fa-f]{2}|[=_.,-])")


def url_breaks(value, wide: bool = False) -> Markup:
    """A URL for a table cell, escaped, with line-break opportunities (<wbr>) after each '/', '?'
    and '&' (and inside a long segment, see LONG_SEGMENT), so it wraps between
    its own segments and its text stays one string in the PDF; ``wide``: a full-width cell,
    where each short segment is kept on one line (``.wide .seg``)."""
    parts = []
    pieces = _SEGMENT.findall(str(value or ""))
    for i, piece in enumerate(pieces):
        if piece in URL_BREAKS:  # never between the two slashes of http://
            after = "" if i + 1 < len(pieces) and pieces[i + 1] == "/" else "<wbr>"
            parts.append(f"{html.escape(piece)}{after}")
        elif wide and len(piece) <= LONG_SEGMENT:
            parts.append(f'<span class="seg">{html.escape(piece)}</span>')
        else:
            parts.append("".join(f"{html.escape(bit)}<wbr>" if _INNER_BREAK.fullmatch(bit)
                                 else html.escape(bit) for bit in _INNER_BREAK.split(piece)))
    return Markup("".join(parts))


def percent(value) -> str:
    return "—" if value is None else f"{value:.1f}%"


_env: Environment | None = None


def environment() -> Environment:
    global _env
    if _env is None:
        _env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                           autoescape=select_autoescape(["html"]), trim_blocks=True,
                           lstrip_blocks=True)
        _env.filters.update(pts=points, bj=beijing, bjshort=beijing_short, pct=percent,
                            urlwrap=url_breaks)
        _env.globals.update(ZONE_NOTE=ZONE_NOTE, ZONE_SUFFIX=ZONE_SUFFIX)
    return _env


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)


def data_uri(data: bytes | None, mime: str = "image/png") -> str | None:
    if not data:
        return None
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


# -- charts ----------------------------------------------------------------------------------------

def bar_svg(title: str, bars: list[tuple[str, float]], unit: str = "", maximum: float | None = None,
            colors: list[str] | None = None, width: int = 640) -> str:
    """A horizontal bar chart as inline SVG (no dependency; the browser draws the glyphs)."""
    row, label_w, top = 26, 170, 34
    height = top + row * max(1, len(bars)) + 10
    peak = maximum if maximum is not None else max([v for _, v in bars] + [1])
    span = width - label_w - 70
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(title)}">',
             f'<text x="0" y="18" font-size="15" font-weight="bold">{html.escape(title)}</text>']
    if not bars:
        parts.append(f'<text x="0" y="{top + 16}" font-size="13">（无数据）</text>')
    for i, (label, value) in enumerate(bars):
        y = top + i * row
        w = 0 if peak <= 0 else max(0.0, span * value / peak)
        color = (colors or ["#3a6ea5"])[i % len(colors or ["#3a6ea5"])]
        parts.append(f'<text x="{label_w - 6}" y="{y + 16}" font-size="13" text-anchor="end">'
                     f'{html.escape(_clip(label, 14))}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" '
                     f'fill="{color}"/>')
        parts.append(f'<text x="{label_w + w + 5:.1f}" y="{y + 16}" font-size="12">'
                     f'{value:g}{html.escape(unit)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _font(size: int):
    from PIL import ImageFont

    for path in CJK_FONTS + tuple(glob.glob("/usr/share/fonts/**/*CJK*Regular*", recursive=True)):
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default()


def bar_png(title: str, bars: list[tuple[str, float]], unit: str = "",
            maximum: float | None = None, colors: list[str] | None = None,
            width: int = 1200) -> bytes:
    """The same horizontal bar chart as a PNG (Pillow), for DOCX and XLSX (2× for print)."""
    from PIL import Image, ImageDraw

    row, label_w, top = 52, 340, 70
    height = top + row * max(1, len(bars)) + 20
    img = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(img)
    big, small = _font(30), _font(24)
    draw.text((0, 8), title, fill="black", font=big)
    peak = maximum if maximum is not None else max([v for _, v in bars] + [1])
    span = width - label_w - 140
    if not bars:
        draw.text((0, top), "（无数据）", fill="black", font=small)
    for i, (label, value) in enumerate(bars):
        y = top + i * row
        w = 0 if peak <= 0 else max(0, int(span * value / peak))
        label = _clip(label, 14)
        lw = draw.textlength(label, font=small)
        draw.text((label_w - 12 - lw, y + 8), label, fill="black", font=small)
        color = (colors or ["#3a6ea5"])[i % len(colors or ["#3a6ea5"])]
        draw.rectangle((label_w, y + 6, label_w + w, y + row - 10), fill=color)
        draw.text((label_w + w + 10, y + 8), f"{value:g}{unit}", fill="black", font=small)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


# -- PDF -------------------------------------------------------------------------------------------

PDF_OPTIONS = {"format": "A4", "print_background": True,
               "margin": {"top": "16mm", "bottom": "16mm", "left": "14mm", "right": "14mm"},
               "display_header_footer": True,
               "header_template": "<span></span>",
               "footer_template": ('<div style="font-size:8px;width:100%;text-align:center;'
                                   'color:#666"><span class="pageNumber"></span> / '
                                   '<span class="totalPages"></span></div>')}


def _own_files_only(route) -> None:
    """Let through the report's inlined files (data: URIs); refuse every other request."""
    if route.request.url.startswith("data:"):
        route.continue_()
    else:
        route.abort("aborted")  # a cancelled navigation keeps the report on screen


def html_to_pdf(document: str) -> bytes:
    """Print an HTML document (images inlined as data: URIs) to PDF with our Chromium."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    from xunjian.browser import BrowserNotFound, launch_options

    try:
        options = launch_options()
    except BrowserNotFound as exc:
        raise ReportError(f"no browser to print the PDF with: {exc}") from None
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(**options)
            try:
                # the report holds the sites' own text: print it with no script at all, and no
                # network for anything of the context (popups, frames, redirects included) —
                # everything the report shows is inlined as data: URIs
                context = browser.new_context(java_script_enabled=False,
                                              service_workers="block", accept_downloads=False)
                context.route("**/*", _own_files_only)
                page = context.new_page()
                page.set_content(document, wait_until="load")
                page.emulate_media(media="print")
                return page.pdf(**PDF_OPTIONS)
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise ReportError(f"Chromium could not print the PDF: {exc}") from None
