"""What a site's earlier inspections found, for a card's history (DESIGN.md "Between
inspections"): the stored side of ``scoring.history``.

The earlier inspections are the site's finished (``done``) inspections started before this one,
scored under the same rules at their own 监测时间点. Scoring one costs a card, so what each one
found is kept in the ``issue_history`` collection the first time it is asked for (a cache: the
findings with their evidence digests, before any review — reviews are applied when it is read,
so a reviewer's later verdict on an old finding counts at once). A record written by another
version of this module, or for an inspection whose reviewer-added findings have changed since,
is made again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from xunjian.scoring.card import judged_digests, latest_review_docs, review_applies
from xunjian.scoring.history import SUMMARY, Seen, issue_key, seen_of
from xunjian.storage import StoreError

COLLECTION = "issue_history"
#: Bump when what a card finds changes shape, so older records are made again.
VERSION = 2  # 2: a finding's digests are both judged_digests (the indicator left the digest)

#: card_for(store, inspection_id, rules=..., history=False), given by inspection/card.py.
Scorer = Callable[..., dict]


def earlier_inspections(store, inspection: Mapping[str, Any]) -> list[dict]:
    """The site's finished inspections started before ``inspection``, oldest first."""
    newest_first = store.inspections(inspection["site"])
    ids = [i["id"] for i in newest_first]
    older = newest_first[ids.index(inspection["id"]) + 1:] if inspection["id"] in ids else []
    return [i for i in reversed(older) if i.get("status") == "done"]


def earlier_seen(store, inspection: Mapping[str, Any], rules_name: str,
                 score: Scorer) -> list[Seen]:
    """``Seen`` records of the site's earlier finished inspections, oldest first, with the
    site's reviews as they are now (a finding rejected by a reviewer is not an issue)."""
    records = [_record(store, prev, rules_name, score)
               for prev in earlier_inspections(store, inspection)]
    if not records:
        return []
    reviews = store.reviews(inspection["site"])
    return [_seen(record, reviews) for record in records]


def _record(store, inspection: Mapping[str, Any], rules_name: str, score: Scorer) -> dict:
    manual = store.count("manual_findings", inspection=inspection["id"])
    key = {"inspection": inspection["id"], "rules": rules_name}
    stored = store.find(COLLECTION, **key)
    if stored and stored[0].get("version") == VERSION and stored[0].get("manual") == manual:
        return stored[0]
    card = score(store, inspection["id"], rules=rules_name, history=False)
    record = {
        "site": inspection["site"], "version": VERSION, "manual": manual,
        "as_of": card.get("as_of"),
        "findings": [{"issue_key": issue_key(f), "id": f["id"], "digests": list(judged_digests(f)),
                      **{k: f.get(k) for k in SUMMARY}} for f in card["findings"]],
    }
    try:
        store.upsert(COLLECTION, key, record)
    except StoreError:  # a store that cannot be written still gets its card, made again next time
        pass
    return {**key, **record}


def _seen(record: Mapping[str, Any], reviews: list[Mapping[str, Any]]) -> Seen:
    """The record's findings a reviewer has not rejected (a review on other evidence than the
    finding had does not apply to it, as on the card)."""
    by_finding: dict[Any, list[Mapping[str, Any]]] = {}
    for review in reviews:
        by_finding.setdefault(review.get("finding"), []).append(review)

    def rejected(finding: Mapping[str, Any]) -> bool:
        judged = [r for r in by_finding.get(finding["id"], ())
                  if review_applies(r, tuple(finding["digests"]))]
        latest = latest_review_docs(judged).get(finding["id"])
        return latest is not None and latest.get("verdict") == "rejected"

    return seen_of(record["inspection"], record.get("as_of"), record.get("findings", ()),
                   rejected)
