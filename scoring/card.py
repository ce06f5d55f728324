"""Findings + reviews + as-of → score card (DESIGN.md "Score card"). Pure: no I/O, no clock.

Finding fields used here (everything else is carried through untouched):

* ``id`` — unique, non-empty string; reviews refer to it.
* ``indicator`` — a veto or deduction id of the rules (``veto.unreachable``,
  ``availability.links``…).
* ``rule`` — a key of that indicator's ``points`` table (deductions) or ``reasons`` table (vetoes).
* ``units`` — optional positive integer, default 1: how many times the rule applies; a deduction
  finding costs ``points[rule] × units`` (e.g. availability.homepage ``per_percent`` × 3 = 15).
* ``needs_review`` — optional bool, default false: counts only once a reviewer confirms it.
* ``url`` — optional; used with ``indicator`` and ``id`` to order findings.
* ``evidence.supporting`` — optional, veto findings only: ids of the findings the veto counts
  (veto.columns_stale: one finding per stale or blank column). Such a veto finding counts only
  while at least the rule's threshold of them count; the card's veto entry lists the standing
  ones as ``supporting``, and the finding carries them as ``supporting_standing``.

Review status of a finding = the verdict of its latest review (by ``at``; on equal times the later
one in the list wins), ``"pending"`` when it has none. A finding counts when it is not rejected and,
if it needs review (``needs_review`` or the indicator's ``review_required``), a reviewer confirmed
it. Every finding *awaits review* until a reviewer gives a verdict (系统扫描 + 人工复核: a machine
finding counts at once, but the score is final only once a person has looked at each one); a
finding awaiting review, or any indicator or veto that was not checked, makes the card
provisional (``final`` false).

Verdict (DESIGN.md "No verdict without evidence"): any counting veto → 不合格 (score null); else,
when nothing but the rules' ``probes_only`` indicators was checked — nothing of the site was
read — 未评分 (score null); else, by the rules' ``scoring``: "threshold" (census-2015) 不合格 above
the threshold, 合格 otherwise; "capped" (checklist-2019) each indicator's points at most its
``cap``, deduction part = full score − their total (a department without public services: 办事服务
not applicable, (base − total) × full / base, the 4/3 rule), 不合格 below ``fail_below``; a
portal whose deduction part is above ``bonus_above`` adds the bonus part (``bonus`` — every bonus
id, a separate list — at most ``bonus_max``); ``bonus_note`` says why no bonus was added. A
capped card also has ``deduction_score``, ``groups``, ``veto_status`` (every veto id) and
``services_applicable``. ``unchecked_vetoes`` lists the vetoes that were not checked: a 合格
with any of them is 合格（暂定）, provisional on them.

Reviews carry over to later inspections through the stable finding id, and between the rule sets
(the digest leaves out the indicator: a broken link is availability.links under the census table,
design.links under checklist-2019, one verdict for both). A review may also carry
``evidence`` — the ``evidence_digest`` of the finding it judged; when the finding's evidence has
changed since (another status or error, another rule…), that review no longer applies and the
finding awaits review again. Reviews without ``evidence`` always apply. The card says so on the
finding: ``carried_verdict`` {verdict, by, at, from_inspection} when the verdict standing was
given on an earlier inspection, ``review_reset`` when the latest verdict was on other evidence.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .rules import Indicator, Rules, load_rules
from .time import as_of_instant

PASS = "合格"
FAIL = "不合格"
NOT_SCORED = "未评分"
REVIEW_VERDICTS = ("confirmed", "rejected")
_CENT = Decimal("0.01")


def score_card(
    site: Mapping[str, Any],
    findings: Iterable[Mapping[str, Any]],
    reviews: Iterable[Mapping[str, Any]],
    checked: Mapping[str, bool],
    as_of: date | datetime | str,
    rules: Rules | None = None,
    inspection: str | None = None,
    facts: Mapping[str, Any] | None = None,
    unchecked_reasons: Mapping[str, str] | None = None,
    partial: Mapping[str, str] | None = None,
    services: bool | None = None,
) -> dict[str, Any]:
    """Apply the rules to one site's findings and reviews; return the score card dict.

    ``checked`` maps indicator and veto ids to whether their check ran; a missing id is unchecked.
    ``facts`` (optional, JSON-able) is copied into the card as the figures behind the findings.
    ``unchecked_reasons`` (optional) says why an indicator was not checked (e.g. 首页无法访问);
    the card lists the reasons of its unchecked indicators in ``unchecked_reasons``.
    ``partial`` maps indicator ids checked on part of their inputs only (a crawl cut by its
    budget) to the reason: the deduction says ``partial`` with it and the card is provisional.
    ``services`` (checklist-2019's 4/3 rule): False when the site offers no public services
    (办事服务 not applicable); None reads the site's ``public_services`` (see the rules file).
    Raises ValueError for malformed findings or reviews (unknown indicator or rule, duplicate id,
    missing review time…) and TypeError for wrongly typed fields (``needs_review`` not a bool).
    """
    if as_of is None:
        raise ValueError("as_of is required (a score card is computed for a monitoring time point)")
    rules = rules or load_rules()
    order = {entry.id: n for n, entry in enumerate(rules.all)}
    findings = list(findings)
    digests = {f.get("id"): judged_digests(f) for f in findings}
    reviews = list(reviews)
    latest = latest_review_docs(r for r in reviews if _applies(r, digests))
    unapplied = latest_review_docs(r for r in reviews if not _applies(r, digests))
    status = {fid: review["verdict"] for fid, review in latest.items()}

    priced: list[tuple[Indicator, dict[str, Any], Decimal, bool]] = []
    seen: set[str] = set()
    for finding in findings:
        item = _price(finding, rules, status)
        if item[1]["id"] in seen:
            raise ValueError(f"duplicate finding id {item[1]['id']!r}")
        seen.add(item[1]["id"])
        priced.append(item)
    priced.sort(key=lambda p: (order[p[0].id], str(p[1].get("url") or ""), p[1]["id"]))
    for _, card_finding, _, _ in priced:
        _carried(card_finding, latest, unapplied, inspection)
    _weigh_supporting(priced, rules)

    capped = rules.scoring == "capped"
    services = _services_applicable(site, rules, services)
    exempt = _not_applicable(rules, services)  # the 4/3 rule: 办事服务 not applicable
    vetoes = _vetoes(priced, rules, exempt)
    deductions, total = _entries(rules.indicators, priced, checked, partial, exempt)

    unchecked = [entry.id for entry in rules.all if not checked.get(entry.id, False)
                 and entry.id not in exempt and not entry.bonus]
    awaiting = [f["id"] for _, f, _, awaits in priced if awaits]
    score: float | None = None
    # DESIGN.md "No verdict without evidence": a veto fires from its (counting) findings; without
    # one, a card on which nothing but the probes was checked read nothing of the site: 未评分
    unchecked_vetoes = [entry.id for entry in rules.vetoes if not checked.get(entry.id, False)
                        and entry.id not in exempt]
    read = [entry.id for entry in rules.all
            if checked.get(entry.id, False) and entry.id not in rules.probes_only]
    extra: dict[str, Any] = {}
    if vetoes:
        verdict = FAIL
    elif not read:
        verdict = NOT_SCORED
    elif capped:
        verdict, score, extra = _capped_verdict(site, rules, priced, checked, total, services)
        # a bonus that applies and was not checked could still raise the score
        unchecked += [e.id for e in rules.bonuses
                      if extra["bonus_applied"] and not checked.get(e.id, False)]
    else:
        verdict = FAIL if total > Decimal(str(rules.threshold)) else PASS
        score = float(max(Decimal(0), _cents(Decimal(str(rules.full_score)) - total)))
    if capped and "bonus" not in extra:  # no deduction part: no bonus either
        extra.update(_bonus_part(site, rules, priced, checked, None, services),
                     deduction_score=None)
    provisional = bool(unchecked or awaiting or any((partial or {}).values()))

    card: dict[str, Any] = {
        "site": {"code": _site_code(site), "name": site.get("name"), "url": site.get("url")},
        "as_of": as_of_instant(as_of).date().isoformat(),
        "rules": rules.name,
        "inspection": inspection,
        "verdict": verdict,
        "score": score,
        "total_deduction": float(_cents(total)),
        "final": not provisional,
        "provisional": provisional,
        # 合格 with any of these is 合格（暂定）: the vetoes that could not be checked
        "unchecked_vetoes": unchecked_vetoes,
        "unchecked": unchecked,
        "awaiting_review": awaiting,
        "vetoes": vetoes,
        "deductions": deductions,
        "findings": [f for _, f, _, _ in priced],
        "facts": copy.deepcopy(dict(facts or {})),
    }
    if capped:  # every veto id on the card too, checked or not, fired or not
        card["veto_status"] = [{"id": e.id, "name": e.name,
                                "checked": bool(checked.get(e.id, False)),
                                "fired": any(v["id"] == e.id for v in vetoes),
                                **({"applicable": False} if e.id in exempt else {})}
                               for e in rules.vetoes]
        card.update(_groups(rules, deductions, exempt, services))
        card.update(extra)
    # the bonus items' reasons too (a bonus item that was not judged says why, as a deduction does)
    bonus_ids = {e.id for e in getattr(rules, "bonuses", ())}
    why = {k: str(v) for k, v in (unchecked_reasons or {}).items()
           if k in unchecked or (k in bonus_ids and not checked.get(k, False))}
    if why:
        card["unchecked_reasons"] = why
    return card


def _vetoes(priced: list, rules: Rules, exempt: frozenset[str]) -> list[dict[str, Any]]:
    vetoes: list[dict[str, Any]] = []
    for entry in rules.vetoes:
        if entry.id in exempt:
            continue
        fired = [f for ind, f, _, _ in priced if ind is entry and f["counts"]]
        if fired:
            reasons = dict.fromkeys(entry.reasons[f["rule"]] for f in fired)
            veto = {"id": entry.id, "name": entry.name, "reason": "；".join(reasons),
                    "findings": [f["id"] for f in fired]}
            supporting = [i for f in fired for i in f.get("supporting_standing", ())]
            if supporting:  # e.g. the stale / blank column findings behind veto.columns_stale
                veto["supporting"] = list(dict.fromkeys(supporting))
            vetoes.append(veto)
    return vetoes


def _entries(entries: Iterable[Indicator], priced: list, checked: Mapping[str, bool],
             partial: Mapping[str, str] | None, exempt: frozenset[str] = frozenset()
             ) -> tuple[list[dict[str, Any]], Decimal]:
    """One card entry per deduction (or bonus) indicator: points summed, capped at the
    indicator's ``cap`` when it has one; and their total."""
    out: list[dict[str, Any]] = []
    total = Decimal(0)
    for entry in entries:
        mine = [(f, pts) for ind, f, pts, _ in priced if ind is entry]
        points = _cents(sum((pts for _, pts in mine), Decimal(0)))
        uncapped = points
        if entry.cap is not None:
            points = min(points, _cents(Decimal(str(entry.cap))))
        if entry.id in exempt:
            points = Decimal(0)
        total += points
        item = {"id": entry.id, "name": entry.name,
                "checked": bool(checked.get(entry.id, False)),
                "points": float(points), "findings": [f["id"] for f, _ in mine]}
        if entry.cap is not None:
            item.update(group=entry.group, cap=entry.cap)
            if uncapped > points and entry.id not in exempt:
                item["uncapped"] = float(uncapped)  # the findings add up to more than the cap
        if entry.id in exempt:
            item["applicable"] = False
        out.append(item)
        if (partial or {}).get(entry.id):
            out[-1].update(partial=True, partial_reason=str(partial[entry.id]))
    return out, total


def _services_applicable(site: Mapping[str, Any], rules: Rules, services: bool | None) -> bool:
    """Whether 办事服务 applies (the 4/3 rule): ``services`` when given; else not for a site the
    registry says offers no public services (``public_services`` false) that is no portal."""
    if not rules.without_services:
        return True
    if services is not None:
        return bool(services)
    return not (site.get("public_services") is False
                and site.get("type") not in rules.bonus_site_types)


def _not_applicable(rules: Rules, services: bool) -> frozenset[str]:
    """Ids that do not apply: 办事服务 and 服务不实用 for a department without public services."""
    if services or not rules.without_services:
        return frozenset()
    group = rules.without_services["group"]
    return frozenset({e.id for e in rules.indicators if e.group == group}
                     | {"veto.service_impractical"} & set(rules.veto_ids))


def _capped_verdict(site: Mapping[str, Any], rules: Rules, priced: list,
                    checked: Mapping[str, bool], total: Decimal, services: bool
                    ) -> tuple[str, float, dict[str, Any]]:
    """checklist-2019: deduction part = full − capped deductions (4/3 rule: (base − them) ×
    full / base); below fail_below → 不合格; above bonus_above a portal adds the bonus part."""
    full = Decimal(str(rules.full_score))
    if services or not rules.without_services:
        part = full - total
    else:
        base = Decimal(str(rules.without_services["base"]))
        part = (base - total) * full / base
    part = max(Decimal(0), _cents(part))
    verdict = FAIL if part < Decimal(str(rules.fail_below)) else PASS
    extra = _bonus_part(site, rules, priced, checked, part, services)
    extra["deduction_score"] = float(part)
    return verdict, float(part + Decimal(str(extra["bonus_points"]))), extra


def _bonus_part(site: Mapping[str, Any], rules: Rules, priced: list,
                checked: Mapping[str, bool], part: Decimal | None, services: bool
                ) -> dict[str, Any]:
    """The bonus list (every bonus id), what it adds and, when it adds nothing, why."""
    bonus, total = _entries(rules.bonuses, priced, checked, None)
    total = min(total, Decimal(str(rules.bonus_max)))
    note = None
    if site.get("type") not in rules.bonus_site_types:
        note = f"加分项仅适用于{'、'.join(rules.bonus_site_types)}，本网站类型为" \
               f"{site.get('type') or '未登记'}，不进行加分评分"
    elif part is None:
        note = "未进行扣分评分（单项否决或未评分），不进行加分评分"
    elif part <= Decimal(str(rules.bonus_above)):
        note = f"扣分部分得分{float(part):g}分，未高于{rules.bonus_above:g}分，不进行加分评分"
    applied = note is None
    return {"bonus": bonus, "bonus_applied": applied,
            "bonus_points": float(_cents(total)) if applied else 0.0, "bonus_note": note,
            "services_applicable": services}


def _groups(rules: Rules, deductions: list[dict[str, Any]], exempt: frozenset[str],
            services: bool) -> dict[str, Any]:
    """Per 一级指标: its points, what its indicators deducted and whether it applies."""
    groups = []
    for name, points in rules.groups.items():
        mine = [d for d in deductions if d.get("group") == name]
        if not mine:
            continue
        groups.append({"name": name, "points": points,
                       "deducted": float(_cents(sum((Decimal(str(d["points"])) for d in mine),
                                                    Decimal(0)))),
                       "applicable": not any(d["id"] in exempt for d in mine)})
    return {"groups": groups}


def latest_reviews(reviews: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Finding id → verdict of its latest review (by ``at``, then by position in the list)."""
    return {finding: review["verdict"] for finding, review in latest_review_docs(reviews).items()}


def latest_review_docs(reviews: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """Finding id → its latest review (by ``at``, then by position in the list)."""
    ranked = []
    for position, review in enumerate(reviews):
        finding, verdict, at = review.get("finding"), review.get("verdict"), review.get("at")
        if not isinstance(finding, str) or not finding:
            raise ValueError(f"review #{position} has no finding id: {review!r}")
        if verdict not in REVIEW_VERDICTS:
            raise ValueError(f"review #{position} of finding {finding!r}: verdict must be "
                             f"'confirmed' or 'rejected', not {verdict!r}")
        if at is None:
            raise ValueError(f"review #{position} of finding {finding!r} has no time 'at'")
        ranked.append((as_of_instant(at), position, finding, review))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return {finding: review for _, _, finding, review in ranked}


def _carried(card: Mapping[str, Any], latest: Mapping[str, Mapping[str, Any]],
             unapplied: Mapping[str, Mapping[str, Any]], inspection: str | None) -> None:
    """Say on a card finding where its verdict came from: ``carried_verdict`` when a reviewer
    gave it on an earlier inspection of the same issue (the evidence unchanged since), and
    ``review_reset`` when the latest verdict was given on other evidence and no longer holds."""
    fid = card["id"]
    review = latest.get(fid)
    if review is not None and review.get("inspection") and inspection \
            and review["inspection"] != inspection:
        card["carried_verdict"] = {"verdict": review["verdict"],
                                   "by": review.get("reviewer"), "at": str(review["at"]),
                                   "from_inspection": review["inspection"]}
    old = unapplied.get(fid)
    if old is not None and (review is None
                            or as_of_instant(old["at"]) > as_of_instant(review["at"])):
        card["review_reset"] = {"verdict": old["verdict"], "by": old.get("reviewer"),
                                "at": str(old["at"]), "from_inspection": old.get("inspection"),
                                "reason": "证据已变化，原复核结论不再适用，需重新复核"}


#: Evidence fields that differ from run to run without changing what a reviewer judged.
VOLATILE_EVIDENCE = frozenset({
    "screenshot", "checked_at", "fetched_at", "elapsed_ms", "pages", "page_title",
    "referrer_count", "browser", "redirects",
    # where the element is on the picture: moves with the page's layout, not with the problem
    "element_box", "element_missing",
})


def evidence_digest(finding: Mapping[str, Any]) -> str:
    """A short hash of what a reviewer judged: kind, rule, units, URL and the non-volatile
    evidence. Not the indicator: the same broken link is ``availability.links`` under the census
    table and ``design.links`` under checklist-2019, and a verdict on it holds under both."""
    return _digest(finding, with_indicator=False)


def judged_digests(finding: Mapping[str, Any]) -> tuple[str, str]:
    """The digests a review of this finding may carry: today's, and the one reviews stored
    before the indicator left the digest (so their verdicts still apply)."""
    return _digest(finding, with_indicator=False), _digest(finding, with_indicator=True)


def review_applies(review: Mapping[str, Any], digests: tuple[str, ...] | None) -> bool:
    """False when the review judged other evidence than the finding (``digests``) now has."""
    judged = review.get("evidence")
    return judged is None or digests is None or judged in digests


def _digest(finding: Mapping[str, Any], *, with_indicator: bool) -> str:
    evidence = finding.get("evidence") or {}
    judged = {k: v for k, v in dict(evidence).items()
              if k not in VOLATILE_EVIDENCE and not str(k).endswith("_at")}
    payload = {"kind": finding.get("kind"), "rule": finding.get("rule"),
               "units": finding.get("units", 1), "url": finding.get("url"), "evidence": judged}
    if with_indicator:
        payload["indicator"] = finding.get("indicator")
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _applies(review: Mapping[str, Any], digests: Mapping[Any, tuple[str, str]]) -> bool:
    return review_applies(review, digests.get(review.get("finding")))


def _price(finding: Mapping[str, Any], rules: Rules,
           status: Mapping[str, str]) -> tuple[Indicator, dict[str, Any], Decimal, bool]:
    """Validate one finding; return (indicator, card copy, points it costs, awaits review)."""
    fid = finding.get("id")
    if not isinstance(fid, str) or not fid:
        raise ValueError(f"finding without an id: {dict(finding)!r}")
    ident = finding.get("indicator")
    try:
        entry = rules.indicator(str(ident))
    except ValueError as exc:
        raise ValueError(f"finding {fid!r}: {exc}") from None
    rule = finding.get("rule")
    if not isinstance(rule, str) or rule not in entry.rules:
        raise ValueError(f"finding {fid!r}: unknown rule {rule!r} for indicator {entry.id!r} "
                         f"(known: {', '.join(entry.rules)})")
    units = finding.get("units", 1)
    if isinstance(units, bool) or not isinstance(units, int) or units < 1:
        raise ValueError(f"finding {fid!r}: units must be a positive integer, not {units!r}")
    needs_review = finding.get("needs_review", False)
    if not isinstance(needs_review, bool):
        raise TypeError(f"finding {fid!r}: needs_review must be true or false")

    review = status.get(fid, "pending")
    needs = needs_review or entry.review_required
    counts = review != "rejected" and (not needs or review == "confirmed")
    points = Decimal(0)
    if counts and not entry.veto:
        points = Decimal(str(entry.rule_points(rule))) * units
    card = copy.deepcopy(dict(finding))
    card.update(review=review, counts=counts, points=float(_cents(points)))
    return entry, card, points, review == "pending"


def _weigh_supporting(priced: list, rules: Rules) -> None:
    """A veto finding that counts findings (``evidence.supporting``: ids, e.g. the stale-column
    findings behind veto.columns_stale) counts only while at least its threshold of them still
    count: a reviewer who rejects one of five stale columns lifts a ≥ 5 veto. The card copy
    gets ``supporting_standing`` — the ids that still count."""
    counting = {f["id"]: f["counts"] for _, f, _, _ in priced}
    for entry, finding, _, _ in priced:
        ids = (finding.get("evidence") or {}).get("supporting")
        if not entry.veto or not isinstance(ids, list):
            continue
        standing = [i for i in ids if counting.get(i)]
        finding["supporting_standing"] = standing
        need = entry.thresholds.get(finding["rule"], finding["evidence"].get("threshold"))
        if isinstance(need, int | float) and len(standing) < need:
            finding["counts"] = False


def _cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _site_code(site: Mapping[str, Any]) -> str:
    code = site.get("code")
    if not isinstance(code, str) or not code:
        raise ValueError(f"site without a code: {dict(site)!r}")
    return code
