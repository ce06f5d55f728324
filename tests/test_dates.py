"""Date and list-item extraction (inspectors/dates.py, inspectors/lists.py): pure, no browser.

The labelled set in tests/data/lists/ (labels.json: expected item count and newest date of each
page) must be extracted with 100% accuracy; add every mistake found in the field as a new case.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from xunjian.inspectors.dates import date_in_text, full_dates, month_days, page_date, resolve
from xunjian.inspectors.freshness import newest_item
from xunjian.inspectors.lists import extract_items, next_page_url
from xunjian.urlcheck import decode_body

LISTS = Path(__file__).parent / "data" / "lists"
LABELS = {k: v for k, v in json.loads((LISTS / "labels.json").read_text("utf-8")).items()
          if not k.startswith("_")}


@pytest.mark.parametrize("text, expected", [
    ("2026-11-18", "2026-11-18"),
    ("2026/11/18", "2026-11-18"),
    ("2026.11.18", "2026-11-18"),
    ("2026年11月18日", "2026-11-18"),
    ("2026 年 1 月 8 日", "2026-01-08"),
    ("2026-11-18 10:20", "2026-11-18"),
    ("2026-11-18 10:20:33", "2026-11-18"),
    ("[2026-11-18]", "2026-11-18"),
    ("（2026-11-18）", "2026-11-18"),
    ("发布时间：2026-11-18", "2026-11-18"),
    ("2026-2-3", "2026-02-03"),
])
def test_full_date_forms(text, expected):
    assert date_in_text(text)["date"] == expected


@pytest.mark.parametrize("text, md", [
    ("[11-18]", "11-18"), ("11-18", "11-18"), ("(11-18)", "11-18"), ("11/18", "11-18"),
    ("11月18日", "11-18"), ("【02-29】", "02-29"),
])
def test_year_implied_forms(text, md):
    assert date_in_text(text) == {"text": text.strip("[]()【】"), "md": md}


@pytest.mark.parametrize("text", ["2026-13-01", "2026-02-30", "13-45", "版本1.5", "第3.2条",
                                  "电话0551-12345678", "1899-01-01", ""])
def test_not_dates(text):
    assert date_in_text(text) is None


def test_year_implied_is_never_in_the_future():
    as_of = date(2026, 11, 20)
    assert resolve({"md": "11-20"}, as_of) == date(2026, 11, 20)  # as-of day itself
    assert resolve({"md": "11-21"}, as_of) == date(2025, 11, 21)  # tomorrow → last year
    assert resolve({"md": "12-30"}, as_of) == date(2025, 12, 30)
    assert resolve({"md": "02-29"}, as_of) == date(2024, 2, 29)  # the last leap year
    assert resolve({"date": "2026-11-18"}, as_of) == date(2026, 11, 18)
    assert resolve(None, as_of) is None


def test_full_date_wins_and_the_last_one_in_a_row():
    assert date_in_text("2025年工作要点 2026-03-01")["date"] == "2026-03-01"
    assert full_dates("2026-01-01 至 2026-02-01")[1]["date"] == "2026-02-01"
    assert month_days("2026-11-18 与 11-19") == [{"text": "11-19", "md": "11-19"}]


def test_article_page_dates():
    meta = '<html><head><meta name="PubDate" content="2026-11-18 10:00"></head><body></body></html>'
    assert page_date(meta)["date"] == "2026-11-18"
    assert page_date(meta)["source"] == "meta:pubdate"
    label = ("<html><body><h1>关于2025年12月1日起施行的通知</h1><div>来源：办公室　"
             "发布日期：2026年11月02日</div><p>自2027年1月1日起施行。</p></body></html>")
    assert page_date(label)["date"] == "2026-11-02"
    plain = "<html><body><div class='info'>时间：2026/10/09 点击：12</div></body></html>"
    assert page_date(plain)["date"] == "2026-10-09"
    both = "<html><body><p>时间：2026-01-01</p><p>发布时间：2026-10-09</p></body></html>"
    assert page_date(both)["date"] == "2026-10-09"  # 发布时间 is the stronger label
    assert page_date('<html><body><time datetime="2026-09-01T08:00:00+08:00">九月</time>'
                     '</body></html>')["date"] == "2026-09-01"
    assert page_date("<html><body><p>本文没有日期，2026年规划见附件。</p></body></html>") is None
    assert page_date("") is None


def test_items_carry_title_url_and_raw_date():
    items = extract_items((LISTS / "table_rows.html").read_text("utf-8"),
                          "http://www.qh.gov.cn/xxgk/tzgg/index.html")
    assert items[0] == {"title": "关于开展2026年度统计执法检查的通知",  # full title from @title
                        "url": "http://www.qh.gov.cn/xxgk/tzgg/202611/t20261103_1.html",
                        "date": {"text": "2026-11-03", "date": "2026-11-03"}}
    titles = {x["title"] for x in items}
    assert not titles & {"网站首页", "下一页", "尾页", "关于我们网站", "信息公开"}


def test_navigation_more_links_and_footers_are_not_items():
    html = ("<html><body><div id='menu'><a href='/a'>政府信息公开目录</a></div>"
            "<ul><li><a href='/n1'>关于开展冬季安全检查的通知</a><span>2026-11-01</span></li>"
            "<li><a href='/n2'>关于公布第二批名录的通知</a><span>2026-10-01</span></li></ul>"
            "<a href='/more'>更多&gt;&gt;</a><div class='copyright'><a href='/x'>网站地图链接"
            "</a> 2026-01-01</div></body></html>")
    items = extract_items(html, "http://a.gov.cn/")
    assert [x["url"] for x in items] == ["http://a.gov.cn/n1", "http://a.gov.cn/n2"]


def test_labelled_set_accuracy():
    """Newest date and item count of every labelled page; reports accuracy, requires 100%."""
    wrong = []
    for name, label in sorted(LABELS.items()):
        html = decode_body((LISTS / name).read_bytes(), "text/html")  # GBK pages too
        items = extract_items(html, "http://www.qh.gov.cn/col/")
        newest = newest_item(items, {}, date.fromisoformat(label["as_of"]))
        got = (len(items), newest["date"] if newest else None)
        if got != (label["items"], label["newest"]):
            wrong.append((name, got, (label["items"], label["newest"])))
    accuracy = 1 - len(wrong) / len(LABELS)
    print(f"date extraction accuracy on {len(LABELS)} labelled list pages: {accuracy:.0%}")
    assert not wrong, wrong
    assert len(LABELS) >= 20


def test_a_date_inside_the_title_link_is_not_part_of_the_title():
    items = extract_items((LISTS / "date_inside_link.html").read_text("utf-8"), "http://a/")
    assert items[0]["title"] == "关于开展2026年度安全生产大检查的通知"
    assert items[0]["date"] == {"text": "11-13", "md": "11-13"}


def test_a_date_leading_the_link_text():
    items = extract_items((LISTS / "date_leading_link.html").read_text("utf-8"), "http://a/")
    assert items[0]["title"] == "全市冬季森林防火工作会议召开"
    assert items[0]["date"]["date"] == "2026-11-17"
    assert "机构概况介绍" not in {x["title"] for x in items}  # an undated side menu


def test_split_dates_and_next_page():
    assert date_in_text("18 2026-11")["date"] == "2026-11-18"
    assert date_in_text("2026年11月 18")["date"] == "2026-11-18"
    html = ("<html><body><a href='index_1.html'>下一页</a><a href='index_9.html'>尾页</a>"
            "</body></html>")
    assert next_page_url(html, "http://a/col/index.html") == "http://a/col/index_1.html"
    assert next_page_url("<html><body><a href='x'>上一页</a></body></html>", "http://a/") is None
