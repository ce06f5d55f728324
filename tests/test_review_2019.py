"""The review app shows which table a card was scored by and shows a site under either one
(``?rules=checklist-2019``): its groups, its bonus part and the same inspection's findings."""

from __future__ import annotations

import io
import json
import re

import pytest

from xunjian.review.app import create_app
from xunjian.review.sample import seed, site_code, tiny_png
from xunjian.review.users import add_user
from xunjian.storage import EmbeddedStore

PASSWORD = "correct-horse-9"
CODE = site_code(1)
PNG = tiny_png()
TITLE_2019 = "政府网站与政务新媒体检查指标（国办秘函〔2019〕19号）"


@pytest.fixture()
def reviewer(tmp_path):
    with EmbeddedStore(tmp_path / "store") as store:
        seed(store, sites=2, findings_per_site=3)
        add_user(store, "alice", "reviewer", PASSWORD)
        app = create_app(store, secret_key="test-secret")
        app.config["TESTING"] = True
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        resp = client.post("/login", data={"name": "alice", "password": PASSWORD,
                                           "csrf_token": csrf})
        assert resp.status_code == 302
        yield client


def test_site_page_names_its_table_and_offers_the_other(reviewer):
    html = reviewer.get(f"/site/{CODE}").get_data(as_text=True)
    assert "评分依据：<strong>全国政府网站普查评分表</strong>（census-2015）" in html
    assert "rules=checklist-2019" in html and TITLE_2019 in html
    assert "加分指标" not in html


def test_site_page_under_checklist_2019(reviewer):
    html = reviewer.get(f"/site/{CODE}?rules=checklist-2019").get_data(as_text=True)
    assert "（checklist-2019）" in html
    for group in ("发布解读", "办事服务", "互动交流", "功能设计", "加分指标"):
        assert group in html, group
    assert "design.ipv6" in html and "bonus.innovation" in html
    assert "（分值 8）" in html  # service.guide's cap
    card = json.loads(reviewer.get(f"/site/{CODE}/card.json?rules=checklist-2019").get_data())
    assert card["rules"] == "checklist-2019" and len(card["bonus"]) == 10
    # an unknown table is the app's own
    card = json.loads(reviewer.get(f"/site/{CODE}/card.json?rules=nope").get_data())
    assert card["rules"] == "census-2015"


def test_statistics_under_either_table(reviewer):
    html = reviewer.get("/statistics?rules=checklist-2019").get_data(as_text=True)
    assert f"评分依据：{TITLE_2019.replace('）', '，政府网站部分）')}" in html
    html = reviewer.get("/statistics").get_data(as_text=True)
    assert "评分依据：全国政府网站普查评分表" in html


def test_card_workbook_under_checklist_2019(reviewer):
    from openpyxl import load_workbook

    resp = reviewer.get(f"/site/{CODE}/card.xlsx?rules=checklist-2019")
    rows = list(load_workbook(io.BytesIO(resp.get_data()))["评分表"].iter_rows(values_only=True))
    assert rows[0][0] == "政府网站与政务新媒体检查指标（国办秘函〔2019〕19号，政府网站部分）"
    names = [r[1] for r in rows]
    assert names.index("合计") < names.index("数据发布") < names.index("加分") < names.index("得分")
    assert [r[0] for r in rows].count("加分项") == 10


def test_a_reviewer_records_what_only_a_person_judges_in_2019(reviewer):
    """办理答复 (mock questions) is unchecked on the 2019 card until a reviewer records a
    finding for it; the census-2015 card of the same inspection neither offers nor holds it."""
    html = reviewer.get(f"/site/{CODE}?rules=checklist-2019").get_data(as_text=True)
    assert 'value="c2019_no_reply"' in html and 'value="basic_info"' not in html
    assert 'value="c2019_no_reply"' not in reviewer.get(f"/site/{CODE}").get_data(as_text=True)
    inspection = re.search(r'name="inspection" value="([^"]+)"', html).group(1)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    resp = reviewer.post(f"/site/{CODE}/add-finding", data={
        "csrf_token": csrf, "inspection": inspection, "rules": "checklist-2019",
        "kind": "c2019_no_reply", "url": "http://www.example.gov.cn/hdjl/zxly/index.html",
        "detail": "2026年11月10日模拟提问，5个工作日内未答复",
        "screenshot": (io.BytesIO(PNG), "reply.png")})
    assert resp.status_code == 302 and "rules=checklist-2019" in resp.headers["Location"]
    card = json.loads(reviewer.get(f"/site/{CODE}/card.json?rules=checklist-2019").get_data())
    replies = [d for d in card["deductions"] if d["id"] == "interaction.replies"][0]
    assert (replies["checked"], replies["points"]) == (True, 4.0)
    assert "interaction.replies" not in card["unchecked"]
    census = json.loads(reviewer.get(f"/site/{CODE}/card.json").get_data())
    assert not [f for f in census["findings"] if f["indicator"] == "interaction.replies"]


def test_the_site_list_and_the_queue_under_checklist_2019(reviewer):
    """?rules=checklist-2019 on the site list scores every site by the 2019 table, and its queue
    walks the findings as that table files them (broken links under 功能设计 design.links); a
    verdict given there returns to the same queue, and holds under the census table too."""
    census = reviewer.get("/").get_data(as_text=True)
    c2019 = reviewer.get("/?rules=checklist-2019").get_data(as_text=True)
    assert "98.9" in census and "99.7" not in census
    assert "99.7" in c2019 and "98.9" not in c2019
    assert f'href="/site/{CODE}?rules=checklist-2019"' in c2019
    assert '/queue?rules=checklist-2019' in c2019.replace("&amp;", "&")

    first = reviewer.get("/queue?rules=checklist-2019").get_data(as_text=True)
    title = TITLE_2019.replace("）", "，政府网站部分）")
    assert f"待复核队列（按{title}）" in first and "design.links" in first
    assert "rules=checklist-2019&amp;i=1" in first  # 跳过 stays in this table's queue
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', first).group(1)
    fid = re.search(r'action="/site/\d+/finding/([^/]+)/verdict"', first).group(1)
    inspection = re.search(r'name="inspection" value="([^"]+)"', first).group(1)
    resp = reviewer.post(f"/site/{CODE}/finding/{fid}/verdict", data={
        "csrf_token": csrf, "inspection": inspection, "rules": "checklist-2019",
        "next": "queue", "i": "0", "verdict": "rejected"})
    assert resp.status_code == 302 and "rules=checklist-2019" in resp.headers["Location"]
    census_card = json.loads(reviewer.get(f"/site/{CODE}/card.json").get_data())
    assert next(f for f in census_card["findings"] if f["id"] == fid)["review"] == "rejected"
    empty = reviewer.get("/queue?rules=checklist-2019&site=9900000009").get_data(as_text=True)
    assert f"（按{title}）" in empty
