"""One count of what waits for a reviewer, so the same words mean the same number everywhere.

* ``awaiting`` — the card's findings with no verdict yet (``card["awaiting_review"]``): what
  keeps the card 暂定. Said as "N 条问题待人工复核" by the review app, the reports and the card.
* ``uncounted`` — of those, the ones that do not count until a reviewer confirms them
  (``needs_review`` or the indicator's ``review_required``: on the card, pending and not
  ``counts``). Said with other words: "其中 M 条确认后才计分".

Machine findings that count at once but have not been looked at are in ``awaiting`` and not in
``uncounted``; confirmed and rejected findings are in neither.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

AWAITING_WORDS = "{n} 条问题待人工复核"
UNCOUNTED_WORDS = "其中 {m} 条确认后才计分"
#: One indicator's row of a report: its findings that wait to count.
ROW_UNCOUNTED_WORDS = "另有 {m} 条问题确认后才计分"


def review_counts(card: Mapping[str, Any], among: Iterable[str] | None = None) -> dict[str, int]:
    """{"awaiting": n, "uncounted": m} of the card (``among``: only these finding ids)."""
    waiting = list(card.get("awaiting_review") or ())
    if among is not None:
        wanted = set(among)
        waiting = [fid for fid in waiting if fid in wanted]
    ids = set(waiting)
    uncounted = sum(1 for f in card.get("findings") or ()
                    if f.get("id") in ids and f.get("review", "pending") == "pending"
                    and not f.get("counts"))
    return {"awaiting": len(waiting), "uncounted": uncounted}


def awaiting_text(card: Mapping[str, Any]) -> str:
    """"N 条问题待人工复核" (with "，其中 M 条确认后才计分" when some do not count yet)."""
    counts = review_counts(card)
    text = AWAITING_WORDS.format(n=counts["awaiting"])
    if counts["uncounted"]:
        text += "，" + UNCOUNTED_WORDS.format(m=counts["uncounted"])
    return text
