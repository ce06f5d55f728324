"""Benchmark: wall time and peak memory of full inspections (127.0.0.1 only).

    .venv/bin/python bench/inspect_bench.py                 # generated 300- and 2,000-page sites
    .venv/bin/python bench/inspect_bench.py --sites demo --runs 3
    .venv/bin/python bench/inspect_bench.py --sites 300 --skip-linkchecker
    .venv/bin/python bench/inspect_bench.py --sites 300js --modes full   # lists drawn by script

Sites: ``demo`` (demo/server.py) and generated county portals of N pages (tests/support/sitegen.py:
TRS WCM / 拓尔思 / .shtml article patterns, 2 % broken links, ``--hangs`` links answering after
18 s, served by ``python -m bench.sitegen`` in its own process). On a generated site, with the
default crawl settings, it runs ``xunjian inspect`` twice — everything (freshness on, the site's
columns registered) and links only (``XUNJIAN_FRESHNESS=0``) — then LinkChecker on the same site,
recursing from the homepage (links only, it has no other mode), and compares each broken set with
the generator's. Results: bench/out/inspect-results.json.

Each ``xunjian inspect`` runs on a fresh embedded store, sampling the memory of the whole process
tree (the CLI, the crawl subprocess, Chromium and its helpers) every 50 ms. Peak memory is the
largest sum over the tree seen at one instant, as PSS (each shared page divided among the
processes sharing it — Chromium's many processes share most of their pages, so summing RSS
would count them several times); the summed RSS is reported beside it as an upper bound.
Also reported: pages per second, the most Chromium *browser* processes alive at once in the tree
and how many were started in all (issue 14: one per inspection), and the mean PSS while the
crawl stored its first quarter of pages against its last quarter (does memory grow with pages?).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support import proctree  # noqa: E402
from tests.support.sitegen import COLUMN_NAMES, GenSite  # noqa: E402
from bench.urlcheck_bench import (  # noqa: E402
    OUT,
    linkchecker_results,
    run_measured,
    write_linkcheckerrc,
)
from xunjian.demo.server import DemoServer  # noqa: E402

LINKCHECKER = Path(sys.executable).parent / "linkchecker"
CODE = "9999000900"
#: 栏目类型 the generated columns are registered as (by position of COLUMN_NAMES)
COLUMN_TYPES = ["工作动态", "通知公告", "政策文件", "工作动态", "工作动态", "规划计划", "人事信息",
                "政策文件", "通知公告", "其他", "其他", "其他"]


#: A file to append every sample to (seconds, pages stored, PSS MB, PSS MB by process kind).
SERIES = os.environ.get("XUNJIAN_BENCH_SERIES")


class Sampler:
    """Samples a running inspection's process tree every 50 ms: peak PSS and summed RSS, the
    most Chromium browsers alive at once, and PSS against pages stored (read from the store
    about twice a second), for the first vs last quarter of the crawl."""

    def __init__(self, store_dir: Path | None = None):
        self.store_dir = store_dir
        self.peak_pss = self.peak_rss = self.max_browsers = 0
        self.browsers_seen: set[int] = set()  # every browser started during the run
        self.samples: list[tuple[int, int]] = []  # (pages stored, PSS kB)
        self.at_peak: dict[str, int] = {}  # process kind → PSS MB when the tree peaked
        self.peak_at_s = 0.0  # seconds into the run
        self._start = time.monotonic()
        self._store = None
        self._pages = 0
        self._last_count = 0.0

    def pages(self) -> int:
        if self.store_dir is None or time.monotonic() - self._last_count < 0.5:
            return self._pages
        self._last_count = time.monotonic()
        try:
            if self._store is None and (self.store_dir / "xunjian.sqlite3").exists():
                from xunjian.storage import open_store

                self._store = open_store(str(self.store_dir))
            if self._store is not None:
                self._pages = self._store.count("pages")
        except Exception:  # noqa: BLE001 - the store is being created or is busy: count later
            pass
        return self._pages

    def watch(self, proc: subprocess.Popen) -> None:
        while proc.poll() is None:
            seen = proctree.sample(proc.pid, by_kind=True)
            pss, rss, browsers = seen.pss_kb, seen.rss_kb, seen.browsers
            if pss > self.peak_pss:
                self.at_peak = {k: v // 1024 for k, v in seen.pss_by_kind.items()}
                self.peak_at_s = round(time.monotonic() - self._start, 1)
            self.peak_pss, self.peak_rss = max(self.peak_pss, pss), max(self.peak_rss, rss)
            self.max_browsers = max(self.max_browsers, len(browsers))
            self.browsers_seen.update(browsers)
            self.samples.append((self.pages(), pss))
            if SERIES:
                with open(SERIES, "a", encoding="utf-8") as out:
                    out.write(json.dumps([round(time.monotonic() - self._start, 2),
                                          self._pages, pss // 1024,
                                          {k: v // 1024 for k, v in seen.pss_by_kind.items()}])
                              + "\n")
            time.sleep(0.05)
        if self._store is not None:
            self._store.close()

    def quarters(self) -> tuple[float | None, float | None]:
        """Mean PSS (MB) while the crawl stored its first quarter of pages, and its last."""
        total = max((n for n, _ in self.samples), default=0)
        if total < 4:
            return None, None
        crawl = [(n, p) for n, p in self.samples[:next(
            i for i, (n, _) in enumerate(self.samples) if n == total) + 1] if n > 0]
        first = [p for n, p in crawl if n <= total / 4]
        last = [p for n, p in crawl if n > total * 3 / 4]

        def mean(xs):
            return round(sum(xs) / len(xs) / 1024) if xs else None
        return mean(first), mean(last)


def one_run(server: DemoServer) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="xunjian-bench-"))
    env = dict(os.environ, XUNJIAN_STORE=str(tmp / "store"), XUNJIAN_LINK_TIMEOUT="1.5")
    cli = [sys.executable, "-m", "xunjian.cli"]
    files = server.write_registry(tmp / "registry")
    subprocess.run([*cli, "registry", "import", *map(str, files)], env=env, cwd=ROOT,
                   check=True, capture_output=True)
    start = time.perf_counter()
    proc = subprocess.Popen([*cli, "inspect", "9999000001", "--json", str(tmp / "card.json")],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    sampler = Sampler(tmp / "store")
    sampler.watch(proc)
    wall = time.perf_counter() - start
    card = json.loads((tmp / "card.json").read_text("utf-8"))
    pages = ((card.get("facts") or {}).get("crawl") or {}).get("pages_seen") or 0
    first, last = sampler.quarters()
    return {"wall_s": round(wall, 2), "pages_seen": pages,
            "pages_per_s": round(pages / wall, 1),
            "peak_pss_mb": round(sampler.peak_pss / 1024, 1),
            "peak_rss_sum_mb": round(sampler.peak_rss / 1024, 1),
            "max_browsers": sampler.max_browsers,
            "browsers_started": len(sampler.browsers_seen), "pss_first_quarter_mb": first,
            "pss_last_quarter_mb": last, "peak_at_s": sampler.peak_at_s,
            "pss_at_peak_mb": sampler.at_peak,
            "findings": len(card["findings"]), "deduction": card["total_deduction"],
            "exit": proc.returncode}


def measured_inspect(cli: list[str], env: dict, card_path: Path) -> tuple[float, Sampler, int]:
    """Run ``xunjian inspect``; (wall s, its Sampler, exit code)."""
    start = time.perf_counter()
    proc = subprocess.Popen([*cli, "inspect", CODE, "--as-of", "2026-11-30", "--json",
                             str(card_path)], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    sampler = Sampler(Path(env["XUNJIAN_STORE"]))
    sampler.watch(proc)
    return time.perf_counter() - start, sampler, proc.returncode


def serve_generated(pages: int, hangs: int, js_lists: bool = False) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "bench.sitegen", "--pages", str(pages),
                             "--hangs", str(hangs), *(["--js-lists"] if js_lists else [])],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    return proc, proc.stdout.readline().split()[0]


MODES = {"full": ("xunjian (full)", "1"), "links": ("xunjian (links only)", "0")}


def generated_runs(pages: int, hangs: int, linkchecker: bool,
                   modes: tuple[str, ...] = ("full", "links"), js_lists: bool = False) -> dict:
    site = GenSite(pages=pages, hangs=hangs, js_lists=js_lists)
    server, url = serve_generated(pages, hangs, js_lists)
    expected = site.expected_broken(url)
    drawn = ", column lists drawn by script" if js_lists else ""
    report: dict = {"site": f"generated {pages} pages{drawn}", "pages": pages,
                    "expected_broken": len(expected), "hangs": hangs}
    try:
        for mode, freshness in (MODES[m] for m in modes):
            tmp = Path(tempfile.mkdtemp(prefix="xunjian-bench-"))
            env = dict(os.environ, XUNJIAN_STORE=str(tmp / "store"), XUNJIAN_FRESHNESS=freshness)
            for key in ("XUNJIAN_MAX_PAGES", "XUNJIAN_MAX_DEPTH", "XUNJIAN_LINK_TIMEOUT"):
                env.pop(key, None)  # the defaults are what is measured
            cli = [sys.executable, "-m", "xunjian.cli"]
            reg = tmp / "reg"
            reg.mkdir()
            (reg / "sites.csv").write_text(
                "网站标识码,部门/地区,网站名称,网站类型,首页网址,网站主管单位\n"
                f"{CODE},某某省某某县,{site.name},门户网站,{url},某某县人民政府办公室\n",
                encoding="utf-8-sig")
            rows = "".join(f"{CODE},{COLUMN_TYPES[COLUMN_NAMES.index(c.name)]},{c.name},"
                           f"{url.rstrip('/')}{c.list_path(0)}\n" for c in site.columns)
            (reg / "columns.csv").write_text("网站标识码,栏目类型,栏目(系统)名称,栏目(系统)地址\n"
                                             + rows, encoding="utf-8-sig")
            subprocess.run([*cli, "registry", "import", str(reg / "sites.csv"),
                            str(reg / "columns.csv")], env=env, cwd=ROOT, check=True,
                           capture_output=True)
            wall, sampler, code = measured_inspect(cli, env, tmp / "card.json")
            first, last = sampler.quarters()
            card = json.loads((tmp / "card.json").read_text("utf-8")) if code == 0 else {}
            crawl = (card.get("facts") or {}).get("crawl") or {}
            broken = {f["url"] for f in card.get("findings", [])
                      if f["indicator"] == "availability.links"}
            report[mode] = {
                "wall_s": round(wall, 1), "pages_seen": crawl.get("pages_seen"),
                "pages_per_s": round((crawl.get("pages_seen") or 0) / wall, 1),
                "peak_pss_mb": round(sampler.peak_pss / 1024),
                "peak_rss_sum_mb": round(sampler.peak_rss / 1024),
                "max_browsers": sampler.max_browsers,
                "browsers_started": len(sampler.browsers_seen), "pss_first_quarter_mb": first,
                "pss_last_quarter_mb": last, "broken": len(broken),
                "same_broken_set": broken == expected,
                "missed": sorted(expected - broken)[:5], "extra": sorted(broken - expected)[:5],
                "peak_at_s": sampler.peak_at_s, "pss_at_peak_mb": sampler.at_peak,
                "partial": crawl.get("partial_reason"), "exit": code,
                "rendered": (crawl.get("render") or {}).get("rendered"),
                "render_reasons": (crawl.get("render") or {}).get("reasons")}
        if linkchecker:
            OUT.mkdir(exist_ok=True)
            csv_path = OUT / f"linkchecker-{pages}.csv"
            cmd = [str(LINKCHECKER), "--no-robots", "--no-status", "-r", "-1", "-t", "32",
                   "--timeout", "15", "--verbose", "-o", "csv/utf-8",
                   "-f", str(write_linkcheckerrc()), url]
            wall, rss, code = run_measured(cmd, dict(os.environ), 1800,
                                           OUT / f"linkchecker-{pages}.stderr", csv_path)
            valid = linkchecker_results(csv_path) if csv_path.exists() else {}
            broken = {u for u, ok in valid.items() if not ok}
            page_urls = {u for u in valid if u.rsplit(".", 1)[-1] not in ("jpg", "png", "pdf",
                                                                           "css")}
            report["LinkChecker 10.6"] = {
                "wall_s": round(wall, 1), "pages_seen": len(page_urls),
                "pages_per_s": round(len(page_urls) / wall, 1),
                "peak_pss_mb": None, "peak_rss_sum_mb": round(rss / 1024),
                "broken": len(broken), "same_broken_set": broken == expected,
                "missed": sorted(expected - broken)[:5], "extra": sorted(broken - expected)[:5],
                "links_checked": len(valid), "exit": code}
    finally:
        server.terminate()
        server.wait(10)
    return report


def print_generated(report: dict) -> None:
    print(f"\n{report['site']}: {report['expected_broken']} broken links by design "
          f"({report['hangs']} hang 18 s)")
    print(f"{'run':<24}{'wall s':>8}{'pages':>7}{'pages/s':>9}{'PSS MB':>8}{'RSS MB':>8}"
          f"{'browsers':>9}{'started':>8}{'PSS q1→q4':>12}{'broken':>8}{'rendered':>9}"
          "  same set")
    for name in ("xunjian (full)", "xunjian (links only)", "LinkChecker 10.6"):
        row = report.get(name)
        if row:
            print(f"{name:<24}{row['wall_s']:>8}{row['pages_seen'] or 0:>7}"
                  f"{row['pages_per_s']:>9}{row['peak_pss_mb'] or '—':>8}"
                  f"{row['peak_rss_sum_mb']:>8}{row.get('max_browsers', '—'):>9}"
                  f"{row.get('browsers_started', '—'):>8}"
                  f"{quarters(row):>12}{row['broken']:>8}{row.get('rendered') or 0:>9}"
                  f"  {row['same_broken_set']}")
            if row.get("pss_at_peak_mb"):
                print(f"    at the peak ({row['peak_at_s']} s in): " + ", ".join(
                    f"{kind} {mb}" for kind, mb in sorted(row["pss_at_peak_mb"].items(),
                                                          key=lambda kv: -kv[1])))


def quarters(row: dict) -> str:
    first, last = row.get("pss_first_quarter_mb"), row.get("pss_last_quarter_mb")
    return f"{first}→{last}" if first is not None else "—"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of the demo site")
    parser.add_argument("--sites", default="300,2000",
                        help="comma-separated: demo and/or page counts of generated sites "
                             "(N, or Njs: its column lists drawn by script from /api/*.json)")
    parser.add_argument("--hangs", type=int, default=3, help="18 s hangs per generated site")
    parser.add_argument("--skip-linkchecker", action="store_true")
    parser.add_argument("--modes", default="full,links",
                        help="comma-separated xunjian modes on generated sites: full, links")
    args = parser.parse_args()
    reports = []
    for name in args.sites.split(","):
        if name != "demo":
            reports.append(generated_runs(int(name.removesuffix("js")), args.hangs,
                                          not args.skip_linkchecker,
                                          tuple(args.modes.split(",")), name.endswith("js")))
            print_generated(reports[-1])
            OUT.mkdir(exist_ok=True)
            (OUT / "inspect-results.json").write_text(json.dumps(reports, ensure_ascii=False,
                                                                 indent=2))
    if "demo" in args.sites.split(","):
        demo(args.runs)


def demo(runs: int) -> None:
    with DemoServer(slow_seconds=3) as server:
        results = [one_run(server) for _ in range(runs)]
    for n, r in enumerate(results, 1):
        print(f"run {n}: {r['wall_s']:.2f} s wall, {r['pages_seen']} pages "
              f"({r['pages_per_s']} pages/s), peak {r['peak_pss_mb']:.0f} MB PSS "
              f"({r['peak_rss_sum_mb']:.0f} MB summed RSS) over the process tree, "
              f"{r['max_browsers']} browser(s) at once at most, {r['browsers_started']} "
              f"started in all, PSS first→last quarter "
              f"{quarters(r)} MB, {r['findings']} findings, {r['deduction']} points")
        print(f"    at the peak ({r['peak_at_s']} s in): " + ", ".join(
            f"{kind} {mb}" for kind, mb in sorted(r["pss_at_peak_mb"].items(),
                                                  key=lambda kv: -kv[1])))
    walls = sorted(r["wall_s"] for r in results)
    print(f"median wall {walls[len(walls) // 2]:.2f} s; "
          f"max peak {max(r['peak_pss_mb'] for r in results):.0f} MB PSS; "
          f"max browsers {max(r['max_browsers'] for r in results)}")
    OUT.mkdir(exist_ok=True)
    (OUT / "inspect-demo.json").write_text(json.dumps(results, indent=2))

if __name__ == "__main__":
    main()
