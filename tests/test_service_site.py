"""Interaction and service end to end: a fixture site (tests/sites/service, served on 127.0.0.1)
is inspected with Chromium; findings and points of the seven indicators are asserted exactly.

办事指南 list of 3 guides: g1 table layout, complete, its 申请表 offered as a .doc that downloads ·
g2 dl/dt/dd, 办公时间 empty and no 办理流程 (2 missing), 承诺书 mentioned but not offered,
项目登记表 offered as a 404 · g3 tabs drawn by JavaScript, 办理流程 panel empty (1 missing),
附件1 a .pdf that is an HTML error page, 附件2 an empty .xlsx. 在线系统: a login page (open), a
blank page, a 404, a 502, a refused port. 县长信箱: answered, answered 140 days later (veto),
unanswered 21 days (fine), unanswered but outside the year. 网上调查 4 in the year
(portal: < 6 → 3), 在线访谈 6 (fine).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cli_run import census_forms, xunjian

from xunjian.demo.server import DemoServer
from xunjian.scoring import validate_card
from xunjian.storage import open_store

pytestmark = pytest.mark.browser

SITE_ROOT = Path(__file__).parent / "sites" / "service"
CODE = "9999000088"


def registry(folder: Path, server: DemoServer) -> list[Path]:
    base = server.url.rstrip("/")
    site = (CODE, "测试省测试县", "测试县人民政府门户网站", "门户网站", server.url,
            "测试县人民政府办公室")
    return census_forms(folder, site, [
        ("办事服务类", "办事指南类栏目", "办事指南", f"{base}/bszn/index.html"),
        ("办事服务类", "在线(申报、查询)系统", "网上申报", f"{base}/xt/login.html"),
        ("办事服务类", "在线(申报、查询)系统", "进度查询", f"{base}/xt/blank.html"),
        ("办事服务类", "在线(申报、查询)系统", "证照查询", f"{base}/xt/missing.html"),
        ("办事服务类", "在线(申报、查询)系统", "缴费系统", f"{base}/status/502"),
        ("办事服务类", "在线(申报、查询)系统", "预约系统", f"http://127.0.0.1:{server.closed_port}/"),
        ("互动回应类", "政务咨询类栏目", "县长信箱", f"{base}/hd/xx.html"),
        ("互动回应类", "调查征集类栏目", "网上调查", f"{base}/hd/dc.html"),
        ("互动回应类", "互动访谈类栏目", "在线访谈", f"{base}/hd/ft.html")])


@pytest.fixture(scope="module")
def inspected(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("service")
    store_dir = tmp / "store"
    with DemoServer(root=SITE_ROOT) as server:
        imported = xunjian("registry", "import", *map(str, registry(tmp / "reg", server)),
                           store=store_dir)
        assert imported.returncode == 0, imported.stdout + imported.stderr
        env = {"XUNJIAN_LINK_TIMEOUT": "1.5", "XUNJIAN_FRESHNESS": "1", "XUNJIAN_MAX_PAGES": "40"}
        run = xunjian("inspect", CODE, "--as-of", "2026-11-20", "--json", str(tmp / "card.json"),
                      store=store_dir, env=env)
        assert run.returncode == 0, run.stdout + run.stderr
        card = json.loads((tmp / "card.json").read_text("utf-8"))
        yield {"card": card, "store_dir": store_dir, "server": server}


def points(card: dict, ident: str) -> float:
    return next(d["points"] for d in card["deductions"] if d["id"] == ident)


def mine(card: dict, ident: str) -> list[dict]:
    return [f for f in card["findings"] if f["indicator"] == ident]


def path(url: str) -> str:
    return urlsplit(url).path


def test_guides_missing_elements(inspected):
    card = inspected["card"]
    found = {path(f["url"]): f for f in mine(card, "service.guide")}
    assert set(found) == {"/bszn/g2.html", "/bszn/g3.html"}
    assert found["/bszn/g2.html"]["evidence"]["missing"] == ["办理时间", "办理流程"]
    assert found["/bszn/g3.html"]["evidence"]["missing"] == ["办理流程"]  # JS tabs read
    assert points(card, "service.guide") == 6.0


def test_attachments_not_offered_and_failing(inspected):
    card = inspected["card"]
    found = {(f["rule"], path(f["url"])): f for f in mine(card, "service.attachments")}
    assert set(found) == {("not_offered", "/bszn/g2.html"),
                          ("download_failed", "/files/missing.pdf"),
                          ("download_failed", "/files/fake.pdf"),
                          ("download_failed", "/files/empty.xlsx")}
    assert found[("not_offered", "/bszn/g2.html")]["evidence"]["form"] == "建设单位承诺书"
    assert found[("download_failed", "/files/missing.pdf")]["evidence"]["http_status"] == 404
    assert found[("download_failed", "/files/fake.pdf")]["evidence"]["reason"] == \
        "html_instead_of_file"
    assert found[("download_failed", "/files/empty.xlsx")]["evidence"]["size"] == 0
    assert points(card, "service.attachments") == 4.0


def test_online_systems(inspected):
    card = inspected["card"]
    found = {f["evidence"]["column"]: f["evidence"]["reason"]
             for f in mine(card, "service.online_systems")}
    assert found == {"进度查询": "blank", "证照查询": "http_404", "缴费系统": "http_502",
                     "预约系统": "navigation_error"}
    assert points(card, "service.online_systems") == 12.0


def test_interaction(inspected):
    card = inspected["card"]
    late = mine(card, "veto.unresponsive")
    assert [path(f["url"]) for f in late] == ["/hd/xx/2.html"]
    assert late[0]["evidence"]["days"] == 140
    assert [v["id"] for v in card["vetoes"] if v["id"] == "veto.unresponsive"] == \
        ["veto.unresponsive"]
    assert points(card, "interaction.consultation") == 0
    assert points(card, "interaction.survey") == 3.0
    assert mine(card, "interaction.survey")[0]["evidence"]["count"] == 4
    assert points(card, "interaction.interview") == 0
    checked = {d["id"] for d in card["deductions"] if d["checked"]}
    assert {"interaction.consultation", "interaction.survey", "interaction.interview",
            "service.guide", "service.attachments", "service.online_systems"} <= checked
    assert "veto.unresponsive" not in card["unchecked"]
    validate_card(card)


def test_evidence_has_screenshots(inspected):
    card = inspected["card"]
    with open_store(str(inspected["store_dir"])) as store:
        for ident in ("service.guide", "service.online_systems", "veto.unresponsive"):
            for f in mine(card, ident):
                if f["evidence"].get("screenshot"):
                    assert store.get_blob(f["evidence"]["screenshot"])[:4] == b"\x89PNG"
        guides = store.find("guide_pages", inspection=card["inspection"])
        assert len(guides) == 3 and all(g["screenshot"] for g in guides)
