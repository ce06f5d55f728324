"""A page whose script never yields cannot stop an inspection (issue 24, case 2).

A hacked county site (大汉 jcms paths, ``default_pgContainer`` tables, ``[2026-11-18]`` dates):
its registered 通知公告 page spins in ``while (true)`` 200 ms after its load event, its 政策解读
page loops ``alert()``/``confirm()``/``prompt()`` after load and asks ``onbeforeunload``, its
不动产登记查询 online system rewrites its title for ever, and its 工作动态 page is an ordinary
list. Before, the first read of such a page (its HTML, its title)
waited for ever: the inspection never ended, its heartbeat stayed fresh and it held the site's
lock. Now every browser step has a deadline (``XUNJIAN_STEP_TIMEOUT``, 5 s here): the stuck
pages are findings 页面脚本无响应 with their URLs and the step that hung, the ordinary column is
judged as ever, the inspection ends ``done`` and the lock is free. A homepage that hangs after
load is a homepage that cannot be read: 首页无法访问（页面脚本无响应…）, and the inspection ends.

No timing is asserted: the command only has to return within several minutes (else the test
fails on its own timeout, killing the command's whole process tree).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from cli_run import ROOT, census_forms

from xunjian.demo.server import DemoServer
from xunjian.inspection.card import card_for
from xunjian.inspection.runcontrol import SiteLock
from xunjian.storage import open_store

SITE = Path(__file__).parent / "sites" / "stuck"
CODE = "9999000240"
AS_OF = "2026-11-20"
COLUMNS = [
    ("信息公开类", "工作动态", "工作动态", "/col/col2861/index.html"),
    ("信息公开类", "通知公告", "通知公告", "/col/col2862/index.html"),
    ("信息公开类", "政策文件", "政策解读", "/col/col2863/index.html"),
    ("办事服务类", "在线(申报、查询)系统", "不动产登记查询", "/xt/bdc/index.html"),
]
STUCK = ("/col/col2862/index.html", "/col/col2863/index.html")
SYSTEM = "/xt/bdc/index.html"
ENV = {"XUNJIAN_STEP_TIMEOUT": "5", "XUNJIAN_NAV_TIMEOUT": "15", "XUNJIAN_LINK_TIMEOUT": "3",
       "XUNJIAN_HOME_RETRIES": "1", "XUNJIAN_HOME_RETRY_PAUSE": "0.5",
       "XUNJIAN_MAX_PAGES": "30", "XUNJIAN_FRESHNESS": "1", "XUNJIAN_PAINT_RETRY_MS": "500"}
#: Several minutes on a loaded machine; the original code never returns at all.
BOUND = float(os.environ.get("XUNJIAN_TEST_STUCK_BOUND", "420"))


def run(*args: str, store: Path) -> subprocess.CompletedProcess:
    """`xunjian ARGS…`; past BOUND its whole process group (crawl, Chromium) is killed and the
    test fails."""
    env = dict(os.environ, XUNJIAN_STORE=str(store), **ENV)
    proc = subprocess.Popen([sys.executable, "-m", "xunjian.cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=BOUND)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise AssertionError(f"`xunjian {' '.join(args)}` did not end within {BOUND} s "
                             f"(a page's script hung it):\n{out[-2000:]}\n{err[-3000:]}")
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def inspect(root: Path, tmp_path: Path):
    store_dir = tmp_path / "store"
    with DemoServer(root=root) as server:
        base = server.url.rstrip("/")
        files = census_forms(tmp_path / "reg", (CODE, "测试省测试县", "测试县人民政府", "门户网站",
                                                f"{base}/", "测试县政府办"),
                             [(c, t, n, base + p) for c, t, n, p in COLUMNS])
        imported = run("registry", "import", *map(str, files), store=store_dir)
        assert imported.returncode == 0, imported.stdout + imported.stderr
        done = run("inspect", CODE, "--as-of", AS_OF, "--json", str(tmp_path / "card.json"),
                   store=store_dir)
    store = open_store(str(store_dir))
    inspection = store.find("inspections", site=CODE)[-1]
    return base, done, store, inspection


def assert_lock_free(store) -> None:
    lock = SiteLock(store, CODE)
    lock.acquire()  # SiteBusy if the inspection still held it
    lock.release()


@pytest.mark.browser
def test_stuck_column_pages_are_findings_and_the_inspection_ends(tmp_path) -> None:
    base, done, store, inspection = inspect(SITE, tmp_path)
    assert inspection["status"] == "done", (inspection, done.stdout, done.stderr)
    assert done.returncode in (0, 1, 2), done.stdout + done.stderr
    assert_lock_free(store)
    stuck = {f["url"]: f for f in store.findings(inspection["id"])
             if f["kind"] == "page_unresponsive"}
    for path in STUCK:
        finding = stuck.get(base + path)
        assert finding is not None, (path, sorted(stuck), done.stdout)
        assert "页面脚本无响应" in finding["detail"] and finding["page"]
        assert finding["evidence"]["step"]  # which step of the page hung
    # no other page was blamed: the homepage and the ordinary column read as ever
    assert set(stuck) == {base + p for p in STUCK}
    ordinary = [p for p in store.find("column_pages", inspection=inspection["id"])
                if p["url"] == base + "/col/col2861/index.html"]
    assert ordinary and not ordinary[0].get("error"), ordinary
    assert len(ordinary[0]["items"]) == 3 and ordinary[0].get("screenshot")
    # the online system that hangs is judged on its own indicator, with the same reason — on
    # the card: service findings are derived from the stored facts when a card is scored
    card = card_for(store, inspection["id"])
    system = [f for f in card["findings"] if f.get("url") == base + SYSTEM]
    assert [(f["indicator"], f["kind"]) for f in system] == \
        [("service.online_systems", "system_unreachable")], system
    assert "页面脚本无响应" in system[0]["detail"]
    home = [p for p in store.pages(inspection["id"]) if p.get("is_home")]
    assert home and not home[0].get("error") and home[0].get("screenshot")


@pytest.mark.browser
def test_a_homepage_that_hangs_after_load_ends_the_inspection(tmp_path) -> None:
    root = tmp_path / "site"
    shutil.copytree(SITE, root)
    shutil.copy(root / "hang_home" / "index.html", root / "index.html")
    _, done, store, inspection = inspect(root, tmp_path)
    assert inspection["status"] == "done", (inspection, done.stdout, done.stderr)
    assert_lock_free(store)
    first = done.stdout.strip().splitlines()[0]
    assert first.startswith("首页无法访问") and "页面脚本无响应" in first, done.stdout
    # the registered columns are still read on their own URLs
    ordinary = [p for p in store.find("column_pages", inspection=inspection["id"])
                if p["url"].endswith("/col/col2861/index.html")]
    assert ordinary and not ordinary[0].get("error") and len(ordinary[0]["items"]) == 3


class _StuckPage:
    """A Playwright page whose renderer is stuck: nothing it is asked ever answers, closing it
    included; only its context can still be closed."""

    url = "http://127.0.0.1:1/col/col2862/index.html"

    def __init__(self):
        self.closed = False
        outer = self

        class Context:
            async def close(self):
                outer.closed = True

        self.context = Context()

    def is_closed(self) -> bool:
        return self.closed

    async def close(self, run_before_unload=False):
        await asyncio.sleep(3600)

    async def content(self):
        await asyncio.sleep(3600)


def test_a_step_past_its_deadline_abandons_the_page_even_when_closing_hangs(monkeypatch):
    from xunjian.browser import deadline

    monkeypatch.setattr(deadline, "CLOSE_TIMEOUT", 0.2)
    page = _StuckPage()

    async def read():
        with pytest.raises(deadline.PageUnresponsive) as stuck:
            await deadline.step(page, page.content(), "读取页面", timeout=0.2)
        return stuck.value

    error = asyncio.run(asyncio.wait_for(read(), 30))
    assert page.closed  # its context went, since the page itself would not close
    assert str(error).startswith("页面脚本无响应") and "读取页面" in str(error)
    assert error.url == page.url and deadline.is_unresponsive(str(error))


def test_one_finding_per_stuck_page_weighed_like_a_broken_link() -> None:
    from xunjian.inspectors.unresponsive import merge, unresponsive_findings

    home = {"url": "http://x/", "is_home": True, "error": None,
            "links": [{"url": "http://x/col/a.html"}]}
    error = "页面脚本无响应（读取页面 超过 5 秒）"
    docs = {"pages": [home, {"url": "http://x/col/a.html", "referrer": "http://x/",
                             "error": error},
                      {"url": "http://x/art/1.html", "referrer": "http://x/col/b.html",
                       "error": None, "render": {"error": error}},
                      {"url": "http://x/art/2.html", "error": "打不开：连接被拒绝"}],
            "column_pages": [{"url": "http://x/col/a.html", "column": {"name": "通知公告"},
                              "error": error, "status": 200}]}
    found = {f["url"]: f for f in unresponsive_findings({"code": CODE}, docs, home)}
    assert set(found) == {"http://x/col/a.html", "http://x/art/1.html"}
    column = found["http://x/col/a.html"]
    assert column["rule"] == "home" and "通知公告" in column["detail"]
    assert column["page"] == "http://x/" and "读取页面" in column["evidence"]["step"]
    assert found["http://x/art/1.html"]["rule"] == "other"
    assert found["http://x/art/1.html"]["page"] == "http://x/col/b.html"
    broken = {"url": "http://x/col/a.html", "kind": "broken_link"}
    merged = merge([broken, {"url": "http://x/other", "kind": "broken_link"}],
                   list(found.values()))
    assert [f["kind"] for f in merged if f["url"] == "http://x/col/a.html"] == \
        ["page_unresponsive"]
