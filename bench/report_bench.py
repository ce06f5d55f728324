"""Time to build reports: one site's report in each format, and the census report over N sites.

The site report is built from a stored inspection of the demo site (one real Chromium
inspection, ~30 s, not timed); the census from N synthetic sites written straight into an
embedded store (``census_sites``: regions, levels, types and verdicts of every kind).

    .venv/bin/python bench/report_bench.py                   # 1,000 census sites
    .venv/bin/python bench/report_bench.py --sites 100 --no-site
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xunjian.scoring import load_rules  # noqa: E402

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


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def bench_site(out: dict) -> None:
    from xunjian.demo.server import DemoServer
    from xunjian.reports.site import FORMATS, build_site_report
    from xunjian.storage import open_store
    from tests.cli_run import xunjian

    tmp = Path(tempfile.mkdtemp(prefix="report-bench-"))
    with DemoServer(slow_seconds=3) as server:
        files = server.write_registry(tmp / "registry")
        xunjian("registry", "import", *map(str, files), store=tmp / "store")
        run = xunjian("inspect", "9999000001", "--as-of", "2026-11-20", store=tmp / "store",
                      env={"XUNJIAN_LINK_TIMEOUT": "1.5"})
        if run.returncode != 0:
            raise SystemExit(run.stderr)
    store = open_store(str(tmp / "store"))
    for fmt in FORMATS:
        body, seconds = timed(lambda fmt=fmt: build_site_report(store, "9999000001", fmt))
        out[f"site_{fmt}_seconds"] = round(seconds, 2)
        out[f"site_{fmt}_bytes"] = len(body)
        print(f"site report {fmt}: {seconds:.2f} s, {len(body):,} bytes")


def bench_census(out: dict, n: int) -> None:
    from xunjian.reports.census import census_html, census_stats, census_xlsx, latest_cards
    from xunjian.reports.render import html_to_pdf
    from xunjian.storage import EmbeddedStore

    tmp = Path(tempfile.mkdtemp(prefix="census-bench-"))
    store = EmbeddedStore(tmp / "store")
    _, seconds = timed(lambda: census_sites(store, n))
    print(f"census: {n} synthetic sites written in {seconds:.1f} s (not part of the report)")
    (cards, sites), t_cards = timed(lambda: latest_cards(store, "2026-11-20"))
    by = ("级别", "网站类型", "地区", "主办单位")
    stats, t_stats = timed(lambda: census_stats(sites, cards, "2026-11-20", by))
    html, t_html = timed(lambda: census_html(stats))
    xlsx, t_xlsx = timed(lambda: census_xlsx(stats))
    pdf, t_pdf = timed(lambda: html_to_pdf(html))
    out.update({"census_sites": n, "census_cards_seconds": round(t_cards, 2),
                "census_stats_seconds": round(t_stats, 3), "census_html_seconds": round(t_html, 2),
                "census_xlsx_seconds": round(t_xlsx, 2), "census_pdf_seconds": round(t_pdf, 2),
                "census_pdf_bytes": len(pdf), "census_xlsx_bytes": len(xlsx)})
    print(f"census over {n} sites: latest cards {t_cards:.1f} s, statistics {t_stats:.3f} s, "
          f"html {t_html:.2f} s, xlsx {t_xlsx:.2f} s, pdf {t_pdf:.2f} s "
          f"(total html {t_cards + t_stats + t_html:.1f} s, "
          f"xlsx {t_cards + t_stats + t_xlsx:.1f} s, "
          f"pdf {t_cards + t_stats + t_html + t_pdf:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--no-site", action="store_true", help="skip the per-site report")
    args = parser.parse_args()
    out: dict = {}
    if not args.no_site:
        bench_site(out)
    bench_census(out, args.sites)
    folder = ROOT / "bench" / "out"
    folder.mkdir(exist_ok=True)
    (folder / "report_bench.json").write_text(json.dumps(out, indent=2), "utf-8")


if __name__ == "__main__":
    main()
