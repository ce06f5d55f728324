"""One way to turn page text into an lxml document, shared by every extractor."""

from __future__ import annotations

import lxml.html


def parse_html(html: str | None):
    """The document, or None for an empty or unparsable page (never raises)."""
    if not html or not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html)
    except (ValueError, TypeError, lxml.etree.ParserError):
        try:  # an XML declaration with an encoding makes lxml refuse str input
            return lxml.html.document_fromstring(html.encode("utf-8"))
        except Exception:  # noqa: BLE001 - a page lxml cannot read has nothing to extract
            return None
