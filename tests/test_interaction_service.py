"""Interaction and service findings from stored facts (pure): points asserted exactly."""

from __future__ import annotations

import pytest

from xunjian.inspectors.interaction import interaction_findings, letter_facts
from xunjian.inspectors.service import service_findings
from xunjian.scoring import score_card
from xunjian.urlcheck.download import judge_download

AS_OF = "2026-11-20"
PORTAL = {"code": "9999000001", "name": "测试", "url": "http://127.0.0.1/", "type": "门户网站"}
OTHER = {**PORTAL, "type": "其他"}
ALL = ("veto.unresponsive", "interaction.consultation", "interaction.survey",
       "interaction.interview", "service.guide", "service.attachments", "service.online_systems")


def card(site, findings):
    return score_card(site=site, findings=findings, reviews=[],
                      checked=dict.fromkeys(ALL, True), as_of=AS_OF)


def points(c, indicator):
    return next(d["points"] for d in c["deductions"] if d["id"] == indicator)


def column_page(kind, name, items, status=200, error=None):
    return {"column": {"type": kind, "name": name, "url": f"http://127.0.0.1/{name}"},
            "url": f"http://127.0.0.1/{name}", "status": status, "error": error,
            "items": items}


def dated(n, day="2026-{:02d}-01", prefix="a"):
    return [{"title": f"活动{i}", "url": f"http://127.0.0.1/{prefix}{i}",
             "date": {"text": day.format(i + 1), "date": day.format(i + 1)}} for i in range(n)]


def letter(url, asked, replied=None, has_reply=None):
    return {"column_url": "http://127.0.0.1/领导信箱", "url": url, "status": 200, "error": None,
            "asked": {"text": asked, "date": asked},
            "replied": {"text": replied, "date": replied} if replied else None,
            "has_reply": bool(replied) if has_reply is None else has_reply}


def test_letters_answered_late_unanswered_and_outside_the_year():
    items = [{"title": t, "url": f"http://127.0.0.1/l{t}", "date": None} for t in "ABCDE"]
    pages = [column_page("政务咨询类栏目", "领导信箱", items),
             column_page("调查征集类栏目", "网上调查", dated(6)),
             column_page("互动访谈类栏目", "在线访谈", dated(3, prefix="i"))]
    letters = [letter("http://127.0.0.1/lA", "2026-10-01", "2026-10-05"),  # answered
               letter("http://127.0.0.1/lB", "2026-03-01", "2026-07-01"),  # 122 days late
               letter("http://127.0.0.1/lC", "2026-08-01"),  # unanswered 111 days
               letter("http://127.0.0.1/lD", "2026-10-01"),  # unanswered 50 days: fine
               letter("http://127.0.0.1/lE", "2025-06-01")]  # outside the year
    found = interaction_findings(PORTAL, pages, [], letters, AS_OF)
    vetoes = sorted(f["url"] for f in found if f["indicator"] == "veto.unresponsive")
    assert vetoes == ["http://127.0.0.1/lB", "http://127.0.0.1/lC"]
    c = card(PORTAL, found)
    assert [v["id"] for v in c["vetoes"]] == ["veto.unresponsive"]
    assert points(c, "interaction.consultation") == 0
    assert points(c, "interaction.survey") == 0
    assert points(c, "interaction.interview") == 3  # 3 < 6 for a portal


@pytest.mark.parametrize("site,surveys,interviews,survey_pts,interview_pts", [
    (PORTAL, 6, 6, 0, 0), (PORTAL, 5, 0, 3, 5), (OTHER, 3, 2, 0, 3), (OTHER, 2, 3, 3, 0)])
def test_activity_thresholds_by_site_type(site, surveys, interviews, survey_pts,
                                          interview_pts):
    pages = [column_page("政务咨询类栏目", "咨询", dated(1, prefix="q")),
             column_page("调查征集类栏目", "网上调查", dated(surveys)),
             column_page("互动访谈类栏目", "在线访谈", dated(interviews, prefix="i")
                         + dated(4, day="2024-{:02d}-01", prefix="old"))]
    c = card(site, interaction_findings(site, pages, [], [], AS_OF))
    assert points(c, "interaction.survey") == survey_pts
    assert points(c, "interaction.interview") == interview_pts
    assert not c["vetoes"]


def test_missing_and_unusable_columns():
    c = card(PORTAL, interaction_findings(PORTAL, [], [], [], AS_OF))
    assert (points(c, "interaction.consultation"), points(c, "interaction.survey"),
            points(c, "interaction.interview")) == (5, 5, 0)
    pages = [column_page("政务咨询类栏目", "咨询", dated(2, day="2024-{:02d}-01")),
             column_page("政务咨询类栏目", "举报投诉", dated(2, prefix="j")),  # excluded type
             column_page("调查征集类栏目", "网上调查", [], status=502),
             column_page("互动访谈类栏目", "在线访谈", [])]
    found = interaction_findings(PORTAL, pages, [], [], AS_OF)
    # a column answering an HTTP error (502) is unusable on evidence as strong as a broken
    # link's: 5 at once (issue 19 §4); one that opens without a readable list awaits a reviewer
    unsure = {f["indicator"] for f in found if f["needs_review"]}
    assert unsure == {"interaction.interview"}
    c = card(PORTAL, found)
    assert (points(c, "interaction.consultation"), points(c, "interaction.survey"),
            points(c, "interaction.interview")) == (5, 5, 0)
    # behind a wall (412) the same column waits for a reviewer, 0 points until confirmed
    walled = [*pages[:2], column_page("调查征集类栏目", "网上调查", [], status=412), pages[3]]
    found_walled = interaction_findings(PORTAL, walled, [], [], AS_OF)
    assert {f["indicator"] for f in found_walled if f["needs_review"]} == \
        {"interaction.survey", "interaction.interview"}
    assert points(card(PORTAL, found_walled), "interaction.survey") == 0
    confirmed = [{"finding": f["id"], "verdict": "confirmed", "at": "2026-11-21T00:00:00+00:00"}
                 for f in found]
    c = score_card(site=PORTAL, findings=found, reviews=confirmed,
                   checked=dict.fromkeys(ALL, True), as_of=AS_OF)
    assert (points(c, "interaction.consultation"), points(c, "interaction.survey"),
            points(c, "interaction.interview")) == (5, 5, 5)


def test_letter_page_facts():
    page = ("<html><body><p>来信时间：2026-08-01 10:20</p><p>回复时间：2026年9月3日</p>"
            "<p>回复内容：您好，已转相关部门办理。</p></body></html>")
    assert letter_facts(page) == {"asked": {"text": "2026-08-01 10:20", "date": "2026-08-01",
                                            "time": "10:20"},
                                  "replied": {"text": "2026年9月3日", "date": "2026-09-03"},
                                  "has_reply": True}
    waiting = "<p>留言时间：2026-08-01</p><p>状态：待回复</p><p>回复内容：</p>"
    assert letter_facts(waiting)["has_reply"] is False


def guide(url, missing=(), review=(), mentions=(), downloads=()):
    cats = ("事项名称", "设定依据", "申请条件", "办理材料", "办理地点", "办理时间", "联系电话",
            "办理流程")
    return {"url": url, "status": 200, "error": None, "title": url,
            "elements": {c: {"present": c not in missing, "label": c, "value": "x"}
                         for c in cats},
            "review": [{"category": "联系电话", "label": "咨询方式", "value": "请到窗口咨询",
                        "reason": "联系电话要素中没有可识别的电话号码，可能不准确"}
                       for _ in review],
            "mentions": [{"name": n, "text": n, "offered": o} for n, o in mentions],
            "downloads": list(downloads)}


def test_service_points():
    guides = [guide("g1"), guide("g2", missing=("办理时间", "办理流程")),
              guide("g3", missing=("设定依据",), review=(1,),
                    mentions=(("申请表", "http://127.0.0.1/a.doc"), ("承诺书", None)))]
    downloads = [{"url": "http://127.0.0.1/a.doc", "guide": "g3", "ok": True},
                 {"url": "http://127.0.0.1/b.pdf", "guide": "g3", "ok": False,
                  "reason": "http_404", "http_status": 404, "content_type": "text/html",
                  "size": 10}]
    systems = [{"url": "s1", "verdict": "ok"},
               {"url": "s2", "verdict": "unreachable", "reason": "http_502", "status": 502},
               {"url": "s3", "verdict": "unreachable", "reason": "blank", "status": 200}]
    found = service_findings(PORTAL, guides, downloads, systems)
    c = card(PORTAL, found)
    assert points(c, "service.guide") == 6  # 2 × 2 + 1 × 2; the phone note waits for review
    assert [f["needs_review"] for f in found if f["rule"] == "inaccuracy"] == [True]
    assert points(c, "service.attachments") == 2
    assert points(c, "service.online_systems") == 6


@pytest.mark.parametrize("url,status,ctype,size,head,reason", [
    ("http://h/a.doc", 200, "application/msword", 100, b"\xd0\xcf", "ok"),
    ("http://h/a.doc", 404, "text/html", 100, b"", "http_404"),
    ("http://h/a.pdf", 200, "text/html; charset=utf-8", 300, b"<html>", "html_instead_of_file"),
    ("http://h/a.xlsx", 200, "application/octet-stream", 0, b"", "empty"),
    ("http://h/a.pdf", 200, "image/png", 100, b"\x89PNG", "type_mismatch"),
    ("http://h/a.zip", 200, "application/zip", 5 * 2**30, b"PK", "ok"),
])
def test_download_judgement(url, status, ctype, size, head, reason):
    assert judge_download(url, status, ctype, size, head)[1] == reason


def test_downloads_are_read_with_a_size_limit(tmp_path):
    import asyncio

    from xunjian.demo.server import DemoServer
    from xunjian.urlcheck.download import check_downloads

    (tmp_path / "big.zip").write_bytes(b"PK" + b"\0" * (3 * 2**20))
    (tmp_path / "empty.doc").write_bytes(b"")
    with DemoServer(root=tmp_path) as server:
        urls = [server.url + "big.zip", server.url + "empty.doc", server.url + "gone.pdf"]
        got = asyncio.run(check_downloads(urls, max_bytes=64 * 1024))
    big = got[urls[0]]
    assert (big["ok"], big["truncated"], big["size"]) == (True, True, 3 * 2**20 + 2)
    assert (got[urls[1]]["reason"], got[urls[1]]["size"]) == ("empty", 0)
    assert (got[urls[2]]["reason"], got[urls[2]]["http_status"]) == ("http_404", 404)
