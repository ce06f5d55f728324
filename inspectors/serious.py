"""严重错误 candidates (veto.serious_error): page text → findings a reviewer confirms or rejects.

Pure: no I/O besides reading the rules data once, no clock. Input is one *page unit* per page the
crawl fetched (``page_unit`` builds one from stored HTML)::

    {"url", "referrer", "title", "html" | "blocks": [(text, hidden)], "alts": [str],
     "frames": [{"url", "text"}], "date": "YYYY-MM-DD" | None, "date_of": callable | absent,
     "hidden_links": [{"url", "text", "how"}] | None, "rendered": bool, "screenshot": blob | None}

Output: findings of indicator ``veto.serious_error``, ``needs_review`` true, one ``kind`` of

* ``leader_name`` — a national title followed by a name that did not hold it on the page's date
  (国务院总理李克强 on a page of 2025), or a near-miss of a leader's name (one character wrong,
  a homophone, two characters swapped) beside a leader's title or in a leader context;
* ``prohibited`` — gambling / porn / fraud spam, reactionary or violent words, unless the
  sentence (or the page title) condemns them (揭批, 严厉打击 …); one finding per page and category;
* ``hidden_link`` — 暗链: links to another domain a visitor cannot see (from the rendered page's
  computed style, or for plain pages from inline styles only); one finding per page;
* ``typo`` — wrong writings of fixed political and official terms and of the site's region,
  and common wrong words.

Every word, name, title and date lives in ``scoring/rules/serious-*.toml``. A finding's id is
stable while the page's sentence is unchanged (page URL + rule + match + hash of the sentence),
so a rejected candidate stays rejected on the next inspection (scoring/card.py carries reviews
over by finding id and evidence digest).
"""

from __future__ import annotations

import bisect
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import ahocorasick  # pyahocorasick: one pass over a sentence finds every listed phrase
import lxml.etree

from xunjian.inspectors import finding_id
from xunjian.base.html import parse_html
from xunjian.browser.outline import NO_SHOT, NOT_MEASURED, OUTSIDE, within
from xunjian.scoring.rules import RULES_DIR as SCORING_RULES

INDICATOR = "veto.serious_error"
RULES_DIR = SCORING_RULES  # the rules files are the scoring stage's data
#: kind → rule key of the veto's reasons in census-2015.toml
RULE_OF = {"leader_name": "serious_typo", "typo": "serious_typo", "prohibited": "prohibited",
           "hidden_link": "prohibited"}
#: a title's holder is judged on the page's date only outside this grace around a hand-over
GRACE_DAYS = 30
#: how a sentence says the title is of the past (时任国务院总理…)
PAST = re.compile(r"(时任|原任|原|前任|前|曾任|已故|首任|历任)$")
YEAR = re.compile(r"((?:19|20)\d\d)\s*年")
SENTENCE_END = re.compile(r"[。！？!?；;\n]+")
CJK = re.compile(r"^[\u4e00-\u9fff]+$")
SPACE = re.compile(r"\s+")
INLINE_TAGS = {"a", "span", "font", "b", "strong", "i", "em", "u", "sup", "sub", "small", "big",
               "label", "abbr", "cite", "code", "q", "s", "strike", "ins", "del", "mark", "nobr"}
SKIP_TAGS = {"script", "style", "noscript", "template", "head", "select", "option", "textarea"}
MAX_SENTENCE = 160  # characters of a sentence kept as evidence (around the match)
MAX_LINKS = 30  # hidden links listed on one finding
SECOND_LEVEL_CN = {"com", "net", "org", "gov", "edu", "ac", "mil"}
#: how a menu or a dialog is hidden (not 暗链 by itself) / how 暗链 hide
WEAK_HIDING = re.compile(r"display|visibility|hidden$|collapse")
STRONG_HIDING = re.compile(r"off-screen|zero-size|marquee|color|font-size|opacity|clip")


# -- rules data -------------------------------------------------------------------------------

@dataclass
class Title:
    title: str
    holders: list[tuple[str, date, date | None]]
    unique: bool = True


@dataclass
class SeriousRules:
    titles: dict[str, Title] = field(default_factory=dict)
    suffixes: dict[str, list[str]] = field(default_factory=dict)  # suffix → full titles
    names: list[str] = field(default_factory=list)  # every holder, longest first
    context_after: tuple[str, ...] = ()
    anywhere_after: tuple[str, ...] = ()
    categories: dict[str, str] = field(default_factory=dict)  # category → label
    condemning: tuple[str, ...] = ()
    trusted_hosts: tuple[str, ...] = ()
    automaton: ahocorasick.Automaton | None = None
    term_variants: dict[str, str] = field(default_factory=dict)


def _load(name: str, rules_dir: Path) -> dict:
    with (rules_dir / name).open("rb") as fh:
        return tomllib.load(fh)


#: Language tables cut from pypinyin's and jieba's dictionaries (scripts/make_language_data.py):
#: small files, where loading those libraries' whole dictionaries costs an inspection ~85 MB.
DATA_DIR = Path(__file__).resolve().parent / "data"


@cache
def _gb2312_readings() -> dict[str, tuple[str, ...]]:
    """GB2312 character → its readings (with tone marks)."""
    table = {}
    with (DATA_DIR / "gb2312-readings.txt").open(encoding="utf-8") as fh:
        for line in fh:
            ch, readings = line.split()
            table[ch] = tuple(readings.split(","))
    return table


def _readings(ch: str) -> tuple[str, ...]:
    """The readings of a GB2312 character (none for others: no homophone is made of them)."""
    return _gb2312_readings().get(ch, ())


@cache
def _homophones() -> dict[str, list[str]]:
    """reading (with tone) → GB2312 characters read so (simplified, common: traditional and
    rare variants are never generated as 'typos')."""
    table: dict[str, list[str]] = {}
    for ch, readings in _gb2312_readings().items():
        for reading in readings:
            table.setdefault(reading, []).append(ch)
    return table


#: Never generated as the wrong character: so common that the "typo" is another word running on
#: (交通运输不畅 holds 交通运输不, 自然资源不足 holds 自然资源不).
FUNCTION_CHARS = frozenset("不的了是在和有也就都而及与或为以于之其等把被让给"
                           "向从对到中上下个一这那们")


def homophone_variants(word: str) -> set[str]:
    """Every writing of ``word`` with one character replaced by a GB2312 homophone."""
    table = _homophones()
    out = set()
    for i, ch in enumerate(word):
        for reading in _readings(ch):
            for other in table.get(reading, ()):
                if other != ch and other not in FUNCTION_CHARS:
                    out.add(word[:i] + other + word[i + 1:])
    return out


def region_terms(region: str | None) -> list[str]:
    """The site's own place names of three characters or more (广东省广州市 → 广东省, 广州市)."""
    parts = re.findall(r"[\u4e00-\u9fff]+?(?:自治区|自治州|自治县|特别行政区|省|市|县|区|盟|旗)",
                       region or "")
    return [p for p in dict.fromkeys(parts) if len(p) >= 3]


class _Pairs:
    """Two-character words in code-point order, kept as one string (word i at [2i, 2i+2]) and
    searched by bisection: ~0.5 MB where a set of 114,000 strings takes ~30 MB."""

    def __init__(self, text: str):
        self.text = text

    def __len__(self) -> int:
        return len(self.text) // 2

    def __getitem__(self, i: int) -> str:
        return self.text[2 * i:2 * i + 2]

    def __contains__(self, word: str) -> bool:
        i = bisect.bisect_left(self, word)
        return i < len(self) and self[i] == word


@cache
def two_char_words() -> _Pairs:
    """Two-character Chinese words (jieba's dictionary): a homophone at the edge of a term that
    makes a word with its neighbour is that word (交通运输布局 is no 交通运输部)."""
    text = (DATA_DIR / "two-char-words.txt").read_text("utf-8").replace("\n", "")
    return _Pairs(text)


@lru_cache(maxsize=16)  # one per region in a long-running process (review app, scheduler)
def load_serious_rules(rules_dir: Path = RULES_DIR, region: str = "") -> SeriousRules:
    leaders = _load("serious-leaders.toml", rules_dir)
    words = _load("serious-words.toml", rules_dir)
    typos = _load("serious-typos.toml", rules_dir)
    rules = SeriousRules()
    auto = ahocorasick.Automaton()
    hits: dict[str, list[tuple]] = {}

    def add(key: str, payload: tuple) -> None:
        hits.setdefault(key, []).append(payload)

    names: set[str] = set()
    for entry in leaders.get("titles", []):
        holders = [(h["name"], date.fromisoformat(h["since"]),
                    date.fromisoformat(h["until"]) if h.get("until") else None)
                   for h in entry["holders"]]
        rules.titles[entry["title"]] = Title(entry["title"], holders, entry.get("unique", True))
        names.update(h[0] for h in holders)
        add(entry["title"], ("title", entry["title"]))
        for suffix in entry.get("suffixes", []):
            rules.suffixes.setdefault(suffix, []).append(entry["title"])
    for suffix in rules.suffixes:
        add(suffix, ("suffix", suffix))
    rules.context_after = tuple(leaders.get("context_after", []))
    rules.anywhere_after = tuple(leaders.get("anywhere_after", [])) + tuple(rules.suffixes)
    for phrase in rules.context_after:
        add(phrase, ("context", phrase))
    rules.names = sorted(names, key=lambda n: (-len(n), n))
    for leader in leaders.get("leaders", []):
        name = leader["name"]
        names.add(name)
        if leader.get("anywhere") and len(name) >= 3:
            for variant in homophone_variants(name) - names:
                add(variant, ("leader_homophone", name))
    rules.names = sorted(names, key=lambda n: (-len(n), n))

    for category, entry in words.get("categories", {}).items():
        rules.categories[category] = entry.get("label", category)
        for word in entry["words"]:
            add(SPACE.sub("", word), ("prohibited", category))
    rules.condemning = tuple(words.get("context", {}).get("condemning", []))
    rules.trusted_hosts = tuple(words.get("hidden_links", {}).get("trusted_hosts", []))

    terms = list(typos.get("terms", [])) + region_terms(region)
    correct = set(terms)
    for term in terms:
        wrong = dict.fromkeys(typos.get("wrong", {}).get(term, []), "listed")
        if len(term) >= 5 or term in region_terms(region):
            for variant in homophone_variants(term):
                edge = "first" if variant[0] != term[0] else \
                    "last" if variant[-1] != term[-1] else "inside"
                wrong.setdefault(variant, edge)
        for variant, edge in wrong.items():
            if variant in correct or any(variant in t for t in correct):
                continue
            add(variant, ("typo_term", term, edge))
    for wrong, right in typos.get("words", {}).items():
        add(wrong, ("typo_word", right))
    for key, payloads in hits.items():
        auto.add_word(key, (key, payloads))
    auto.make_automaton()
    rules.automaton = auto
    return rules


# -- page text -------------------------------------------------------------------------------

_HIDE_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*(hidden|collapse)|font-size\s*:\s*0(px|pt|em)?\s*(;|$)"
    r"|opacity\s*:\s*0(\.0+)?\s*(;|$)", re.I)
_OFFSCREEN = re.compile(r"(left|top|text-indent|margin-left|margin-top)\s*:\s*-\s*(\d{3,})", re.I)
_ZERO_BOX = re.compile(r"(?<![-\w])(height|width)\s*:\s*[01](px)?\s*(;|$)", re.I)
_COLOR = re.compile(r"(?<![-\w])color\s*:\s*([^;]+)", re.I)
_BACKGROUND = re.compile(r"background(?:-color)?\s*:\s*([^;]+)", re.I)


def _colour(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip().lower().split()[0] if value.strip() else ""
    names = {"white": "#ffffff", "black": "#000000"}
    value = names.get(value, value)
    if re.fullmatch(r"#[0-9a-f]{3}", value):
        value = "#" + "".join(c * 2 for c in value[1:])
    return value or None


def inline_hidden(el, background: str | None) -> str | None:
    """Why an element is hidden by its own attributes (plain pages: no style sheets applied)."""
    style = el.get("style") or ""
    if el.get("hidden") is not None:
        return "hidden"
    found = _HIDE_STYLE.search(style)
    if found and found.group(0).lower().startswith("font") and el.tag != "a":
        found = None  # font-size:0 on a container is a layout trick; its children set theirs
    if found:
        return SPACE.sub("", found.group(0)).rstrip(";")
    if _OFFSCREEN.search(style) and re.search(r"position\s*:\s*(absolute|fixed)|text-indent",
                                                  style, re.I):
        return "off-screen"
    if _ZERO_BOX.search(style) and re.search(r"overflow\s*:\s*hidden", style, re.I):
        return "zero-size"
    if el.tag == "marquee":
        for attr in ("height", "width"):
            if re.fullmatch(r"\s*[01](px)?\s*", el.get(attr) or "x"):
                return f"marquee {attr} 0"
        if _ZERO_BOX.search(style):
            return "marquee zero-size"
    colour = _colour((_COLOR.search(style) or [None, None])[1])
    if colour and background and colour == background:
        return "color-equals-background"
    return None


@dataclass
class PageText:
    blocks: list[tuple[str, bool]]  # (text, hidden)
    alts: list[str]
    hidden_links: list[dict]  # inline-style judgement: {"url", "text", "how"}
    title: str = ""


def page_text(html: str, url: str = "") -> PageText:
    """Text blocks (with whether inline styles hide them), alt texts, and the links that inline
    styles hide — of every element, hidden ones included (spam hides in display:none)."""
    doc = parse_html(html)
    if doc is None:
        return PageText([], [], [])
    title_el = doc.find(".//title")
    title = SPACE.sub(" ", title_el.text_content()).strip() if title_el is not None else ""
    blocks: list[tuple[str, bool]] = []
    alts: list[str] = []
    links: list[dict] = []
    current: list[str] = []
    hidden_now = [False]
    why: list[str | None] = [None]
    backgrounds: list[str | None] = [None]

    def flush() -> None:
        text = SPACE.sub(" ", "".join(current)).strip()
        if text:
            blocks.append((text, hidden_now[-1]))
        current.clear()

    walker = lxml.etree.iterwalk(doc, events=("start", "end"))
    for event, el in walker:
        if not isinstance(el.tag, str):
            if event == "end" and el.tail:
                current.append(el.tail)
            continue
        tag = el.tag.lower()
        if event == "start":
            if tag in SKIP_TAGS:  # its "end" still comes: keep the stacks level
                walker.skip_subtree()
                flush()
                hidden_now.append(hidden_now[-1])
                why.append(why[-1])
                backgrounds.append(backgrounds[-1])
                continue
            style = el.get("style")
            bg = _colour((_BACKGROUND.search(style) or [None, None])[1]) if style else None
            reason = inline_hidden(el, bg or backgrounds[-1]) \
                if style or tag == "marquee" or el.get("hidden") is not None else None
            if reason or tag not in INLINE_TAGS:  # a sentence runs on through <a>, <span>
                flush()
            hidden_now.append(hidden_now[-1] or bool(reason))
            why.append(why[-1] or reason)
            backgrounds.append(bg or backgrounds[-1])
            if tag == "img" and (el.get("alt") or "").strip():
                alts.append(el.get("alt").strip())
            if tag == "a" and el.get("href") and why[-1]:
                links.append({"url": urljoin(url, el.get("href").strip()),
                              "text": SPACE.sub(" ", el.text_content()).strip()[:100],
                              "how": why[-1]})
            if el.text:
                current.append(el.text)
        else:
            if tag not in INLINE_TAGS or why[-1] != why[-2]:
                flush()
            hidden_now.pop()
            why.pop()
            backgrounds.pop()
            if el.tail:
                current.append(el.tail)
    flush()
    return PageText(blocks, alts, links, title)


def page_unit(page: dict, html: str | None) -> dict:
    """A page unit from a stored page document and its HTML (see the module docstring)."""
    text = page_text(html or "", page.get("final_url") or page.get("url") or "")
    hidden = page.get("hidden_links")
    return {"url": page.get("url"), "referrer": page.get("referrer"),
            "title": page.get("title") or text.title, "blocks": text.blocks, "alts": text.alts,
            "frames": page.get("frame_texts") or [],
            "hidden_links": hidden if hidden is not None else text.hidden_links,
            "hidden_judged": "computed_style" if hidden is not None else "inline_style",
            "rendered": bool(page.get("rendered")), "screenshot": page.get("screenshot"),
            "screenshot_blank": page.get("screenshot_blank", False),
            "shot_size": (page.get("link_boxes") or {}).get("shot")}


# -- detection -------------------------------------------------------------------------------

def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


def marked(sentence: str, start: int, end: int) -> str:
    """The sentence around the match with the match in 【…】, at most MAX_SENTENCE characters."""
    room = max(10, (MAX_SENTENCE - (end - start)) // 2)
    left = max(0, start - room)
    right = min(len(sentence), end + room)
    return ((("…" if left else "") + sentence[left:start]) + "【" + sentence[start:end] + "】"
            + sentence[end:right] + ("…" if right < len(sentence) else ""))


def _near(a: str, b: str) -> bool:
    """One character different, or two neighbouring characters swapped (same length)."""
    if len(a) != len(b) or a == b or not CJK.match(a):
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diff) == 1:
        return True
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] \
        and a[diff[1]] == b[diff[0]]


def _holds(title: Title, name: str, day: date) -> bool | None:
    """Whether ``name`` held ``title`` on ``day`` (None: too close to a hand-over to say)."""
    for holder, since, until in title.holders:
        if holder != name:
            continue
        if since <= day and (until is None or day < until):
            return True
    for _, since, until in title.holders:
        for edge in (since, until):
            if edge and abs((day - edge).days) <= GRACE_DAYS:
                return None
    return False


def _years_in_term(sentence: str, title: Title, name: str) -> bool:
    """The sentence names a year in which ``name`` held ``title`` (a story of the past)."""
    years = {int(y) for y in YEAR.findall(sentence)}
    for holder, since, until in title.holders:
        if holder == name and any(since.year <= y <= (until or date.max).year for y in years):
            return True
    return False


@dataclass
class Hit:
    kind: str
    rule_id: str
    match: str
    sentence: str
    start: int
    end: int
    category: str
    detail: str
    where: str
    hidden: bool = False
    extra: dict = field(default_factory=dict)


def _condemned(sentence: str, title: str, rules: SeriousRules) -> bool:
    return any(w in sentence or w in title for w in rules.condemning)


def scan(sentence: str, rules: SeriousRules, page_date, title: str = "",
         where: str = "text", hidden: bool = False) -> list[Hit]:
    """Candidates in one sentence (white space removed). ``page_date``: a date, None, or a
    callable giving one (asked only when a title + name needs it)."""
    text = SPACE.sub("", sentence)
    words = two_char_words()
    found: list[Hit] = []
    titles_at: list[tuple[int, int, str]] = []
    suffixes_at: list[tuple[int, int, str]] = []
    context_at: list[tuple[int, int]] = []
    for end, (key, payloads) in rules.automaton.iter(text):
        start = end + 1 - len(key)
        for payload in payloads:
            what = payload[0]
            if what == "title":
                titles_at.append((start, end + 1, payload[1]))
            elif what == "suffix":
                suffixes_at.append((start, end + 1, payload[1]))
            elif what == "context":
                context_at.append((start, end + 1))
            elif what == "leader_homophone":
                after = text[end + 1:]
                if after and not after.startswith(rules.anywhere_after) and not any(
                        text[:start].endswith(t) for t in rules.titles):
                    continue  # 学习进平台: no name here
                found.append(Hit("leader_name", f"leader.homophone:{payload[1]}", key, text,
                                 start, end + 1, "领导人姓名", f"疑似将领导人姓名“{payload[1]}”"
                                 f"误写为“{key}”", where, hidden))
            elif what == "prohibited":
                found.append(Hit("prohibited", f"prohibited.{payload[1]}", key, text, start,
                                 end + 1, payload[1], f"疑似{rules.categories[payload[1]]}内容"
                                 f"“{key}”", where, hidden))
            elif what == "typo_term":
                edge = payload[2]
                if (edge == "last" and text[end:end + 2] in words) or (
                        edge == "first" and start and text[start - 1:start + 1] in words):
                    continue  # 交通运输布局: the homophone is part of the next word
                found.append(Hit("typo", f"typo.term:{payload[1]}", key, text, start, end + 1,
                                 "严重错别字", f"疑似将“{payload[1]}”误写为“{key}”", where, hidden))
            elif what == "typo_word":
                found.append(Hit("typo", f"typo.word:{payload[1]}", key, text, start, end + 1,
                                 "错别字", f"疑似将“{payload[1]}”误写为“{key}”", where, hidden))
    if any(h.kind == "prohibited" for h in found) and _condemned(text, title, rules):
        found = [h for h in found if h.kind != "prohibited"]
    # a title covered by a longer title (国家主席 inside 中华人民共和国主席) is not a title
    titles_at = [t for t in titles_at if not any(
        o[0] <= t[0] and t[1] <= o[1] and (o[1] - o[0]) > (t[1] - t[0]) for o in titles_at)]
    titles_at.sort()
    by_start = {t[0]: t for t in titles_at}
    seen_slot: set[int] = set()
    for start, end, name_of_title in titles_at:
        chain = [name_of_title]
        while end < len(text) and text[end] in "、，," and end + 1 in by_start:
            _, end, nxt = by_start[end + 1]
            chain.append(nxt)
        if end in seen_slot:
            continue
        seen_slot.add(end)
        found += _title_slot(text, start, end, chain, rules, page_date, where, hidden)
    for start, end, suffix in suffixes_at:
        if any(t[0] <= start and end <= t[1] for t in titles_at):
            continue  # 总书记 inside 中共中央总书记
        found += _name_before(text, start, rules, f"suffix:{suffix}", where, hidden)
    for start, _end in context_at:
        found += _name_before(text, start, rules, "context", where, hidden)
    spans: set[tuple] = set()
    unique = []
    for hit in found:  # 习进平 is a homophone and a near-miss: one candidate
        inside = any(o.kind == hit.kind and o.start <= hit.start and hit.end <= o.end
                     and o.end - o.start > hit.end - hit.start for o in found)
        if not inside and (hit.kind, hit.start, hit.end) not in spans:  # 送彩金 in 注册送彩金
            spans.add((hit.kind, hit.start, hit.end))
            unique.append(hit)
    return unique


def _name_before(text: str, start: int, rules: SeriousRules, why: str, where: str,
                 hidden: bool) -> list[Hit]:
    """A three-character near-miss of a leader's name right before a leader word."""
    for name in rules.names:
        if len(name) < 3 or start < len(name):
            continue
        slot = text[start - len(name):start]
        if slot == name or slot in rules.names:
            return []
    for name in rules.names:
        if len(name) < 3 or start < len(name):
            continue
        slot = text[start - len(name):start]
        if _near(slot, name):
            return [Hit("leader_name", f"leader.near_miss:{name}", slot, text,
                        start - len(name), start, "领导人姓名",
                        f"疑似将领导人姓名“{name}”误写为“{slot}”", where, hidden,
                        {"context": why})]
    return []


def _title_slot(text: str, start: int, end: int, chain: list[str], rules: SeriousRules,
                page_date, where: str, hidden: bool) -> list[Hit]:
    """The name written right after a (chain of) national title(s)."""
    exact = next((n for n in rules.names if text.startswith(n, end)), None)
    if exact is None:  # the title's own holders first, the latest first (李墙 → 李强, not 李希)
        own = [h[0] for t in chain for h in reversed(rules.titles[t].holders)]
        for name in dict.fromkeys(own + rules.names):
            slot = text[end:end + len(name)]
            if _near(slot, name):
                return [Hit("leader_name", f"leader.near_miss:{name}", slot, text, end,
                            end + len(slot), "领导人姓名",
                            f"“{chain[-1]}”之后疑似将领导人姓名“{name}”误写为“{slot}”", where,
                            hidden, {"title": chain[-1]})]
        return []
    if PAST.search(text[max(0, start - 3):start]):
        return []
    day = page_date() if callable(page_date) else page_date
    if day is None:
        return []
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    for title_name in chain:
        title = rules.titles[title_name]
        if _holds(title, exact, day) is not False or _years_in_term(text, title, exact):
            continue
        holders = [h for h, since, until in title.holders
                   if since <= day + timedelta(0) and (until is None or day < until)]
        now = "、".join(holders) or "（无记录）"
        return [Hit("leader_name", f"leader.title_holder:{title_name}", title_name + exact,
                    text, start, end + len(exact), "领导人职务",
                    f"页面日期{day.isoformat()}时“{title_name}”为{now}，页面写作“{title_name}"
                    f"{exact}”", where, hidden, {"title": title_name, "page_date": day.isoformat(),
                                                 "holder_then": holders})]
    return []


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _trusted(host: str, rules: SeriousRules) -> bool:
    return any(host == t or host.endswith("." + t) for t in rules.trusted_hosts)


def domain(host: str) -> str:
    """The registrable part of a host (www.gz.gov.cn → gz.gov.cn, news.sina.com.cn →
    sina.com.cn); an IP address is itself."""
    labels = host.split(".")
    if re.fullmatch(r"[\d.]+", host) or len(labels) <= 2:
        return host
    if labels[-1] == "cn" and labels[-2] in SECOND_LEVEL_CN:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _spammy(link: dict, rules: SeriousRules) -> bool:
    text = SPACE.sub("", (link.get("text") or "") + (link.get("title") or ""))
    return any(payloads[0][0] == "prohibited" for _, (_, payloads) in rules.automaton.iter(text)
               for payloads in [payloads]) if text else False


def hidden_link_hits(unit: dict, rules: SeriousRules, site_url: str = "") -> list[dict]:
    """Hidden links to another domain (not a trusted one) of a page unit. Hidden only by
    display/visibility (a closed dropdown menu, a login box) counts only with spam words in its
    text; hidden by the tricks of 暗链 (off-screen, zero size, colour of the background, a
    zero-height marquee, font size 0, opacity 0) counts whatever its text."""
    own = {domain(h) for h in (_host(unit.get("url") or ""), _host(site_url)) if h}
    out, seen = [], set()
    for link in unit.get("hidden_links") or []:
        url = link.get("url") or ""
        host = _host(url)
        if not host or domain(host) in own or _trusted(host, rules) or url in seen:
            continue
        how = link.get("how") or ""
        if WEAK_HIDING.search(how) and not STRONG_HIDING.search(how) \
                and not _spammy(link, rules):
            continue
        if not url.startswith(("http://", "https://")):
            continue
        seen.add(url)
        out.append({"url": url, "text": (link.get("text") or "")[:100],
                    "how": link.get("how") or ""})
    return out


def hidden_place(unit: dict, links: list[dict]) -> dict:
    """element_box of where the first placed 暗链 sits (the block a visitor sees around it) on
    the page's screenshot, or element_box null and why (browser/outline.py)."""
    if not unit.get("screenshot"):
        return {"element_box": None, "element_missing": NO_SHOT}
    # the boxes stay out of the judged evidence (links): a layout shift is not a new finding
    boxes = {x.get("url"): x.get("box") for x in unit.get("hidden_links") or [] if x.get("box")}
    box = next((boxes[x["url"]] for x in links if x["url"] in boxes), None)
    if box is None:
        return {"element_box": None, "element_missing": "渲染后的页面上找不到暗链所在的可见区域"}
    if not unit.get("shot_size"):
        return {"element_box": None, "element_missing": NOT_MEASURED.format(what="暗链")}
    placed = within(box, unit["shot_size"])
    if placed is None:
        return {"element_box": None, "element_missing": OUTSIDE.format(what="暗链")}
    return {"element_box": placed}


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def detect(unit: dict, rules: SeriousRules | None = None) -> list[Hit]:
    """Every candidate of one page unit, in page order (title, text, alt texts, iframes)."""
    rules = rules or load_serious_rules()
    title = unit.get("title") or ""
    date_of = unit.get("date_of") or unit.get("date")
    asked: list = []

    def page_date():
        if not asked:
            asked.append(date_of() if callable(date_of) else date_of)
        return asked[0]

    hits: list[Hit] = []
    parts: list[tuple[str, str, bool]] = [(title, "title", False)]
    parts += [(text, "text", hidden) for text, hidden in unit.get("blocks") or []]
    parts += [(alt, "alt", False) for alt in unit.get("alts") or []]
    parts += [(f.get("text") or "", f"iframe:{f.get('url')}", False)
              for f in unit.get("frames") or []]
    for text, where, hidden in parts:
        if not text:
            continue
        for sentence in sentences(text):
            hits += scan(sentence, rules, page_date, title, where, hidden)
    return hits


def serious_findings(site: dict, units, rules: SeriousRules | None = None) -> list[dict]:
    """Findings of veto.serious_error for a site's page units (one finding per page and
    leader/typo match; per page and category for prohibited words; per page for hidden links).
    The same sentence and match on several pages is one finding, on the first page given (pass
    units shallowest first), the others listed in ``evidence.pages``."""
    rules = rules or load_serious_rules(region=site.get("region") or "")
    code = site.get("code", "")
    findings: dict[str, dict] = {}
    same: dict[tuple, dict] = {}  # one candidate per sentence and match across pages

    def keep(finding: dict) -> None:
        ev = finding["evidence"]
        key = (finding["kind"], ev["rule_id"], ev["match"], ev["sentence_hash"])
        if key in same:  # / and /index.html, a footer on every page: the first page names it
            pages = same[key]["evidence"].setdefault("pages", [same[key]["url"]])
            if len(pages) < MAX_LINKS and finding["url"] not in pages:
                pages.append(finding["url"])
            return
        same[key] = finding
        findings.setdefault(finding["id"], finding)

    for unit in units:
        hits = detect(unit, rules)
        grouped: dict[tuple, list[Hit]] = {}
        for hit in hits:
            key = (hit.kind, hit.rule_id) if hit.kind == "prohibited" else \
                (hit.kind, hit.rule_id, hit.match)
            grouped.setdefault(key, []).append(hit)
        for group in grouped.values():
            first = group[0]
            words = sorted({h.match for h in group})
            finding = _finding(code, unit, first.kind, first.rule_id, "、".join(words),
                               first.detail if len(words) == 1 else
                               f"疑似{rules.categories.get(first.category, '')}内容“"
                               f"{'、'.join(words[:5])}”",
                               {"sentence": marked(first.sentence, first.start, first.end),
                                "sentence_hash": _digest(first.sentence),
                                "category": first.category, "where": first.where,
                                "hidden_text": first.hidden, "matches": words,
                                "occurrences": len(group), **first.extra})
            keep(finding)
        links = hidden_link_hits(unit, rules, site.get("url") or "")
        if links:
            targets = sorted({_host(x["url"]) for x in links})
            finding = _finding(code, unit, "hidden_link", "hidden_link.external",
                               "、".join(targets),
                               f"页面含访问者看不见的外部链接（暗链）{len(links)}个，指向"
                               f"{'、'.join(targets[:5])}",
                               {"links": links[:MAX_LINKS], "link_count": len(links),
                                "hosts": targets, "category": "暗链",
                                "judged_by": unit.get("hidden_judged", "inline_style"),
                                "sentence": "；".join(f"【{x['text'] or x['url']}】→{x['url']}"
                                                     f"（{x['how']}）" for x in links[:3]),
                                "sentence_hash": _digest("|".join(x["url"] for x in links))})
            finding["evidence"].update(hidden_place(unit, links))
            keep(finding)
    return sorted(findings.values(), key=lambda f: (f["url"] or "", f["kind"], f["evidence"]
                                                    ["rule_id"], f["evidence"]["match"]))


def _finding(code: str, unit: dict, kind: str, rule_id: str, match: str, detail: str,
             evidence: dict) -> dict:
    url = unit.get("url") or ""
    key = f"{url}|{rule_id}|{match}|{evidence['sentence_hash']}"
    return {
        "id": finding_id(code, INDICATOR, kind, key),
        "site": code, "indicator": INDICATOR, "kind": kind, "rule": RULE_OF[kind],
        "url": url, "page": unit.get("referrer") or url,
        "detail": detail + "（机器发现的候选，需人工复核）", "needs_review": True,
        "evidence": {"url": url, "referrer": unit.get("referrer"), "rule_id": rule_id,
                     "match": match, "page_title": unit.get("title") or "",
                     "rendered": bool(unit.get("rendered")),
                     "screenshot": unit.get("screenshot"),
                     "screenshot_blank": bool(unit.get("screenshot_blank")), **evidence},
    }
