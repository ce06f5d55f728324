"""Interaction (互动回应情况): letters, surveys, interviews. Pure: stored facts + as-of in.

Facts (stored by the spider, see spiders/site.py):

* ``column_pages`` — every registered column page rendered, with its list ``items`` (the
  freshness facts); here the 政务咨询类栏目, 调查征集类栏目 and 互动访谈类栏目 ones are read.
* ``item_dates`` — dates found on the pages of undated list items.
* ``letters`` — one per letter page opened from a consultation list (bounded): ``{"column_url",
  "url", "title", "list_date", "asked", "replied", "has_reply", "status", "error"}``; dates are
  raw found dates (inspectors/dates.py), ``letter_facts`` reads them from the page.

Findings (rules of scoring/rules/census-2015.toml):

* ``veto.unresponsive`` rule ``unanswered_letter`` — a letter asked in the year before as-of and
  unanswered more than 90 days (no reply and asked > 90 days ago, or replied > 90 days later).
* ``interaction.consultation`` rule ``no_column`` / ``no_letters`` — no consultation column;
  no letter asked in the year in any consultation column.
* ``interaction.survey`` / ``interaction.interview`` rule ``no_column`` (surveys only),
  ``no_activity`` (column unusable — does not open or is empty — or no activity in the year),
  ``few_activities`` (fewer than 6 for 门户网站, 3 for other sites). A column unusable on
  strong evidence (soft 404, HTTP error, refused connection, a timeout plain HTTP confirms:
  ``urlcheck.verdict``) counts at once; a wall, a failure of the browser alone or an unreadable
  list waits for a reviewer.
"""

from __future__ import annotations

import re
from datetime import date

from xunjian.inspectors import finding_id
from xunjian.inspectors.dates import date_in_text, resolve
from xunjian.base.html import parse_html
from xunjian.scoring.rules import Rules, load_rules
from xunjian.scoring.time import as_of_date
from xunjian.urlcheck.verdict import stored_usability

INDICATORS = ("veto.unresponsive", "interaction.consultation", "interaction.survey",
              "interaction.interview")
CONSULTATION = "政务咨询类栏目"
SURVEY = "调查征集类栏目"
INTERVIEW = "互动访谈类栏目"
#: Column names that are not consultation columns even when registered as one.
EXCLUDED_NAMES = re.compile(r"在线访谈|访谈|调查征集|征集|举报投诉|举报")

_DATE = r"((?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}日?(?:\s*\d{1,2}:\d{2})?)"
ASKED = re.compile(r"(?:来信|提问|留言|写信|咨询|提交|发信|投递)(?:时间|日期)\s*[:：]?\s*" + _DATE)
REPLIED = re.compile(r"(?:回复|答复|回信|办结|反馈)(?:时间|日期)\s*[:：]?\s*" + _DATE)
REPLY_TEXT = re.compile(r"(?:回复内容|答复内容|回复意见|答复意见|处理结果|办理结果|回复)\s*[:：]\s*"
                        r"(?!\s*(?:暂无|无|待回复|未回复|办理中|处理中)\b)(\S.{3,})")
NOT_REPLIED = re.compile(r"未回复|待回复|尚未回复|暂未回复|正在办理|办理中|待处理")


def _text(html: str) -> str:
    doc = parse_html(html)
    if doc is None:
        return ""
    for bad in doc.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    return re.sub(r"\s+", " ", doc.text_content() or "")


#: The published letter's fields the 2019 table asks for (留言公开) besides its dates.
UNIT_LABEL = r"(?:回复|答复|办理|处理|承办|受理|办复|反馈)(?:单位|部门|机构|机关)"
REPLY_UNIT = re.compile(UNIT_LABEL + r"\s*[:：]?\s*([^\s:：]{2,40})")
REPLY_CONTENT = re.compile(r"(?:回复|答复|办理|处理)(?:内容|意见|结果)\s*[:：]?\s*"
                           r"(?!\s*(?:暂无|无|待回复|未回复|办理中|处理中)(?:\s|$))(\S.{3,})")
#: What a value after a field label must not be: the next label.
_LABEL_WORD = re.compile(r"^(?:回复|答复|来信|留言|写信|办理|处理)"
                         r"(?:时间|日期|内容|意见|状态|结果)")


def _spaced_text(html: str) -> str:
    """The page's text with a space between every element's text (table cells stay apart)."""
    doc = parse_html(html)
    if doc is None:
        return ""
    for bad in doc.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    return re.sub(r"\s+", " ", " ".join(doc.itertext()))


def letter_fields(html: str, asked, replied) -> tuple[dict[str, bool], str | None]:
    """Which of 留言时间/答复时间/答复单位/答复内容 a letter's page shows, and the unit named."""
    text = _spaced_text(html)
    unit = next((m.group(1) for m in REPLY_UNIT.finditer(text)
                 if not _LABEL_WORD.match(m.group(1))), None)
    content = next((m for m in REPLY_CONTENT.finditer(text)
                    if not _LABEL_WORD.match(m.group(1))), None)
    return {"留言时间": bool(asked), "答复时间": bool(replied), "答复单位": bool(unit),
            "答复内容": bool(content)}, unit


def letter_facts(html: str) -> dict:
    """Question date, reply date and whether a reply exists, read from one letter's page."""
    text = _text(html)
    asked = ASKED.search(text)
    replied = REPLIED.search(text)
    asked_d = date_in_text(asked.group(1), allow_year_implied=False) if asked else None
    replied_d = date_in_text(replied.group(1), allow_year_implied=False) if replied else None
    has_reply = bool(replied_d) or bool(REPLY_TEXT.search(text))
    if not replied_d and NOT_REPLIED.search(text) and not REPLY_TEXT.search(text):
        has_reply = False
    return {"asked": asked_d, "replied": replied_d, "has_reply": has_reply}


#: What the spider stores of a letter it could not read as HTML.
NO_LETTER = {"asked": None, "replied": None, "has_reply": False,
             "fields": dict.fromkeys(("留言时间", "答复时间", "答复单位", "答复内容"), False),
             "reply_unit": None}


def letter_record(html: str) -> dict:
    """What the spider stores of one letter's page: ``letter_facts`` (dates, reply) and which
    published fields it shows (``fields``, ``reply_unit``: the 2019 table's 留言公开)."""
    facts = letter_facts(html)
    fields, unit = letter_fields(html, facts["asked"], facts["replied"])
    return {**facts, "fields": fields, "reply_unit": unit}


def _site_kind(site: dict) -> str:
    return "门户网站" if site.get("type") == "门户网站" else "其他"


def _by_column(column_pages: list[dict], kind: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for page in column_pages:
        column = page.get("column") or {}
        if column.get("type") != kind:
            continue
        if kind == CONSULTATION and EXCLUDED_NAMES.search(column.get("name") or ""):
            continue
        out.setdefault(column.get("url") or page["url"], []).append(page)
    return out


#: Statuses anti-bot walls answer with: a column behind one may well open for people.
WALL_STATUSES = {202, 403, 412, 429, 503, 521}


def _usable(pages: list[dict]) -> bool:
    return any(stored_usability(p)["usable"] and p.get("items") for p in pages)


def _column_verdict(pages: list[dict]) -> dict:
    """The usability of a column: its first list page's (one verdict with the link check of its
    URL, urlcheck/verdict.py)."""
    first = min(pages, key=lambda p: p.get("list_page") or 1)
    return stored_usability(first)


def _strongly_unusable(columns: dict[str, list[dict]]) -> bool:
    """Every column unusable on evidence as strong as a broken link's (a soft 404, an HTTP error,
    a refused connection, a timeout plain HTTP confirms): the table's 栏目不可用 is charged at
    once. A wall, a failure of the browser alone or a page that opens without a readable list
    waits for a reviewer."""
    verdicts = [_column_verdict(pages) for pages in columns.values()]
    return bool(verdicts) and all(not v["usable"] and v["strong"] for v in verdicts)


def _finding(code, indicator, kind, rule, url, detail, evidence, key=None) -> dict:
    return {"id": finding_id(code, indicator, kind, key or url or ""), "site": code,
            "indicator": indicator, "kind": kind, "rule": rule, "url": url, "page": url,
            "detail": detail, "needs_review": False, "evidence": evidence}


def activity_findings(site: dict, column_pages: list[dict], item_dates: list[dict], as_of,
                      kind: str, indicator_id: str, rules: Rules) -> list[dict]:
    """Surveys or interviews: activities dated in the window, against the 6/3 thresholds."""
    code, day = site["code"], as_of_date(as_of)
    indicator = rules.indicator(indicator_id)
    window = indicator.window_days or 365
    columns = _by_column(column_pages, kind)
    site_url = site.get("url")
    if not columns:
        if "no_column" not in indicator.points:
            return []  # 互动访谈: no deduction without a column
        return [_finding(code, indicator_id, "no_column", "no_column", site_url,
                         indicator.reasons["no_column"], {"column_type": kind})]
    dates = {d["url"]: d.get("date") for d in item_dates if d.get("date")}
    counted, described, shots = [], [], []
    for url, pages in columns.items():
        seen = set()
        usable = _usable(pages)
        n = 0
        for page in pages:
            shots.append(page.get("screenshot"))
            for item in page.get("items") or []:
                when = resolve(item.get("date") or dates.get(item.get("url") or ""), day)
                key = item.get("url") or item.get("title")
                if when is None or key in seen or not 0 <= (day - when).days <= window:
                    continue
                seen.add(key)
                n += 1
                counted.append({"title": item.get("title"), "url": item.get("url"),
                                "date": when.isoformat(), "column": url})
        verdict = _column_verdict(pages)
        described.append({"url": url, "name": (pages[0].get("column") or {}).get("name"),
                          "usable": usable, "activities": n,
                          "status": pages[0].get("status"), "error": pages[0].get("error"),
                          "reason": verdict["reason"], "detail": verdict["detail"]})
    site_kind = _site_kind(site)
    few = indicator.thresholds.get("few_activities", {})
    minimum = int(few.get(site_kind, 6 if site_kind == "门户网站" else 3)) \
        if hasattr(few, "get") else int(few)
    evidence = {"column_type": kind, "columns": described, "count": len(counted),
                "minimum": minimum, "site_type": site_kind, "window_days": window,
                "activities": counted[:50],
                "screenshot": next((s for s in shots if s), None)}
    first = next(iter(columns))
    if not counted:
        unusable = not any(c["usable"] for c in described)
        why = "栏目不可用" if unusable else f"{window}天内未开展活动"
        finding = _finding(code, indicator_id, "no_activity", "no_activity", first,
                           f"{indicator.reasons['no_activity']}（{why}）", evidence)
        if unusable and any(c["status"] in WALL_STATUSES or c["reason"] == "waf_challenge"
                            for c in described):
            # like a wall-blocked link: it counts only once a reviewer confirms it
            finding["needs_review"] = True
            finding["detail"] += "（疑似防护墙拦截，需人工复核）"
        return [_unsure(finding, unusable, _undated(columns, item_dates, day),
                        _strongly_unusable(columns))]
    if len(counted) < minimum:
        return [_unsure(_finding(code, indicator_id, "few_activities", "few_activities", first,
                                 f"{indicator.reasons['few_activities']}：{len(counted)}次",
                                 evidence), False, _undated(columns, item_dates, day))]
    return []


def unanswered_letters(code: str, columns: dict[str, list[dict]], letters: list[dict], day: date,
                       window: int, limit: int, veto_id: str = "veto.unresponsive",
                       reason: str = "") -> tuple[list[dict], list[dict], dict]:
    """Letters of the consultation ``columns`` asked in the ``window`` days before as-of, and
    one ``unanswered_letter`` finding per letter read that waited more than ``limit`` days for
    its reply (replied late, or no reply and asked longer ago). Returns (findings, the letters
    of the window, column URL → screenshot)."""
    opened = {x["url"]: x for x in letters if x.get("column_url") in columns}
    findings, in_year, shots = [], [], {}
    for url, pages in columns.items():
        seen = set()
        for page in pages:
            shots[url] = shots.get(url) or page.get("screenshot")
            for item in page.get("items") or []:
                if item.get("url") in seen:
                    continue
                seen.add(item.get("url"))
                letter = opened.get(item.get("url") or "") or {}
                asked = resolve(letter.get("asked") or item.get("date"), day)
                if asked is None or not 0 <= (day - asked).days <= window:
                    continue
                replied = resolve(letter.get("replied"), day)
                record = {"title": item.get("title"), "url": item.get("url"), "column": url,
                          "asked": asked.isoformat(),
                          "replied": replied.isoformat() if replied else None,
                          "has_reply": bool(letter.get("has_reply") or replied),
                          "opened": bool(letter)}
                in_year.append(record)
                if not letter or letter.get("error"):
                    continue  # the page was not read: whether it was answered is unknown
                if replied is not None:
                    late = (replied - asked).days > limit
                    waited = (replied - asked).days
                elif not record["has_reply"]:
                    late = (day - asked).days > limit
                    waited = (day - asked).days
                else:
                    late = False
                    waited = None
                if late:
                    how = (f"{waited}天后才回复" if replied else f"已{waited}天未回复")
                    findings.append(_finding(
                        code, veto_id, "unanswered_letter", "unanswered_letter", item.get("url"),
                        f"{reason}：「{record['title']}」{record['asked']}来信，{how}",
                        {**record, "days": waited, "limit_days": limit,
                         "letter_status": letter.get("status"),
                         "screenshot": letter.get("screenshot") or shots.get(url)}))
    return findings, in_year, shots


def consultation_findings(site: dict, column_pages: list[dict], letters: list[dict], as_of,
                          rules: Rules) -> list[dict]:
    code, day = site["code"], as_of_date(as_of)
    consult = rules.indicator("interaction.consultation")
    veto = rules.indicator("veto.unresponsive")
    window = consult.window_days or 365
    limit = int(veto.thresholds.get("unanswered_days", 90))
    columns = _by_column(column_pages, CONSULTATION)
    site_url = site.get("url")
    if not columns:
        return [_finding(code, consult.id, "no_column", "no_column", site_url,
                         consult.reasons["no_column"], {"column_type": CONSULTATION})]
    opened = {x["url"]: x for x in letters if x.get("column_url") in columns}
    findings, in_year, shots = unanswered_letters(code, columns, letters, day, window, limit,
                                                  veto.id, veto.reasons["unanswered_letter"])
    if not in_year:
        first = next(iter(columns))
        findings.append(_unsure(_finding(
            code, consult.id, "no_letters", "no_letters", first, consult.reasons["no_letters"],
            {"columns": [{"url": u, "name": (p[0].get("column") or {}).get("name"),
                          "status": p[0].get("status"), "error": p[0].get("error"),
                          "reason": _column_verdict(p)["reason"],
                          "detail": _column_verdict(p)["detail"],
                          "items": sum(len(x.get("items") or []) for x in p)}
                         for u, p in columns.items()],
             "window_days": window, "screenshot": shots.get(first)}),
            not any(_usable(p) for p in columns.values()),
            _undated(columns, [], day, letters=opened), _strongly_unusable(columns)))
    return findings


def _undated(columns: dict[str, list[dict]], item_dates: list[dict], day: date,
             letters: dict[str, dict] | None = None) -> int:
    """Listed items whose date is unknown: no date on the list, none found on the item's own
    page (``item_dates``), and for letters none read from the opened letter."""
    dates = {d["url"] for d in item_dates if d.get("date")}
    unknown = set()
    for pages in columns.values():
        for page in pages:
            for item in page.get("items") or []:
                url = item.get("url") or ""
                letter = (letters or {}).get(url) or {}
                if resolve(item.get("date"), day) is None and url not in dates \
                        and not letter.get("asked"):
                    unknown.add(url or item.get("title"))
    return len(unknown)


def _unsure(finding: dict, unusable: bool, unknown: int, strong: bool = False) -> dict:
    """What the machine could not see counts only once a reviewer confirms it (with the
    screenshot of what was seen): a column that did not open or whose list could not be read, or
    a count that misses items whose dates could not be read. A column unusable on evidence as
    strong as a broken link's (``strong``: a soft 404, an HTTP error, a refused connection) was
    seen: it counts at once, as a broken link does (a reviewer can still reject it)."""
    if unusable and strong and not finding["needs_review"]:
        finding["detail"] += "（栏目打不开或返回错误页面）"
    elif unusable and not finding["needs_review"]:
        finding["needs_review"] = True
        finding["detail"] += "（栏目未能打开或列表无法识别，需人工复核）" \
            if "栏目不可用" not in finding["detail"] else "（需人工复核）"
    elif unknown:
        finding["needs_review"] = True
        finding["detail"] += f"（{unknown}条日期无法确定，需人工复核）"
    finding["evidence"]["undated"] = unknown
    finding["evidence"]["column_unusable"] = unusable
    return finding


def interaction_checks(site: dict, column_pages: list[dict],
                       letters: list[dict]) -> tuple[dict[str, bool], dict[str, dict]]:
    """Which interaction indicators really ran, and why not where they did not.

    ``veto.unresponsive`` judges letters read: with consultation columns but not one letter page
    read (the column did not open, its list could not be read, or every letter failed to open),
    it is unchecked with the reason. Without a consultation column there is no letter to answer
    (``interaction.consultation`` charges ``no_column``), so it is checked. The other three always
    run: what they could not see is a finding awaiting review (``_unsure``), never a silent 0.
    """
    checks = dict.fromkeys(INDICATORS, True)
    columns = _by_column(column_pages, CONSULTATION)
    if not columns:
        return checks, {}
    read = [x for x in letters if x.get("column_url") in columns and not x.get("error")
            and (x.get("status") or 0) < 400 and x.get("status") is not None]
    if read:
        return checks, {}
    described = [{"name": (p[0].get("column") or {}).get("name"), "url": u,
                  "status": p[0].get("status"), "error": p[0].get("error"),
                  "items": sum(len(x.get("items") or []) for x in p),
                  "screenshot": next((x.get("screenshot") for x in p if x.get("screenshot")),
                                     None)} for u, p in columns.items()]
    opened = [x for x in letters if x.get("column_url") in columns]
    if not any(_usable(p) for p in columns.values()):
        code, detail = "consultation_column_unread", "政务咨询类栏目未能打开或列表无法识别"
    else:
        code, detail = "letters_unread", f"政务咨询类栏目的信件均未能打开（{len(opened)}封）"
    checks["veto.unresponsive"] = False
    return checks, {"veto.unresponsive": {
        "reason": code, "detail": detail + "，无法判断是否存在超过三个月未回应的信件",
        "columns": described,
        "screenshot": next((c["screenshot"] for c in described if c["screenshot"]), None)}}


def interaction_findings(site: dict, column_pages: list[dict], item_dates: list[dict],
                         letters: list[dict], as_of, rules: Rules | None = None) -> list[dict]:
    rules = rules or load_rules()
    return (consultation_findings(site, column_pages, letters, as_of, rules)
            + activity_findings(site, column_pages, item_dates, as_of, SURVEY,
                                "interaction.survey", rules)
            + activity_findings(site, column_pages, item_dates, as_of, INTERVIEW,
                                "interaction.interview", rules))
