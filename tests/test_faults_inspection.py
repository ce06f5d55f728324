"""When a homepage fails, the card says so instead of giving a false verdict (issue 10, point 1).

The homepage of 测试县人民政府 lives on a FaultServer (tests/faultserver.py) that hangs, loops
redirects, resets the connection, answers 500/503, or shows a self-signed certificate. Its two
registered columns — 工作动态 and 县长信箱 (政务咨询类), 大汉 jcms paths,
``<div class="list-item">`` lists, a letter in a table with inline styles — live on a healthy
server (tests/sites/faults), as a site's columns registered in 附件4 would.

Each fault, one Chromium inspection each (short timeouts, one retry after a short pause):
exit status 3; the card's first line says 首页无法访问 with the browser's error; the indicators
that needed the homepage are unchecked with that reason and never a veto or a deduction; the
registered columns were still inspected on their own URLs (工作动态 fresh, the letter answered);
the homepage was tried twice; everything stored is whole (every referenced blob is there).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from faultserver import FaultServer, self_signed

from xunjian.demo.server import DemoServer
from xunjian.scoring import validate_card
from xunjian.storage import open_store

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SITE_ROOT = Path(__file__).parent / "sites" / "faults"
CODE = "9999000310"
AS_OF = "2026-11-20"
JCMS = "/jcms/jcms_files/jcms1/web1/site/col"
COLUMNS = [
    ("信息公开类", "工作动态", "工作动态", f"{JCMS}/col1021/index.html"),
    ("互动回应类", "政务咨询类栏目", "县长信箱", f"{JCMS}/col1088/index.html"),
]
#: What needs the homepage (its updates, its links, columns only its navigation would show).
NEEDS_HOME = {"availability.links", "updates.homepage", "veto.not_updated",
              "interaction.survey", "interaction.interview", "service.guide",
              "service.attachments", "service.online_systems"}
#: Judged on the registered columns' own URLs: still checked.
STILL_CHECKED = {"interaction.consultation", "veto.unresponsive", "updates.basic_info",
                 "veto.columns_stale"}
FAST = {"XUNJIAN_NAV_TIMEOUT": "5", "XUNJIAN_LINK_TIMEOUT": "2", "XUNJIAN_HOME_RETRIES": "1",
        "XUNJIAN_HOME_RETRY_PAUSE": "0.5", "XUNJIAN_MAX_PAGES": "20", "XUNJIAN_FRESHNESS": "1"}


def xunjian(*args: str, store: Path, env: dict | None = None,
            timeout: float = 240) -> subprocess.CompletedProcess:
    full_env = dict(os.environ, XUNJIAN_STORE=str(store), **FAST, **(env or {}))
    return subprocess.run([sys.executable, "-m", "xunjian.cli", *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def register(folder: Path, store: Path, home_url: str, columns_url: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    sites = folder / "sites.csv"
    sites.write_text("网站标识码,部门/地区,网站名称,网站类型,首页网址,网站主管单位\n"
                     f"{CODE},测试省测试县,测试县人民政府,门户网站,{home_url},测试县政府办\n",
                     encoding="utf-8-sig")
    base = columns_url.rstrip("/")
    columns = folder / "columns.csv"
    columns.write_text("网站标识码,内容类别,栏目类型,栏目(系统)名称,栏目(系统)地址\n" + "".join(
        f"{CODE},{cat},{kind},{name},{base}{path}\n" for cat, kind, name, path in COLUMNS),
        encoding="utf-8-sig")
    done = xunjian("registry", "import", str(sites), str(columns), store=store)
    assert done.returncode == 0, done.stdout + done.stderr


def assert_whole(store) -> None:
    """Nothing half-written: every stored blob reference resolves to its bytes."""
    for collection in ("pages", "column_pages", "guide_pages", "system_pages"):
        for doc in store.find(collection):
            for field in ("html", "screenshot"):
                if doc.get(field):
                    assert store.get_blob(doc[field]), (collection, doc["url"], field)


@pytest.fixture(scope="module")
def columns_server():
    with DemoServer(root=SITE_ROOT) as server:
        yield server


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    pair = self_signed(tmp_path_factory.mktemp("cert"))
    if pair is None:
        pytest.skip("the cryptography package is not installed: no self-signed certificate")
    return pair


CASES = {  # mode → what the browser's error says
    "hang": "Timeout",
    "loop": "ERR_TOO_MANY_REDIRECTS",
    "reset": "ERR_CONNECTION_RESET",
    "500": "HTTP 500",
    "503": "HTTP 503",
    "tls": "ERR_CERT",
    "stream": "Timeout",  # a page that never ends never finishes loading
}


@pytest.mark.parametrize("mode", list(CASES))
def test_unreachable_homepage_gives_no_false_verdict(mode, columns_server, certificate,
                                                    tmp_path) -> None:
    store_dir = tmp_path / "store"
    with FaultServer(mode, certificate if mode == "tls" else None) as home:
        register(tmp_path / "reg", store_dir, home.url, columns_server.url)
        card_file = tmp_path / "card.json"
        run = xunjian("inspect", CODE, "--as-of", AS_OF, "--json", str(card_file),
                      store=store_dir)
        hits = home.home_hits
    assert run.returncode == 3, run.stdout + run.stderr
    first = run.stdout.strip().splitlines()[0]
    assert first.startswith("首页无法访问") and CASES[mode] in first, run.stdout
    card = json.loads(card_file.read_text("utf-8"))
    validate_card(card)

    # no veto, no deduction from what nobody could see; each gap says why
    assert card["vetoes"] == []
    assert card["total_deduction"] == 0 and card["score"] == 100
    # the registered columns were read, so there is a score — but only a provisional 合格 that
    # names the vetoes the dead homepage (and too few probes) left unchecked
    assert card["verdict"] == "合格"
    assert {"veto.unreachable", "veto.not_updated"} <= set(card["unchecked_vetoes"])
    assert "结论 合格（暂定）: 未能检查 站点无法访问、网站不更新" in run.stdout
    assert set(card["unchecked"]) >= NEEDS_HOME
    assert not {f["indicator"] for f in card["findings"]} & set(card["unchecked"])
    for indicator in NEEDS_HOME:
        reason = card["unchecked_reasons"][indicator]
        assert reason.startswith("首页无法访问") and CASES[mode] in reason, reason
    survey = card["unchecked_reasons"]["interaction.survey"]
    assert survey.endswith("未登记调查征集类栏目，只能从首页导航发现")
    # the registered columns were inspected on their own URLs
    assert not STILL_CHECKED & set(card["unchecked"])
    fresh = card["facts"]["freshness"]
    assert {c["name"]: c["status"] for c in fresh["columns"]}["工作动态"] == "fresh"

    home_facts = card["facts"]["homepage"]
    assert home_facts["reachable"] is False and CASES[mode] in home_facts["error"]
    assert len(home_facts["attempts"]) == 2  # tried again after a pause
    if mode != "tls":  # a refused handshake never reaches the server's HTTP side
        assert hits >= 2
    with open_store(str(store_dir)) as store:
        inspection = store.latest_inspection(CODE)
        assert inspection["status"] == "done"
        assert inspection["homepage"]["reachable"] is False
        if mode in ("500", "503"):  # the error page as the browser showed it
            assert store.get_blob(home_facts["screenshot"]).startswith(b"\x89PNG")
        assert store.count("letters", inspection=inspection["id"]) == 1
        assert_whole(store)


def test_a_50mb_page_and_an_endless_page_end_in_bounded_time(columns_server, tmp_path) -> None:
    """A healthy homepage linking to a 50 MB page and to a page that streams forever: the
    inspection finishes (bounded reads, timeouts), the endless page is a dead link that timed
    out, the 50 MB page that answers is not one, and nothing stored is half-written."""
    store_dir = tmp_path / "store"
    with FaultServer("huge") as home:
        register(tmp_path / "reg", store_dir, home.url, columns_server.url)
        card_file = tmp_path / "card.json"
        run = xunjian("inspect", CODE, "--as-of", AS_OF, "--json", str(card_file),
                      store=store_dir, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    card = json.loads(card_file.read_text("utf-8"))
    broken = {f["url"].rsplit("/", 1)[-1]: f for f in card["findings"]
              if f["indicator"] == "availability.links"}
    assert set(broken) == {"a.html", "endless.html"}, broken  # a.html: the server's 404
    assert broken["endless.html"]["evidence"]["error"] == "timeout"
    assert "availability.links" not in card["unchecked"]
    with open_store(str(store_dir)) as store:
        assert_whole(store)

