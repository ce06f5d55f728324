"""The review app in Chinese (issue 22 §3): the evidence table names each field in Chinese with
its value written for people; an unknown field keeps its own name; a verdict given in the queue
is confirmed on the next page, with a link back to the finding; the table's name column does not
break words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_one_count import CODE, HOST, PASSWORD, findings

from xunjian.review.app import create_app
from xunjian.review.evidence import LABELS, evidence_rows, evidence_value
from xunjian.review.users import add_user
from xunjian.scoring import load_rules
from xunjian.storage import EmbeddedStore

CSS = Path(__file__).resolve().parent.parent / "review" / "static" / "app.css"


@pytest.fixture()
def client(tmp_path):
    with EmbeddedStore(tmp_path / "store") as s:
        s.upsert_site({"code": CODE, "region": "四川省绵阳市", "name": "梓潼县人民政府",
                       "type": "门户网站", "url": f"http://{HOST}/"})
        shot = s.put_blob(b"\x89PNG\r\n\x1a\n" + b"0" * 64, "image/png")
        rows = findings()
        rows[0]["evidence"].update(screenshot=shot,
                                   element_box={"x": 120, "y": 840, "width": 200, "height": 18},
                                   zz_cms_channel="xxgk_2019")
        rows[1]["evidence"].update(screenshot=shot,
                                   element_missing="链接在下拉菜单中，页面上未显示")
        inspection = s.create_inspection({
            "site": CODE, "as_of": "2026-12-02", "started_at": "2026-12-02T17:00:00+00:00",
            "status": "done", "checks": {e.id: True for e in load_rules().all}})
        s.replace_findings(inspection, rows)
        add_user(s, "alice", "reviewer", PASSWORD)
        app = create_app(s, secret_key="test-secret")
        app.config["TESTING"] = True
        c = app.test_client()
        page = c.get("/login").get_data(as_text=True)
        assert c.post("/login", data={"name": "alice", "password": PASSWORD,
                                      "csrf_token": _csrf(page)}).status_code == 302
        yield c


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _evidence_table(page: str) -> dict[str, str]:
    table = page.split('<table class="ev">', 1)[1].split("</table>", 1)[0]
    return {re.sub(r"<[^>]+>", "", th): td for th, td in
            re.findall(r"<tr><th[^>]*>(.*?)</th><td>(.*?)</td></tr>", table)}


def test_evidence_values_for_people():
    assert evidence_value("element_box", {"x": 12, "y": 8.5, "width": 200, "height": 18}) \
        == "12, 8.5, 200×18 像素"
    assert evidence_value("checked_at", "2026-12-02T17:30:00+00:00") == "2026-12-03 01:30"
    assert evidence_value("external", False) == "否"
    assert evidence_value("pages", ["http://a/", "http://b/"]) == "http://a/、http://b/"
    assert evidence_value("redirects", ["https://a/", "https://a/b"]) == "https://a/ → https://a/b"
    assert evidence_value("browser", {"outcome": "ok", "status": 200}) \
        == '{"outcome": "ok", "status": 200}'
    assert evidence_value("element_box", "broken") == "broken"  # damaged: shown as it is
    assert evidence_value("checked_at", "不详") == "不详"
    assert evidence_rows(None) == [] and evidence_rows({"zz": 1}) == [
        {"key": "zz", "label": "zz", "value": "1", "known": False}]


def test_finding_page_names_evidence_in_chinese(client):
    page = client.get(f"/site/{CODE}/finding/fa").get_data(as_text=True)
    table = _evidence_table(page)
    assert table["问题位置"] == "120, 840, 200×18 像素"
    assert table["链接文字"] == "关于印发梓潼县2011年政府信息公开工作要点的通知"
    assert table["探测时间"] == "2026-12-03 01:30"
    assert table["HTTP 返回值"] == "404" and table["外部链接"] == "否"
    assert table["zz_cms_channel"] == "xxgk_2019"  # unknown: its own name, nothing lost
    assert '<span class="ev-key unknown">zz_cms_channel</span>' in page
    english = {k for k in table if re.fullmatch(r"[a-z_]+", k)}
    assert english == {"zz_cms_channel"}
    assert '<th title="anchor_text">链接文字</th>' in page  # the key stays findable
    missing = _evidence_table(client.get(f"/site/{CODE}/finding/fb").get_data(as_text=True))
    assert missing["未找到原因"] == "链接在下拉菜单中，页面上未显示"
    assert set(LABELS) >= {"anchor_text", "checked_at", "element_box", "element_missing",
                           "status", "error", "referrer", "url"}


def _verdict_in_queue(client, verdict):
    page = client.get(f"/queue?site={CODE}").get_data(as_text=True)
    fid = re.search(rf'action="/site/{CODE}/finding/([^/]+)/verdict"', page).group(1)
    title = re.search(r"<h1>(.*?)</h1>", page).group(1)
    resp = client.post(f"/site/{CODE}/finding/{fid}/verdict", data={
        "csrf_token": _csrf(page), "verdict": verdict, "reason": "", "next": "queue",
        "i": "0", "site": CODE, "inspection": re.search(
            r'name="inspection" value="([^"]+)"', page).group(1)})
    assert resp.status_code == 302 and "/queue" in resp.headers["Location"]
    return fid, title, client.get(resp.headers["Location"]).get_data(as_text=True)


def test_queue_confirms_a_rejection_and_a_confirmation(client):
    fid, title, after = _verdict_in_queue(client, "rejected")
    assert f'<span class="flash-text">已驳回：{title}</span>' in after
    link = re.search(r'<a class="flash-link" href="([^"]+)">查看 / 更改</a>', after).group(1)
    assert f"/site/{CODE}/finding/{fid}" in link.replace("&amp;", "&")
    assert "已驳回" in client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    again = client.get(f"/queue?site={CODE}").get_data(as_text=True)
    assert "flash-text" not in again  # said once
    fid2, title2, after2 = _verdict_in_queue(client, "confirmed")
    assert fid2 != fid and f'<span class="flash-text">已确认：{title2}</span>' in after2


def test_evidence_name_column_does_not_break_words():
    css = CSS.read_text(encoding="utf-8")
    rule = re.search(r"table\.ev th \{([^}]*)\}", css).group(1)
    assert "white-space: nowrap" in rule and "min-width" in rule
    assert "break-all" not in rule
