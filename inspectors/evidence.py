"""Evidence shared by every inspector's findings.

A screenshot that shows nothing (one uniform colour, see ``browser/blank.py``) is marked where it
was taken — on the stored page, column page, guide page or system page. Link findings copy that
mark from their page; the findings built later at scoring time (freshness, interaction, service)
only carry the screenshot's hash, so the mark is applied to them here, by hash, whichever
inspector made them: a reviewer must know that the picture is empty before judging by it.
Pure: the hashes of the blank pictures are read from the store by the card
(inspection/card.py ``blank_screenshots``).
"""

from __future__ import annotations

from collections.abc import Iterable


def mark_blank_screenshots(findings: Iterable[dict], blank: set[str]) -> list[dict]:
    """The findings, each whose evidence screenshot is in ``blank`` marked ``screenshot_blank``."""
    marked = []
    for finding in findings:
        evidence = finding.get("evidence") or {}
        if evidence.get("screenshot") in blank and not evidence.get("screenshot_blank"):
            finding = {**finding, "evidence": {**evidence, "screenshot_blank": True}}
        marked.append(finding)
    return marked
