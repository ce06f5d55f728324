"""Score a stored inspection: the one place every reader of a score card (the CLI, reports,
the review app, early warnings) gets it from — stored facts, probes and reviews → card.

``card_for(store, inspection_id, as_of=None, rules=None)`` is the one name (``rules``:
census-2015 or checklist-2019; under checklist-2019 the card is the findings of the derivers of
``inspection/checks2019.py``, read from the same stored inspection). Scoring is a pure function of
what the inspection stored, the rules and ``as_of``: the findings the finishing stage stored
(links, pages whose script never yields, serious-error candidates — what needed the crawl's
results or its browser) are read as they are; freshness, service and interaction findings are
derived here, from the stored column pages, item dates, guides, downloads, systems and letters,
for whatever ``--as-of`` is asked (``derive``: the one place those inspectors run on a stored
inspection). Every store read of the card is here; the inspectors and probe scoring it calls
are pure.
"""

from __future__ import annotations

from xunjian.base import config
from xunjian.inspection.checks2019 import Context, derive_all
from xunjian.inspection.history import earlier_seen
from xunjian.inspection.rechecks import attach_rechecks
from xunjian.inspection.shared import InspectionError
from xunjian.inspectors.evidence import mark_blank_screenshots
from xunjian.inspectors.freshness import INDICATORS as FRESHNESS_INDICATORS
from xunjian.inspectors.freshness import freshness_findings
from xunjian.inspectors.homepage import homepage_gaps, homepage_state
from xunjian.inspectors.interaction import INDICATORS as INTERACTION_INDICATORS
from xunjian.inspectors.interaction import interaction_checks, interaction_findings
from xunjian.inspectors.service import INDICATORS as SERVICE_INDICATORS
from xunjian.inspectors.service import guide_columns, service_checks, service_findings
from xunjian.probes.probe import load_probes
from xunjian.probes.scoring import probe_findings
from xunjian.scoring import Rules, score_card
from xunjian.scoring.history import apply_history
from xunjian.scoring.rules import score_rules
from xunjian.spiders.frontier import crawl_cut

#: Indicators derived at scoring time from stored facts (``derive``), never read from the
#: stored findings (an inspection stored before they were derived here may still hold some).
DERIVED_INDICATORS = frozenset(FRESHNESS_INDICATORS) | set(SERVICE_INDICATORS) | set(
    INTERACTION_INDICATORS)


def freshness_for(store, inspection: dict, site: dict, as_of,
                  pages: list[dict] | None = None) -> tuple[list, dict, dict]:
    """Freshness findings, checks and facts of a stored inspection at ``as_of`` (no re-crawl).

    Derived at scoring time from the stored column pages, item dates and page list items, so
    another ``--as-of`` re-reads the same evidence. Nothing when the crawl did not collect them.
    ``pages``: the inspection's pages when the caller holds them already (read otherwise).
    """
    if not inspection.get("freshness"):
        return [], {}, {}
    inspection_id = inspection["id"]
    pages = store.pages(inspection_id) if pages is None else pages
    column_pages = store.find("column_pages", inspection=inspection_id)
    item_dates = store.find("item_dates", inspection=inspection_id)
    findings, facts = freshness_findings(site, pages, column_pages, item_dates, as_of)
    for finding in findings:
        finding["inspection"] = inspection_id
    home = next((p for p in pages if p.get("is_home")), None)
    home_ok = bool(home) and not home.get("error") and (home.get("status") or 0) < 400
    checks = {"updates.homepage": home_ok, "veto.not_updated": home_ok,
              "updates.basic_info": bool(column_pages), "veto.columns_stale": bool(column_pages)}
    return findings, checks, {"freshness": facts}


def service_for(store, inspection: dict, site: dict, as_of) -> tuple[list, dict, dict]:
    """Service and interaction findings, checks and facts of a stored inspection at ``as_of``.

    An indicator whose inputs were never found is unchecked, and the facts say why
    (``unchecked_reasons``: reason, columns, screenshot of what was seen)."""
    if not inspection.get("freshness"):
        return [], {}, {}
    inspection_id = inspection["id"]
    column_pages = store.find("column_pages", inspection=inspection_id)
    guides = store.find("guide_pages", inspection=inspection_id)
    letters = store.find("letters", inspection=inspection_id)
    findings = service_findings(site, guides,
                                store.find("downloads", inspection=inspection_id),
                                store.find("system_pages", inspection=inspection_id))
    findings += interaction_findings(site, column_pages,
                                     store.find("item_dates", inspection=inspection_id),
                                     letters, as_of)
    for finding in findings:
        finding["inspection"] = inspection_id
    checks, reasons = service_checks(site, column_pages, guides)
    more_checks, more_reasons = interaction_checks(site, column_pages, letters)
    checks, reasons = {**checks, **more_checks}, {**reasons, **more_reasons}
    facts = {"service": {"guide_columns": guide_columns(column_pages, guides),
                         "guides_opened": len(guides)},
             "unchecked_reasons": reasons}
    return findings, checks, facts


def derive(store, inspection: dict, site: dict, as_of,
           pages: list[dict] | None = None) -> tuple[list, dict, dict]:
    """Freshness, service and interaction findings, checks and facts of a stored inspection at
    ``as_of``: the one place they are derived (nothing when the crawl did not collect their
    facts: no checks then). ``pages``: the inspection's pages when the caller holds them."""
    findings, checks, facts = freshness_for(store, inspection, site, as_of, pages)
    served, served_checks, served_facts = service_for(store, inspection, site, as_of)
    return findings + served, {**checks, **served_checks}, {**facts, **served_facts}


#: Stored collections whose documents carry ``screenshot`` (a blob hash) and ``screenshot_blank``.
SCREENSHOT_COLLECTIONS = ("column_pages", "guide_pages", "system_pages")


def blank_screenshots(store, inspection_id: str) -> set[str]:
    """Hashes of the inspection's screenshots that were found blank when they were taken."""
    return {doc["screenshot"] for name in SCREENSHOT_COLLECTIONS
            for doc in store.find(name, inspection=inspection_id, screenshot_blank=True)
            if doc.get("screenshot")}


PROBE_INDICATORS = ("availability.homepage", "veto.unreachable")


#: What a card's facts say of the crawl (pages walked and left, its budget).
CRAWL_FACTS = ("pages_seen", "pages_left", "pages_refused", "budget_cut", "max_pages",
               "max_depth", "crawl_reason", "render", "frames")

#: The reason on a 2019 card of an id no deriver reported (its check is not written yet).
NOT_IMPLEMENTED = "本项检查尚未实现，需人工检查"


def card_rules(rules=None) -> Rules:
    """The rules a card is scored by: a Rules, a name (``--rules``), or None for the
    ``XUNJIAN_RULES`` setting (default census-2015). RulesError names the tables there are."""
    if isinstance(rules, Rules):
        return rules
    return score_rules(rules or config.current().rules)


def card_for(store, inspection_id: str, as_of=None, rules=None, history: bool = True) -> dict:
    """Score card of a stored inspection at ``as_of`` (default: the inspection's own), with the
    findings reviewers added (review app) — the card every reader shows. ``rules``: the table
    (``census-2015`` or ``checklist-2019``, a name or Rules; default the XUNJIAN_RULES setting):
    one crawl scores under either. ``history``: give the card its ``changes`` against the site's
    previous finished inspection and each finding its ``first_seen`` and ``times_seen``
    (scoring/history.py)."""
    rules = card_rules(rules)
    inspection = store.get_inspection(inspection_id)
    if inspection is None:
        raise InspectionError(f"no inspection {inspection_id!r}")
    site = store.get_site(inspection["site"])
    as_of = as_of or inspection.get("as_of") or inspection.get("started_at")
    if rules.name != "census-2015":
        card = card_2019(store, inspection, site, as_of, rules)
    else:
        card = _card_2015(store, inspection, site, as_of)
    if history:
        apply_history(card, earlier_seen(store, inspection, rules.name, card_for))
    return attach_rechecks(store, inspection, card)  # 复查: the latest re-check of each finding


def card_2019(store, inspection: dict, site: dict, as_of, rules: Rules) -> dict:
    """The card under checklist-2019: the findings of every deriver (inspection/checks2019.py)
    plus what reviewers recorded for the table's ids. An id no deriver reported is unchecked
    with NOT_IMPLEMENTED — never a silent 0."""
    inspection_id = inspection["id"]
    got = derive_all(Context(store, inspection, site, as_of, rules))
    ids = set(rules.ids)
    manual = [f for f in store.find("manual_findings", inspection=inspection_id)
              if f.get("indicator") in ids
              and f.get("rule") in rules.indicator(f["indicator"]).rules]
    findings = mark_blank_screenshots(got.findings, blank_screenshots(store, inspection_id))
    # what a reviewer recorded for an id no machine judges is that id checked (by a person)
    by_hand = {f["indicator"] for f in manual}
    checked = {i: bool(got.checked.get(i)) or i in by_hand for i in rules.ids}
    reasons = {i: got.reasons.get(i) or ("未能检查" if i in got.checked else NOT_IMPLEMENTED)
               for i in rules.ids if not checked[i]}
    crawl = inspection.get("crawl") or {}
    cut = crawl_cut(crawl)
    facts = dict(got.facts)
    if crawl:  # what the crawl walked and left, as on the census-2015 card
        facts["crawl"] = {k: crawl.get(k) for k in CRAWL_FACTS} | {"partial_reason": cut}
    return score_card(
        site=site,
        findings=findings + manual,
        reviews=store.reviews(site["code"]),
        checked=checked,
        as_of=as_of,
        rules=rules,
        inspection=inspection_id,
        facts=facts or None,
        unchecked_reasons=reasons,
        partial={"design.links": cut} if cut and checked.get("design.links") else None,
    )


def _card_2015(store, inspection: dict, site: dict, as_of) -> dict:
    """The census-2015 card (see card_for)."""
    inspection_id = inspection["id"]
    # machine findings, plus what reviewers recorded that machines cannot judge (review app)
    # (those recorded for the other table's ids — checklist-2019's — are not this card's)
    census = score_rules("census-2015")
    manual = [f for f in store.find("manual_findings", inspection=inspection_id)
              if f.get("indicator") in census.ids]
    findings = store.findings(inspection_id)  # the reviewers' findings join after derivation
    checked = dict(inspection.get("checks") or {})
    derived, checks, facts = derive(store, inspection, site, as_of)
    if checks:
        findings = [f for f in findings if f.get("indicator") not in DERIVED_INDICATORS]
        findings += derived
        checked.update(checks)
    # availability of the homepage: the probes of the 7 days before as-of, not the crawl
    probe_found, probe_checks, probe_facts = probe_findings(
        load_probes(store, site["code"], as_of), site, as_of)
    findings = [f for f in findings if f.get("indicator") not in PROBE_INDICATORS]
    findings += probe_found
    checked.update(probe_checks)
    facts = {**(facts or {}), "probes": probe_facts}
    if inspection.get("attachments"):  # attachments read, and why the others were not
        facts["attachments"] = inspection["attachments"]
    # too few probes: the veto and the indicator are unchecked for the one same reason
    probe_why = {k: probe_facts["note"] for k, ok in probe_checks.items()
                 if not ok and probe_facts.get("note")}
    # an unreachable homepage: what needed it is unchecked with the reason, never a deduction
    homepage = inspection.get("homepage")
    if homepage is None:  # stored before inspections recorded it: judge by the stored homepage
        pages = [p for p in store.pages(inspection_id) if p.get("is_home")]
        homepage = homepage_state(pages) if pages else {"reachable": None}
    gaps = {} if homepage.get("reachable") is None else homepage_gaps(
        homepage, store.find("column_pages", inspection=inspection_id),
        store.find("system_pages", inspection=inspection_id))
    if gaps:
        findings = [f for f in findings if f.get("indicator") not in gaps]
        checked.update(dict.fromkeys(gaps, False))
        facts["homepage"] = homepage
    # what the crawl walked and left: a crawl cut by its budget makes the links indicator partial
    crawl = inspection.get("crawl") or {}
    cut = crawl_cut(crawl)
    if crawl:
        facts["crawl"] = {k: crawl.get(k) for k in CRAWL_FACTS}
        facts["crawl"]["partial_reason"] = cut
    # one place on the card says why each indicator is unchecked: the homepage's gaps first (the
    # cause), then the service/interaction sentences (details stay in facts.unchecked_reasons)
    # what reviewers added stays whatever the machines re-derive for the same indicators
    findings = mark_blank_screenshots(findings, blank_screenshots(store, inspection_id)) + manual
    why = {k: v.get("detail") or v.get("reason") for k, v in
           ((facts or {}).get("unchecked_reasons") or {}).items()}
    return score_card(
        unchecked_reasons={**probe_why, **why, **gaps},
        partial={"availability.links": cut} if cut else None,
        site=site,
        findings=findings,
        reviews=store.reviews(site["code"]),
        checked=checked,
        as_of=as_of,
        inspection=inspection_id,
        facts=facts or None,
    )
