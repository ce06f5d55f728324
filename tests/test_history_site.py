"""Issue 22 part 2, end to end: one site inspected twice, links fixed and broken in between.

The site is the outline fixture (a GB2312 county portal in tables, tests/sites/outline) copied
to a folder the test changes between the two inspections: the missing 县政府工作报告 page is
published (fixed), the 社会保障 专题 page the homepage links twice is taken down (new), the
article's missing attachment stays missing (open), and the 旧版网站 link a reviewer rejected
after the first inspection is still broken (stays rejected, saying its verdict was carried).
Served on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from cli_run import run_counted, xunjian
from test_element_outline import CODE, ENV, SITE, Portal, _registry

from xunjian.scoring.schema import validate_card
from xunjian.storage import open_store

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FIRST, SECOND = "2026-11-20", "2026-12-01"


@contextlib.contextmanager
def serving(root: Path):
    import test_element_outline as outline

    server = ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    server.daemon_threads = True
    old = outline.SITE
    outline.SITE = root  # Portal reads the module's SITE
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        outline.SITE = old
        server.shutdown()
        server.server_close()


def _inspect(store: Path, as_of: str) -> None:
    env = dict(os.environ, XUNJIAN_STORE=str(store), **ENV)
    run, _ = run_counted([sys.executable, "-m", "xunjian.cli", "inspect", CODE,
                          "--as-of", as_of], env)
    assert run.returncode in (0, 1), run.stderr[-3000:]


def _card(store: Path, inspection: str) -> dict:
    out = xunjian("report", "card", CODE, "--inspection", inspection, "--json", "-",
                  store=store, timeout=120)
    assert out.returncode == 0, out.stderr
    card = json.loads(out.stdout)
    validate_card(card)
    return card


def _links(card: dict) -> dict[str, dict]:
    return {f["evidence"]["anchor_text"]: f for f in card["findings"]
            if f["indicator"] == "availability.links"}


@pytest.fixture(scope="module")
def twice(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("history")
    root = tmp / "site"
    shutil.copytree(SITE, root)
    store = tmp / "store"
    with serving(root) as url:
        forms = _registry(tmp / "registry", url)
        assert xunjian("registry", "import", *map(str, forms), store=store).returncode == 0
        _inspect(store, FIRST)
        with open_store(str(store)) as opened:
            (first,) = opened.inspections(CODE)
        card1 = _card(store, first["id"])
        old = _links(card1)["旧版网站通知公告"]
        with open_store(str(store)) as opened:  # a reviewer: the old site's link is no issue
            opened.add_review({"finding": old["id"], "site": CODE, "verdict": "rejected",
                               "reviewer": "李审核", "reason": "旧版网站已下线，链接不在页面上显示",
                               "inspection": first["id"], "evidence": _digest(old)})
        # between the inspections: the report is published, the 专题 page is taken down
        (root / "xxgk" / "gzbg2025.html").write_bytes(
            "<html><head><title>县政府工作报告</title></head><body><h1>某某县2025年政府工作报告"
            "</h1><p>发布日期：2026-11-25</p></body></html>".encode("gb2312"))
        shutil.rmtree(root / "zt" / "shbz")
        _inspect(store, SECOND)
        with open_store(str(store)) as opened:
            second, _ = opened.inspections(CODE)
        card2 = _card(store, second["id"])
        card1_again = _card(store, first["id"])
    yield {"store": store, "first": first, "second": second, "card1": card1, "card2": card2,
           "card1_again": card1_again}


def _digest(finding):
    from xunjian.scoring.card import evidence_digest

    return evidence_digest(finding)


def test_the_second_card_names_exactly_what_is_new_open_and_fixed(twice):
    before, after = _links(twice["card1"]), _links(twice["card2"])
    changes = twice["card2"]["changes"]
    assert changes["since"] == twice["first"]["id"]
    fixed = before["县政府工作报告（2025年）"]
    assert fixed["issue_key"] in changes["fixed"]
    assert "县政府工作报告（2025年）" not in after
    assert [f["url"] for f in changes["fixed_findings"] if f["indicator"] == "availability.links"
            ] == [fixed["url"]]
    new_links = {a for a, f in after.items() if f["id"] in changes["new"]}
    assert new_links and all("shbz" in after[a]["url"] for a in new_links)
    assert {f["change"] for a, f in after.items() if a in new_links} == {"new"}
    still = after["今冬明春重点工作方案.doc"]
    assert still["id"] in changes["open"] and still["change"] == "open"
    assert (still["times_seen"], still["first_seen"]) == (2, FIRST)
    for a in new_links:
        assert (after[a]["times_seen"], after[a]["first_seen"]) == (1, SECOND)
    # the link findings: nothing else is new, open or fixed
    link_ids = {f["id"] for f in after.values()}
    assert set(changes["new"]) & link_ids == {after[a]["id"] for a in new_links}
    assert set(changes["open"]) & link_ids == {still["id"]}


def test_the_first_inspection_has_no_history_and_keeps_it(twice):
    for card in (twice["card1"], twice["card1_again"]):
        assert card["changes"]["since"] is None
        assert card["changes"]["fixed"] == [] and card["changes"]["open"] == []
        assert {f["times_seen"] for f in card["findings"]} == {1}
        assert {f["first_seen"] for f in card["findings"]} == {FIRST}


def test_a_rejected_finding_stays_rejected_on_the_next_inspection(twice):
    old = _links(twice["card2"])["旧版网站通知公告"]
    assert old["review"] == "rejected" and old["counts"] is False
    assert old["carried_verdict"] == {"verdict": "rejected", "by": "李审核",
                                      "at": old["carried_verdict"]["at"],
                                      "from_inspection": twice["first"]["id"]}
    assert old["change"] is None and old["id"] not in twice["card2"]["changes"]["new"]
    # on the inspection it was given on, the verdict is not "carried"
    assert "carried_verdict" not in _links(twice["card1_again"])["旧版网站通知公告"]


def test_the_review_app_site_page_shows_new_open_and_fixed(twice):
    from test_review_app import PASSWORD, sign_in

    from xunjian.review.app import create_app
    from xunjian.review.users import add_user

    with open_store(str(twice["store"])) as store:
        add_user(store, "alice", "reviewer", PASSWORD)
        app = create_app(store, secret_key="test-secret")
        app.config["TESTING"] = True
        client = app.test_client()
        assert sign_in(client).status_code == 302
        html = client.get(f"/site/{CODE}").get_data(as_text=True)
    changes = twice["card2"]["changes"]
    assert (f"整改情况（对比上次检查 {FIRST}）：新发现 {len(changes['new'])} 项，"
            f"未整改 {len(changes['open'])} 项，已整改 {len(changes['fixed'])} 项") in html
    assert f"未整改（自 {FIRST} 起，第 2 次发现）" in html
    assert "gzbg2025.html" in html.split('id="changes"')[1].split("</div>")[0]  # the fixed row
    assert "沿用上次检查的复核结论：驳回（李审核" in html


def test_the_site_report_lists_what_changed(twice, tmp_path):
    from docx import Document

    html_out, docx_out = tmp_path / "r.html", tmp_path / "r.docx"
    for fmt, out in (("html", html_out), ("docx", docx_out)):
        run = xunjian("report", "site", CODE, "--format", fmt, "--output", str(out),
                      store=twice["store"], timeout=180)
        assert run.returncode == 0, run.stderr
    html = html_out.read_text(encoding="utf-8")
    # the URLs may wrap between their parts (<wbr>); their text is whole
    section = html.split('id="changes"')[1].split("</table>")[0].replace("<wbr>", "")
    assert "已整改" in section and "gzbg2025.html" in section
    assert f"未整改（自 {FIRST} 起，第 2 次发现）" in section
    doc = Document(str(docx_out))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "已整改" in cells and any("gzbg2025.html" in c for c in cells)
