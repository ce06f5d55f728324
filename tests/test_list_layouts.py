"""The list reader (inspectors/lists.py ``extract_items``) on real list layouts. Pure.

tests/data/list_layouts/ holds pages built the way portals and CMSs build them (not copied from
any one site): a TRS-style portal homepage (新闻中心 tabs, 8 sibling ``<ul>`` blocks of 5 rows,
``[政策文件]`` category links, a weather box, 友情链接 dropdowns), a Hanweb column table with
``【县区】`` links and an activity calendar, a Discuz board (threads in a moderation form,
authors, last-post links, relative times), a Taiwanese table with ROC dates (``115-03-19``); and,
written at the same time but kept out of the reader's development, a Hanweb county homepage
(dl/dd tabs, ``[03-19]``, exchange rates), an old ASP page whose lists have no row elements,
a Taiwanese news list (dates inside the links, ``115/03/19``, ``民國115年3月18日``) and a news
portal's 新闻中心 (undated hot lists, stock quotes, a login box); written after the reader
was done and never changed for: a card column with split date boxes and ``[图解]`` tags, a
信息公开目录 table (索引号, 文号, 2026年03月18日); a third set written then (whole-row links
with 置顶/NEW badges and a labelled date inside, Discuz portal blocks, an ASP.NET page in one form
with ``115.03.19``), fixed after it was scored; an undated county homepage of 8 blocks.
``expected_*.json`` give every item a person reads there: title, URL, date at as-of
2026-03-20.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from xunjian.inspectors.dates import resolve
from xunjian.inspectors.freshness import freshness_findings
from xunjian.inspectors.lists import extract_items, list_items, roc_dates

DATA = Path(__file__).parent / "data" / "list_layouts"
AS_OF = date(2026, 3, 20)
EXPECTED = {**json.loads((DATA / "expected_dev.json").read_text("utf-8")),
            **json.loads((DATA / "expected_heldout.json").read_text("utf-8")),
            **json.loads((DATA / "expected_heldout2.json").read_text("utf-8")),
            **json.loads((DATA / "expected_undated.json").read_text("utf-8")),
            **json.loads((DATA / "expected_heldout3.json").read_text("utf-8"))}


def read(name: str) -> list[list]:
    page = EXPECTED[name]
    items = extract_items((DATA / name).read_text("utf-8"), page["base"])
    return [[x["title"], x["url"], (lambda d: d.isoformat() if d else None)(
        resolve(x["date"], AS_OF))] for x in items]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_item_of_the_page_with_its_title_url_and_date(name):
    assert read(name) == EXPECTED[name]["items"]


def test_category_links_before_titles_are_not_items():
    for name in ("trs_portal_home.html", "hanweb_category_table.html", "discuz_forumdisplay.html",
                 "news_center_columns.html"):
        items = read(name)
        assert not [t for t, _, _ in items if t[:1] in "[【" or t.endswith(("]", "】"))], name
        # a category link goes to a column (…/zcwj/szfwj/, col1301/index.html, typeid=, /gn/sz/)
        assert not [u for _, u, _ in items if u.endswith(("/", "index.html")) or "typeid=" in u]
    first = read("trs_portal_home.html")[23]  # <a>[市政府文件]</a><a>市交通运输局推进…</a><em>…
    assert first == ["市交通运输局推进农村公路提档升级",
                     "http://www.qingshan.gov.cn/zwgk/zcwj/szfwj/202603/t20260317_8800023.html",
                     "2026-03-17"]


def test_a_forum_thread_is_dated_by_its_post_not_by_its_last_reply():
    items = read("discuz_forumdisplay.html")
    assert items[0][2] == "2026-01-04"  # 置顶, old; the last-post link says 2026-3-20
    assert items[2][2] == "2026-03-19"  # "半小时前" with title="2026-3-19"
    assert not [t for t, _, _ in items if t in ("南湖小市民", "zhang_wei88", "青青河边草")]


WIDGETS = """<html><body>
<div class="top"><span>今天是：2026年3月20日 星期五</span>
<a href="http://www.weather.com.cn/weather/101.shtml">青山 晴 8~18℃ 2026-03-20</a></div>
<div class="side-box"><a href="http://tq.example.com/qs/20260320.html">今天 多云 6~15℃</a>
<span>03-20 周五</span></div>
<div class="rili"><table><tr><td><a href="/hd/?d=2026-03-05" title="2026-03-05 政务活动安排">5</a>
</td><td><a href="/hd/?d=2026-03-12" title="2026-03-12 政务活动安排">12</a></td></tr></table></div>
<div class="box"><table><tr><td><a href="/q/sh000001">上证指数</a></td><td>3245.12</td>
<td>+1.03%</td></tr><tr><td><a href="/q/sz399001">深证成指</a></td><td>10321.45</td>
<td>-0.12%</td></tr><tr><td><a href="/q/usd">美元兑人民币</a></td><td>7.1234</td></tr></table></div>
<div class="box2"><form action="/member/login.do" method="post"><a href="/member/reg.do">免费注册账号</a>
<a href="/member/forget.do">忘记密码找回</a><input name="u"><input type="password" name="p"></form></div>
<div class="links"><select onchange="window.open(this.value)"><option>国家部委网站</option>
<option value="http://www.gov.cn/">中国政府网</option></select></div>
<ul class="main-nav"><li><a href="/zjqs/">走进青山</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/zwfw/">政务服务</a></li></ul>
</body></html>"""


def test_widgets_are_not_lists():
    """Weather (by its box's name or by ℃ in its link), a calendar whose days carry dated titles,
    stock quotes and exchange rates (+1.03% is no 1 March), a login box, 友情链接 dropdowns and
    the navigation: none is a list item, none dates the homepage."""
    assert extract_items(WIDGETS, "http://www.qingshan.gov.cn/") == []


def test_roc_dates_only_where_they_are_dates():
    tw = ('<html lang="zh-Hant-TW"><body><table>'
          '<tr><td><a href="/News_Content.aspx?s=1">市政會議紀錄公告</a></td><td>115-03-19</td></tr>'
          '<tr><td><a href="/News_Content.aspx?s=2">低收入戶補助公告</a></td><td>115/02/28</td></tr>'
          '<tr><td><a href="/News_Content.aspx?s=3">國際城市論壇報名</a></td><td>2026-02-01</td></tr>'
          '</table></body></html>')
    assert [x["date"] for x in extract_items(tw, "https://www.c.gov.tw/")] == [
        {"text": "115-03-19", "date": "2026-03-19"}, {"text": "115/02/28", "date": "2026-02-28"},
        {"text": "2026-02-01", "date": "2026-02-01"}]
    cn = tw.replace('lang="zh-Hant-TW"', 'lang="zh-CN"').replace("紀錄", "纪录").replace(
        "戶補", "户补")
    assert [x["date"] for x in extract_items(cn, "http://www.c.gov.cn/")] == [
        None, None, {"text": "2026-02-01", "date": "2026-02-01"}]
    assert roc_dates("民國115年3月18日", roc_page=False) == [
        {"text": "民國115年3月18日", "date": "2026-03-18"}]
    assert roc_dates("中华民国114年12月1日公布", roc_page=False)[0]["date"] == "2025-12-01"
    for number in ("府授秘字第1150330017號", "電話：04-2228-9111", "(07)123-4567", "115.5公頃",
                   "第115-3號", "版本 112.30.1", "115-13-40"):
        assert roc_dates(number, roc_page=True) == [], number
    assert roc_dates("115-03-19", roc_page=False) == []  # a simplified page: no ROC year


def home_page(name: str) -> tuple[dict, dict]:
    html = (DATA / name).read_text("utf-8")
    url = EXPECTED[name]["base"]
    site = {"code": "3601000001", "name": "青山市人民政府", "url": url}
    return site, {"url": url, "is_home": True, "depth": 0, "status": 200, "error": None,
                  "text_length": len(html), "screenshot": "b" * 64,
                  "items": extract_items(html, url),
                  "links": [{"url": f"{url}p{i}", "kind": "page", "external": False}
                            for i in range(60)]}


def test_updates_homepage_counts_every_block_of_a_portal_homepage():
    """updates.homepage counts the homepage's items dated in the 14 days: on a portal of 8
    blocks of 5 rows (+3 undated slides) that is 35 items, not the 20 the first two blocks
    and a weather box gave."""
    site, home = home_page("trs_portal_home.html")
    findings, facts = freshness_findings(site, [home], [], [], AS_OF.isoformat())
    assert facts["homepage"]["homepage_items"] == 43
    assert facts["homepage"]["count"] == 35
    assert facts["homepage"]["newest"] == "2026-03-19"  # not the weather box's 2026-03-20
    assert not [f for f in findings if f["indicator"] in ("updates.homepage", "veto.not_updated")]
    # the three undated slides are dated from their own pages when those were read
    dated = [{"url": u, "date": {"text": "2026-03-19", "date": "2026-03-19"}}
             for _, u, d in EXPECTED["trs_portal_home.html"]["items"] if d is None]
    _, facts = freshness_findings(site, [home], [], dated, AS_OF.isoformat())
    assert facts["homepage"]["count"] == 38


def test_an_undated_homepage_of_8_blocks_is_counted_from_its_items_pages():
    """A homepage whose 8 blocks print no dates: all 40 items are read (not the first block's
    5), and updates.homepage counts those whose own pages are dated in the 14 days."""
    site, home = home_page("undated_county_home.html")
    assert len(home["items"]) == 40 and not [x for x in home["items"] if x["date"]]
    urls = [x["url"] for x in home["items"]]
    dates = [{"url": u, "date": {"text": f"2026-03-{1 + i % 19:02d}",
                                 "date": f"2026-03-{1 + i % 19:02d}"}} for i, u in enumerate(urls)]
    findings, facts = freshness_findings(site, [home], [], dates, AS_OF.isoformat())
    fresh = sum(1 for i in range(40) if 1 + i % 19 >= 6)  # 2026-03-06 … 2026-03-19
    assert facts["homepage"]["count"] == fresh == 28
    assert not [f for f in findings if f["indicator"] == "updates.homepage"]
    # the same blocks on a column page (not a homepage or a channel's front page) stay one list
    html = (DATA / "undated_county_home.html").read_text("utf-8")
    assert len(extract_items(html, "http://www.baisha.gov.cn/xwzx/bsyw/index.html")) == 5


def test_a_letters_list_is_named_by_its_titles_and_dated_in_roc_years():
    html = ('<html lang="zh-TW"><body><table>'
            '<tr><td>[<a href="/mail/?t=1">諮詢</a>]</td><td><a href="/mail/Content.aspx?id=11">'
            '關於社會住宅申請的問題</a></td><td>115-03-18</td><td>已回覆</td></tr>'
            '<tr><td><a href="/mail/?t=2">[陳情案件]</a> <a href="/mail/Content.aspx?id=12">'
            '路燈故障請派員修理</a></td><td>115-03-10</td><td>已回覆</td></tr>'
            '<tr><td><a href="/mail/?t=3">[建議事項]</a> <a href="/mail/Content.aspx?id=13">'
            '建議增設公車站牌</a></td><td>115-02-27</td><td>處理中</td></tr></table></body></html>')
    assert [(x["title"], x["url"][-5:], x["date"]["date"])
            for x in list_items(html, "https://www.c.gov.tw/mail/")] == [
        ("關於社會住宅申請的問題", "id=11", "2026-03-18"), ("路燈故障請派員修理", "id=12", "2026-03-10"),
        ("建議增設公車站牌", "id=13", "2026-02-27")]


def test_news_about_the_weather_is_news():
    html = ("<html><body><ul>"
            "<li><a href='/a/t20260319_1.html'>大雨转暴雨 我市启动防汛四级应急响应</a><span>03-19</span></li>"
            "<li><a href='/a/t20260318_2.html'>最高气温达38℃ 市气象台发布高温预警</a><span>03-18</span></li>"
            "<li><a href='/a/t20260317_3.html'>关于做好汛期安全生产工作的通知</a><span>03-17</span></li>"
            "</ul></body></html>")
    assert [x["date"]["md"] for x in extract_items(html, "http://www.t.gov.cn/")] == [
        "03-19", "03-18", "03-17"]
