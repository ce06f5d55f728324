"""Link extraction and the crawl frontier: what the spider sees and where it stops."""

from xunjian.spiders.frontier import Frontier
from xunjian.spiders.links import extract_links, kind_of, normalize, page_title, visible_text_length

PAGE = """<html><head><base href="http://www.qh.gov.cn/xxgk/">
<link rel="stylesheet" href="/css/a.css"><link rel="canonical" href="/x">
<link rel="shortcut icon" href="/favicon.ico"><script src="js/app.js"></script>
<title> 通知公告 </title></head><body>
<a href="tzgg/1.html">关于 开展
检查的通知</a><a href="tzgg/1.html#top">重复</a>
<a href="javascript:void(0)">打印</a><a href="mailto:a@b.cn">信箱</a><a href="#">顶部</a>
<a href="/uploads/申请表.DOC">申请表下载</a>
<a href="http://www.gov.cn/"><img src="/i/gov.png" alt="中国政府网"></a>
<img data-original="/i/lazy.jpg" src="/i/grey.gif">
<iframe src="//sub.qh.gov.cn/frame.html"></iframe>
<embed src="/v/a.swf"><area href="/map.html" alt="地图">
<script>var hidden = 1;</script><style>.a{}</style></body></html>"""


def links_by_url():
    return {x["url"]: x for x in extract_links(PAGE, "http://www.qh.gov.cn/xxgk/index.html",
                                               "http://qh.gov.cn/")}


def test_every_fetched_resource_is_a_link_with_its_kind():
    links = links_by_url()
    assert links["http://www.qh.gov.cn/css/a.css"]["kind"] == "stylesheet"
    assert links["http://www.qh.gov.cn/xxgk/js/app.js"]["kind"] == "script"  # <base> respected
    assert links["http://www.qh.gov.cn/favicon.ico"]["kind"] == "image"
    assert links["http://www.qh.gov.cn/uploads/申请表.DOC"]["kind"] == "attachment"
    assert links["http://www.qh.gov.cn/i/lazy.jpg"]["kind"] == "image"  # lazy-loaded picture
    assert links["http://sub.qh.gov.cn/frame.html"]["kind"] == "frame"
    assert links["http://www.qh.gov.cn/v/a.swf"]["kind"] == "media"
    assert "http://www.qh.gov.cn/x" not in links  # rel=canonical is not fetched by browsers


def test_anchor_text_fragments_and_non_http_schemes():
    links = links_by_url()
    assert links["http://www.qh.gov.cn/xxgk/tzgg/1.html"]["text"] == "关于 开展 检查的通知"
    assert links["http://www.gov.cn/"]["text"] == "中国政府网"  # image link named by its alt
    assert not any(u.startswith(("javascript", "mailto")) for u in links)
    assert sum(u.startswith("http://www.qh.gov.cn/xxgk/tzgg/1.html") for u in links) == 1


def test_internal_and_external():
    links = links_by_url()
    assert links["http://www.gov.cn/"]["external"] is True
    # a subdomain is another origin (issue 9): checked, reported as 外部, not walked
    assert links["http://sub.qh.gov.cn/frame.html"]["external"] is True
    assert links["http://www.qh.gov.cn/css/a.css"]["external"] is False


def test_helpers():
    assert kind_of("http://a/b/file.PDF?x=1") == "attachment"
    assert kind_of("http://a/b/list.shtml") == "page"
    assert normalize(" HTTP://WWW.A.cn/b#c ") == "http://www.a.cn/b"
    assert page_title(PAGE) == "通知公告"
    assert visible_text_length("<p>政府</p><script>var x='很多很多字';</script>") == 2
    assert extract_links("", "http://a/", "a") == []


def test_frontier_bounds_pages_and_depth():
    f = Frontier(max_pages=3, max_depth=1)
    assert f.admit("http://a/1", 1) and f.admit("http://a/x", 1)
    assert not f.admit("http://a/1", 1)  # seen
    assert not f.admit("http://a/deep", 2)
    assert f.admit("http://a/y", 0)
    assert not f.admit("http://a/z", 1)
    assert f.refused["max_depth"] == 1 and f.refused["max_pages"] == 1
    assert f.stats()["pages_left"] == 2


def test_frontier_stops_calendars_and_self_nesting_paths():
    f = Frontier(max_pages=1000, max_depth=100)
    admitted = sum(f.admit(f"http://a/cal?date=2026-11-{d:02d}", d) for d in range(1, 30))
    assert admitted == 3
    assert not f.admit("http://a/x/y/x/y/x/page.html", 1)
    articles = sum(f.admit(f"http://a/art/{n}.html", 1) for n in range(100))
    assert articles == 100  # ordinary articles all look alike: never capped by their shape
