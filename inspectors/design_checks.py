"""The 2019 checklist's 功能设计 findings (and 解读关联) from the page facts the crawl stored
(inspectors/design.py ``page_design`` on every page, ``design``): pure functions of stored page
documents, called by inspection/c2019_design.py.

A page is judged when it opened (status < 400, no error), is no frame of another page and carries
``design`` facts; a plain page whose footer a script fills (``footer.scripted``, not rendered) is
not judged for its footer (a plain fetch cannot see it) and is counted apart.

Findings use the indicator ids and rule keys of scoring/rules/checklist-2019.toml:
``design.marks``/``missing_mark``, ``design.page_tags``/``content_page``|``column_page``,
``design.report_errors``/``no_entry``|``missing_on_page``, ``design.domain``/``non_compliant``|
``not_named``|``name_not_prominent``, ``publish.interpretation_links``/``missing_link``.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import unicodedata
from functools import cache
from itertools import product
from pathlib import Path
from urllib.parse import urlsplit

from xunjian.inspectors import finding_id
from xunjian.inspectors.design import MARK_ITEMS

#: What was looked for, per footer item (a reviewer's words).
LOOKED_FOR = {
    "党政机关网站标识": "党政机关网站标识（链接 …/sitename?method=show&id=…、red.png 图片"
                        "或“党政机关”替代文字）",
    "网站标识码": "“网站标识码”及10位标识码",
    "ICP备案编号": "ICP备案编号（如 京ICP备05070218号）",
    "公安机关备案标识": "公安机关备案标识（如 京公网安备 11010202000001号）",
    "主办单位": "“主办单位”或“主办：”",
    "联系方式": "联系电话、电子邮箱或“联系我们”",
}
#: Meta tags a sampled page must carry (the 政府网站网页标签).
SITE_TAGS = ("SiteName", "SiteDomain", "SiteIDCode")
CONTENT_TAGS = SITE_TAGS + ("ArticleTitle", "PubDate", "ContentSource")
COLUMN_TAGS = SITE_TAGS + ("ColumnName", "ColumnType")
#: Pages sampled of each kind for design.page_tags, and 解读 pages for 解读关联.
TAG_SAMPLE = 5
INTERPRETATION_SAMPLE = 3
#: Pages without the 找错 entry priced at most (0.2 each, at most 1 with no_entry).
MISSING_ENTRY_UNITS = 5
#: Page URLs listed in a finding's evidence at most.
EXAMPLES = 20

SITE_CODE = re.compile(r"^(?:[A-Za-z]{2}\d{8}|\d{10})$")
INTERPRETATION = re.compile(r"解读")
POLICY_TYPE = "政策文件"
#: Link words of a 解读 page pointing at its document.
DOC_LINK = re.compile(r"原文|政策文件|文件全文|相关文件|相关政策|文件链接|^《.{2,80}》$|"
                      r"关于.{2,80}的(?:通知|意见|办法|决定|规定|方案|批复|公告|细则|规划|措施)$|"
                      r"[〔\[［]\d{4}[〕\]］]\s*\d+\s*号")
#: Link words of a policy document pointing at its 解读.
BACK_LINK = re.compile(r"解读|图解")
#: Host labels that name nothing.
GENERIC_LABELS = {"www", "gov", "cn", "com", "net", "org", "zw", "zwgk", "xxgk", "portal", "web",
                  "site", "m", "wap"}
REGION_SUFFIX = (r"(?:特别行政区|自治区|自治州|自治县|自治旗|地区|新区"
                 r"|省|市|州|盟|县|区|旗|镇|乡|街道)")
PLACE = re.compile(rf"[\u4e00-\u9fff]{{2,10}}?{REGION_SUFFIX}")
NAME_TAIL = re.compile(r"(?:门户网站|门户网|政府网站|政府网|网站|门户|官网|官方网站)$")


#: Pages of the national platforms a site serves through its own proxy (the conac certificate,
#: the 找错 form): not the site's own pages, never judged for its footer.
PLATFORM_PAGE = re.compile(r"/sitename\?method=show|/exposure/.*site_?code|jiucuo|zhaocuo|zfwzzc",
                           re.I)


def page_ok(page: dict) -> bool:
    return bool(page.get("design")) and not page.get("error") and \
        (page.get("status") or 0) < 400 and not page.get("frame_of") and \
        not PLATFORM_PAGE.search(_url(page))


def footer_judged(page: dict) -> bool:
    """A page whose footer facts can be trusted: not a plain page with a script-filled footer."""
    return page_ok(page) and not (page["design"].get("footer", {}).get("scripted")
                                  and not page.get("rendered"))


def _url(page: dict) -> str:
    return page.get("url") or page.get("final_url") or ""


def _finding(code: str, indicator: str, kind: str, rule: str, url: str, detail: str,
             evidence: dict, key: str, needs_review: bool = False, units: int = 1) -> dict:
    finding = {"id": finding_id(code, indicator, kind, key), "site": code,
               "indicator": indicator, "kind": kind, "rule": rule, "url": url, "page": url,
               "detail": detail, "needs_review": needs_review,
               "evidence": {"url": url, **evidence}}
    if units != 1:
        finding["units"] = units
    return finding


# -- design.marks --------------------------------------------------------------------------------

def marks_findings(site: dict, home: dict, pages: list[dict]) -> tuple[list[dict], dict]:
    """One finding per footer item missing on the homepage or on any judged page (evidence: the
    pages lacking it), plus a wrong-site 网站标识码 on the homepage awaiting review; and the
    facts (pages judged, per-item gaps)."""
    code = site["code"]
    judged = [p for p in pages if footer_judged(p)]
    if not any(p is home for p in judged):
        judged.insert(0, home)
    home_marks = home["design"].get("marks") or {}
    findings, gaps = [], {}
    for item in MARK_ITEMS:
        lacking = [p for p in judged if item not in (p["design"].get("marks") or {})]
        if not lacking:
            continue
        on_home = item not in home_marks
        gaps[item] = len(lacking)
        first = home if on_home else lacking[0]
        where = "首页" if on_home else f"页面 {_url(first)}"
        others = len(lacking) - on_home
        detail = f"{where}底部缺少{item}" + (f"；另有{others}个页面底部缺少" if others and on_home
                                            else f"（共{len(lacking)}个页面缺少）" if not on_home
                                            else "")
        findings.append(_finding(
            code, "design.marks", "missing_mark", "missing_mark", _url(first), detail,
            {"item": item, "looked_for": LOOKED_FOR[item], "on_home": on_home,
             "pages_lacking": len(lacking), "pages_judged": len(judged),
             "examples": [_url(p) for p in lacking[:EXAMPLES]],
             "screenshot": first.get("screenshot") or home.get("screenshot")},
            key=item))
    stated = (home_marks.get("网站标识码") or {}).get("text")
    verified = None
    if stated and SITE_CODE.match(code or ""):
        verified = stated.lower() == code.lower()
        if not verified:
            findings.append(_finding(
                code, "design.marks", "other_site_code", "missing_mark", _url(home),
                f"首页底部的网站标识码 {stated} 与登记的网站标识码 {code} 不符，待人工复核",
                {"item": "网站标识码", "stated": stated, "registered": code,
                 "screenshot": home.get("screenshot")},
                key="网站标识码:other", needs_review=True))
    facts = {"pages_judged": len(judged), "missing": gaps,
             "home": {k: v.get("text") for k, v in home_marks.items()},
             "site_code_verified": verified,
             "scripted_footers": sum(1 for p in pages if page_ok(p) and not footer_judged(p))}
    return findings, facts


# -- design.report_errors --------------------------------------------------------------------------

def report_errors_findings(site: dict, home: dict, pages: list[dict]) -> tuple[list[dict], dict]:
    """No 找错 entry on the homepage: no_entry; else the judged pages without it, one finding
    priced 0.2 per page up to ``MISSING_ENTRY_UNITS`` (the entry's part is at most 1)."""
    code = site["code"]
    entry = home["design"].get("report_errors")
    facts = {"home_entry": entry, "unanswered": "找错留言的答复情况须人工复核（不由本系统检查）"}
    if not entry:
        return [_finding(code, "design.report_errors", "no_entry", "no_entry", _url(home),
                         "首页未设置“我为政府网站找错”入口",
                         {"looked_for": "“我为政府网站找错”链接、图片替代文字、"
                                        "_jiucuo_ 脚本或找错平台路径",
                          "screenshot": home.get("screenshot")}, key="no_entry")], facts
    judged = [p for p in pages if footer_judged(p) and p is not home]
    lacking = [p for p in judged if not p["design"].get("report_errors")]
    facts.update(pages_judged=len(judged), pages_lacking=len(lacking))
    if not lacking:
        return [], facts
    units = min(len(lacking), MISSING_ENTRY_UNITS)
    first = lacking[0]
    return [_finding(code, "design.report_errors", "missing_on_page", "missing_on_page",
                     _url(first), f"{len(lacking)}个页面未设置“我为政府网站找错”入口"
                     + (f"（计{units}个）" if units < len(lacking) else ""),
                     {"pages_lacking": len(lacking), "pages_judged": len(judged),
                      "examples": [_url(p) for p in lacking[:EXAMPLES]],
                      "screenshot": first.get("screenshot")},
                     key="missing_on_page", units=units)], facts


# -- design.page_tags ----------------------------------------------------------------------------

def _sample(pages: list[dict], n: int) -> list[dict]:
    """``n`` pages chosen by a hash of their URL: the same pages for the same crawl, whatever
    order the crawl stored them in."""
    return sorted(pages, key=lambda p: hashlib.sha1(_url(p).encode()).hexdigest())[:n]


def tags_findings(site: dict, content_pages: list[dict],
                  column_pages: list[dict]) -> tuple[list[dict], dict]:
    code = site["code"]
    findings, facts = [], {}
    for kind, rule, wanted, pages in (("内容页", "content_page", CONTENT_TAGS, content_pages),
                                      ("栏目页", "column_page", COLUMN_TAGS, column_pages)):
        sampled = _sample([p for p in pages if page_ok(p)], TAG_SAMPLE)
        facts[rule] = {"sampled": [_url(p) for p in sampled], "lacking": 0}
        for page in sampled:
            tags = page["design"].get("tags") or {}
            missing = [t for t in wanted if t not in tags]
            if not missing:
                continue
            facts[rule]["lacking"] += 1
            findings.append(_finding(
                code, "design.page_tags", "missing_tags", rule, _url(page),
                f"{kind}缺少网页标签：{'、'.join(missing)}",
                {"missing": missing, "found": tags, "wanted": list(wanted), "page_kind": kind,
                 "screenshot": page.get("screenshot")},
                key=f"{rule}|{_url(page)}"))
    return findings, facts


# -- design.domain -------------------------------------------------------------------------------

def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().rstrip(".")


def literal_host(host: str) -> bool:
    """An IP address or a name without a dot (localhost): no domain to judge."""
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return "." not in host


@cache
def _readings() -> dict[str, tuple[str, ...]]:
    """GB2312 character → its readings without tones (inspectors/data, cut from pypinyin)."""
    table = {}
    path = Path(__file__).resolve().parent / "data" / "gb2312-readings.txt"
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            ch, readings = line.split()
            plain = {"".join(c for c in unicodedata.normalize("NFD", r)
                             if not unicodedata.combining(c)).replace("ü", "v")
                     for r in readings.split(",") if r}
            table[ch] = tuple(sorted(plain))
    return table


def spellings(word: str, limit: int = 32) -> set[str]:
    """The pinyin of ``word``, whole and by initials, over its characters' readings."""
    table = _readings()
    per_char = [table.get(ch, ()) for ch in word]
    if not word or not all(per_char):
        return set()
    out: set[str] = set()
    for n, combo in enumerate(product(*per_char)):
        if n >= limit:
            break
        out.add("".join(combo))
        out.add("".join(s[0] for s in combo))
    return out


def name_words(site: dict) -> list[str]:
    """The words a site's domain may be named after: its own place (清河县, 清河) and the unit
    after it (教育局, 教育)."""
    name = NAME_TAIL.sub("", site.get("name") or "")
    words: list[str] = []
    # the region's own place (河北省清河县 → 清河县: not the province above it), the name's places
    for place in PLACE.findall(site.get("region") or "")[-1:] + PLACE.findall(name):
        words += [place, re.sub(rf"{REGION_SUFFIX}$", "", place)]
    unit = name
    for place in PLACE.findall(name):
        unit = unit.replace(place, "")
    unit = re.sub(r"^人民政府|^政府", "", unit)
    if len(unit) >= 2:
        short = re.sub(r"(?:局|委员会|委|办公室|办|厅|部|署|中心)$", "", unit)
        words += [unit, short]
        if words[:2] and len(words) > 2:  # qhjy: the place and the unit together
            words.append(f"{words[1]}{short}")
    return [w for w in dict.fromkeys(words) if len(w) >= 2]


def named_after(host: str, site: dict) -> tuple[bool, list[str]]:
    """Whether a label of ``host`` spells one of the site's name words (whole, or by initials);
    the labels looked at."""
    labels = [x for x in host.split(".") if x and x not in GENERIC_LABELS and not x.isdigit()]
    spelled = set()
    for word in name_words(site):
        spelled |= {s for s in spellings(word) if len(s) >= 2}
    for label in labels:
        parts = re.split(r"[-_]", label)
        if any(s == p or (len(s) >= 3 and (p.startswith(s) or p.endswith(s)))
               for p in parts for s in spelled):
            return True, labels
    return False, labels


def prominent(site: dict, header: dict) -> str | None:
    """The site's name as its header shows it (text or a logo's alt/title), or None."""
    name = NAME_TAIL.sub("", site.get("name") or "")
    shown = [header.get("text") or "", *(header.get("alts") or [])]
    for candidate in dict.fromkeys(x for x in (site.get("name"), name) if x and len(x) >= 2):
        for text in shown:
            if candidate in text:
                return candidate
    return None


def domain_findings(site: dict, home: dict | None) -> tuple[list[dict], dict, str | None]:
    """design.domain: not under .gov.cn (non_compliant); no host label spells the site's place
    or unit (not_named, awaiting review: the spelling is a heuristic); the site's name not in the
    homepage's header text or logo alt (name_not_prominent, awaiting review: a logo image may
    show it). Returns (findings, facts, reason when it could not be checked)."""
    code = site["code"]
    url = (home or {}).get("final_url") or site.get("url") or ""
    host = host_of(url)
    if not host or literal_host(host):
        return [], {"host": host}, "IP地址访问，无法检查域名"
    shot = (home or {}).get("screenshot")
    findings = []
    gov = host.endswith(".gov.cn") or host.endswith(".xn--zfr164b.cn") or host.endswith(".政务.cn")
    if not gov:
        findings.append(_finding(code, "design.domain", "non_compliant", "non_compliant", url,
                                 f"网站域名 {host} 不在 .gov.cn 下", {"host": host,
                                                                    "screenshot": shot},
                                 key=f"non_compliant|{host}"))
    named, labels = named_after(host, site)
    if not named:
        findings.append(_finding(
            code, "design.domain", "not_named", "not_named", url,
            f"域名 {host} 未见以“{site.get('name')}”所属地区或部门的拼音命名，待人工复核",
            {"host": host, "labels": labels, "name_words": name_words(site), "screenshot": shot},
            key=f"not_named|{host}", needs_review=True))
    facts = {"host": host, "gov_cn": gov, "named": named}
    if home and home.get("design"):
        header = home["design"].get("header") or {}
        shown = prominent(site, header)
        facts["header_name"] = shown
        if shown is None:
            findings.append(_finding(
                code, "design.domain", "name_not_prominent", "name_not_prominent", _url(home),
                f"首页页头文字及标志图片说明中未见网站名称“{site.get('name')}”，待人工复核",
                {"header": header, "looked_for": site.get("name"), "screenshot": shot},
                key="name_not_prominent", needs_review=True))
    return findings, facts, None


# -- publish.interpretation_links ----------------------------------------------------------------

def _links(page: dict) -> list[dict]:
    return [x for x in page.get("links") or [] if x.get("tag") in (None, "a", "area")]


def interpretation_findings(site: dict, interpretations: list[dict], by_url: dict[str, dict],
                            policy_urls: set[str]) -> tuple[list[dict], dict]:
    """For each sampled 解读 page: a link to its policy document (a link named like a document,
    or to a page of a 政策文件 column), and the document's link back (named 解读, or to the 解读
    page). A direction that cannot be seen (the document was not crawled) is not charged."""
    code = site["code"]
    findings, rows = [], []
    for page in interpretations[:INTERPRETATION_SAMPLE]:
        url = _url(page)
        own = {url, page.get("final_url")}
        docs = [x for x in _links(page) if x["url"] not in own and not BACK_LINK.search(
            x.get("text") or "") and (x["url"] in policy_urls or DOC_LINK.search(
                (x.get("text") or "").strip()))]
        doc = docs[0] if docs else None
        target = by_url.get(doc["url"]) if doc else None
        row = {"url": url, "title": page.get("title"), "document": doc and doc["url"],
               "to_document": bool(doc), "to_interpretation": None}
        if target is not None and page_ok(target):
            row["to_interpretation"] = any(
                x["url"] in own or BACK_LINK.search(x.get("text") or "") for x in _links(target))
        elif doc is None:  # a crawled document linking here shows the way back
            back = next((p for p in by_url.values() if p is not page and page_ok(p)
                         and _url(p) in policy_urls and any(x["url"] in own
                                                            for x in _links(p))), None)
            row["to_interpretation"] = True if back else None
            row["document"] = back and _url(back)
        rows.append(row)
        shot = page.get("screenshot")
        if not row["to_document"]:
            findings.append(_finding(
                code, "publish.interpretation_links", "missing_link", "missing_link", url,
                f"政策解读“{page.get('title') or url}”未链接其政策文件",
                {"direction": "解读→文件",
                 "looked_for": "指向政策文件的链接（原文、政策文件、《…》）",
                 "screenshot": shot}, key=f"{url}|解读→文件"))
        if row["to_interpretation"] is False:
            findings.append(_finding(
                code, "publish.interpretation_links", "missing_link", "missing_link",
                row["document"],
                f"政策文件 {row['document']} 未链接其解读“{page.get('title') or url}”",
                {"direction": "文件→解读", "interpretation": url,
                 "looked_for": "指向解读的链接（相关解读、政策解读、图解）",
                 "screenshot": target.get("screenshot")}, key=f"{url}|文件→解读"))
    return findings, {"sampled": rows}
