"""The labelled serious-error set (tests/data/serious/labelled.toml) scored by category: each case
wrapped in a TRS-style GBK article page and run through the detector. Used by
tests/test_serious_bench.py (precision and recall must hold) and bench/serious_bench.py (the
table it prints)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from xunjian.inspectors.dates import page_date
from xunjian.inspectors.serious import load_serious_rules, page_unit, serious_findings
from xunjian.urlcheck import decode_body

ROOT = Path(__file__).resolve().parents[2]
LABELLED = ROOT / "tests" / "data" / "serious" / "labelled.toml"
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
