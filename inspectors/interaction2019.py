"""互动交流 under checklist-2019: 留言公开 (interaction.published) and 互动回应差
(veto.unresponsive). Pure: stored column pages (their list items and HTML), letters and the
homepage's links in.

* ``interaction.published`` — ``none_published``: no consultation column, or none lists a letter;
  of 5 letters sampled (``spread_sample`` over the columns, answered ones first) ``missing_field``
  for each that does not show all of 留言时间/答复时间/答复单位/答复内容 (a letter not answered
  yet: its 留言时间) — read from the list's
  table (``list_fields``: its header row names the columns, 来信时间/回复时间/回复单位…) and
  from the letter's own page (the spider's ``fields``, inspectors/interaction.py
  ``letter_record``); ``stale`` when the newest 留言时间 is older than 60 days before as-of;
  ``no_statistics`` when no page of the columns shows handling statistics (信件统计, 来信总数,
  已办结 N 件, 办结率…).
* ``veto.unresponsive`` — ``no_channel``: neither a consultation column nor a homepage link to
  one other than 信访 and 纪检举报; ``unanswered_letter``: the census's reading of the letters
  (inspectors/interaction.py ``unanswered_letters``) with the 2019 rules' window and limit.

The consultation columns of 2019 leave out what the census leaves out (访谈, 征集, 举报) and also
信访 and 纪检监察 channels: the table names them as no channel for consultation.
"""

from __future__ import annotations

import re
from datetime import date

from xunjian.base.html import parse_html
from xunjian.inspectors import finding_id
from xunjian.inspectors.dates import date_in_text, resolve
from xunjian.inspectors.interaction import CONSULTATION, EXCLUDED_NAMES, unanswered_letters
from xunjian.inspectors.service2019 import spread_sample

FIELDS = ("留言时间", "答复时间", "答复单位", "答复内容")
#: Column names that are no consultation channel under 2019 (besides the census's).
NOT_CHANNEL = re.compile(EXCLUDED_NAMES.pattern + r"|信访|纪检|监察|纪委")
#: Homepage link texts that lead to a consultation channel.
CHANNEL_LINK = re.compile(r"信箱|咨询|留言|写信|我要问|问政|民声|民意|政民互动|互动交流|12345|"
                          r"热线|建言|献策|意见建议|在线问答|网民|你问我答|百姓呼声|诉求")
#: A list table's header cell → the field its column holds.
_HEADERS = (
    ("留言时间", re.compile(r"^(?:来信|留言|提问|写信|咨询|提交|发信|投递|诉求)(?:时间|日期)$")),
    ("答复时间", re.compile(r"^(?:回复|答复|回信|办结|反馈|处理)(?:时间|日期)$")),
    ("答复单位", re.compile(r"^(?:回复|答复|办理|处理|承办|受理|办复|反馈)"
                        r"(?:单位|部门|机构|机关)$")),
    ("答复内容", re.compile(r"^(?:回复|答复|办理|处理)(?:内容|意见|结果)$")),
)
_EMPTY_CELL = re.compile(r"^[\s\-—/／]*$|^(?:暂无|无|待回复|未回复|办理中|处理中|待处理)$")
#: Handling statistics of the letters (办理情况统计).
STATISTICS = re.compile(r"信件统计|来信统计|留言统计|办理情况统计|办理统计|来信总数|留言总数|"
                        r"信件总数|受理总数|累计(?:收到|受理|来信|留言)|"
                        r"共(?:收到|受理)[^。]{0,12}(?:来信|留言|信件)|"
                        r"已办结\s*[:：]?\s*\d|办结率|回复率|答复率|已回复\s*[:：]?\s*\d")


def _cell(el) -> str:
    return re.sub(r"\s+", "", el.text_content() or "")


def list_fields(html: str | None, base_url: str) -> dict[str, dict[str, str | None]]:
    """Letter URL → the published fields its list row shows (field → cell text, None when the
    list has no such column or the cell is empty), for tables whose header row names them."""
    from urllib.parse import urljoin

    doc = parse_html(html)
    if doc is None:
        return {}
    out: dict[str, dict[str, str | None]] = {}
    for table in doc.iter("table"):
        rows = [r for r in table.iter("tr") if r.xpath("ancestor::table[1]")[0] is table]
        header, columns = None, {}
        for n, row in enumerate(rows):
            cells = [c for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")]
            names = {f: i for i, c in enumerate(cells) for f, rx in _HEADERS
                     if rx.match(_cell(c))}
            if names and header is None:
                header, columns = n, names
                continue
            if header is None:
                continue
            link = next((a for a in row.iter("a") if (a.get("href") or "").strip()[:1]
                         not in ("", "#")), None)
            if link is None:
                continue
            url = urljoin(base_url, link.get("href").strip()).split("#")[0]
            values = {}
            for field in FIELDS:
                i = columns.get(field)
                text = _cell(cells[i]) if i is not None and i < len(cells) else ""
                values[field] = None if _EMPTY_CELL.match(text) else text
            out[url] = values
    return out


def consultation_columns(column_pages: list[dict]) -> dict[str, list[dict]]:
    """Consultation column URL → its stored pages, without 2019's non-channels."""
    out: dict[str, list[dict]] = {}
    for page in column_pages:
        column = page.get("column") or {}
        if column.get("type") != CONSULTATION or NOT_CHANNEL.search(column.get("name") or ""):
            continue
        out.setdefault(column.get("url") or page["url"], []).append(page)
    return out


def _finding(code, indicator, kind, rule, url, detail, evidence, needs_review=False,
             key=None) -> dict:
    return {"id": finding_id(code, indicator, kind, key or url or ""), "site": code,
            "indicator": indicator, "kind": kind, "rule": rule, "url": url, "page": url,
            "detail": detail, "needs_review": needs_review, "evidence": evidence}


def _read(letter: dict) -> bool:
    return not letter.get("error") and letter.get("status") is not None \
        and (letter.get("status") or 0) < 400


def _shown(letter: dict, row: dict) -> list[str]:
    """The fields a letter shows on its list row or its own page."""
    own = letter.get("fields") or {}
    return [f for f in FIELDS if row.get(f) or own.get(f)]


def _answered(letter: dict, row: dict) -> bool:
    return bool(letter.get("has_reply") or letter.get("replied") or row.get("答复时间")
                or row.get("答复内容"))


def letter_sample(columns: dict[str, list[dict]], letters: list[dict], n: int = 5) -> list[dict]:
    """``n`` letters read from the columns, spread over them; answered ones first."""
    read = [x for x in letters if x.get("column_url") in columns and _read(x)]
    answered = [x for x in read if _answered(x, {})]
    def group(letter: dict) -> str:
        return letter.get("column_url") or ""

    sample = spread_sample(answered, n, group)
    return sample + spread_sample([x for x in read if x not in answered], n - len(sample), group)


def newest_asked(columns: dict[str, list[dict]], letters: list[dict], rows: dict[str, dict],
                 day: date) -> tuple[date | None, bool]:
    """The newest 留言时间 up to as-of — from the letters and list columns that name it; else
    the list's own dates (which may be reply dates: the answer is then only a bound, ``True``)."""
    asked = [resolve(x.get("asked"), day) for x in letters if x.get("column_url") in columns]
    asked += [resolve(date_in_text(r["留言时间"], allow_year_implied=False), day)
              for r in rows.values() if r.get("留言时间")]
    asked = [d for d in asked if d and d <= day]
    if asked:
        return max(asked), False
    listed = [resolve(x.get("date"), day) for pages in columns.values() for p in pages
              for x in p.get("items") or []]
    listed = [d for d in listed if d and d <= day]
    return (max(listed), True) if listed else (None, True)


def published_findings(site: dict, columns: dict[str, list[dict]], letters: list[dict],
                       rows: dict[str, dict], texts: list[str], day: date, window: int = 60,
                       n: int = 5) -> tuple[list[dict], list[str]]:
    """interaction.published. ``rows``: letter URL → list fields (``list_fields`` of every
    column page); ``texts``: the column pages' texts (handling statistics). Returns
    (findings, the sampled letters' URLs)."""
    code, ind = site["code"], "interaction.published"
    listed = {x.get("url") for pages in columns.values() for p in pages
              for x in p.get("items") or []}
    if not columns or not listed:
        why = "未开设政务咨询类栏目" if not columns else "政务咨询类栏目未公开任何留言"
        return [_finding(code, ind, "none_published", "none_published",
                         next(iter(columns), site.get("url")), f"未公开留言：{why}",
                         {"columns": list(columns)})], []
    first = next(iter(columns))
    shots = {u: next((p.get("screenshot") for p in pages if p.get("screenshot")), None)
             for u, pages in columns.items()}
    out = []
    sample = letter_sample(columns, letters, n)
    for letter in sample:
        row = rows.get(letter["url"]) or {}
        shown = _shown(letter, row)
        # a letter not answered yet cannot show its reply (the veto judges how long it waits)
        wanted = FIELDS if _answered(letter, row) else FIELDS[:1]
        missing = [f for f in wanted if f not in shown]
        if missing:
            out.append(_finding(
                code, ind, "missing_field", "missing_field", letter["url"],
                f"公开的留言「{letter.get('title') or letter['url']}」未公开{'、'.join(missing)}",
                {"missing": missing, "shown": shown, "column": letter.get("column_url"),
                 "reply_unit": letter.get("reply_unit"),
                 "screenshot": letter.get("screenshot") or shots.get(letter.get("column_url"))}))
    newest, bound = newest_asked(columns, letters, rows, day)
    if newest is None or (day - newest).days > window:
        when = newest.isoformat() if newest else None
        out.append(_finding(
            code, ind, "stale", "stale", first,
            f"留言公开{window}天内无新留言"
            + (f"（最新留言{when}）" if when else "（留言日期无法确定）")
            + ("（需人工复核）" if bound else ""),
            {"newest": when, "window_days": window, "screenshot": shots.get(first)},
            needs_review=bound))
    if not any(STATISTICS.search(t or "") for t in texts):
        out.append(_finding(code, ind, "no_statistics", "no_statistics", first,
                            "未公开留言办理情况统计（来信总数、办结数等）",
                            {"columns": list(columns), "screenshot": shots.get(first)}))
    return out, [x["url"] for x in sample]


def channel_findings(site: dict, columns: dict[str, list[dict]], home_links: list[dict]
                     ) -> tuple[list[dict], list[dict]]:
    """veto.unresponsive no_channel: no consultation column and no homepage link to a channel
    other than 信访 and 纪检举报. Returns (findings, the channels found)."""
    found = [{"url": u, "name": (p[0].get("column") or {}).get("name"), "from": "column"}
             for u, p in columns.items()]
    found += [{"url": x["url"], "name": x.get("text"), "from": "homepage"} for x in home_links
              if CHANNEL_LINK.search(x.get("text") or "")
              and not NOT_CHANNEL.search(x.get("text") or "")]
    if found:
        return [], found
    return [_finding(site["code"], "veto.unresponsive", "no_channel", "no_channel",
                     site.get("url"), "未提供网上有效咨询建言渠道（信访、纪检举报除外）"
                     "（未发现咨询建言栏目或首页入口，需人工确认）",
                     {"home_links": len(home_links)},
                     # a veto from what the crawl did not find: a reviewer confirms it first
                     needs_review=True)], []


def unanswered_findings(site: dict, columns: dict[str, list[dict]], letters: list[dict],
                        day: date, window: int = 365, limit: int = 90,
                        reason: str = "") -> list[dict]:
    """veto.unresponsive unanswered_letter: a letter of the window unanswered > ``limit`` days."""
    reason = reason or "监测时间点前1年内，政务咨询类栏目中存在超过三个月未回应的留言"
    return unanswered_letters(site["code"], columns, letters, day, window, limit,
                              "veto.unresponsive", reason)[0]
