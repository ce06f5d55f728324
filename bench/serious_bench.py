"""Serious-error candidates: precision and recall per category, candidates on clean pages, speed.

    .venv/bin/python bench/serious_bench.py [--pages 10000] [--realpages DIR]

1. The labelled set tests/data/serious/labelled.toml (planted and clean cases, each wrapped in a
   TRS-style GBK article page; tests/support/serious_labelled.py) → precision / recall per
   category (leader_name, prohibited, hidden_link, typo). Cases marked ``hard`` are ones the
   detector is not expected to catch (a class-hidden link on a plain page, words outside the
   lists); they count all the same.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.serious_labelled import (  # noqa: E402
    LABELLED,
    SITE,
    case_html,
    labelled_cases,
    score_labelled,
    unit_for,
)
from xunjian.inspectors.serious import detect, hidden_link_hits, load_serious_rules  # noqa: E402
from xunjian.urlcheck import decode_body  # noqa: E402

REALPAGES = ROOT.parent / "shared" / "realpages" / "pages"


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
