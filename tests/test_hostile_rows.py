"""Issue 24: a hacked page's single list row holding thousands of elements must not stall the
list readers. Reading a row's date used to rebuild every element's text from scratch (and walk
its ancestors), so one row of 5,000 nested spans cost ~40 s; the work must grow linearly."""

import time

import pytest

from xunjian.inspectors import lists

BASE = "http://www.example.gov.cn/zwgk/tzgg/"
#: A TRS-like column: a list of notices with their dates in spans, the first row swollen by an
#: injected block (a hacked page's hidden SEO spam).
HEAD = ("<html><head><meta charset='utf-8'><title>通知公告</title></head><body>"
        "<div class='main'><ul class='list-ul'>")
NORMAL = ("<li><a href='./202603/t20260302_2.html'>关于做好防汛准备工作的通知</a>"
          "<span class='date'>2026-03-02</span></li>"
          "<li><a href='./202603/t20260303_3.html'>关于公布第一批示范单位名单的公告</a>"
          "<span class='date'>2026-03-03</span></li>")
TAIL = "</ul></div></body></html>"
FIRST = ("<li><a href='./202603/t20260301_1.html'>关于开展春季安全检查的通知</a>{}"
         "<span class='date'>2026-03-01</span></li>")
EXPECTED = [("关于开展春季安全检查的通知", "2026-03-01"), ("关于做好防汛准备工作的通知", "2026-03-02"),
            ("关于公布第一批示范单位名单的公告", "2026-03-03")]


def nested_row(n: int) -> str:
    spam = "".join(f"<span>x{i}" for i in range(n)) + "</span>" * n
    return HEAD + FIRST.format(spam) + NORMAL + TAIL


def sibling_row(n: int) -> str:
    spam = "".join(f"<span>y{i}</span><a href='/x/{i}.html'>链{i}</a>" for i in range(n))
    return HEAD + FIRST.format(spam) + NORMAL + TAIL


def wide_table(n: int) -> str:
    cells = "".join(f"<td>c{i}</td>" for i in range(n))
    return ("<html><body><table class='list'>"
            "<tr><td><a href='/a/t20260301_1.html'>关于开展春季安全检查的通知</a></td>" + cells +
            "<td>2026-03-01</td></tr>"
            "<tr><td><a href='/a/t20260302_2.html'>关于做好防汛准备工作的通知</a></td>"
            "<td>2026-03-02</td></tr>"
            "<tr><td><a href='/a/t20260303_3.html'>关于公布第一批示范单位名单的公告</a></td>"
            "<td>2026-03-03</td></tr></table></body></html>")


def many_rows(n: int) -> str:
    rows = "".join(f"<li><a href='./t2026_{i}.html'>第{i}号关于工作安排的通知</a>"
                   f"<span>2026-03-{i % 28 + 1:02d}</span></li>" for i in range(n))
    return HEAD + rows + TAIL


def _seen(items):
    return [(i["title"], (i["date"] or {}).get("date")) for i in items]


class Work:
    """Counts the characters of text the readers build and parse for dates."""

    def __init__(self, monkeypatch):
        self.chars = 0
        for name in ("_text_without", "_date_of"):
            real = getattr(lists, name)

            def counted(*args, _real=real, **kw):
                out = _real(*args, **kw)
                text = out if isinstance(out, str) else args[0]
                self.chars += len(text or "")
                return out
            monkeypatch.setattr(lists, name, counted)


@pytest.mark.parametrize("page", [nested_row, sibling_row])
def test_swollen_row_is_read_with_its_date(page):
    html = page(3000)
    assert _seen(lists.list_items(html, BASE)) == EXPECTED
    assert _seen(lists.extract_items(html, BASE)) == EXPECTED


def test_wide_table_row_keeps_its_date():
    html = wide_table(20000)
    assert _seen(lists.list_items(html, BASE)) == EXPECTED
    assert _seen(lists.extract_items(html, BASE))[-2:] == EXPECTED[1:]
    assert [i["title"] for i in lists.undated_links(html, BASE)] == [t for t, _ in EXPECTED]


def test_many_dated_rows():
    items = lists.list_items(many_rows(20000), BASE)
    assert len(items) == 20000 and items[-1]["date"]["date"] == "2026-03-08"


def nested_links(n: int) -> str:
    """A row nesting n spans, each with an article link (a hacked page's link farm)."""
    spam = "".join(f"<span><a href='./202603/t2026_{i}.html'>关于链接标题第{i}条的通知</a>"
                   for i in range(n)) + "</span>" * n
    return HEAD + FIRST.format(spam) + NORMAL + TAIL


def test_nested_link_farm_is_read():
    html = nested_links(3000)
    assert _seen(lists.list_items(html, BASE)) == EXPECTED
    links = lists.undated_links(html, BASE)
    assert len(links) == lists.MAX_UNDATED_LINKS
    assert links[0]["url"] == "http://www.example.gov.cn/zwgk/tzgg/202603/t20260301_1.html"


@pytest.mark.parametrize("page", [nested_row, sibling_row, wide_table, nested_links])
def test_work_is_linear_in_the_page(page, monkeypatch):
    """Deterministic: the text the readers build and parse for dates stays within a few times
    the page's size. Reading each element's text from scratch cost ~150× the page on a row of
    3,000 nested spans (each of ~240 ancestors' texts rebuilt per element)."""
    work = Work(monkeypatch)
    html = page(3000)
    lists.list_items(html, BASE)
    lists.extract_items(html, BASE)
    lists.undated_links(html, BASE)
    assert work.chars < 5 * len(html), (work.chars, len(html))


def test_menu_check_is_linear_in_the_links(monkeypatch):
    """Deterministic: undated_links judges each link's page once, not once per box it sits in
    (~290 times per link in a nested link farm before)."""
    calls = []
    real = lists._page_key
    monkeypatch.setattr(lists, "_page_key", lambda u: calls.append(u) or real(u))
    lists.undated_links(nested_links(3000), BASE)
    assert len(calls) < 4 * 3000, len(calls)


def test_nested_link_farm_costs_about_a_normal_list():
    """Generous timing: a row nesting 2,000 links is read in under 8× the time of a plain list
    of 2,000 rows (min of 3 runs each); it took ~15× longer and more before."""
    def best(html):
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            lists.list_items(html, BASE)
            lists.extract_items(html, BASE)
            lists.undated_links(html, BASE)
            runs.append(time.perf_counter() - start)
        return min(runs)
    assert best(nested_links(2000)) < 8 * best(many_rows(2000))
