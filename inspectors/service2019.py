"""办事服务 under checklist-2019 (国办秘函〔2019〕19号): guides, forms, catalogue, statistics and
the veto 服务不实用. Pure: stored facts (guide pages and their HTML, downloads, pages) in,
findings out.

The guide reader is inspectors/guide.py's, given the 2019 table's 10 elements
(``ELEMENTS_2019``): the census's 8 with their labels from the census rules file, plus 办理机构 and
收费标准, whose labels are data here (``MORE_SYNONYMS``; a rules file's ``service.guide`` params
``synonyms`` adds to them). The census card keeps reading its 8 and pricing them as before.

Findings (indicator / rule, as scoring/rules/checklist-2019.toml prices them):

* ``service.guide`` — of 5 sampled services (``spread_sample``: the guide columns in URL order,
  one service of each in turn, each column's in URL order): ``no_guide`` when the guide does not
  open or shows none of the elements but a title; ``missing_element`` with units = missing
  elements of the 10; ``vague_material`` when 办理材料 asks for 其他材料; ``unclear_format``
  when 办理材料 names materials but no format for any (原件/复印件, 纸质/电子, 份数, 规格, 盖章 —
  in its own text, a note or a 材料形式/份数 column); ``policy_without_content``
  when 设定依据 names policies (《…》) without an article, content or link.
* ``service.forms`` — of 2 sampled guides that name or link a form (申请表, 样表, 示范文本…):
  ``forms_missing`` when a form is not offered, or its download fails.
* ``veto.service_impractical`` — ``no_service`` (no guide column, guide or service entrance at
  all); ``guides_lacking`` (≥5 services, all of them when fewer, lack ≥4 of the 10 elements).
* ``service.catalogue`` — ``no_catalogue``: no page lists the services by category (个人办事 /
  法人办事 / 按主题 / 按部门…); unchecked when the site sends visitors to a platform elsewhere.
* ``service.statistics`` — ``no_statistics`` / ``stale_1m`` / ``stale_3m``: the newest date of a
  办件统计/办事统计/办件公示 page or column against as-of.
"""

from __future__ import annotations

import re
from datetime import date

from xunjian.base.html import parse_html
from xunjian.inspectors import finding_id
from xunjian.inspectors.content import article_date
from xunjian.inspectors.dates import full_dates, resolve
from xunjian.inspectors.guide import (
    download_links,
    form_mentions,
    inspect_guide,
    label_table,
    other_labels,
    synonyms,
)
from xunjian.inspectors.guide import form_words as census_form_words
from xunjian.urlcheck.verdict import page_usability, stored_usability

ELEMENTS_2019 = ("事项名称", "设定依据", "申请条件", "办理材料", "办理地点", "办理机构", "收费标准",
                 "办理时间", "联系电话", "办理流程")

#: The 2019 table's two elements the census did not name → the labels real guides use for them.
MORE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "办理机构": ("办理机构", "实施机关", "实施主体", "实施机构", "实施部门", "实施单位", "受理机构",
             "受理部门", "受理单位", "办理部门", "办理单位", "承办机构", "承办部门", "承办单位",
             "决定机关", "决定机构", "责任部门", "责任单位", "审批部门", "审批机关", "许可机关",
             "办事部门", "主管部门", "行使主体", "实施主体名称", "办理机关", "受理机关"),
    "收费标准": ("收费标准", "收费依据及标准", "收费标准及依据", "收费依据", "是否收费", "收费情况",
             "收费项目", "收费项目及标准", "收费项目及依据", "收费依据和标准", "收费", "办理费用",
             "费用标准", "收费金额", "收费说明", "是否收费及依据"),
}
#: A guide that says it costs nothing has its fee element, labelled or not.
_FREE = re.compile(r"不收费|免费办理|免收|不收取(?:任何)?费用|无收费|零收费|无需缴费|不需缴费|"
                   r"无须缴费|免费受理")
_NO_FEE_VALUES = {"无", "否", "不", "免", "免费", "不收费", "无收费", "零", "0", "0元"}
#: 办理材料 asking for "other materials" (兜底条款) — not after 无/不需.
_VAGUE = re.compile(r"(?<![无不需须用])其他(?:相关|有关|必要|必需|所需|需要(?:提交|提供)?的?|"
                    r"要求的?)?(?:材料|资料|证明材料|证件|文件)")
#: 办理材料 that states a format: original or copy, paper or electronic, how many, size, seal.
_FORMAT = re.compile(r"原件|复印件|复制件|影印件|扫描件|原本|正本|副本|电子|纸质|书面|"
                     r"(?<![身股])份|A4|a4|规格|格式|形式|加盖|盖章|签字|签名|签章|彩色|寸|"
                     r"PDF|pdf|JPG|jpg|验原")
#: 办理材料 that asks for nothing: there is no format to state.
_NO_MATERIAL = re.compile(r"^[\s（(]*(?:无|不需|无需|无须|免于?提交|免交|不用|暂无)|^[/／\-—]+$")
#: The reader keeps this many characters of a value: a longer 办理材料 was cut, its format
#: note may be in the part not kept, so it is not judged.
_VALUE_KEPT = 1000
_POLICY_NAME = re.compile(r"《[^》]{2,60}》")
_ARTICLE = re.compile(r"第[一二三四五六七八九十百千零〇两\d]+[条款项章]|条款|规定[:：]")
#: 2019 form words beyond the census's (示范文本 of a contract, 范本 of a filled form).
MORE_FORM_WORDS = ("示范文本", "范本", "样本")
#: A page or link that lists services by category: what a category is called.
_CATEGORY = re.compile(r"个人办事|法人办事|个人服务|法人服务|企业办事|企业服务|自然人|按主题|"
                       r"主题服务|主题分类|按部门|部门服务|部门分类|按对象|按事项|按类别|按行业|按生命周期|"
                       r"个人事项|法人事项|企业事项")
_SERVICE_PAGE = re.compile(r"办事|服务|指南|事项")
_PLATFORM = re.compile(r"政务服务网|政务服务平台|网上办事大厅|网上服务大厅|政务服务中心|一网通办|"
                       r"办事大厅")
_STATISTICS = re.compile(r"办件统计|办事统计|办件公示|办件信息|办理统计|办件量|办件情况|办件数据|"
                         r"办结情况|受理情况|办件结果|办件动态|办件查询统计")
_SERVICE_LINK = re.compile(r"办事|政务服务|在线服务|网上服务|便民服务|办事指南|服务事项|一网通办")


def _finding(code, indicator, kind, rule, url, page, detail, evidence, needs_review=False,
             units=1, key=None) -> dict:
    finding = {"id": finding_id(code, indicator, kind, key or url or ""), "site": code,
               "indicator": indicator, "kind": kind, "rule": rule, "url": url,
               "page": page or url, "detail": detail, "needs_review": needs_review,
               "evidence": evidence}
    if units != 1:
        finding["units"] = units
    return finding


# -- reading a guide with the 2019 elements --------------------------------------------------


def guide_labels(elements: tuple[str, ...] = ELEMENTS_2019,
                 more: dict | None = None) -> tuple:
    """The reader's labels for ``elements``: the census rules' synonyms, ``MORE_SYNONYMS`` and
    ``more`` (a rules file's service.guide params synonyms), the census's other labels."""
    table: dict[str, tuple[str, ...]] = {}
    for source in (synonyms(), MORE_SYNONYMS, more or {}):
        for cat, labels in source.items():
            if cat in elements:
                table[cat] = tuple(dict.fromkeys(table.get(cat, ()) + tuple(labels)))
    return label_table(table, other_labels())


def guide_reading(html: str | None, url: str, elements: tuple[str, ...] = ELEMENTS_2019,
                  more: dict | None = None, form_words: tuple[str, ...] | None = None) -> dict:
    """One guide page read for the 2019 table: its elements, the vague material and the policy
    named without content it shows (None when not), the forms it names and the files it links."""
    read = inspect_guide(html, tuple(elements), guide_labels(tuple(elements), more),
                         max_value=_VALUE_KEPT, extra=True)
    found = read["elements"]
    fee = found.get("收费标准")
    if fee is not None and not fee["present"]:
        value = re.sub(r"\s+", "", fee.get("value") or "")
        if fee["label"] and value in _NO_FEE_VALUES:
            fee["present"] = True  # 收费标准：无 states the fee: none
        elif _FREE.search(_page_text(html)):
            found["收费标准"] = {"present": True, "label": "(正文)", "value":
                             _FREE.search(_page_text(html)).group(0), "linked": False}
    material = found.get("办理材料") or {}
    vague = _VAGUE.search(material.get("value") or "") if material.get("present") else None
    unclear = _unclear_format(material)
    policy = found.get("设定依据") or {}
    value = policy.get("value") or ""
    bare = re.sub(r"[\s、，,；;。.和及与]", "", _POLICY_NAME.sub("", value))
    names_only = policy.get("present") and _POLICY_NAME.search(value) and not policy.get(
        "linked") and not _ARTICLE.search(value) and len(bare) <= 6
    doc = parse_html(html)
    downloads = download_links(doc, url) if doc is not None else []
    words = tuple(form_words or (census_form_words() + MORE_FORM_WORDS))
    mentions = form_mentions(doc, downloads, words) if doc is not None else []
    return {"elements": found, "title": read["title"],
            "vague_material": vague.group(0) if vague else None,
            "unclear_format": unclear,
            "policy_without_content": value[:200] if names_only else None,
            "mentions": mentions,
            "downloads": [{k: v for k, v in d.items() if k != "_el"} for d in downloads]}


def _unclear_format(material: dict) -> str | None:
    """The 办理材料 text when it names materials but states no format for any of them (neither
    原件/复印件, nor 纸质/电子, nor 份数, size or seal); None when it states one, asks for
    nothing, or was cut before its end."""
    text = re.sub(r"\s+", " ", material.get("value") or "").strip()
    if not material.get("present") or len(text) < 2 or len(text) >= _VALUE_KEPT - 10:
        return None
    if _NO_MATERIAL.search(text) or _FORMAT.search(text):
        return None
    return text[:300]


def _page_text(html: str | None) -> str:
    doc = parse_html(html)
    if doc is None:
        return ""
    for bad in doc.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    return re.sub(r"\s+", " ", doc.text_content() or "")


# -- which services --------------------------------------------------------------------------


def spread_sample(docs: list[dict], n: int, group=None) -> list[dict]:
    """``n`` documents, deterministic and spread: groups (default: the guide's column URL) in
    order, one document of each in turn, each group's in URL order."""
    group = group or (lambda d: (d.get("column") or {}).get("url") or "")
    groups: dict[str, list[dict]] = {}
    for doc in sorted(docs, key=lambda d: d.get("url") or ""):
        groups.setdefault(group(doc), []).append(doc)
    queues = [groups[k] for k in sorted(groups)]
    out: list[dict] = []
    while len(out) < n and any(queues):
        for queue in queues:
            if queue and len(out) < n:
                out.append(queue.pop(0))
    return out


def opened(page: dict) -> bool:
    return not page.get("error") and page.get("status") is not None \
        and (page.get("status") or 0) < 400


def _failure(page: dict) -> dict:
    """How sure a guide's failure is: an HTTP error is judged on its status (a 404 is sure, a
    wall's 403 waits for a reviewer), a browser error as the page check judges it."""
    status = page.get("status")
    if status is not None and status >= 400:
        return page_usability(status, None)
    return stored_usability(page)


def _missing(reading: dict, elements: tuple[str, ...]) -> list[str]:
    found = reading["elements"]
    return [c for c in elements if not (found.get(c) or {}).get("present")]


def _no_content(reading: dict, elements: tuple[str, ...]) -> bool:
    """A page that opened but shows no guide: none of the elements, or only the item's name."""
    return len(elements) - len(_missing(reading, elements)) <= 1


# -- service.guide and the veto ---------------------------------------------------------------


def guide_findings(site: dict, sample: list[dict], readings: dict[str, dict],
                   elements: tuple[str, ...] = ELEMENTS_2019) -> list[dict]:
    """The sampled services' guides: no guide, missing elements, vague material, bare policy."""
    code, out = site["code"], []
    ind = "service.guide"
    for g in sample:
        url, shot = g["url"], g.get("screenshot")
        name = (g.get("title") or "").strip() or url
        column = (g.get("column") or {}).get("name")
        reading = readings.get(url)
        if not opened(g) or reading is None or _no_content(reading, elements):
            # sure when the page does not exist; a page that opened without one element the
            # reader knows, or a wall, is shown to a reviewer (screenshot) before it counts
            failure = _failure(g) if not opened(g) else None
            why = (f"办事指南页面打不开（{failure['detail']}）" if failure
                   else "页面未提供办事指南内容（需人工复核）")
            out.append(_finding(code, ind, "no_guide", "no_guide", url, g.get("referrer"),
                                f"抽查事项「{name}」无办事指南：{why}",
                                {"column": column, "status": g.get("status"),
                                 "error": g.get("error"), "screenshot": shot},
                                needs_review=not failure or not failure["strong"]))
            continue
        title = reading.get("title") or name
        missing = _missing(reading, elements)
        evidence = {"column": column, "title": title, "screenshot": shot}
        if missing:
            out.append(_finding(
                code, ind, "missing_element", "missing_element", url, url,
                f"办事指南「{title}」缺少要素：{'、'.join(missing)}",
                {**evidence, "missing": missing,
                 "present": [c for c in elements if c not in missing]}, units=len(missing)))
        if reading["vague_material"]:
            out.append(_finding(
                code, ind, "vague_material", "vague_material", url, url,
                f"办事指南「{title}」办理材料含模糊表述「{reading['vague_material']}」",
                {**evidence, "material": reading["elements"]["办理材料"]["value"][:300]}))
        if reading.get("unclear_format"):
            out.append(_finding(
                code, ind, "unclear_format", "unclear_format", url, url,
                f"办事指南「{title}」办理材料未写明格式要求（原件或复印件、纸质或电子、份数）："
                f"{reading['unclear_format'][:80]}",
                {**evidence, "material": reading["unclear_format"]}))
        if reading["policy_without_content"]:
            out.append(_finding(
                code, ind, "policy_without_content", "policy_without_content", url, url,
                f"办事指南「{title}」设定依据只列政策名称，无具体内容："
                f"{reading['policy_without_content'][:80]}",
                {**evidence, "basis": reading["policy_without_content"]}))
    return out


def impractical_findings(site: dict, guides: list[dict], readings: dict[str, dict],
                         has_service: bool, elements: tuple[str, ...] = ELEMENTS_2019,
                         lacking: int = 4, services: int = 5) -> list[dict]:
    """veto.service_impractical: no service at all, or ≥``services`` services (all of them when
    fewer) whose guide lacks ≥``lacking`` elements. Services: every guide page opened, and
    those whose page surely does not open (a guide that does not exist lacks everything)."""
    code, ind = site["code"], "veto.service_impractical"
    if not has_service:
        return [_finding(code, ind, "no_service", "no_service", site.get("url"), None,
                         "未提供办事服务：未发现办事指南栏目、办事指南或办事服务入口（需人工确认）",
                         {"guides": 0},
                         # a veto from what the crawl did not find: a reviewer confirms it first
                         needs_review=True)]
    counted, bad = [], []
    for g in guides:
        reading = readings.get(g["url"])
        if opened(g) and reading is not None:
            gone = _missing(reading, elements)
        elif not opened(g) and _failure(g)["strong"]:
            gone = list(elements)
        else:
            continue
        counted.append(g["url"])
        if len(gone) >= lacking:
            bad.append({"url": g["url"], "title": g.get("title"), "missing": gone,
                        "screenshot": g.get("screenshot"),
                        "unread": opened(g) and len(elements) - len(gone) <= 1})
    fires = len(bad) >= services or (counted and len(bad) == len(counted))
    if not fires:
        return []
    # pages the reader found nothing on may be a layout it does not know: a reviewer looks first
    unsure = sum(not b["unread"] for b in bad) < min(services, len(counted))
    return [_finding(code, ind, "guides_lacking", "guides_lacking", bad[0]["url"], None,
                     f"{len(bad)}个事项的办事指南缺失{lacking}类及以上重点要素"
                     + ("（全部事项）" if len(counted) < services else "")
                     + ("（部分页面未识别出任何要素，需人工复核）" if unsure else ""),
                     {"count": len(bad), "services": len(counted), "lacking": lacking,
                      "guides": bad[:20], "screenshot": bad[0]["screenshot"]},
                     needs_review=unsure, key=site.get("url"))]


# -- service.forms ----------------------------------------------------------------------------


def forms_findings(site: dict, ordered: list[dict], readings: dict[str, dict],
                   downloads: list[dict], n: int = 2) -> tuple[list[dict], list[str]]:
    """Of the first ``n`` guides (in sample order) that name or link a form: one finding per
    guide whose forms cannot be obtained — a download it offers for a form fails, or it names
    forms it does not offer and has no working download at all (a guide's one working
    《表格下载》 link is taken to offer the forms it names). Returns (findings, sampled URLs)."""
    failed = {d["url"]: d for d in downloads if not d.get("ok")}
    sample = [g for g in ordered if opened(g) and readings.get(g["url"])
              and (readings[g["url"]]["mentions"] or readings[g["url"]]["downloads"])][:n]
    out = []
    for g in sample:
        reading = readings[g["url"]]
        working = [d["url"] for d in reading["downloads"] if d["url"] not in failed]
        lost = [m["name"] for m in reading["mentions"] if not m.get("offered")]
        broken = [m["name"] for m in reading["mentions"]
                  if m.get("offered") and m["offered"] in failed]
        if not reading["mentions"] and not working:
            broken = [d.get("name") or d["url"] for d in reading["downloads"]]
        if not broken and (not lost or working):
            continue
        title = reading.get("title") or g["url"]
        parts = ([f"未提供下载：{'、'.join(lost)}"] if lost and not working else []) + (
            [f"无法下载：{'、'.join(broken)}"] if broken else [])
        out.append(_finding(
            site["code"], "service.forms", "forms_missing", "forms_missing", g["url"], g["url"],
            f"办事指南「{title}」的表格样表无法获取（{'；'.join(parts)}）",
            {"not_offered": lost if not working else [], "download_failed": broken,
             "downloads": [failed[d["url"]] for d in reading["downloads"]
                           if d["url"] in failed],
             "title": title, "screenshot": g.get("screenshot")}))
    return out, [g["url"] for g in sample]


# -- service.catalogue and service.statistics -------------------------------------------------


def catalogue_check(site: dict, pages: list[dict]) -> tuple[list[dict], dict]:
    """``pages``: ``{"url", "title", "text", "links"}`` of the site's service pages (the
    homepage, pages a service link leads to, guide columns). Returns (findings, verdict):
    verdict ``{"checked", "reason"?, "catalogue"?}``."""
    for page in pages:
        words = set(_CATEGORY.findall(page.get("text") or ""))
        words |= {m for x in page.get("links") or []
                  for m in _CATEGORY.findall(x.get("text") or "")}
        if len(words) >= 2 and (_SERVICE_PAGE.search(page.get("title") or "")
                                or _SERVICE_PAGE.search(page.get("text") or "")):
            return [], {"checked": True, "catalogue": {"url": page["url"],
                                                         "categories": sorted(words)}}
    outside = [x for p in pages for x in p.get("links") or []
               if x.get("external") and _PLATFORM.search(x.get("text") or "")]
    if outside:
        return [], {"checked": False, "reason": (
            f"办事服务在站外平台「{outside[0].get('text')}」（{outside[0]['url']}），"
            "未抓取，事项是否集中分类展示需人工核实"), "platform": outside[0]["url"]}
    return [_finding(site["code"], "service.catalogue", "no_catalogue", "no_catalogue",
                     site.get("url"), None, "办事事项未按主题、部门或服务对象分类集中展示",
                     {"pages_read": [p["url"] for p in pages][:20]})], {"checked": True}


def statistics_candidates(pages: list[dict]) -> tuple[list[dict], list[dict]]:
    """(pages that are a 办件统计/办事统计/办件公示 page, links naming one whose page was not
    read). ``pages``: ``{"url", "title", "links", "column"?}``."""
    by_url = {p["url"]: p for p in pages}
    named = {x["url"]: x for p in pages for x in p.get("links") or []
             if _STATISTICS.search(x.get("text") or "")}
    found = [p for p in pages if _STATISTICS.search(
        f"{p.get('title') or ''} {(p.get('column') or {}).get('name') or ''}") or p["url"] in named]
    unread = [x for u, x in named.items() if u not in by_url]
    return found, unread


def newest_date(html: str | None, url: str, items: list[dict], day: date) -> date | None:
    """The newest date on a statistics page up to as-of: its list items', else the page's own
    date (its byline, without the site's furniture: a 网站更新 footer is no date of it), else
    the newest full date in its text."""
    dates = [resolve(x.get("date"), day) for x in items or []]
    dates = [d for d in dates if d and d <= day]
    if not dates and html:
        own = resolve(article_date(html, url=url), day)
        dates = [own] if own and own <= day else [
            d for d in (resolve(x, day) for x in full_dates(_page_text(html))) if d and d <= day]
    return max(dates) if dates else None


def statistics_findings(site: dict, found: list[dict], unread: list[dict], day: date,
                        month: int = 30, months3: int = 90) -> tuple[list[dict], dict]:
    """``found``: candidate pages with ``newest`` (a date or None). Returns (findings, verdict).
    None found: ``no_statistics``, unless a link names one whose page was not read (unchecked);
    the newest date older than ``month`` days ``stale_1m``, than ``months3`` ``stale_3m``; a
    page without a date ``stale_3m`` awaiting review."""
    code, ind = site["code"], "service.statistics"
    if not found:
        if unread:
            return [], {"checked": False, "reason": (
                f"办件统计「{unread[0].get('text')}」（{unread[0]['url']}）未抓取，"
                "无法判断其更新情况")}
        return [_finding(code, ind, "no_statistics", "no_statistics", site.get("url"), None,
                         "未发现办事统计（办件统计、办件公示）栏目或页面", {})], {"checked": True}
    dated = [p for p in found if p.get("newest")]
    if not dated:
        page = found[0]
        return [_finding(code, ind, "undated_statistics", "stale_3m", page["url"], None,
                         f"办事统计「{page.get('title') or page['url']}」未标注日期，"
                         "无法判断是否更新（需人工复核）",
                         {"screenshot": page.get("screenshot")}, needs_review=True)], \
            {"checked": True}
    page = max(dated, key=lambda p: p["newest"])
    age = (day - page["newest"]).days
    evidence = {"newest": page["newest"].isoformat(), "days": age,
                "screenshot": page.get("screenshot"), "title": page.get("title")}
    if age > months3:
        rule, words = "stale_3m", "3个月"
    elif age > month:
        rule, words = "stale_1m", "1个月"
    else:
        return [], {"checked": True, "statistics": {"url": page["url"], **evidence}}
    return [_finding(code, ind, rule, rule, page["url"], None,
                     f"办事统计「{page.get('title') or page['url']}」超过{words}未更新"
                     f"（最新{evidence['newest']}，距监测时间点{age}天）", evidence)], \
        {"checked": True}


def has_service_link(links: list[dict]) -> bool:
    """Whether the homepage leads to a service (办事服务, 政务服务网, 办事指南…)."""
    return any(_SERVICE_LINK.search(x.get("text") or "") or _PLATFORM.search(x.get("text") or "")
               for x in links)


def service_link_pages(links: list[dict]) -> set[str]:
    """URLs the homepage's service links lead to (pages a catalogue may be on)."""
    return {x["url"] for x in links if _SERVICE_LINK.search(x.get("text") or "")}
