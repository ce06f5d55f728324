"""Issue 19 §6: a site that moves (a new port in its 首页网址) has its discovered columns found
again on the new address, and a column that refuses connections is told in plain words.

Fixture tests/sites/moved: a county portal of a 集约化平台 style — its main navigation is an image
map (<area alt="通知公告">) with relative links without a leading slash, lists are tables with
[2026-11-18] dates. The registry lists no 通知公告 or 工作动态 column, so both are discovered from
the navigation. Its 人事信息 column is registered on a port where nothing listens.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xunjian.demo.server import DemoServer, free_port
from xunjian.storage import open_store
from tests.cli_run import xunjian

pytestmark = pytest.mark.browser

SITE = Path(__file__).parent / "sites" / "moved"
CODE = "4306260001"
AS_OF = "2026-11-20"
ENV = {"XUNJIAN_LINK_TIMEOUT": "2", "XUNJIAN_MAX_PAGES": "30", "XUNJIAN_FRESHNESS": "1",
       "XUNJIAN_ITEM_PAGES": "0", "XUNJIAN_HOME_RETRIES": "0"}
REFUSED = "打不开：连接被拒绝 (ERR_CONNECTION_REFUSED)"


def write_forms(folder: Path, url: str, refused: str) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    sites = folder / "sites.csv"
    sites.write_bytes(("网站标识码,部门/地区,网站名称,网站类型,首页网址,网站主管单位\r\n"
                       f"{CODE},湖南省某某县,某某县人民政府门户网站,门户网站,{url},"
                       "某某县人民政府办公室\r\n").encode("gbk"))
    columns = folder / "columns.csv"
    columns.write_bytes(("网站标识码,内容类别,栏目类型,栏目(系统)名称,栏目(系统)地址\r\n"
                         f"{CODE},信息公开类,人事信息,人事信息,{refused}\r\n").encode("gbk"))
    return sites, columns


def inspect(store: Path, card: Path):
    done = xunjian("inspect", CODE, "--as-of", AS_OF, "--json", str(card), store=store, env=ENV)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done, json.loads(card.read_text("utf-8"))


def discovered(store: Path) -> list[str]:
    with open_store(str(store)) as db:
        return sorted(c["url"] for c in db.columns(CODE) if c.get("source") == "discovered")


@pytest.fixture(scope="module")
def moved(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("moved")
    store = tmp / "store"
    refused = f"http://127.0.0.1:{free_port()}/zwgk/rsxx/"
    with DemoServer(root=SITE) as old, DemoServer(root=SITE) as new:
        sites, columns = write_forms(tmp / "a", old.url, refused)
        assert xunjian("registry", "import", str(sites), str(columns), store=store).returncode == 0
        inspect(store, tmp / "a.json")
        before = discovered(store)
        # the site moves to another port; the columns form is not sent again
        sites, _ = write_forms(tmp / "b", new.url, refused)
        imported = xunjian("registry", "import", str(sites), store=store)
        assert imported.returncode == 0, imported.stderr
        old.hits.clear()
        second, card = inspect(store, tmp / "b.json")
        report = tmp / "report.html"
        built = xunjian("report", "site", CODE, "--format", "html", "--output", str(report),
                        store=store)
        assert built.returncode == 0, built.stderr
        yield {"old": old.url, "new": new.url, "old_hits": list(old.hits),
               "new_hits": list(new.hits), "before": before, "after": discovered(store),
               "imported": imported.stdout, "card": card, "stdout": second.stdout,
               "report": report.read_text("utf-8"), "refused": refused}


def test_a_moved_site_opens_no_page_of_its_old_address(moved) -> None:
    old, new = moved["old"], moved["new"]
    assert moved["before"] == [f"{old}xwdt/index.html", f"{old}zwgk/tzgg/"]
    assert f"首页网址 changed: {old} → {new}" in moved["imported"]
    assert moved["old_hits"] == []  # no page of the old address was opened
    assert {("GET", "/zwgk/tzgg/"), ("GET", "/xwdt/index.html")} <= set(moved["new_hits"])
    assert moved["after"] == [f"{new}xwdt/index.html", f"{new}zwgk/tzgg/"]
    columns = {c["name"]: c for c in moved["card"]["facts"]["freshness"]["columns"]}
    assert {n: (c["url"], c["source"], c["status"]) for n, c in columns.items()} == {
        "通知公告": (f"{new}zwgk/tzgg/", "discovered", "fresh"),
        "政务动态": (f"{new}xwdt/index.html", "discovered", "fresh"),
        "人事信息": (moved["refused"], "registry", "unreachable"),
    }


def test_a_refused_column_is_told_in_plain_words(moved) -> None:
    card, refused = moved["card"], moved["refused"]
    columns = {c["name"]: c for c in card["facts"]["freshness"]["columns"]}
    assert columns["人事信息"]["error"] == REFUSED  # the code is kept, for auditors
    [finding] = [f for f in card["findings"] if f["url"] == refused]
    assert finding["detail"].endswith(
        "栏目「人事信息」打不开（连接被拒绝 (ERR_CONNECTION_REFUSED)），无法判断是否更新，需人工复核")
    assert finding["evidence"]["error"] == REFUSED
    for text in (json.dumps(card, ensure_ascii=False), moved["stdout"], moved["report"]):
        assert "Call log" not in text and "Page.goto" not in text
    assert "连接被拒绝 (ERR_CONNECTION_REFUSED)" in moved["report"]
