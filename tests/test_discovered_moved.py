"""`xunjian registry discovered CODE` after the site moved (issue 19 §6): columns proposed from the
old 首页网址 are not the site's — the next inspection drops them and discovers again
(spiders/site.py ``left_behind``, the same rule) — so they are neither listed nor exported; the
command says in one line that they were left out. Columns discovered on the new address, and a
discovered column on an origin the site still has (a registered column's), stay listed."""

from __future__ import annotations

import csv
import io

from click.testing import CliRunner

from xunjian.storage import EmbeddedStore
from xunjian.cli import main

CODE = "4127250021"
OLD, NEW = "http://127.0.0.1:8101/", "http://127.0.0.1:8202/"


def discovered(store, url: str, name: str, kind: str, home: str) -> None:
    store.upsert("columns", {"site": CODE, "url": url, "source": "discovered"},
                 {"site": CODE, "url": url, "source": "discovered", "name": name, "type": kind,
                  "category": "信息公开类", "home": home, "position": 1000})


def test_discovered_columns_of_the_old_address_are_not_listed(tmp_path):
    folder = tmp_path / "store"
    with EmbeddedStore(folder) as store:
        site = {"code": CODE, "name": "某某县发展和改革委员会", "url": OLD,
                "region": "某某省某某县", "type": "其他"}
        store.upsert_site(site)
        store.upsert("columns", {"site": CODE, "url": "http://127.0.0.1:8303/rsxx/",
                                 "source": "registry"},
                     {"site": CODE, "url": "http://127.0.0.1:8303/rsxx/", "source": "registry",
                      "name": "人事信息", "type": "人事信息", "category": "信息公开类"})
        discovered(store, f"{OLD}zwgk/tzgg/", "通知公告", "通知公告", OLD)
        discovered(store, f"{OLD}xwdt/", "政务动态", "工作动态", OLD)
        # found from the old homepage, on the registered column's origin: still the site's
        discovered(store, "http://127.0.0.1:8303/zcwj/", "政策文件", "政策文件", OLD)
        store.upsert_site({**site, "url": NEW})  # re-imported with its new 首页网址
        discovered(store, f"{NEW}zwgk/ghjh/", "规划计划", "规划计划", NEW)
    runner = CliRunner()
    listed = runner.invoke(main, ["--store", str(folder), "registry", "discovered", CODE])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0] == (f"{CODE}: 2 discovered column(s) of the old address {OLD} not listed: "
                        f"the site is now {NEW}; the next inspection discovers its columns again")
    assert [line.split()[-1] for line in lines[1:]] == [
        "http://127.0.0.1:8303/zcwj/", f"{NEW}zwgk/ghjh/"]
    exported = runner.invoke(main, ["--store", str(folder), "registry", "discovered", CODE,
                                    "--csv", "-"])
    assert exported.exit_code == 0, exported.output
    rows = list(csv.reader(io.StringIO(exported.output)))
    assert [r[4] for r in rows[1:]] == ["http://127.0.0.1:8303/zcwj/", f"{NEW}zwgk/ghjh/"]
