"""Time to build reports: one site's report in each format, and the census report over N sites.

The site report is built from a stored inspection of the demo site (one real Chromium
inspection, ~30 s, not timed); the census from N synthetic sites written straight into an
embedded store (``census_sites`` of tests/support/census_sites.py: regions, levels, types and verdicts of every kind).

    .venv/bin/python bench/report_bench.py                   # 1,000 census sites
    .venv/bin/python bench/report_bench.py --sites 100 --no-site
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.census_sites import census_sites  # noqa: E402


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
