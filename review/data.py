"""What the pages show, read from the store: score cards with reviewer-added findings, site
summaries (cached per inspection and review count), the pending queue, verdicts and history."""

from __future__ import annotations

import hashlib
import threading
from typing import Any

from xunjian.inspection.card import card_for, card_rules
from xunjian.reports.text import verdict_text
from xunjian.scoring import as_of_instant, load_rules
from xunjian.scoring.rules import RULE_SETS
from xunjian.scoring.card import evidence_digest
from xunjian.storage.base import INSPECTIONS, REVIEWS, new_id, utc_now

#: Findings reviewers add (what machines cannot judge); one document per finding, keyed by its id,
#: naming the inspection it belongs to. Score cards of that inspection include them.
MANUAL = "manual_findings"

#: Reviewer-added finding types: form value → (indicator, rule, label).
MANUAL_KINDS: dict[str, tuple[str, str, str]] = {
    "serious_typo": ("veto.serious_error", "serious_typo", "严重错别字（如领导人姓名错误）"),
    "fabricated": ("veto.serious_error", "fabricated", "虚假或伪造内容"),
    "prohibited": ("veto.serious_error", "prohibited", "反动、暴力、色情等内容"),
    "basic_info": ("updates.basic_info", "inaccuracy", "基本信息不准确"),
    "guide": ("service.guide", "inaccuracy", "办事指南要素内容不准确"),
    # checklist-2019 (国办秘函〔2019〕19号): what only a reviewer judges there
    "c2019_overview": ("publish.overview", "inaccuracy", "概况信息更新不及时或不准确"),
    "c2019_functions": ("publish.functions", "inaccuracy", "机构职能信息不准确"),
    "c2019_leaders": ("publish.leaders", "inaccuracy", "领导姓名、简历等信息缺失或不准确"),
    "c2019_not_interpreted": ("publish.interpretation_ratio", "not_interpreted",
                              "重大政策文件未进行解读"),
    "c2019_register": ("service.online_apply", "cannot_register", "用户（含外地用户）无法注册"),
    "c2019_apply": ("service.online_apply", "cannot_apply", "注册用户无法在线申请办理"),
    "c2019_accuracy": ("service.accuracy", "inaccuracy", "办事指南联系电话等信息不准确"),
    "c2019_login": ("interaction.login", "no_single_login", "互动交流类栏目未实现统一登录"),
    "c2019_no_reply": ("interaction.replies", "no_reply", "模拟提问5个工作日内未答复"),
    "c2019_perfunctory": ("interaction.replies", "perfunctory", "模拟提问的答复内容敷衍"),
    "c2019_single_login": ("design.single_login", "no_single_login", "网站未实现一号登录"),
    "c2019_browser": ("design.compatibility", "per_browser", "网站在某一主流浏览器中无法正常显示"),
}


def manual_kinds(table) -> dict[str, tuple[str, str, str]]:
    """The reviewer-added finding types a card of this table (Rules) can hold."""
    return {k: v for k, v in MANUAL_KINDS.items()
            if v[0] in table.ids and v[1] in table.indicator(v[0]).rules}
_EPOCH = "1970-01-01T00:00:00+00:00"
REVIEW_LABELS = {"pending": "待复核", "confirmed": "已确认", "rejected": "已驳回"}


def rules(name: str | None = None):
    """The table a card is scored by (default: the XUNJIAN_RULES setting)."""
    return card_rules(name)


def _entry(indicator: str):
    """The indicator of this id in the app's table, else in any other table (2019 ids)."""
    for name in dict.fromkeys([rules().name, *RULE_SETS]):
        try:
            return load_rules(name).indicator(indicator)
        except ValueError:
            continue
    return None


def manual_findings(store, inspection_id: str) -> list[dict]:
    return store.find(MANUAL, inspection=inspection_id)


class Summaries:
    """Per-site summary (verdict, score, pending finding ids) of the latest finished inspection.

    Keyed by (inspection, number of reviews of the site, number of added findings): a new verdict
    or a new inspection recomputes only that site's card. Summaries are kept in memory and in
    the store (collection ``review_summaries``), so a restarted app starts warm.
    """

    COLLECTION = "review_summaries"

    def __init__(self, store, rules: str | None = None) -> None:
        """``rules``: the table the cards are scored by (None: the app's own, XUNJIAN_RULES);
        each table keeps its own summaries (stored ids ``CODE`` / ``CODE@rules``)."""
        self.store = store
        self.rules = rules
        self._suffix = f"@{rules}" if rules else ""
        self._cache: dict[str, tuple[list, dict]] = {}
        self._lock = threading.Lock()
        self._loaded = False

    def _load(self) -> None:
        if self._loaded:
            return
        for doc in self.store.find(self.COLLECTION):
            code, _, rules = doc["id"].partition("@")
            if rules == (self.rules or ""):
                self._cache.setdefault(code, (doc["key"], doc["summary"]))
        self._loaded = True

    def latest_inspections(self) -> dict[str, dict]:
        """Site code → its newest finished inspection, in one query."""
        latest: dict[str, dict] = {}
        for inspection in self.store.find(INSPECTIONS, status="done"):
            code = inspection.get("site")
            best = latest.get(code)
            if best is None or (as_of_instant(inspection.get("started_at") or _EPOCH)
                                >= as_of_instant(best.get("started_at") or _EPOCH)):
                latest[code] = inspection
        return latest

    def of(self, site: dict, inspection: dict | None = None, lookup: bool = True) -> dict:
        code = site["code"]
        if inspection is None and lookup:
            inspection = self.store.latest_inspection(code)
        if inspection is None:
            return {"site": site, "inspection": None, "verdict": None, "score": None,
                    "final": False, "pending": [], "as_of": None}
        key = [inspection["id"], self.store.count(REVIEWS, site=code),
               self.store.count(MANUAL, inspection=inspection["id"]),
               "未评分"]  # summaries stored before cards could be 未评分 are recomputed
        with self._lock:
            self._load()
            hit = self._cache.get(code)
        if hit and list(hit[0]) == key:
            return {"site": site, "inspection": inspection, **hit[1]}
        card = card_for(self.store, inspection["id"], rules=self.rules)
        summary = {"verdict": card["verdict"], "score": card["score"], "final": card["final"],
                   "verdict_text": verdict_text(card),
                   "as_of": card["as_of"], "total_deduction": card["total_deduction"],
                   "pending": [f["id"] for f in card["findings"] if f["review"] == "pending"],
                   "pending_indicators": {f["id"]: f["indicator"] for f in card["findings"]
                                          if f["review"] == "pending"}}
        with self._lock:
            self._cache[code] = (key, summary)
        self.store.upsert(self.COLLECTION, {"id": code + self._suffix},
                          {"key": key, "summary": summary})
        return {"site": site, "inspection": inspection, **summary}

    def all(self, region: str = "", verdict: str = "", pending: str = "",
            q: str = "") -> list[dict]:
        latest = self.latest_inspections()
        rows = []
        for site in self.store.list_sites():
            if region and region not in (site.get("region") or ""):
                continue
            if q and q not in (site.get("name") or "") and q not in site["code"]:
                continue
            summary = self.of(site, latest.get(site["code"]), lookup=False)
            if verdict == "none" and summary["inspection"] is not None:
                continue
            if verdict in ("合格", "不合格", "未评分") and summary["verdict"] != verdict:
                continue
            if pending == "yes" and not summary["pending"]:
                continue
            if pending == "no" and summary["pending"]:
                continue
            rows.append(summary)
        return rows


def find_in_card(card: dict, finding_id: str) -> dict | None:
    return next((f for f in card["findings"] if f["id"] == finding_id), None)


def history(store, site_code: str, finding_id: str) -> list[dict]:
    """Every verdict on a finding, oldest first (append-only; nothing is overwritten)."""
    return [r for r in store.reviews(site_code) if r.get("finding") == finding_id]


def record_verdict(store, card: dict, finding: dict, verdict: str, reviewer: str,
                   reason: str) -> str:
    return store.add_review({
        "finding": finding["id"], "site": card["site"]["code"], "verdict": verdict,
        "reviewer": reviewer, "at": utc_now(), "reason": reason,
        "before": finding["review"], "after": verdict,
        "evidence": evidence_digest(finding), "inspection": card.get("inspection"),
    })


def add_manual_finding(store, inspection: dict, kind: str, url: str, detail: str,
                       reviewer: str, screenshot: str | None) -> str:
    """Store a reviewer-added finding and the reviewer's confirmation of it; return its id."""
    indicator, rule, label = MANUAL_KINDS[kind]
    finding_id = "manual-" + hashlib.sha256(
        f"{inspection['site']}|{indicator}|{rule}|{url}|{new_id()}".encode()).hexdigest()[:24]
    finding = {
        "id": finding_id, "site": inspection["site"], "inspection": inspection["id"],
        "indicator": indicator, "kind": "reviewer_added", "rule": rule, "url": url,
        "page": url, "detail": f"{label}：{detail}", "needs_review": False,
        "added_by": reviewer, "added_at": utc_now(),
        "evidence": {"screenshot": screenshot, "error_type": label, "note": detail},
    }
    store.insert(MANUAL, finding)
    card_finding = dict(finding, review="pending")
    record_verdict(store, {"site": {"code": inspection["site"]}, "inspection": inspection["id"]},
                   card_finding, "confirmed", reviewer, "人工添加")
    return finding_id


def capture_refusal(store, site: dict, url: str):
    """Why the server's Chromium may not photograph ``url`` for this site (a reviewer's 现场截图),
    or (None, policy): only the site's own origins (its 首页网址's, its columns'), and only
    addresses its policy allows (browser/netpolicy.py: no intranet address)."""
    from xunjian.browser.netpolicy import AddressPolicy, AddressRefused
    from xunjian.spiders.links import origin_key, site_origins

    columns = [c.get("url") or "" for c in store.columns(site["code"])]
    if origin_key(url) not in site_origins([site.get("url") or "", *columns]):
        return "现场截图只能拍摄本网站的页面（首页或登记栏目所在的网址），该地址不属于本网站。", None
    policy = AddressPolicy.for_site(store, site)
    try:
        policy.check_literal(url)  # a name is judged where the browser connects (its proxy)
    except AddressRefused as refused:
        return f"现场截图被拒绝：{refused}", None
    return None, policy


def take_screenshot(url: str, timeout: float = 20.0, policy=None) -> bytes | None:
    """A full-page screenshot of ``url`` taken now in headless Chromium, or None if it fails.
    ``policy``: the site's address policy, judged on every request of the page."""
    import asyncio

    from xunjian.browser import Renderer

    async def shoot() -> bytes | None:
        async with Renderer(concurrency=1, timeout=timeout, policy=policy) as renderer:
            rendered = await renderer.render(url)
            return None if policy is not None and policy.was_refused(rendered.final_url) \
                else rendered.screenshot

    try:
        return asyncio.run(shoot())
    except Exception:  # noqa: BLE001 - no browser, or the page cannot be shown: say so in the UI
        return None


def queue(summaries: Summaries, region: str = "", site: str = "",
          indicator: str = "") -> list[tuple[str, str]]:
    """(site code, finding id) of every pending finding, site by site in code order;
    ``indicator`` keeps only that indicator's (e.g. veto.serious_error candidates)."""
    items = []
    for summary in summaries.all(region=region):
        if site and summary["site"]["code"] != site:
            continue
        kinds = summary.get("pending_indicators")
        if indicator and kinds is None and summary.get("inspection"):  # summary stored earlier
            card = card_for(summaries.store, summary["inspection"]["id"], rules=summaries.rules)
            kinds = {f["id"]: f["indicator"] for f in card["findings"]}
        items.extend((summary["site"]["code"], fid) for fid in summary["pending"]
                     if not indicator or (kinds or {}).get(fid) == indicator)
    return items


def rule_text(indicator: str, rule: str) -> str:
    entry = _entry(indicator)
    return "" if entry is None else entry.reasons.get(rule, "")


def indicator_name(indicator: str) -> str:
    entry = _entry(indicator)
    return indicator if entry is None else f"{entry.group} · {entry.name}"


def any_value(value: Any) -> str:
    return "" if value is None else str(value)
