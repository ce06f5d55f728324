"""Issue 14: one Chromium per inspection, and the auditor's ``scrapy crawl site -a site=CODE``.

The fixture is a 拓尔思-style county portal (tests/sites/onebrowser: ``./202611/t20261118_….html``
articles, ``<div class="list-item">`` lists, tables with inline styles) whose 网上办事大厅 answers
502, whose 县长信箱 sits behind an anti-bot wall (a browser re-check in the finishing), whose
article links a report page that never answers in time and a missing attachment (evidence
screenshots of a deeper page, in the finishing too). While an inspection runs, the test samples
/proc for Chromium *browser* processes (tests/support/proctree.py) descending from the inspection's
process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_run import census_forms, run_counted, xunjian

from tests.support import proctree
from xunjian.demo.server import DemoServer
from xunjian.storage import open_store

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SITE = Path(__file__).parent / "sites" / "onebrowser"
CODE = "9999000140"
AS_OF = "2026-11-20"
ENV = {"XUNJIAN_LINK_TIMEOUT": "2", "XUNJIAN_NAV_TIMEOUT": "10", "XUNJIAN_HOME_RETRIES": "0",
       "XUNJIAN_MAX_GUIDES": "5", "XUNJIAN_MAX_LETTERS": "5"}


def registry(folder: Path, url: str) -> list[Path]:
    base = url.rstrip("/")
    site = (CODE, "某某省某某县", "某某县人民政府门户网站", "门户网站", url,
            "某某县人民政府办公室")
    return census_forms(folder, site,
                        [("信息公开类", "通知公告", "通知公告", f"{base}/xxgk/tzgg/index.html"),
                         ("办事服务类", "在线(申报、查询)系统", "网上办事大厅",
                          f"{base}/status/502")])


def card_json(store: Path, inspection: str) -> dict:
    done = xunjian("report", "card", CODE, "--inspection", inspection, "--json", "-",
                   store=store, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def comparable(card: dict) -> tuple:
    """What an auditor compares: verdict, score, and each finding's indicator, URL, type."""
    findings = sorted((f["indicator"], f.get("url") or "", f.get("error_type") or "",
                       f.get("deduction") or 0) for f in card["findings"])
    return card["verdict"], card["total_deduction"], findings


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("onebrowser")
    store = tmp / "store"
    with DemoServer(root=SITE, slow_seconds=8) as server:
        forms = registry(tmp / "registry", server.url)
        assert xunjian("registry", "import", *map(str, forms), store=store).returncode == 0
        env = dict(os.environ, XUNJIAN_STORE=str(store), **ENV)
        inspect, inspect_count = run_counted(
            [sys.executable, "-m", "xunjian.cli", "inspect", CODE, "--as-of", AS_OF], env)
        audit, audit_count = run_counted(
            [sys.executable, "-m", "scrapy", "crawl", "site", "-a", f"site={CODE}",
             "-a", f"as_of={AS_OF}"], env)
        with open_store(str(store)) as opened:
            inspections = sorted(opened.inspections(CODE), key=lambda i: i["started_at"])
            ids = [i["id"] for i in inspections]
            results = {i: opened.link_results(i) for i in ids}
            pages = {i: opened.pages(i) for i in ids}
        yield {"inspect": inspect, "inspect_count": inspect_count, "audit": audit,
               "audit_count": audit_count, "store": store, "ids": ids, "results": results,
               "pages": pages, "url": server.url}


def test_xunjian_inspect_runs_one_browser_for_crawl_and_finishing(runs) -> None:
    inspect = runs["inspect"]
    assert inspect.returncode == 0, inspect.stdout + inspect.stderr
    count = runs["inspect_count"]
    assert count.max_at_once == 1, count.seen
    assert len(count.seen) == 1, f"the finishing launched a browser of its own: {count.seen}"
    # the finishing did use a browser: the wall re-checked, a deeper page photographed
    first = runs["ids"][0]
    walled = [r for r in runs["results"][first] if "/hudong/" in r["url"]]
    assert walled and walled[0].get("browser"), walled
    shot_later = [p["url"] for p in runs["pages"][first] if p.get("screenshot_later")]
    assert any(u.endswith("/zwgk/aqsc/index.html") for u in shot_later), shot_later


def test_the_auditors_scrapy_crawl_prints_the_same_card(runs) -> None:
    audit = runs["audit"]
    assert audit.returncode == 0, audit.stdout[-3000:] + audit.stderr[-3000:]
    assert runs["audit_count"].max_at_once == 1, runs["audit_count"].seen
    assert len(runs["audit_count"].seen) == 1, runs["audit_count"].seen
    assert len(runs["ids"]) == 2  # a whole inspection of its own, stored like any other
    out = audit.stdout
    first, second = (card_json(runs["store"], i) for i in runs["ids"])
    assert comparable(first) == comparable(second)
    # the card: verdict, score, findings by indicator, where each finding's evidence is
    assert f"结论 {second['verdict']}" in out and f"得分 {second['score']:g}" in out, out
    assert f"inspection {runs['ids'][1]}" in out
    assert "availability.links\t网站可用性·链接可用性\tchecked" in out
    assert "service.online_systems\t服务实用情况·在线系统\tchecked\t3" in out
    for finding in second["findings"]:
        if finding["indicator"] == "availability.links":
            assert finding["url"] in out
    shots = [w for line in out.splitlines() if line.startswith("finding\t")
             for w in line.split("\t") if w.endswith(".png")]
    assert shots and all(Path(s).is_file() and Path(s).is_relative_to(runs["store"])
                         for s in shots)


def test_site_faults_are_not_error_lines(runs) -> None:
    """A 502 from the online system and a page that times out are findings, not ERRORs."""
    audit = runs["audit"]
    assert "/status/502" in audit.stderr  # the log does mention the system's answer
    errors = [line for line in audit.stderr.splitlines() if "] ERROR:" in line]
    assert errors == []
    second = runs["ids"][1]
    slow = [r for r in runs["results"][second] if "/slow/" in r["url"]]
    assert slow and slow[0]["outcome"] == "broken", slow


def test_the_auditors_crawl_exits_non_zero_on_a_failed_inspection(tmp_path) -> None:
    """The store cannot keep a screenshot (its blob folder is a file): failed, exit 4."""
    store = tmp_path / "store"
    with DemoServer(root=SITE, slow_seconds=8) as server:
        forms = registry(tmp_path / "registry", server.url)
        assert xunjian("registry", "import", *map(str, forms), store=store).returncode == 0
        (store / "blobs").rename(tmp_path / "blobs-away") if (store / "blobs").exists() else None
        (store / "blobs").write_text("not a folder")
        env = dict(os.environ, XUNJIAN_STORE=str(store), XUNJIAN_STORE_RETRIES="1",
                   XUNJIAN_STORE_RETRY_PAUSE="0.05", XUNJIAN_FRESHNESS="0", **ENV)
        done = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "site", "-a",
                               f"site={CODE}"], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=300)
    assert done.returncode == 4, done.stdout[-2000:] + done.stderr[-3000:]
    assert "inspection failed" in done.stderr and "store" in done.stderr
    assert "结论" not in done.stdout  # no card for a failed inspection
    with open_store(str(store)) as opened:
        (inspection,) = opened.inspections(CODE)
        assert inspection["status"] == "failed"


def test_a_recycled_browser_context_finds_the_same(runs, tmp_path) -> None:
    """Every 2 pages a fresh browser context (XUNJIAN_CONTEXT_PAGES): same card, one browser."""
    store = tmp_path / "store"
    forms = registry(tmp_path / "registry", runs["url"])
    assert xunjian("registry", "import", *map(str, forms), store=store).returncode == 0
    env = dict(os.environ, XUNJIAN_STORE=str(store), XUNJIAN_CONTEXT_PAGES="2", **ENV)
    done, count = run_counted([sys.executable, "-m", "xunjian.cli", "inspect", CODE, "--as-of",
                               AS_OF, "--json", str(tmp_path / "card.json")], env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert len(count.seen) == 1, count.seen
    (log,) = (store / "logs").glob("crawl-*.log")
    recycled = [line for line in log.read_text("utf-8").splitlines()
                if "served 2 pages: the next pages get a fresh one" in line]
    assert len(recycled) >= 2, log.read_text("utf-8")[-3000:]
    card = json.loads((tmp_path / "card.json").read_text("utf-8"))
    assert comparable(card) == comparable(card_json(runs["store"], runs["ids"][0]))


def test_a_killed_inspection_leaves_no_crawl_or_browser_behind(tmp_path) -> None:
    """`xunjian inspect` SIGKILLed (OOM killer, kill -9) mid-crawl: its crawl and Chromium stop
    too instead of crawling on as orphans."""
    store = tmp_path / "store"
    with DemoServer(root=SITE, slow_seconds=60) as server:
        forms = registry(tmp_path / "registry", server.url)
        assert xunjian("registry", "import", *map(str, forms), store=store).returncode == 0
        env = dict(os.environ, XUNJIAN_STORE=str(store), **ENV)
        proc = subprocess.Popen([sys.executable, "-m", "xunjian.cli", "inspect", CODE], cwd=ROOT,
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while not proctree.sample(proc.pid).browsers and time.monotonic() < deadline:
                time.sleep(0.2)
            below = proctree.descendants(proc.pid)
            assert any(proctree.chromium(pid) for pid in below), "no Chromium started"
        finally:
            proc.kill()
            proc.wait()
        deadline = time.monotonic() + 60
        while any(proctree.alive(pid) for pid in below) and time.monotonic() < deadline:
            time.sleep(0.5)
        left = {pid: proctree.command_line(pid) for pid in below if proctree.alive(pid)}
        for pid in left:  # don't leave them to the next test either
            os.kill(pid, 9)
        assert left == {}, left
