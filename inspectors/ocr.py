"""Text of scanned PDF pages by OCR: PDFium renders a page (pypdfium2, ~150 dpi, greyscale) and
Tesseract's command line (Debian ``tesseract-ocr`` with ``tesseract-ocr-chi-sim``, simplified
Chinese) reads it. Bytes in, text out; the only I/O is running the ``tesseract`` binary.

``available()`` says whether the binary and its chi_sim data are there; without them nothing is
read and a scan stays ``no_text`` (the card's ``facts.attachments.ocr`` says why). A page takes
~5–10 s on two CPUs, so OCR is bounded per site (``XUNJIAN_OCR_PAGES``, base/config.py) and off by
default.
"""

from __future__ import annotations

import functools
import io
import re
import shutil
import subprocess

#: render scale: 150 dpi (PDF units are 1/72 in), enough for 5-point 宋体 at Tesseract's best
SCALE = 150 / 72
#: seconds one page may take before it is given up
PAGE_TIMEOUT = 60
#: a page larger than this (pixels a side, at SCALE) is rendered smaller
MAX_SIDE = 2400


@functools.lru_cache(maxsize=1)
def available() -> bool:
    """The tesseract binary is on PATH and has the simplified-Chinese data."""
    binary = shutil.which("tesseract")
    if not binary:
        return False
    try:
        langs = subprocess.run([binary, "--list-langs"], capture_output=True, text=True,
                               timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    return "chi_sim" in (langs.stdout + langs.stderr).split()


def page_png(data: bytes, number: int) -> bytes:
    """Page ``number`` of a PDF rendered as a greyscale PNG."""
    import pypdfium2 as pdfium

    from xunjian.inspectors.attachment_text import PDFIUM_LOCK

    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(data)
        try:
            page = document[number]
            try:
                width, height = page.get_size()
                scale = min(SCALE, MAX_SIDE / max(width, height, 1))
                bitmap = page.render(scale=scale, grayscale=True)
                try:
                    image = bitmap.to_pil()
                    out = io.BytesIO()
                    image.save(out, "PNG")
                finally:
                    bitmap.close()
            finally:
                page.close()
        finally:
            document.close()
    return out.getvalue()


def ocr_png(png: bytes) -> str:
    """The text Tesseract reads on an image (simplified Chinese and Latin digits), '' on failure."""
    try:
        run = subprocess.run(["tesseract", "stdin", "stdout", "-l", "chi_sim", "--psm", "6"],
                             input=png, capture_output=True, timeout=PAGE_TIMEOUT)
    except (OSError, subprocess.SubprocessError):
        return ""
    if run.returncode != 0:
        return ""
    text = run.stdout.decode("utf-8", "replace")
    # Tesseract sets a space between CJK characters it reads apart; a reader does not see them
    return _join_cjk(text)


def _join_cjk(text: str) -> str:
    cjk = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
    return re.sub(f"(?<={cjk}) (?={cjk})", "", text)  # digits stay apart: two numbers, not one


def ocr_pdf(data: bytes, pages: int) -> tuple[str, int]:
    """(text, pages read) of the first ``pages`` pages of a scanned PDF."""
    import pypdfium2 as pdfium

    from xunjian.inspectors.attachment_text import PDFIUM_LOCK

    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except Exception:  # noqa: BLE001 - not a PDF PDFium opens: nothing to read
            return "", 0
        count = len(document)
        document.close()
    parts = []
    for number in range(min(pages, count)):
        parts.append(ocr_png(page_png(data, number)))
    return "\n".join(parts), min(pages, count)
