"""Whole lists and "nothing checked is not zero", without a browser (issue 9, causes 3 and 9).

List layouts here are small pages in styles the news-list reader was not written against: a 大汉
jcms 办件 table, a ``div.list-item`` mailbox, a list split into several ``ul`` of five, a side menu
of column links, a last page with a single row. The derivations get stored facts as the spider
writes them.
"""

from __future__ import annotations

from xunjian.inspectors.interaction import interaction_checks, interaction_findings
from xunjian.inspectors.lists import extract_items, jcms_datastore, list_items, list_page_urls
from xunjian.inspectors.service import service_checks
from xunjian.scoring import score_card
from xunjian.spiders.site import SiteSpider

BASE = "http://www.jb.gov.cn/col/col3101/index.html"
SITE = {"code": "9999000077", "name": "测试", "url": "http://www.jb.gov.cn/", "type": "其他"}
AS_OF = "2026-11-20"


def page(body: str) -> str:
    return (f'<html><head><meta charset="utf-8"><title>列表</title></head><body>'
            f'<div class="nav-bar"><a href="/">首页</a><a href="/col/col1/index.html">政务公开</a>'
            f"</div>{body}<div id=\"foot\">版权所有</div></body></html>")


JCMS_TABLE = page("""
<table class="bj-table"><tbody>
<tr><th>事项名称</th><th>实施主体</th><th>操作</th></tr>
<tr><td>1</td><td><a href="/art/2026/3/2/art_3101_11.html" title="食品生产许可（新办）">
食品生产许可（新…</a></td><td>市市场监管局</td><td><a href="http://zwfw.jb.gov.cn/banli?id=11">在线办理</a></td></tr>
<tr><td>2</td><td>特种设备使用登记</td><td>市市场监管局</td>
<td><a href="/art/2026/3/2/art_3101_12.html">查看</a> <a href="/bl?id=12">在线申报</a></td></tr>
<tr><td>3</td><td>计量器具型式批准</td><td>市市场监管局</td>
<td><a href="/art/2026/3/2/art_3101_13.html">办事指南</a> <a href="/f/13.doc">表格下载</a></td></tr>
</tbody></table>""")


def test_undated_table_rows_are_items_named_by_their_cells():
    assert extract_items(JCMS_TABLE, BASE) == []  # the news-list reader sees nothing here
    assert [(x["title"], x["url"].rsplit("/", 1)[1], x["date"]) for x in
            list_items(JCMS_TABLE, BASE)] == [("食品生产许可（新办）", "art_3101_11.html", None),
                                              ("特种设备使用登记", "art_3101_12.html", None),
                                              ("计量器具型式批准", "art_3101_13.html", None)]


def test_a_menu_of_columns_is_not_a_list_and_a_lone_last_row_is():
    menu = ('<div class="zwfw-lm"><ul><li><a href="../grbs/index.html">个人办事</a></li>'
            '<li><a href="./index.html">法人办事</a></li><li><a href="/ztfw/">主题服务</a></li>'
            '<li><a href="/bmfw/index.jsp">部门服务服务</a></li></ul></div>')
    shell = page(menu + '<div id="list">数据加载中…</div>')
    assert list_items(shell, "http://www.jb.gov.cn/zwfw/frbs/index.html") == []
    last = page(menu + '<ul class="bszn"><li><a href="./202603/t20260302_1025.html">'
                       "文艺表演团体设立审批</a></li></ul>")
    assert [x["title"] for x in list_items(last, "http://www.jb.gov.cn/zwfw/frbs/index_2.html")] \
        == ["文艺表演团体设立审批"]


def test_mailbox_blocks_split_lists_and_dates_where_rows_have_them():
    blocks = page("".join(f'<div class="list-item"><span>XX{n}</span><a href="detail.jsp?id={n}">'
                          f"关于第{n}号问题的咨询</a><em>已办结</em></div>" for n in range(1, 4)))
    assert [x["url"][-4:] for x in list_items(blocks, BASE)] == ["id=1", "id=2", "id=3"]
    split = page("".join(f'<ul class="ft"><li><a href="/ft/{g}{n}.html">第{g}{n}期在线访谈节目</a>'
                         f"<span>2026-0{n}-1{n}</span></li></ul>" for g in "ab" for n in (1, 2))
                 + '<ul class="side"><li><a href="/x.html">热点专题一</a></li></ul>')
    found = list_items(split, BASE)
    assert [x["url"][-7:] for x in found] == ["a1.html", "a2.html", "b1.html", "b2.html"]
    assert found[0]["date"]["date"] == "2026-01-11"


def test_other_pages_of_a_list():
    trs = page('<div class="page_box">共3页&nbsp;首页&nbsp;上一页&nbsp;'
               '<a href="index_1.html">下一页</a>&nbsp;<a href="index_2.html">尾页</a></div>')
    assert list_page_urls(trs, BASE) == ["http://www.jb.gov.cn/col/col3101/index_1.html"]
    numbered = page('<div class="fy"><a href="?page=1">1</a><a href="?page=3">[3]</a>'
                    '<a href="?page=2">2</a><a href="javascript:go(4)">4</a></div>')
    assert list_page_urls(numbered, "http://x.gov.cn/list.jsp?page=1") == [
        "http://x.gov.cn/list.jsp?page=2", "http://x.gov.cn/list.jsp?page=3"]


def test_the_list_page_cap_is_reported():
    spider = SiteSpider(site=SITE["code"])
    spider.max_list_pages = 3
    column = {"type": "办事指南类栏目", "url": BASE}
    html = page("".join(f'<a href="index_{n}.html">{n + 1}</a>' for n in range(1, 6)))
    more, unread = spider._more_list_pages(column, BASE, BASE, html, [])
    assert [u.rsplit("/", 1)[1] for u in more] == ["index_1.html", "index_2.html"]
    assert unread == 3


def guide_page(url, column="个人办事", status=200, error=None):
    return {"url": url, "status": status, "error": error,
            "column": {"type": "办事指南类栏目", "name": column, "url": f"http://x/{column}"}}


def column_page(kind, name, items, status=200, error=None, shot=None):
    return {"column": {"type": kind, "name": name, "url": f"http://x/{name}"},
            "url": f"http://x/{name}", "status": status, "error": error, "items": items,
            "screenshot": shot, "list_page": 1}


def test_guide_indicators_are_unchecked_when_no_guide_was_examined():
    guide = "办事指南类栏目"
    items = [{"title": "出生登记", "url": "http://x/g1", "date": None}]
    cases = {
        "no_guide_column": ([], []),
        "guide_column_unread": ([column_page(guide, "个人办事", items),
                                 column_page(guide, "法人办事", [], status=None,
                                             error="TimeoutError", shot="blob1")],
                                [guide_page("http://x/g1")]),
        "no_guide_read": ([column_page(guide, "个人办事", items)],
                          [guide_page("http://x/g1", status=404)]),
    }
    for reason, (columns, guides) in cases.items():
        checks, why = service_checks(SITE, columns, guides)
        assert (checks["service.guide"], checks["service.attachments"]) == (False, False)
        assert why["service.guide"]["reason"] == reason
    guessed = column_page(guide, "服务指南", [])
    guessed["column"]["source"] = "discovered"  # proposed from a homepage link, not registered
    checks, why = service_checks(SITE, [column_page(guide, "个人办事", items), guessed],
                                 [guide_page("http://x/g1")])
    assert checks == dict.fromkeys(checks, True) and why == {}
    # the card shows the guide findings it has, and does not call the indicator checked
    card = score_card(site=SITE, findings=[], reviews=[], checked=service_checks(
        SITE, *cases["guide_column_unread"])[0], as_of=AS_OF)
    assert "service.guide" in card["unchecked"] and card["provisional"]


def test_letters_that_could_not_be_read():
    undated = [{"title": f"信件{n}", "url": f"http://x/l{n}", "date": None} for n in range(3)]
    pages = [column_page("政务咨询类栏目", "局长信箱", undated)]
    failed = [{"column_url": "http://x/局长信箱", "url": f"http://x/l{n}", "status": None,
               "error": "connect", "asked": None, "replied": None, "has_reply": False}
              for n in range(3)]
    checks, why = interaction_checks(SITE, pages, failed)
    assert checks["veto.unresponsive"] is False
    assert why["veto.unresponsive"]["reason"] == "letters_unread"
    found = interaction_findings(SITE, pages, [], failed, AS_OF)
    no_letters = [f for f in found if f["indicator"] == "interaction.consultation"]
    assert [(f["rule"], f["needs_review"], f["evidence"]["undated"]) for f in no_letters] == \
        [("no_letters", True, 3)]
    gone = [column_page("政务咨询类栏目", "局长信箱", [], status=None, error="TimeoutError")]
    assert interaction_checks(SITE, gone, [])[1]["veto.unresponsive"]["reason"] == \
        "consultation_column_unread"
    assert interaction_checks(SITE, [], [])[0]["veto.unresponsive"] is True  # no column


def test_activities_whose_dates_are_unknown_await_review():
    undated = [{"title": f"第{n}期访谈", "url": f"http://x/ft{n}", "date": None} for n in range(8)]
    found = interaction_findings(SITE, [column_page("互动访谈类栏目", "在线访谈", undated)],
                                 [{"url": "http://x/ft0",
                                   "date": {"text": "2026-10-01", "date": "2026-10-01"}}],
                                 [], AS_OF)
    mine = [f for f in found if f["indicator"] == "interaction.interview"]
    assert [(f["rule"], f["needs_review"], f["evidence"]["undated"]) for f in mine] == \
        [("few_activities", True, 7)]


def test_undated_activities_are_opened_across_pages_within_the_bound():
    spider = SiteSpider(site=SITE["code"])
    spider.max_letters = 3
    column = {"type": "互动访谈类栏目", "url": "http://x/ft/index.html"}
    page1 = [{"title": f"第{n}期", "url": f"http://x/ft/{n}.html", "date": None} for n in (1, 2)]
    page1.append({"title": "第0期", "url": "http://x/ft/0.html", "date": {"date": "2026-01-01"}})
    page2 = [{"title": f"第{n}期", "url": f"http://x/ft/{n}.html", "date": None} for n in (2, 3, 4)]
    first = list(spider._activity_date_requests(column, page1, column["url"]))
    second = list(spider._activity_date_requests(column, page2, column["url"] + "?page=2"))
    assert [r.url[-6:] for r in first + second] == ["1.html", "2.html", "3.html"]


def test_jcms_datastore_records_and_next_group():
    records = "".join(f'<record><![CDATA[<tr><td><a href="/art/2026/5/{n}/art_3101_{n}.html">'
                      f"第{n}项服务事项</a></td><td>2026-05-{n:02d}</td></tr>]]></record>"
                      for n in range(1, 4))
    html = page('<div id="4567"><script type="text/xml"><datastore><nextgroup><![CDATA['
                '<a href="/module/web/jpage/dataproxy.jsp?page=1&amp;columnid=3101"></a>]]>'
                f"</nextgroup><recordset>{records}</recordset><totalrecord>48</totalrecord>"
                "</datastore></script><script>new Pager({perpage:15})</script></div>")
    found = jcms_datastore(html, BASE)
    assert [x["title"] for x in found["items"]] == [f"第{n}项服务事项" for n in (1, 2, 3)]
    assert found["items"][0]["date"]["date"] == "2026-05-01"
    assert (found["records"], found["total"], found["perpage"]) == (3, 48, 15)
    assert found["nextgroup"] == \
        "http://www.jb.gov.cn/module/web/jpage/dataproxy.jsp?page=1&columnid=3101"
    assert jcms_datastore(page("<ul><li>x</li></ul>"), BASE) is None
