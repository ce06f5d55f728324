"""checklist-2019 办事服务 and 互动交流 of a stored inspection: service.guide, service.forms,
service.catalogue, service.statistics, interaction.published, veto.unresponsive and
veto.service_impractical (inspection/checks2019.py's contract: ``derive(ctx) -> Derived``).

What it reads: the guide pages the spider rendered (their stored HTML is read again with the 2019
table's 10 elements, inspectors/service2019.py), the downloads the finishing stage checked, the
column pages (guide columns, consultation columns with their lists' HTML), the letters, and the
crawled pages (the homepage's links, the service pages a catalogue or a 办件统计 may be on). The
numbers of the table come from the rules (``service.guide`` thresholds ``sample``, params
``elements`` / ``synonyms``; ``service.forms`` thresholds ``sample``; ``service.statistics``
thresholds ``stale_1m_days`` / ``stale_3m_days``; ``interaction.published`` ``window_days`` and
thresholds ``sample``; ``veto.unresponsive`` ``window_days`` and thresholds ``unanswered_days``;
``veto.service_impractical`` thresholds ``lacking_elements`` / ``services``), the table's own
numbers where the rules file does not say. An indicator whose inputs were never found is
unchecked with the reason, never 0.
"""

from __future__ import annotations

import re
from functools import cached_property

from xunjian.base.html import parse_html
from xunjian.inspection.checks2019 import Context, Derived
from xunjian.inspectors import interaction2019 as talk
from xunjian.inspectors import service2019 as serve
from xunjian.inspectors.interaction import interaction_checks
from xunjian.inspectors.service import GUIDE_TYPE, service_checks
from xunjian.scoring.time import as_of_date

SERVICE_IDS = ("service.guide", "service.forms", "service.catalogue", "service.statistics",
               "veto.service_impractical")
INTERACTION_IDS = ("interaction.published", "veto.unresponsive")
#: Pages read for a catalogue or statistics besides the homepage's service links.
MAX_SERVICE_PAGES = 30


def _setting(ctx: Context, ident: str, key: str, optional: bool = False):
    """A number or list of the rules (thresholds, params, window_days): the rules file is the one
    place the table's numbers live, so a key it lacks is an error, not a second default here.
    ``optional``: an extra the file may leave out (None then)."""
    ind = ctx.rules.indicator(ident)
    if key == "window_days" and ind.window_days:
        return ind.window_days
    for table in (ind.thresholds, ind.params):
        if key in table:
            return table[key]
    if optional:
        return None
    raise KeyError(f"{ctx.rules.name}: {ident} has no {key!r} (thresholds, params or window_days)")


class _Facts:
    """The stored facts of one inspection, each read once."""

    def __init__(self, ctx: Context):
        self.ctx = ctx

    @cached_property
    def guides(self) -> list[dict]:
        return self.ctx.find("guide_pages")

    @cached_property
    def column_pages(self) -> list[dict]:
        return self.ctx.find("column_pages")

    @cached_property
    def letters(self) -> list[dict]:
        return self.ctx.find("letters")

    @cached_property
    def home(self) -> dict | None:
        return next((p for p in self.ctx.pages if p.get("is_home")), None)

    @property
    def home_read(self) -> bool:
        return bool(self.home) and serve.opened(self.home)

    @property
    def home_links(self) -> list[dict]:
        return (self.home or {}).get("links") or []

    def html(self, doc: dict) -> str | None:
        blob = doc.get("html")
        data = self.ctx.store.get_blob(blob) if blob else None
        return data.decode("utf-8", "replace") if data else None

    def text(self, doc: dict) -> str:
        doc_html = self.html(doc)
        root = parse_html(doc_html) if doc_html else None
        if root is None:
            return ""
        for bad in root.xpath("//script|//style|//noscript"):
            bad.drop_tree()
        return re.sub(r"\s+", " ", root.text_content() or "")


def _stamp(derived: Derived, inspection: str) -> Derived:
    for finding in derived.findings:
        finding["inspection"] = inspection
    return derived


def derive(ctx: Context) -> Derived:
    """The area's findings, checks, reasons and facts (see the module's docstring)."""
    if not ctx.inspection.get("freshness"):
        why = "本次检查未采集办事服务和互动交流的页面（栏目、办事指南、信件）"
        ids = SERVICE_IDS + INTERACTION_IDS
        return Derived(checked=dict.fromkeys(ids, False), reasons=dict.fromkeys(ids, why))
    facts = _Facts(ctx)
    return _stamp(_service(ctx, facts).merge(_interaction(ctx, facts)), ctx.id)


# -- 办事服务 -----------------------------------------------------------------------------------


def _readings(ctx: Context, facts: _Facts, elements: tuple[str, ...]) -> dict[str, dict]:
    more = _setting(ctx, "service.guide", "synonyms", optional=True)
    more = {k: tuple(v) for k, v in more.items()} if more else None
    out = {}
    for g in facts.guides:
        page = facts.html(g) if serve.opened(g) else None
        if page is not None:
            out[g["url"]] = serve.guide_reading(page, g.get("final_url") or g["url"],
                                                elements, more)
    return out


def _service(ctx: Context, facts: _Facts) -> Derived:
    site, guides = ctx.site, facts.guides
    elements = tuple(_setting(ctx, "service.guide", "elements"))
    guide_columns = [p for p in facts.column_pages
                     if (p.get("column") or {}).get("type") == GUIDE_TYPE]
    has_service = bool(guides or guide_columns) or serve.has_service_link(facts.home_links)
    out = _catalogue(ctx, facts).merge(_statistics(ctx, facts))
    if not has_service:
        why = "未发现办事服务：未登记或发现办事指南栏目，首页也无办事服务入口"
        checked = facts.home_read
        out.checked.update({"service.guide": False, "service.forms": False,
                            "veto.service_impractical": checked})
        out.reasons.update({"service.guide": why, "service.forms": why})
        if checked:
            out.findings += serve.impractical_findings(site, [], {}, False)
        else:
            out.reasons["veto.service_impractical"] = "首页未能打开，无法判断是否提供办事服务"
        return out
    readings = _readings(ctx, facts, elements)
    pool = [g for g in guides if not serve.opened(g) or g["url"] in readings]
    ordered = serve.spread_sample(pool, len(pool))
    sample = ordered[:int(_setting(ctx, "service.guide", "sample"))]
    if not readings:
        _, why = service_checks(site, facts.column_pages, guides)
        reason = (why.get("service.guide") or {}).get("detail") or "未读到任何办事指南"
        for ident in ("service.guide", "service.forms", "veto.service_impractical"):
            out.checked[ident], out.reasons[ident] = False, reason
        out.facts["service2019"] = {"guide_sample": [g["url"] for g in sample]}
        return out
    out.findings += serve.guide_findings(site, sample, readings, elements)
    out.findings += serve.impractical_findings(
        site, guides, readings, True, elements,
        int(_setting(ctx, "veto.service_impractical", "missing_elements")),
        int(_setting(ctx, "veto.service_impractical", "services")))
    forms, form_sample = serve.forms_findings(
        site, ordered, readings, ctx.find("downloads"),
        int(_setting(ctx, "service.forms", "sample")))
    out.findings += forms
    out.checked.update(dict.fromkeys(("service.guide", "service.forms",
                                      "veto.service_impractical"), True))
    out.facts["service2019"] = {
        "guide_sample": [g["url"] for g in sample], "forms_sample": form_sample,
        "guides_read": len(readings), "guides": len(guides), "elements": list(elements),
        "elements_missing": {u: [c for c in elements if not (r["elements"].get(c) or {})
                                 .get("present")] for u, r in readings.items()}}
    return out


def _service_pages(facts: _Facts) -> list[dict]:
    """The homepage, the pages its service links lead to and pages titled like a service page
    (bounded), with their text: where a catalogue is."""
    wanted = serve.service_link_pages(facts.home_links)
    chosen = [p for p in facts.ctx.pages if not p.get("is_home") and serve.opened(p) and (
        p["url"] in wanted or re.search(r"办事|服务", p.get("title") or ""))][:MAX_SERVICE_PAGES]
    guide_columns = [p for p in facts.column_pages if (p.get("column") or {}).get("type")
                     == GUIDE_TYPE and serve.opened(p)][:MAX_SERVICE_PAGES]
    out = [{"url": facts.home["url"], "title": facts.home.get("title"),
            "text": facts.text(facts.home), "links": facts.home_links}] if facts.home else []
    for p in chosen + guide_columns:
        out.append({"url": p["url"], "title": p.get("title") or (p.get("column") or {})
                    .get("name"), "text": facts.text(p), "links": p.get("links") or []})
    return out


def _catalogue(ctx: Context, facts: _Facts) -> Derived:
    if not facts.home_read:
        why = "首页未能打开，无法判断办事事项是否分类集中展示"
        return Derived(checked={"service.catalogue": False}, reasons={"service.catalogue": why})
    findings, verdict = serve.catalogue_check(ctx.site, _service_pages(facts))
    derived = Derived(findings=findings, checked={"service.catalogue": verdict["checked"]},
                      facts={"service_catalogue": {k: v for k, v in verdict.items()
                                                   if k != "checked"}})
    if not verdict["checked"]:
        derived.reasons["service.catalogue"] = verdict["reason"]
    return derived


def _statistics(ctx: Context, facts: _Facts) -> Derived:
    if not facts.home_read:
        return Derived(checked={"service.statistics": False},
                       reasons={"service.statistics": "首页未能打开，无法查找办事统计"})
    day = as_of_date(ctx.as_of)
    metas = [{"url": p["url"], "title": p.get("title"), "links": p.get("links") or [],
              "doc": p} for p in ctx.pages if serve.opened(p)]
    metas += [{"url": p["url"], "title": p.get("title"), "column": p.get("column"),
               "links": [], "doc": p} for p in facts.column_pages if serve.opened(p)]
    found, unread = serve.statistics_candidates(metas)
    for page in found[:MAX_SERVICE_PAGES]:
        doc = page["doc"]
        page["newest"] = serve.newest_date(facts.html(doc), doc.get("final_url") or doc["url"],
                                           doc.get("items") or [], day)
        page["screenshot"] = page["doc"].get("screenshot")
    findings, verdict = serve.statistics_findings(
        ctx.site, [{k: v for k, v in p.items() if k != "doc"} for p in found[:MAX_SERVICE_PAGES]],
        unread, day, int(_setting(ctx, "service.statistics", "stale_1m_days")),
        int(_setting(ctx, "service.statistics", "stale_3m_days")))
    derived = Derived(findings=findings, checked={"service.statistics": verdict["checked"]})
    if not verdict["checked"]:
        derived.reasons["service.statistics"] = verdict["reason"]
    return derived


# -- 互动交流 -----------------------------------------------------------------------------------


def _interaction(ctx: Context, facts: _Facts) -> Derived:
    site, day = ctx.site, as_of_date(ctx.as_of)
    columns = talk.consultation_columns(facts.column_pages)
    out = Derived()
    # veto.unresponsive: a channel, then the letters of the year
    if not columns and not facts.home_read:
        out.checked["veto.unresponsive"] = False
        out.reasons["veto.unresponsive"] = ("首页未能打开，也无政务咨询类栏目，"
                                            "无法判断是否提供咨询渠道")
    else:
        no_channel, channels = talk.channel_findings(site, columns, facts.home_links)
        late = talk.unanswered_findings(
            site, columns, facts.letters, day,
            int(_setting(ctx, "veto.unresponsive", "window_days")),
            int(_setting(ctx, "veto.unresponsive", "unanswered_days")))
        out.findings += no_channel + late
        pages = [p for ps in columns.values() for p in ps]
        checks, why = interaction_checks(site, pages, facts.letters)
        out.checked["veto.unresponsive"] = bool(no_channel or late) or checks["veto.unresponsive"]
        if not out.checked["veto.unresponsive"]:
            out.reasons["veto.unresponsive"] = why["veto.unresponsive"]["detail"]
        out.facts["channels"] = channels[:20]
    # interaction.published
    opened = [p for ps in columns.values() for p in ps if serve.opened(p)]
    elsewhere = [c for c in out.facts.get("channels") or [] if c["from"] == "homepage"]
    if not columns and elsewhere:
        out.checked["interaction.published"] = False
        out.reasons["interaction.published"] = (
            f"咨询渠道「{elsewhere[0]['name']}」（{elsewhere[0]['url']}）未作为政务咨询类栏目读取，"
            "无法判断留言公开情况")
        return out
    if columns and not opened:
        out.checked["interaction.published"] = False
        out.reasons["interaction.published"] = "政务咨询类栏目未能打开，无法判断留言公开情况"
        return out
    rows: dict[str, dict] = {}
    texts = []
    for page in opened:
        rows.update(talk.list_fields(facts.html(page), page.get("final_url") or page["url"]))
        texts.append(facts.text(page))
    texts += [facts.text(p) for p in ctx.pages if serve.opened(p) and talk.STATISTICS.search(
        p.get("title") or "")][:MAX_SERVICE_PAGES]
    found, sample = talk.published_findings(
        site, columns, facts.letters, rows, texts, day,
        int(_setting(ctx, "interaction.published", "window_days")),
        int(_setting(ctx, "interaction.published", "sample")))
    out.findings += found
    out.checked["interaction.published"] = True
    out.facts["interaction_published"] = {"letter_sample": sample, "list_rows": len(rows)}
    return out
