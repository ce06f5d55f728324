"""One count (issue 22 §3): "N 条问题待人工复核" is the same N on the app's site page, its
statistics page, the census statistics, the terminal card and the site report's HTML, DOCX and
XLSX — every finding without a verdict yet; the subset that does not count until confirmed is
said with other words ("其中 M 条确认后才计分").

The site is stored as an inspection leaves it: a county portal with broken links (counting at
once, nobody has looked yet), links behind a 安全狗 wall (needs_review), personal data in a
published 低保 list and a 领导姓名 candidate (both review_required indicators), one confirmed and
one rejected finding.
"""

from __future__ import annotations

import io
import re

import pytest
from docx import Document
from openpyxl import load_workbook
from rich.console import Console

from xunjian.inspection.card import card_for
from xunjian.reports.census import census_report
from xunjian.reports.site import build_site_report
from xunjian.reports.text import print_card
from xunjian.review.app import create_app
from xunjian.review.data import record_verdict
from xunjian.review.sample import tiny_png
from xunjian.review.users import add_user
from xunjian.scoring import load_rules
from xunjian.scoring.review import awaiting_text, review_counts
from xunjian.storage import EmbeddedStore

CODE = "5107230001"
HOST = "www.zitong.gov.cn"
AS_OF = "2026-12-02"
PASSWORD = "correct-horse-9"
#: awaiting: a, b (count at once), c (wall: needs_review), d (privacy), e (serious candidate);
#: uncounted: c, d, e; f confirmed and g rejected are neither
AWAITING, UNCOUNTED = 5, 3
WORDS = "5 条问题待人工复核，其中 3 条确认后才计分"


def _link(fid, k, status, error, blocked=False, rule="other"):
    url = f"http://{HOST}/zwgk/zfxxgk/fdzdgknr/201{k}/t2019061{k}_{k}00{k}.html"
    return {
        "id": fid, "site": CODE, "indicator": "availability.links",
        "kind": "blocked_link" if blocked else "broken_link", "rule": rule, "url": url,
        "page": f"http://{HOST}/zwgk/", "needs_review": blocked,
        "detail": f"页面链接「关于印发梓潼县201{k}年政府信息公开工作要点的通知」不可用："
                  + ("疑似防护墙拦截，需人工复核" if blocked else f"HTTP {status}"),
        "evidence": {"anchor_text": f"关于印发梓潼县201{k}年政府信息公开工作要点的通知",
                     "tag": "a", "link_kind": "page", "external": False,
                     "error_type": "域内链接不可用", "status": status,
                     "status_text": str(status), "error": error,
                     "checked_at": "2026-12-02T17:30:00+00:00",
                     "page_title": "政务公开_梓潼县人民政府",
                     "pages": [f"http://{HOST}/zwgk/"], "referrer_count": 1},
    }


def findings() -> list[dict]:
    return [
        _link("fa", 1, 404, "http_404", rule="home"),
        _link("fb", 2, 404, "http_404"),
        _link("fc", 3, 412, "waf_challenge", blocked=True),
        {"id": "fd", "site": CODE, "indicator": "content.privacy", "kind": "personal_data",
         "rule": "leak", "url": f"http://{HOST}/zwgk/shjz/202611/t20261118_88.html",
         "page": f"http://{HOST}/zwgk/shjz/", "needs_review": False,
         "detail": "页面含疑似个人信息：身份证号 12 个（2026年11月城乡低保名单公示）",
         "evidence": {"types": {"身份证号": 12}, "masked": "510723********0012",
                      "samples": ["510723********0012"], "where": "table"}},
        {"id": "fe", "site": CODE, "indicator": "veto.serious_error", "kind": "leader_name",
         "rule": "serious_typo", "url": f"http://{HOST}/xwzx/bmdt/202611/t20261125_91.html",
         "page": f"http://{HOST}/xwzx/bmdt/", "needs_review": True,
         "detail": "疑似领导人姓名错误：「习近乎」", "units": 1,
         "evidence": {"sentence": "认真学习习近乎新时代中国特色社会主义思想", "match": "习近乎"}},
        _link("ff", 4, 404, "http_404"),
        _link("fg", 5, 412, "waf_challenge", blocked=True),
    ]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with EmbeddedStore(tmp_path_factory.mktemp("one-count") / "store") as s:
        s.upsert_site({"code": CODE, "region": "四川省绵阳市", "name": "梓潼县人民政府",
                       "type": "门户网站", "url": f"http://{HOST}/",
                       "owner": "梓潼县人民政府办公室"})
        checks = {entry.id: True for entry in load_rules().all}
        inspection = s.create_inspection({
            "site": CODE, "as_of": AS_OF, "started_at": "2026-12-02T17:00:00+00:00",
            "status": "done", "checks": checks, "stats": {"findings": 7}})
        s.replace_findings(inspection, findings())
        card = card_for(s, inspection)
        by_id = {f["id"]: f for f in card["findings"]}
        record_verdict(s, card, by_id["ff"], "confirmed", "alice", "")
        record_verdict(s, card, by_id["fg"], "rejected", "alice", "现场可以打开")
        add_user(s, "alice", "reviewer", PASSWORD)
        s.put_blob(tiny_png(), "image/png")
        yield s


@pytest.fixture(scope="module")
def card(store):
    return card_for(store, store.latest_inspection(CODE)["id"])


def test_the_card_holds_the_mix(card):
    review = {f["id"]: (f["review"], f["counts"]) for f in card["findings"]}
    assert review == {"fa": ("pending", True), "fb": ("pending", True),
                      "fc": ("pending", False), "fd": ("pending", False),
                      "fe": ("pending", False), "ff": ("confirmed", True),
                      "fg": ("rejected", False)}
    assert review_counts(card) == {"awaiting": AWAITING, "uncounted": UNCOUNTED}
    assert awaiting_text(card) == WORDS
    # only these findings: the availability.links row of a report
    assert review_counts(card, among=["fa", "fc", "ff", "fg"]) == {"awaiting": 2, "uncounted": 1}


def _signed_in(store):
    app = create_app(store, secret_key="test-secret")
    app.config["TESTING"] = True
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"name": "alice", "password": PASSWORD,
                                       "csrf_token": csrf}).status_code == 302
    return client


def test_app_site_page_and_statistics_say_the_same_number(store):
    client = _signed_in(store)
    page = client.get(f"/site/{CODE}").get_data(as_text=True)
    assert f'<span id="awaiting">{WORDS}</span>' in page
    stats = client.get("/statistics").get_data(as_text=True)
    provisional = stats.split("结论为暂定的网站")[1]
    row = re.search(rf"<tr><td><a href=\"/site/{CODE}\">.*?</tr>", provisional)
    cells = re.findall(r"<td>([^<]*)</td>", row.group(0))
    assert cells[-1] == str(AWAITING)


def test_census_statistics_count_the_same(store):
    stats = census_report(store)
    row = next(r for r in stats["provisional"] if r["code"] == CODE)
    assert row["awaiting_review"] == AWAITING


def test_terminal_card_says_it_too(card):
    out = io.StringIO()
    print_card(card, Console(file=out, force_terminal=True, width=200, color_system=None))
    assert WORDS in out.getvalue()


def test_site_report_html_docx_xlsx_say_the_same_number(store):
    html = build_site_report(store, CODE, "html").decode("utf-8")
    assert WORDS in html
    # the links row of 总体情况: the one wall-blocked link there waits, in other words
    assert "另有 1 条问题确认后才计分" in html
    assert "项问题待人工复核" not in html
    doc = Document(io.BytesIO(build_site_report(store, CODE, "docx")))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert any(WORDS in c for c in cells), [c for c in cells if "复核" in c]
    assert not any("项问题待人工复核" in c for c in cells)
    wb = load_workbook(io.BytesIO(build_site_report(store, CODE, "xlsx")))
    cover = {r[0]: r[1] for r in wb["封面"].iter_rows(values_only=True) if r and r[0]}
    assert cover["待人工复核的问题（条）"] == AWAITING
    assert cover["其中确认后才计分（条）"] == UNCOUNTED
