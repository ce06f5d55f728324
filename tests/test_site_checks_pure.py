"""The active checks' pure parts on pages as real government sites write them: where the site
search is, which titles are searched for, what a results page says, and the message form."""

from __future__ import annotations

from datetime import date

from xunjian.inspectors.active import active_findings
from xunjian.inspectors.message_form import message_form, write_links
from xunjian.inspectors.site_search import judge_results, needle, pick_titles, search_entries

BASE = "http://www.example.gov.cn/"

HANWEB = """<div class="top"><form id="searchform" name="searchform" method="get" target="_blank"
action="http://www.example.gov.cn/jsearchfront/search.do"><input type="hidden" name="websiteid"
value="330100000000000"><input type="hidden" name="tpl" value="1861"><input type="hidden"
name="pg" value="12"><input type="text" name="q" id="q" class="search-input" autocomplete="off">
<input type="submit" class="search-btn" value=""></form></div>"""

JIYUEHUA = """<div class="header"><div class="search"><input type="text" id="keyWord"
class="ipt" placeholder="请输入关键词"><span class="sbtn" onclick="doSearch()"><img
src="/images/ss.png"></span></div></div><script>function doSearch(){location.href=
'http://search.example.gov.cn/search?q='+document.getElementById('keyWord').value}</script>"""

LOGIN_AND_LINK = """<table><tr><td><form action="/login.do" method="post">用户名<input
name="username" type="text"> 密码<input type="password" name="pwd"><input type="submit"
value="登录"></form></td><td><a href="http://so.example.gov.cn/s?siteCode=4400000001"
target="_blank"><font color="#ffffff">站内搜索</font></a></td></tr></table>"""


def test_a_hanweb_form_with_its_hidden_fields():
    [entry] = search_entries(HANWEB, BASE)
    assert entry["kind"] == "form" and entry["input"] == "q"
    assert entry["selector"] == '[id="q"]'
    assert entry["action"] == "http://www.example.gov.cn/jsearchfront/search.do"
    assert entry["fields"] == {"websiteid": "330100000000000", "tpl": "1861", "pg": "12"}
    assert entry["method"] == "get" and entry["button"]


def test_a_box_a_script_submits():
    [entry] = search_entries(JIYUEHUA, BASE)
    assert entry["kind"] == "box" and entry["selector"] == '[id="keyWord"]'
    assert entry["action"] is None and entry["button"].startswith("xpath=")
    assert entry["button"].endswith("/span")


def test_a_login_form_is_no_search_but_a_link_to_the_search_page_is():
    entries = search_entries(LOGIN_AND_LINK, BASE)
    assert [(e["kind"], e.get("url")) for e in entries] == \
        [("link", "http://so.example.gov.cn/s?siteCode=4400000001")]


def test_a_page_without_search():
    html = '<div><a href="/">首页</a><input name="yzm" type="text"><a href="/sy">设为首页</a></div>'
    assert search_entries(html, BASE) == []


# -- the titles ----------------------------------------------------------------------------------

def _page(kind, url, items, status=200):
    return {"column": {"type": kind, "name": kind, "url": url}, "url": url, "status": status,
            "items": [{"title": t, "url": u, "date": d} for t, u, d in items]}


def test_the_newest_of_each_column_then_the_next_newest():
    pages = [
        _page("工作动态", "http://x/gzdt/", [
            ("全县冬季安全生产工作会议召开", "http://x/1.html", {"text": "11-18", "md": "11-18"}),
            ("县委理论学习中心组专题学习", "http://x/2.html", {"date": "2026-11-17"})]),
        _page("通知公告", "http://x/tzgg/", [
            ("关于公布第二批县级非遗名录的通知", "http://x/3.html", {"date": "2026-10-01"}),
            ("2026年预算公开.pdf", "http://x/4.pdf", {"date": "2026-11-19"})]),
        _page("政务咨询类栏目", "http://x/xx/", [
            ("关于小区停车难问题的咨询", "http://x/5.html", {"date": "2026-11-20"})]),
        _page("政策文件", "http://x/zcwj/", [
            ("关于印发某某县防汛应急预案的通知…", "http://x/6.html", None)]),
    ]
    dates = [{"url": "http://x/6.html", "date": {"date": "2026-09-01"}}]
    home = [{"title": "县委理论学习中心组专题学习", "url": "http://x/2.html",
             "date": {"date": "2026-11-17"}}]
    picks = pick_titles(pages, home, dates, date(2026, 11, 20))
    assert [p["title"] for p in picks] == [
        "全县冬季安全生产工作会议召开", "关于公布第二批县级非遗名录的通知",
        "关于印发某某县防汛应急预案的通知", "县委理论学习中心组专题学习"]
    assert picks == pick_titles(pages, home, dates, date(2026, 11, 20))
    assert picks[0]["date"] == "2026-11-18"


def test_the_needle_is_the_first_twenty_characters():
    title = "某某县人民政府办公室关于印发某某县城镇老旧小区改造实施方案的通知"
    assert needle(title) == "某某县人民政府办公室关于印发某某县城镇老"


# -- results pages -------------------------------------------------------------------------------

def test_a_results_page_that_repeats_the_query_but_found_nothing():
    text = "您搜索的“全县冬季安全生产工作会议召开”共找到 0 条结果 请更换关键词"
    seen = judge_results(200, text, needle("全县冬季安全生产工作会议召开"), "全县冬季安全生产工作会议召开")
    assert seen == {"state": "not_found", "empty": True, "error_page": False}


def test_a_title_cut_and_highlighted_in_the_results():
    title = "某某县人民政府办公室关于印发某某县城镇老旧小区改造实施方案的通知"
    text = "共找到 3 条结果\n某某县人民政府办公室 关于印发某某县城镇老旧小...\n2026-11-10"
    assert judge_results(200, text, needle(title), title)["state"] == "found"


def test_error_pages_and_statuses():
    assert judge_results(200, "系统繁忙，请稍后再试！", "标题", "标题") == \
        {"state": "error", "empty": False, "error_page": True}
    assert judge_results(404, "", "标题", "标题")["state"] == "error"
    assert judge_results(None, "", "标题", "标题", error="打不开：连接超时")["state"] == "error"


# -- the message form ----------------------------------------------------------------------------

def test_a_form_without_a_form_element_submitted_by_script():
    html = """<div class="xx-box"><div class="row"><label>诉求内容</label><textarea
    id="content" maxlength="500"></textarea></div><div class="row"><a class="btn-blue"
    href="javascript:;" onclick="submitForm()">提&nbsp;交</a></div></div>"""
    seen = message_form(html)
    assert seen["found"] is True and seen["fields"] == ["content"] and seen["login"] is False


def test_a_login_wall_and_a_list_without_form():
    login = """<form action="/sso/login" method="post"><h3>统一身份认证平台</h3><input name="account">
    <input type="password" name="password"><button>登 录</button></form>"""
    assert message_form(login) == {"found": False, "login": True, "password": True, "fields": [],
                                   "submit": None}
    header = """<div class="top"><a href="/sso/login">登录</a> | <a href="/reg">注册</a></div>
    <table><tr><td><a href="/x/1.html">关于小区停车问题的咨询</a></td></tr></table>"""
    assert message_form(header)["password"] is False
    listing = """<form action="/search" method="get"><input name="keyword"><input type="submit"
    value="搜索"></form><table><tr><td><a href="/x/1.html">关于小区停车问题的咨询</a></td></tr></table>"""
    assert message_form(listing)["found"] is False


def test_write_links_in_hrefs_scripts_and_pictures():
    html = """<div class="btns"><a href="javascript:void(0)"
    onclick="window.open('/hdjl/xjxx/write.jsp?colId=12')">我要写信</a>
    <a href="/hdjl/xjxx/list.jsp"><img src="/i/ly.gif" alt="我要留言"></a>
    <a href="/hdjl/xjxx/1.html">关于城区道路积水问题的反映及处理</a>
    <a href="/zxzx/">咨询</a></div>"""
    assert write_links(html, "http://www.example.gov.cn/hdjl/xjxx/index.html") == [
        "http://www.example.gov.cn/hdjl/xjxx/write.jsp?colId=12",
        "http://www.example.gov.cn/hdjl/xjxx/list.jsp",
        "http://www.example.gov.cn/zxzx/"]


# -- findings ------------------------------------------------------------------------------------

def test_some_searches_failing_count_one_point_each_awaiting_review():
    site = {"code": "9999000001", "url": BASE}
    queries = [{"title": "甲甲甲甲甲甲", "state": "found", "grouped": True},
               {"title": "乙乙乙乙乙乙", "state": "not_found", "results_url": BASE + "s?q=乙"},
               {"title": "丙丙丙丙丙丙", "state": "error", "error": "检索超时（20秒）"}]
    found = active_findings(site, [{"kind": "search", "result": "partial", "url": BASE,
                                    "detail": "", "evidence": {"queries": queries}}])
    assert [(f["rule"], f["evidence"]["title"], f["needs_review"]) for f in found["findings"]] == \
        [("not_found", "乙乙乙乙乙乙", False), ("not_found", "丙丙丙丙丙丙", True)]
    assert len({f["id"] for f in found["findings"]}) == 2


def test_a_search_broken_by_timeouts_counts_but_an_unusable_box_awaits_review():
    site = {"code": "9999000001", "url": BASE}
    queries = [{"title": f"标题{n}号文件", "state": "error", "status": None, "error": "检索超时"}
               for n in range(4)]
    check = {"kind": "search", "result": "broken", "url": BASE, "detail": "站内搜索不可用",
             "evidence": {"queries": queries}}
    found = active_findings(site, [check])
    assert [(f["rule"], f["needs_review"]) for f in found["findings"]] == [("broken", False)]
    for q in queries:
        q.update(error="搜索框无法填写（TimeoutError: …）", unusable_box=True)
    found = active_findings(site, [check])
    assert [(f["rule"], f["needs_review"]) for f in found["findings"]] == [("broken", True)]


def test_results_grouped_by_kind():
    from xunjian.inspectors.site_search import grouped

    assert grouped("全部(12) 信息公开(8) 办事服务(3) 互动交流(1)\n1. 关于…")
    assert not grouped("共找到 12 条结果\n1. 关于…\n2. 关于…")


def test_titles_a_homepage_lists_are_no_results_of_a_search_drawn_into_it():
    title = "全县冬季安全生产工作会议召开"
    page = "首页 工作动态 全县冬季安全生产工作会议召开 2026-11-18 通知公告 …"
    assert judge_results(200, page, needle(title), title, before=1)["state"] == "not_found"
    drawn = page + " 搜索结果：全县冬季安全生产工作会议召开 2026-11-18"
    assert judge_results(200, drawn, needle(title), title, before=1)["state"] == "found"


def test_a_message_form_in_the_columns_iframe():
    from xunjian.browser import Rendered
    from xunjian.inspection.form_check import _judge

    column = """<table><tr><td>当前位置：首页 &gt; 领导信箱</td></tr><tr><td><iframe
    src="http://xinxiang.example.gov.cn/mailbox/write.jsp?dept=12" width="900" height="700"
    frameborder="0"></iframe></td></tr></table>"""
    framed = """<form id="mail" method="post" action="save.jsp"><table><tr><td>来信主题</td><td>
    <input name="subject"></td></tr><tr><td>来信内容</td><td><textarea name="mailContent">
    </textarea></td></tr><tr><td colspan="2"><img src="/images/tj.gif" alt="提交"
    onclick="checkMail()"></td></tr></table></form>"""
    seen = _judge(Rendered(url="http://www.example.gov.cn/ldxx/", html=column,
                           frames=[("http://xinxiang.example.gov.cn/mailbox/write.jsp?dept=12",
                                    framed)]))
    assert seen["found"] is True
    assert seen["frame"] == "http://xinxiang.example.gov.cn/mailbox/write.jsp?dept=12"
    assert seen["fields"] == ["mailContent"] and seen["submit"] == "提交"
