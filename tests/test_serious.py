"""严重错误 candidates (veto.serious_error), pure: the fixture site tests/sites/serious (GBK TRS
pages) read from disk through inspectors.serious; exact findings per planted case, none on the
clean look-alikes (揭批/严厉打击 context, 村委会主任李强, 时任国务院总理李克强 in 2016,
国务院总理李强, a closed dropdown menu, 扫黄打非 notice), and none on the demo site and
the other fixture sites.
Also: scoring (a candidate counts only once confirmed) and the verdict carry-over."""

from __future__ import annotations

from pathlib import Path

import pytest

from xunjian.inspectors.dates import page_date
from xunjian.inspectors.serious import (
    detect,
    load_serious_rules,
    page_unit,
    scan,
    serious_findings,
)
from xunjian.scoring import score_card
from xunjian.urlcheck import decode_body

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "tests" / "sites" / "serious"
BASE = "http://127.0.0.1:8000/"
ALT = "localhost:8000"
SITE_DOC = {"code": "9999000011", "region": "测试省测试县", "url": BASE, "name": "测试县人民政府",
            "type": "门户网站"}


def unit_of(path: Path, root: Path = SITE, base: str = BASE) -> dict:
    html = decode_body(path.read_bytes(), "text/html").replace("{{ALT}}", ALT)
    url = base + str(path.relative_to(root)).replace("\\", "/")
    unit = page_unit({"url": url, "referrer": BASE, "rendered": False}, html)
    unit["date_of"] = lambda: (page_date(html, url) or {}).get("date")
    return unit


@pytest.fixture(scope="module")
def findings() -> list[dict]:
    units = [unit_of(p) for p in sorted(SITE.rglob("*.html"))]
    return serious_findings(SITE_DOC, units)


def test_every_planted_case_is_one_candidate_and_nothing_else(findings):
    got = sorted((f["url"].removeprefix(BASE), f["kind"], f["rule"], f["evidence"]["rule_id"],
                  f["evidence"]["match"]) for f in findings)
    assert got == [
        ("art/2025/5/29/art_1229_4501.html", "hidden_link", "prohibited",
         "hidden_link.external", "localhost"),
        ("art/2025/5/29/art_1229_4501.html", "prohibited", "prohibited", "prohibited.gambling",
         "注册送彩金、澳门赌场、百家乐、真人娱乐、网上赌场"),
        ("art/2025/6/10/art_1229_4503.html", "leader_name", "serious_typo",
         "leader.near_miss:习近平", "习近乎"),
        ("art/2025/6/12/art_1229_4504.html", "typo", "serious_typo",
         "typo.term:中华人民共和国", "中华人民共合国"),
        ("art/2025/6/3/art_1229_4502.html", "leader_name", "serious_typo",
         "leader.title_holder:国务院总理", "国务院总理李克强"),
        ("frame/notice.html", "leader_name", "serious_typo", "leader.homophone:习近平", "习进平"),
        ("index.html", "hidden_link", "prohibited", "hidden_link.external", "localhost"),
        ("index.html", "typo", "serious_typo", "typo.term:中国共产党", "中国共产觉"),
    ]
    for f in findings:
        assert f["indicator"] == "veto.serious_error" and f["needs_review"] is True
        assert f["evidence"]["url"] == f["url"] and f["page"] == BASE
        assert "【" in f["evidence"]["sentence"] and f["evidence"]["category"]


def test_evidence_marks_the_match_in_its_sentence(findings):
    by = {(f["url"].removeprefix(BASE), f["kind"]): f for f in findings}
    premier = by[("art/2025/6/3/art_1229_4502.html", "leader_name")]["evidence"]
    assert premier["sentence"] == ("6月3日，县政府召开常务会议，传达学习【国务院总理李克强】"
                                   "主持召开的国务院常务会议精神")
    assert premier["page_date"] == "2025-06-03" and premier["holder_then"] == ["李强"]
    spam = by[("art/2025/5/29/art_1229_4501.html", "prohibited")]
    assert spam["evidence"]["hidden_text"] is True and spam["evidence"]["category"] == "gambling"
    assert spam["evidence"]["sentence"].startswith("【网上赌场】百家乐")
    alt = by[("index.html", "typo")]["evidence"]
    assert alt["where"] == "alt" and alt["sentence"] == "庆祝【中国共产觉】成立104周年"
    home_links = by[("index.html", "hidden_link")]["evidence"]
    assert [(x["url"], x["how"]) for x in home_links["links"]] == [
        (f"http://{ALT}/tj/", "off-screen"), (f"http://{ALT}/hot/", "color-equals-background")]
    assert home_links["judged_by"] == "inline_style"


def test_condemning_context_local_titles_and_history_are_not_candidates():
    rules = load_serious_rules()
    clean = [
        "揭批“百家乐”“网上赌场”等网络赌博骗局，提醒群众远离赌博",
        "严厉打击“注册送彩金”“真人娱乐”等网络赌博违法犯罪活动",
        "村委会主任李强主持会议，村党支部书记王洋作工作报告",
        "2016年，时任国务院总理李克强来我县考察",
        "国务院总理李强主持召开国务院常务会议",
        "中共中央总书记、国家主席、中央军委主席习近平出席会议并发表重要讲话",
        "越南国家主席武文赏会见中国代表团",
        "原国务院总理李克强同志逝世",
        "往沪宁高速方向车流量较大",
        "中華人民共和國國務院",  # a traditional-character page is no typo
        "优化交通运输布局，自然资源不足",  # 布局 and 不足 are words, not 交通运输部 / 自然资源部
    ]
    for sentence in clean:
        assert scan(sentence, rules, "2025-06-15") == [], sentence


def test_title_holder_depends_on_the_page_date():
    rules = load_serious_rules()
    sentence = "国务院总理李克强主持召开国务院常务会议"
    assert scan(sentence, rules, "2019-05-01") == []
    assert [h.rule_id for h in scan(sentence, rules, "2025-05-01")] == [
        "leader.title_holder:国务院总理"]
    assert scan(sentence, rules, None) == []  # no date: no holder judgement
    assert [h.rule_id for h in scan("国务院副总理刘鹤出席", rules, "2024-01-05")] == [
        "leader.title_holder:国务院副总理"]


def test_near_misses_of_leaders_names():
    rules = load_serious_rules()
    cases = {
        "国家主席习进平出席": "leader.homophone:习近平",
        "全国人大常委会委员长赵乐计主持": "leader.near_miss:赵乐际",
        "学习习平近总书记重要讲话": "leader.near_miss:习近平",  # swapped
        "国务院总理李墙主持会议": "leader.near_miss:李强",
    }
    for sentence, rule in cases.items():
        assert [h.rule_id for h in scan(sentence, rules, "2025-06-15")] == [rule], sentence


def test_region_name_typos_come_from_the_sites_region():
    rules = load_serious_rules(region="广东省广州市")
    assert [h.match for h in scan("广洲市人民政府办公厅", rules, None)] == ["广洲市"]
    assert scan("广州市人民政府办公厅", rules, None) == []


def test_demo_site_and_every_other_fixture_site_have_no_candidates():
    pages = [p for folder in (ROOT / "demo" / "site", ROOT / "tests" / "sites")
             for p in folder.rglob("*.html") if SITE not in p.parents]
    assert len(pages) > 40
    rules = load_serious_rules()
    hits = {str(p): detect(unit_of(p, p.parent, "http://127.0.0.1:8000/"), rules)
            for p in pages}
    assert {k: v for k, v in hits.items() if v} == {}


def test_a_candidate_counts_only_once_confirmed_and_a_rejection_follows_it(findings):
    typo = next(f for f in findings if f["kind"] == "typo" and "4504" in f["url"])
    as_of = "2025-07-01T00:00:00+08:00"
    checked = {"veto.serious_error": True}
    pending = score_card(SITE_DOC, [typo], [], checked, as_of)
    assert pending["vetoes"] == [] and pending["final"] is False
    confirm = {"finding": typo["id"], "site": SITE_DOC["code"], "verdict": "confirmed",
               "at": "2025-07-01T01:00:00+00:00"}
    assert [v["id"] for v in score_card(SITE_DOC, [typo], [confirm], checked, as_of)
            ["vetoes"]] == ["veto.serious_error"]
    # the next inspection finds the same sentence: same id, so a rejection still applies
    reject = dict(confirm, verdict="rejected")
    again = serious_findings(SITE_DOC, [unit_of(SITE / "art/2025/6/12/art_1229_4504.html")])
    assert [f["id"] for f in again] == [typo["id"]]
    card = score_card(SITE_DOC, again, [reject], checked, as_of)
    assert card["vetoes"] == [] and card["findings"][0]["review"] == "rejected"
    # the page's sentence changed: a new candidate that waits for review again
    html = (SITE / "art/2025/6/12/art_1229_4504.html").read_bytes().decode("gbk")
    changed = page_unit({"url": typo["url"], "referrer": BASE},
                        html.replace("成立76周年", "成立七十六周年"))
    moved = serious_findings(SITE_DOC, [changed])
    assert len(moved) == 1 and moved[0]["id"] != typo["id"]


def test_the_shipped_language_tables_are_cut_from_pypinyin_and_jieba() -> None:
    """inspectors/data/ holds slivers of pypinyin's readings and jieba's words; after either
    library is upgraded, scripts/make_language_data.py must be re-run (this says when)."""
    pytest.importorskip("pypinyin")
    pytest.importorskip("jieba")
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "scripts/make_language_data.py", "--check"],
                          cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
