"""Serious-error candidates: precision and recall per category, candidates on clean pages, speed.

    .venv/bin/python bench/serious_bench.py [--pages 10000] [--realpages DIR]

1. The labelled set tests/data/serious/labelled.toml (planted and clean cases, each wrapped in a
   TRS-style GBK article page) → precision / recall per category (leader_name, prohibited,
   hidden_link, typo). Cases marked ``hard`` are ones the detector is not expected to catch
   (a class-hidden link on a plain page, words outside the lists); they count all the same.
2. Clean pages: every page of the demo site, of the fixture sites (tests/sites, except the
   planted site tests/sites/serious) and the real pages of shared/realpages → candidates (target
   0) and milliseconds per page.
3. Throughput: N pages (default 10,000) made by repeating the real pages and the labelled pages
   → pages per second and candidates per second, on this machine (one core).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xunjian.inspectors.dates import page_date  # noqa: E402
from xunjian.inspectors.serious import (  # noqa: E402
    detect,
    hidden_link_hits,
    load_serious_rules,
    page_unit,
    serious_findings,  # noqa: E402
)
from xunjian.urlcheck import decode_body  # noqa: E402

LABELLED = ROOT / "tests" / "data" / "serious" / "labelled.toml"
REALPAGES = ROOT.parent / "shared" / "realpages" / "pages"
CATEGORIES = ("leader_name", "prohibited", "hidden_link", "typo")
SITE = {"code": "9999000099", "region": "测试省测试县", "url": "http://www.test.gov.cn/"}

PAGE = """<!DOCTYPE html><html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gbk" /><title>{title}</title></head>
<body><div class="position">当前位置：<a href="/">首页</a> &gt; 政务动态</div>
<table width="100%"><tr><td align="center"><h1>{title}</h1></td></tr>
<tr><td align="center">发布日期：{date}　来源：县政府办公室</td></tr>
<tr><td id="zoom">{body}</td></tr></table>
<div class="foot">主办：测试县人民政府办公室</div></body></html>"""


def labelled_cases(path: Path = LABELLED) -> list[dict]:
    with path.open("rb") as fh:
        return tomllib.load(fh)["case"]


def case_html(case: dict, n: int) -> str:
    """The case as a GBK page (encoded and decoded again, as the crawl reads it)."""
    html = PAGE.format(title=f"政务动态{n}", date=case.get("date", "2025-06-01"),
                       body=case["body"])
    return decode_body(html.encode("gbk", "replace"), "text/html")


def unit_for(html: str, url: str) -> dict:
    unit = page_unit({"url": url, "referrer": SITE["url"]}, html)
    unit["date_of"] = lambda: (page_date(html, url) or {}).get("date")
    return unit


def kinds_found(html: str, url: str, rules) -> set[str]:
    return {f["kind"] for f in serious_findings(SITE, [unit_for(html, url)], rules)}


def score_labelled(cases: list[dict] | None = None) -> dict:
    """Per category: tp, fp, fn, precision, recall; and the cases that went wrong."""
    rules = load_serious_rules(region=SITE["region"])
    cases = cases if cases is not None else labelled_cases()
    table = {c: {"tp": 0, "fp": 0, "fn": 0, "planted": 0, "hard": 0} for c in CATEGORIES}
    wrong = []
    for n, case in enumerate(cases):
        url = f"http://www.test.gov.cn/art/2025/6/1/art_1229_{n}.html"
        found = kinds_found(case_html(case, n), url, rules)
        label = case["label"]
        if label in table:
            table[label]["planted"] += 1
            table[label]["hard"] += bool(case.get("hard"))
            if label in found:
                table[label]["tp"] += 1
            else:
                table[label]["fn"] += 1
                wrong.append(("missed", label, case.get("hard", False), case["body"][:70]))
        for kind in found - {label}:
            if kind == "prohibited" and label == "hidden_link":
                continue  # spam text in the hidden link itself: the same hack, seen twice
            table[kind]["fp"] += 1
            wrong.append(("false alarm", kind, label, case["body"][:70]))
    for row in table.values():
        row["precision"] = row["tp"] / (row["tp"] + row["fp"]) if row["tp"] + row["fp"] else 1.0
        row["recall"] = row["tp"] / row["planted"] if row["planted"] else 1.0
    return {"table": table, "wrong": wrong, "cases": len(cases)}


def clean_pages(realpages: Path = REALPAGES) -> list[tuple[str, str]]:
    """(url, html) of every clean page: demo site, fixture sites but the planted one, real."""
    planted = ROOT / "tests" / "sites" / "serious"
    files = [p for folder in (ROOT / "demo" / "site", ROOT / "tests" / "sites")
             for p in sorted(folder.rglob("*.html")) if planted not in p.parents]
    files += sorted(realpages.glob("*.html")) if realpages.is_dir() else []
    pages = []
    for p in files:
        html = decode_body(p.read_bytes(), "text/html")
        pages.append((f"http://www.test.gov.cn/{p.parent.name}/{p.name}", html))
    return pages


def scan_pages(pages: list[tuple[str, str]], rules) -> tuple[int, float, list]:
    """Candidates found on pages (detector + hidden links), seconds taken, the candidates."""
    found = []
    start = time.process_time()  # CPU seconds: the machine may be shared
    for url, html in pages:
        unit = unit_for(html, url)
        found += [(url, h.kind, h.rule_id, h.match) for h in detect(unit, rules)]
        found += [(url, "hidden_link", x["how"], x["url"])
                  for x in hidden_link_hits(unit, rules, SITE["url"])]
    return len(found), time.process_time() - start, found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10000)
    parser.add_argument("--realpages", type=Path, default=REALPAGES)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    rules = load_serious_rules(region=SITE["region"])
    print(f"rules loaded in {time.perf_counter() - started:.2f} s (homophone tables, automaton "
          f"of {len(rules.automaton)} phrases)\n")

    scored = score_labelled()
    print(f"## Labelled set ({scored['cases']} cases, {LABELLED.relative_to(ROOT)})\n")
    print("| category | planted (hard) | found | false alarms | missed | precision | recall |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for cat, row in scored["table"].items():
        print(f"| {cat} | {row['planted']} ({row['hard']}) | {row['tp']} | {row['fp']} | "
              f"{row['fn']} | {row['precision']:.2f} | {row['recall']:.2f} |")
    for what in scored["wrong"]:
        print("  -", *what)

    pages = clean_pages(args.realpages)
    count, seconds, found = scan_pages(pages, rules)
    print(f"\n## Clean pages: {len(pages)} (demo site, fixture sites, real pages)\n")
    print(f"candidates: {count}; {seconds / max(1, len(pages)) * 1000:.1f} ms CPU per page")
    for item in found[:20]:
        print("  -", *item)

    cases = labelled_cases()
    pool = pages + [(f"http://www.test.gov.cn/l/{n}.html", case_html(c, n))
                    for n, c in enumerate(cases)]
    many = list(itertools.islice(itertools.cycle(pool), args.pages))
    wall = time.perf_counter()
    count, seconds, _ = scan_pages(many, rules)
    wall = time.perf_counter() - wall
    print(f"\n## Throughput: {len(many)} pages ({len(pool)} distinct, repeated), one core\n")
    print(f"CPU {seconds:.1f} s (wall {wall:.1f} s): {len(many) / seconds:.0f} pages/s, "
          f"{seconds / len(many) * 1000:.2f} ms per page; {count} candidates, "
          f"{count / seconds:.0f} candidates/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
