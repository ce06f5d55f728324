"""Lists that are not news lists, and indicators that examined nothing (issue 9, causes 3 and 9).

One inspection in Chromium of a generated TRS-look GBK site (tests/sites/trs_service/trs_site.py,
served on 127.0.0.1): an undated 办事指南 table of 25 guides over index.html / index_1.html /
index_2.html whose pager a script writes, a guide column that renders an empty shell, an undated
局长信箱 list over list.jsp / ?page=2, a survey column on a refused port, an interview column that
never answers, and a dated news column with a second page.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from scoring import validate_card
from storage import open_store

ROOT = Path(__file__).resolve().parents[1]
SPEC = importlib.util.spec_from_file_location(
    "trs_site", Path(__file__).parent / "sites" / "trs_service" / "trs_site.py")
trs_site = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(trs_site)
CODE = "9999000077"
AS_OF = "2026-11-20"


def xunjian(*args: str, store: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = dict(os.environ, XUNJIAN_STORE=str(store), **(env or {}))
    return subprocess.run([sys.executable, "-m", "xunjian.cli", *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=400)


def registry(folder: Path, site) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    base = site.url.rstrip("/")
    sites = folder / "sites.csv"
    sites.write_text(
        "网站标识码,部门/地区,网站名称,网站类型,首页网址,网站主管单位\n"
        f"{CODE},测试市江北区,{trs_site.AGENCY}网站,其他,{site.url},{trs_site.AGENCY}\n",
        encoding="utf-8-sig")
    rows = [("办事服务类", "办事指南类栏目", "个人办事", f"{base}/zwfw/grbs/index.html"),
            ("办事服务类", "办事指南类栏目", "法人办事", f"{base}/zwfw/frbs/index.html"),
            ("互动回应类", "政务咨询类栏目", "局长信箱", f"{base}/hdjl/jzxx/list.jsp"),
            ("互动回应类", "调查征集类栏目", "意见征集",
             f"http://127.0.0.1:{site.closed_port}/hdjl/yjzj/index.html"),
            ("互动回应类", "互动访谈类栏目", "在线访谈", f"{base}/hdjl/zxft/index.html"),
            ("信息公开类", "工作动态", "工作动态", f"{base}/xwzx/gzdt/index.html")]
    columns = folder / "columns.csv"
    columns.write_text("网站标识码,内容类别,栏目类型,栏目(系统)名称,栏目(系统)地址\n"
                       + "".join(f"{CODE},{','.join(r)}\n" for r in rows), encoding="utf-8-sig")
    return [sites, columns]


@pytest.fixture(scope="module")
def inspected(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("whole_lists")
    store_dir = tmp / "store"
    with trs_site.TRSServiceSite() as site:
        imported = xunjian("registry", "import", *map(str, registry(tmp / "reg", site)),
                           store=store_dir)
        assert imported.returncode == 0, imported.stdout + imported.stderr
        env = {"XUNJIAN_LINK_TIMEOUT": "2", "XUNJIAN_FRESHNESS": "1", "XUNJIAN_MAX_PAGES": "30",
               "XUNJIAN_MAX_DEPTH": "1", "XUNJIAN_NAV_TIMEOUT": "6"}
        run = xunjian("inspect", CODE, "--as-of", AS_OF, "--json", str(tmp / "card.json"),
                      store=store_dir, env=env)
        assert run.returncode == 0, run.stdout + run.stderr
        card = json.loads((tmp / "card.json").read_text("utf-8"))
        with open_store(str(store_dir)) as store:
            facts = {kind: store.find(kind, inspection=card["inspection"])
                     for kind in ("column_pages", "guide_pages", "letters")}
        yield {"card": card, "facts": facts, "site": site}


def points(card: dict, ident: str) -> float:
    return next(d["points"] for d in card["deductions"] if d["id"] == ident)


def mine(card: dict, ident: str) -> list[dict]:
    return [f for f in card["findings"] if f["indicator"] == ident]


def path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def test_dump(inspected):
    card = inspected["card"]
    print(json.dumps({k: card[k] for k in ("unchecked", "deductions", "verdict")}, ensure_ascii=False, indent=1))
    for f in card["findings"]:
        print(f["indicator"], f["rule"], f["url"], f.get("needs_review"), f["detail"][:80])
    for p in inspected["facts"]["column_pages"]:
        print(p["column"]["name"], p["url"], p.get("list_page"), p["status"], p.get("error", "")and p["error"][:80], len(p["items"]), p.get("pages_unread"))
    print(len(inspected["facts"]["guide_pages"]), len(inspected["facts"]["letters"]))
    validate_card(card)
