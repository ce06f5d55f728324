"""Findings across inspections of one site (DESIGN.md "Between inspections"). Pure: no I/O.

A finding's ``issue_key`` names its subject — the same indicator, kind and subject (a broken
link's URL, a column's URL, a guide's URL…) in any inspection of the site is the same key. The
inspectors already name every finding that way (``inspectors.finding_id`` hashes site, indicator,
kind and subject, with nothing of the run in it), so a machine finding's key is its id; a finding
a reviewer added by hand has a random id, and its key is made from what it is about instead.

``apply_history(card, earlier)`` gives a card its ``changes`` against the site's previous
finished inspection and each finding its ``first_seen`` (the 监测时间点 of the first inspection
that found it), ``times_seen`` (in how many of the site's inspections, this one included) and
``change`` (``new`` or ``open``). ``earlier`` is what the site's earlier finished inspections
found, oldest first: ``Seen`` records, one per inspection, scored under the same rules.

What counts as found: a finding a reviewer rejected is not an issue (a false positive), so it is
neither new nor open, and it is not "fixed" when it goes away. A key the previous inspection had
and this one lacks is ``fixed`` only when this inspection judged its indicator in full: an
indicator left unchecked (the homepage did not answer) or checked on part of its inputs (a crawl
cut by its budget) proves nothing fixed — those keys are listed as ``unconfirmed``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from xunjian.base.clock import beijing_date

#: Finding kinds whose id is not made from their subject (reviewer-added findings).
_HAND_MADE = frozenset({"reviewer_added"})

NEW = "new"
OPEN = "open"
#: How a person reads each state (terminal card, review app, reports).
LABELS = {NEW: "新发现", OPEN: "未整改", "fixed": "已整改", "unconfirmed": "本次未核实"}


def issue_key(finding: Mapping[str, Any]) -> str:
    """The stable key of a finding's subject, the same across inspections of a site."""
    given = finding.get("issue_key")
    if isinstance(given, str) and given:
        return given
    if finding.get("kind") in _HAND_MADE or not finding.get("id"):
        subject = "|".join(str(finding.get(k) or "") for k in
                           ("site", "indicator", "kind", "rule", "url"))
        return "manual-" + hashlib.sha1(subject.encode("utf-8")).hexdigest()[:16]
    return str(finding["id"])


@dataclass(frozen=True)
class Seen:
    """What one finished inspection found: its id, its 监测时间点 (YYYY-MM-DD) and, per issue
    key, a summary of the finding (``SUMMARY`` fields; only findings not rejected)."""

    inspection: str
    as_of: str
    keys: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


#: What a Seen record keeps of each finding: enough to say what was fixed.
SUMMARY = ("indicator", "kind", "url", "page", "detail")


def seen_of(inspection: Any, as_of: Any, findings: Iterable[Mapping[str, Any]],
            rejected: Callable[[Mapping[str, Any]], bool]) -> Seen:
    """The ``Seen`` record of one inspection: its findings that are not ``rejected``, by issue
    key (a stored ``issue_key`` or the one computed), each with its ``SUMMARY`` fields."""
    keys = {f.get("issue_key") or issue_key(f): {k: f.get(k) for k in SUMMARY}
            for f in findings if not rejected(f)}
    return Seen(str(inspection or ""), str(as_of or ""), keys)


def seen_in(card: Mapping[str, Any]) -> Seen:
    """The ``Seen`` record of a scored card: its findings that are not rejected."""
    return seen_of(card.get("inspection"), card.get("as_of"), card.get("findings", ()),
                   lambda f: f.get("review") == "rejected")


def apply_history(card: dict[str, Any], earlier: Sequence[Seen]) -> dict[str, Any]:
    """Add ``changes`` to the card and ``issue_key``, ``first_seen``, ``times_seen`` and
    ``change`` to its findings (in place; the card is returned)."""
    first: dict[str, str] = {}
    times: dict[str, int] = {}
    for seen in earlier:
        for key in seen.keys:
            first.setdefault(key, seen.as_of)
            times[key] = times.get(key, 0) + 1
    previous = earlier[-1] if earlier else None
    before = dict(previous.keys) if previous else {}
    new: list[str] = []
    still: list[str] = []
    now: set[str] = set()
    for finding in card.get("findings", ()):
        key = issue_key(finding)
        finding["issue_key"] = key
        finding["first_seen"] = first.get(key, card.get("as_of"))
        finding["times_seen"] = times.get(key, 0) + 1
        if finding.get("review") == "rejected":
            finding["change"] = None  # not an issue: neither new nor open
            continue
        now.add(key)
        finding["change"] = OPEN if key in before else NEW
        (still if key in before else new).append(finding["id"])
    gone = sorted(k for k in before if k not in now)
    doubtful = _not_judged_in_full(card)
    fixed = [k for k in gone if before[k].get("indicator") not in doubtful]
    card["changes"] = {
        "since": previous.inspection if previous else None,
        "since_as_of": previous.as_of if previous else None,
        "new": new,
        "open": still,
        "fixed": fixed,
        "unconfirmed": [k for k in gone if k not in fixed],
        # what was fixed, as the previous inspection found it (the card has no finding for it)
        "fixed_findings": [{"issue_key": k, **before[k], "first_seen": first.get(k)}
                           for k in fixed],
    }
    return card


def _not_judged_in_full(card: Mapping[str, Any]) -> set[str]:
    """Indicator ids this card did not check, or checked on part of their inputs only."""
    ids = set(card.get("unchecked") or ()) | set(card.get("unchecked_vetoes") or ())
    ids |= {d["id"] for d in card.get("deductions") or () if d.get("partial")}
    return ids



def change_text(finding: Mapping[str, Any]) -> str:
    """新发现 / 未整改（自 DATE 起，第 N 次发现） for a person; '' for a rejected finding."""
    change = finding.get("change")
    if change == NEW:
        return LABELS[NEW]
    if change == OPEN:
        return (f"{LABELS[OPEN]}（自 {finding.get('first_seen')} 起，"
                f"第 {finding.get('times_seen')} 次发现）")
    return ""


def carried_text(finding: Mapping[str, Any]) -> str:
    """Where a standing verdict came from, or why an old one no longer holds; '' otherwise."""
    words = {"confirmed": "确认", "rejected": "驳回"}
    carried = finding.get("carried_verdict")
    if carried:
        return (f"沿用上次检查的复核结论：{words.get(carried['verdict'], carried['verdict'])}"
                f"（{carried.get('by') or '复核人'}，{beijing_date(carried.get('at'))}），证据未变")
    reset = finding.get("review_reset")
    if reset:
        return (f"原复核结论（{words.get(reset['verdict'], reset['verdict'])}，"
                f"{beijing_date(reset.get('at'))}）不再适用：{reset.get('reason', '证据已变化')}")
    return ""


def changes_summary(card: Mapping[str, Any]) -> str:
    """One line: what changed since the previous finished inspection."""
    changes = card.get("changes")
    if not changes:
        return ""
    if not changes.get("since"):
        return f"整改情况：本站首次检查，{len(changes['new'])} 项问题均为{LABELS[NEW]}"
    text = (f"整改情况（对比上次检查 {changes.get('since_as_of')}）：{LABELS[NEW]} "
            f"{len(changes['new'])} 项，{LABELS[OPEN]} {len(changes['open'])} 项，"
            f"{LABELS['fixed']} {len(changes['fixed'])} 项")
    if changes.get("unconfirmed"):
        text += f"，另有 {len(changes['unconfirmed'])} 项本次未能核实（相关指标未检查或仅部分检查）"
    return text
