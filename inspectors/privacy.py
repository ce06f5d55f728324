"""个人信息泄露 candidates (content.privacy): text of a page or an attachment → one finding.

Pure: no I/O, no clock (the latest plausible birth date is passed in). What counts:

* 身份证号 — 18 digits (the last may be X) with a valid GB 11643 check digit, a province code that
  exists and a birth date that is a real day between 1900 and the given day; old 15-digit numbers
  with a province code and a real 19YY birth date;
* 手机号 — 1[3-9] and 9 more digits (as 11 digits, or 3-4-4 with spaces or hyphens), not part of a
  longer number;
* 银行卡号 — 16 to 19 digits (or groups of four) with a valid Luhn digit and an issuer prefix a
  card in China carries (62/60 UnionPay, 4 Visa, 51-55 Mastercard, 35 JCB, 94/95 domestic).

Look-alikes are refused by what stands just before them on the same line: 备案号, 公网安备, ICP,
网站标识码, 文号/〔2024〕, 订单号, 快递/运单号, 流水号, 编号, 统一社会信用代码 and the like. Office
numbers with an area code (0571-87654321) never match a mobile. A number inside a longer run of
digits or letters is never one of these.

The full number never leaves this module: a finding holds masked values (``mask``) and counts,
and its ``context`` has every long run of digits masked too. The stored page or attachment keeps
the original.
"""

from __future__ import annotations

import re
from datetime import date

from xunjian.base.html import parse_html
from xunjian.inspectors import finding_id

INDICATOR = "content.privacy"
KIND = "privacy_leak"
RULE = "leak"
ID_CARD, MOBILE, BANK_CARD = "身份证号", "手机号", "银行卡号"
TYPES = (ID_CARD, MOBILE, BANK_CARD)
#: masked values a finding lists (the count says how many there were)
MAX_SAMPLES = 5
#: characters before a number searched for a word that makes it something else
CONTEXT_BEFORE = 14

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
#: GB/T 2260 province codes (the first two digits of a 身份证号)
PROVINCES = frozenset({11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43,
                       44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91})
_CARD_PREFIX = re.compile(r"^(?:62|60|4|5[1-5]|35|9[45])")

_ID18 = re.compile(r"(?<![0-9A-Za-z])(\d{17}[0-9Xx])(?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<![0-9A-Za-z])(\d{15})(?![0-9A-Za-z])")
_CARD = re.compile(r"(?<![0-9A-Za-z])(\d{16,19}|\d{4}(?: \d{4}){3}(?: \d{1,3})?)(?![0-9A-Za-z])")
_MOBILE = re.compile(
    r"(?<![0-9A-Za-z\-－])(1[3-9]\d(?:\d{8}|[ \-]\d{4}[ \-]\d{4}))(?![0-9A-Za-z]|[\-－]\d)")
#: words that make the number after them something other than personal data
_NOT_PERSONAL = re.compile(
    r"(备案|ICP|icp|公网安备|网安备|标识码|网站代码|文号|发文字号|〔|\[\d{4}\]|［|订单|单号|快递|运单|"
    r"物流|流水号|编号|编码|序列号|批号|批次|信用代码|机构代码|组织代码|税号|纳税人识别号|登记号|注册号|"
    r"证书号|许可证号|合同号|项目号|项目代码|档案号|条码|条形码|索引号|电话|传真|邮编|工号|学号|"
    r"准考证|考号|车架号|发票)[^。；;，,\n]{0,12}$")
#: a mobile may follow 电话/联系方式 (a person's number); only the other words refuse it
_NOT_PERSONAL_MOBILE = re.compile(
    r"(备案|ICP|icp|公网安备|网安备|标识码|文号|〔|订单|单号|快递|运单|物流|流水号|编号|编码|"
    r"序列号|批号|信用代码|税号|登记号|注册号|证书号|许可证号|合同号|档案号|条码|索引号|发票)"
    r"[^。；;，,\n]{0,12}$")
_LONG_DIGITS = re.compile(r"\d[\d \-]{9,}\d[Xx]?")

_BLOCKS = {"p", "div", "br", "tr", "td", "th", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4",
           "h5", "h6", "dd", "dt", "dl", "section", "article", "header", "footer", "option",
           "title", "blockquote", "pre", "form", "hr"}


def id_check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def _real_day(year: int, month: int, day: int, latest: date) -> bool:
    try:
        born = date(year, month, day)
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= latest


def valid_id18(number: str, latest: date) -> bool:
    number = number.upper()
    if len(number) != 18 or not number[:17].isdigit() or int(number[:2]) not in PROVINCES:
        return False
    if id_check_digit(number[:17]) != number[17]:
        return False
    return _real_day(int(number[6:10]), int(number[10:12]), int(number[12:14]), latest)


def valid_id15(number: str, latest: date) -> bool:
    if len(number) != 15 or not number.isdigit() or int(number[:2]) not in PROVINCES:
        return False
    return _real_day(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]), latest)


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def valid_card(number: str) -> bool:
    return 16 <= len(number) <= 19 and bool(_CARD_PREFIX.match(number)) and luhn_ok(number)


def mask(value: str, data_type: str) -> str:
    """110105199003070017 → 110105********0017; 13812345678 → 138****5678; a card keeps its
    first four and last four digits."""
    v = re.sub(r"[^0-9Xx]", "", value).upper()
    if data_type == ID_CARD:
        return v[:6] + "*" * (len(v) - 10) + v[-4:]
    if data_type == MOBILE:
        return v[:3] + "****" + v[-4:]
    return v[:4] + "*" * (len(v) - 8) + v[-4:]


def _refused(text: str, start: int, words: re.Pattern) -> bool:
    line_start = max(text.rfind("\n", 0, start), start - CONTEXT_BEFORE - 1) + 1
    return bool(words.search(text[line_start:start]))


def find_personal(text: str, latest: date | None = None) -> list[tuple[str, str, int, int]]:
    """(data type, number as written, start, end) of every personal number in ``text``, in
    order. ``latest``: the latest plausible birth date (default: the end of 2100 — pass the
    inspection's day)."""
    latest = latest or date(2100, 12, 31)
    taken = bytearray(len(text))  # 1: a character of a number already judged
    found: list[tuple[str, str, int, int]] = []

    def scan(pattern: re.Pattern, data_type: str, valid, words: re.Pattern) -> None:
        for m in pattern.finditer(text):
            raw = m.group(1)
            start, end = m.span(1)
            if taken.find(1, start, end) >= 0:
                continue  # a digit of it belongs to a number already judged
            digits = raw.replace(" ", "").replace("-", "") if " " in raw or "-" in raw else raw
            if not valid(digits):
                continue
            # a valid number, or a look-alike by its context: its digits are no other number
            taken[start:end] = b"\1" * (end - start)
            if not _refused(text, start, words):
                found.append((data_type, raw, start, end))

    scan(_ID18, ID_CARD, lambda n: valid_id18(n, latest), _NOT_PERSONAL)
    scan(_CARD, BANK_CARD, valid_card, _NOT_PERSONAL)
    scan(_ID15, ID_CARD, lambda n: valid_id15(n, latest), _NOT_PERSONAL)
    scan(_MOBILE, MOBILE, lambda n: True, _NOT_PERSONAL_MOBILE)
    return sorted(found, key=lambda x: x[2])


def masked_text(text: str, latest: date | None = None) -> str:
    """``text`` with every personal number masked and every other long run of digits too."""
    out, at = [], 0
    for data_type, _raw, start, end in find_personal(text, latest):
        out += [text[at:start], mask(text[start:end], data_type)]
        at = end
    out.append(text[at:])
    return _LONG_DIGITS.sub(lambda m: m.group(0) if "*" in m.group(0) else
                            m.group(0)[:3] + "*" * (len(m.group(0)) - 5) + m.group(0)[-2:],
                            "".join(out))


def html_text(html: str) -> str:
    """The visible text of a page, a line per block and per table cell (two cells' digits never
    run together); scripts, styles and comments left out."""
    doc = parse_html(html)
    if doc is None:
        return ""
    for el in doc.xpath("//script|//style|//noscript|//template"):
        el.drop_tree()  # keeps the text after it
    parts: list[str] = []
    _walk(doc, parts)
    return re.sub(r"[ \t\xa0\u3000]+", " ", "".join(parts))


def _walk(el, parts: list[str]) -> None:
    block = isinstance(el.tag, str) and el.tag.lower() in _BLOCKS
    if block:
        parts.append("\n")
    if isinstance(el.tag, str) and el.text:
        parts.append(el.text)
    for child in el:
        _walk(child, parts)
        if child.tail:
            parts.append(child.tail)
    if block:
        parts.append("\n")


def privacy_finding(site: dict, text: str, url: str, *, where: str = "page",
                    attachment_url: str | None = None, title: str = "",
                    latest: date | None = None) -> dict | None:
    """The one finding of a page (``where`` "page") or attachment ("attachment"; ``url`` is the
    page linking it), or None without personal data. Masked values only."""
    found = find_personal(text, latest)
    if not found:
        return None
    counts: dict[str, int] = {}
    samples: list[str] = []
    for data_type, raw, _s, _e in found:
        counts[data_type] = counts.get(data_type, 0) + 1
        if len(samples) < MAX_SAMPLES and (masked := mask(raw, data_type)) not in samples:
            samples.append(masked)
    types = {t: counts[t] for t in TYPES if counts.get(t)}
    first_type, first_raw, start, end = found[0]
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    context = masked_text(text[max(line_start, start - 40): min(
        line_end if line_end >= 0 else len(text), end + 40)], latest).strip()
    code = site.get("code", "")
    target = attachment_url or url
    counted = "、".join(f"{t}{n}个" for t, n in types.items())
    what = "附件" if where == "attachment" else "页面"
    return {
        "id": finding_id(code, INDICATOR, KIND, f"{where}|{target}"),
        "site": code, "indicator": INDICATOR, "kind": KIND, "rule": RULE,
        "url": target, "page": url,
        "detail": f"{what}含疑似个人信息：{counted}（如{samples[0]}）（机器发现的候选，需人工复核）",
        "needs_review": True,
        "evidence": {"data_type": first_type, "masked": samples[0], "count": len(found),
                     "types": types, "samples": samples, "url": url, "in": where,
                     "attachment_url": attachment_url, "page_title": title,
                     "context": context},
    }
