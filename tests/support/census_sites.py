"""Synthetic census sites written straight into a store (no crawl): regions, levels, types and
verdicts of every kind, for the census report's tests (tests/test_report_census.py) and its
benchmark (bench/report_bench.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from xunjian.scoring import load_rules

#: (网站标识码 prefix, 部门/地区) — provinces, cities, counties and 国务院部门.
PLACES = (
    ("110000", "北京市"), ("440000", "广东省"), ("440100", "广州市"), ("440106", "天河区"),
    ("440300", "深圳市"), ("510000", "四川省"), ("510100", "成都市"), ("510104", "锦江区"),
    ("330000", "浙江省"), ("330100", "杭州市"), ("330106", "西湖区"),
    ("bm0400", "国家发展和改革委员会"), ("bm1100", "教育部"),
    ("650000", "新疆维吾尔自治区"), ("650100", "乌鲁木齐市"),
)
#: Patterns of a site's latest card, cycled over the sites.
PATTERNS = ("clean", "not_updated", "columns_stale", "over_40", "under_40", "unresponsive",
            "two_vetoes", "pending")


def _finding(code: str, n: int, indicator: str, kind: str, rule: str, detail: str,
             needs_review: bool = False, units: int | None = None, shot: str | None = None):
    url = f"http://www.s{code}.gov.cn/p{n}.html"
    f = {"id": f"{code}-{indicator}-{n}", "site": code, "indicator": indicator, "kind": kind,
         "rule": rule, "url": url, "page": f"http://www.s{code}.gov.cn/", "detail": detail,
         "needs_review": needs_review,
         "evidence": {"anchor_text": f"链接{n}", "error_type": "域内链接不可用", "status": 404,
                      "status_text": "404", "checked_at": "2026-11-20T02:10:00+00:00",
                      "screenshot": shot}}
    if units:
        f["units"] = units
    return f


def findings_for(code: str, pattern: str, shot: str | None = None) -> list[dict]:
    f = []
    if pattern == "not_updated":
        f.append(_finding(code, 1, "veto.not_updated", "no_homepage_updates",
                          "no_homepage_updates", "监测2周，首页栏目无信息更新"))
    if pattern in ("columns_stale", "two_vetoes"):
        f.append(_finding(code, 2, "veto.columns_stale", "columns_stale", "a",
                          "5个动态、通知公告类栏目未更新"))
    if pattern in ("unresponsive", "two_vetoes"):
        f.append(_finding(code, 3, "veto.unresponsive", "unanswered_letter", "unanswered_letter",
                          "信件超过三个月未回应"))
    if pattern == "over_40":
        f.append(_finding(code, 4, "availability.links", "broken_link", "home",
                          "首页链接不可用", units=41, shot=shot))
    if pattern in ("under_40", "pending", "clean"):
        count = {"under_40": 12, "pending": 3, "clean": 0}[pattern]
        for k in range(count):
            f.append(_finding(code, 10 + k, "availability.links", "broken_link",
                              "home" if k % 2 else "other", "链接不可用", shot=shot))
    if pattern in ("under_40", "over_40"):
        f.append(_finding(code, 30, "interaction.consultation", "no_column", "no_column",
                          "未开设政务咨询类栏目"))
    if pattern == "pending":
        f.append(_finding(code, 40, "availability.links", "blocked_link", "home",
                          "疑似防护墙拦截，需人工复核", needs_review=True, shot=shot))
    return f


def census_sites(store, n: int, as_of: str = "2026-11-20", probes_every: int = 5,
                 never_every: int = 13, shot: str | None = None) -> list[str]:
    """Write ``n`` synthetic sites with stored inspections (no crawl) into ``store``.

    Site i: place PLACES[i % len], type 门户网站 for province/city/county codes ending in the
    place's own portal (every 3rd site), pattern PATTERNS[i % len]. Every ``never_every``-th site
    is never inspected; every 7th has an older inspection with another verdict, and every 11th a
    newer one after as_of (neither may count). Every ``probes_every``-th gets a clean probe week.
    """
    checks = {entry.id: True for entry in load_rules().all}
    codes = []
    for i in range(n):
        prefix, region = PLACES[i % len(PLACES)]
        code = f"{prefix}{i:04d}"
        store.upsert_site({"code": code, "region": region, "type": "门户网站" if i % 3 == 0
                           else "其他", "name": f"{region}第{i}号网站",
                           "owner": f"{region}人民政府办公室" if i % 2 else f"{region}某某局",
                           "url": f"http://www.s{code}.gov.cn/"})
        codes.append(code)
        if never_every and i % never_every == never_every - 1:
            continue
        pattern = PATTERNS[i % len(PATTERNS)]
        if i % 7 == 3:  # an older inspection whose verdict is superseded
            old = store.create_inspection({"site": code, "as_of": "2026-10-01", "status": "done",
                                           "started_at": "2026-10-01T02:00:00+00:00",
                                           "checks": checks})
            store.replace_findings(old, findings_for(code, "two_vetoes"
                                                     if pattern == "clean" else "clean"))
        inspection = store.create_inspection({"site": code, "as_of": as_of, "status": "done",
                                              "started_at": f"{as_of}T02:00:00+00:00",
                                              "checks": checks})
        store.replace_findings(inspection, findings_for(code, pattern, shot))
        if i % 11 == 5:  # after the census date: must not count
            later = store.create_inspection({"site": code, "as_of": "2026-12-20",
                                             "status": "done", "checks": checks,
                                             "started_at": "2026-12-20T02:00:00+00:00"})
            store.replace_findings(later, findings_for(code, "over_40"))
        if probes_every and i % probes_every == 0:
            end = datetime.fromisoformat(f"{as_of}T12:00:00+08:00")
            store.insert_many("probes", [
                {"site": code, "url": f"http://www.s{code}.gov.cn/", "ok": True, "status": 200,
                 "elapsed_ms": 120, "error": None,
                 "time": (end - timedelta(hours=h)).isoformat()} for h in range(24 * 7)])
    return codes
