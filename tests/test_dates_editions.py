"""Article dates on English and minority-language editions of government sites (issue 19 §8).

A date the page states is not thrown away: in the styles other editions print it (Feb 12, 2022,
2. Februar 2022, 12.02.2022, Tibetan or full-width digits, 2022년 2월 12일), in a publication
<meta> or JSON-LD, and a UTC stamp is read as the publisher's day. Guesses stay rejected: a
copyright year, a year-month, a form field's default, a code sample's date. The Chinese byline is
still read first. Small synthetic pages, in no style of htmldate's evaluation pages.
"""

from __future__ import annotations

from datetime import date

import pytest

from xunjian.inspectors.dates import page_date, publisher_day, stamp, stated_dates


def _page(body: str, head: str = "", title: str = "Notice on Winter Heating Subsidies") -> str:
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title} - The People's "
            f"Government of Example Province</title>{head}</head><body>"
            "<div class='top'><a href='/'>中文</a> | <a href='/en/'>English</a></div>"
            f"<div class='nav'><a href='/en/news/'>News</a> <a href='/en/policies/'>Policies</a>"
            f"</div>{body}<div class='footer'>Copyright © 2025 The People's Government of Example "
            "Province. All rights reserved. 网站标识码 4400000001</div></body></html>")


ENGLISH_EDITION = _page(
    "<div class='article'><h1>Notice on Winter Heating Subsidies</h1>"
    "<div class='info'>Source: General Office | Updated: Feb 12, 2022 | Font: L M S</div>"
    "<div class='content'><p>Households registered before the heating season may apply for the "
    "subsidy at their community service centre.</p></div></div>")

GERMAN_BYLINE = (
    "<html><head><title>Partnerschaft mit der Provinz Beispiel vertieft</title></head><body>"
    "<header><a href='/'>Stadtportal</a></header><main><article>"
    "<h2>Partnerschaft mit der Provinz Beispiel vertieft</h2>"
    "<p class='autor'>Von Referat Internationales · 2. Februar 2022</p>"
    "<p>Eine Delegation besuchte die Partnerstadt und unterzeichnete ein Abkommen.</p>"
    "</article></main><footer>© 2024 Stadtverwaltung</footer></body></html>")

META_ONLY = _page(
    "<div class='article'><h1>Notice on Winter Heating Subsidies</h1>"
    "<div class='content'><p>Applications open next week.</p></div></div>",
    head="<meta property='article:published_time' content='2022-02-12T09:30:00+08:00'>")

JSON_LD_ONLY = _page(
    "<div class='article'><h1>Notice on Winter Heating Subsidies</h1>"
    "<div class='content'><p>Applications open next week.</p></div></div>",
    head="<script type='application/ld+json'>{\"@context\": \"https://schema.org\", "
         "\"@type\": \"NewsArticle\", \"headline\": \"Notice on Winter Heating Subsidies\", "
         "\"datePublished\": \"2022-02-12T09:30:00+08:00\", "
         "\"dateModified\": \"2022-03-01T10:00:00+08:00\"}</script>")

#: The page gives the instant in UTC in its <meta>, in its own zone (+08:00) in JSON-LD.
UTC_META = _page(
    "<div class='article'><h1>Notice on Winter Heating Subsidies</h1>"
    "<div class='content'><p>Applications open next week.</p></div></div>",
    head="<meta property='article:published_time' content='2022-02-11T17:30:00Z'>"
         "<script type='application/ld+json'>{\"@type\": \"NewsArticle\", "
         "\"datePublished\": \"2022-02-12T01:30:00+08:00\"}</script>")

#: A Tibetan edition prints its digits in Tibetan script (༢༠༢༢-༠༢-༡༢).
TIBETAN_EDITION = (
    "<html><head><meta charset='utf-8'>"
    "<title>ས་གནས་སྲིད་གཞུང་གི་གསར་འགྱུར་ - བོད་ཡིག</title></head>"
    "<body><div class='nav'><a href='/'>མདུན་ངོས།</a></div><div class='xl'>"
    "<h1>ས་གནས་སྲིད་གཞུང་གི་གསར་འགྱུར་</h1><div class='ly'>ཁུངས། སྲིད་གཞུང་ཡིག་ཚང་། "
    "༢༠༢༢-༠༢-༡༢</div><p>ཡིག་ཆ་འདི་ཁྱབ་བསྒྲགས་བྱས།</p></div></body></html>")

#: A Uyghur edition: Arabic-script text, the date dotted day first.
UYGHUR_EDITION = (
    "<html dir='rtl'><head><meta charset='utf-8'><title>ئۆلكىلىك ھۆكۈمەت خەۋىرى - ئۇيغۇرچە</title>"
    "</head><body><div class='nav'><a href='/'>باش بەت</a></div><div class='article'>"
    "<h1>ئۆلكىلىك ھۆكۈمەت خەۋىرى</h1><span class='source'>مەنبە: ئىشخانا</span> "
    "<span class='time'>12.02.2022</span><p>ھۆكۈمەت يىغىنى ئېچىلدى.</p></div></body></html>")

COPYRIGHT_ONLY = _page(
    "<div class='article'><h1>Notice on Winter Heating Subsidies</h1>"
    "<div class='content'><p>Households may apply at their community service centre.</p>"
    "</div></div>")


@pytest.mark.parametrize("html, expected", [
    (ENGLISH_EDITION, "2022-02-12"),
    (GERMAN_BYLINE, "2022-02-02"),
    (META_ONLY, "2022-02-12"),
    (JSON_LD_ONLY, "2022-02-12"),
    (UTC_META, "2022-02-12"),
    (TIBETAN_EDITION, "2022-02-12"),
    (UYGHUR_EDITION, "2022-02-12"),
], ids=["english-updated", "german-byline", "meta-only", "json-ld", "utc-meta", "tibetan-digits",
        "uyghur-dotted"])
def test_a_date_the_page_states_is_read(html, expected):
    found = page_date(html, url="https://www.example.gov.cn/en/news/202202/content_77.html")
    assert found is not None and found["date"] == expected
    assert found["text"] and found["source"]
    assert set(found) <= {"text", "date", "time", "source"}  # nothing a store cannot keep


def test_a_copyright_footer_is_not_the_date():
    assert page_date(COPYRIGHT_ONLY) is None  # htmldate guesses 2025-01-01 from "© 2025"
    english_clockless = COPYRIGHT_ONLY.replace("© 2025", "© 2022-2025")
    assert page_date(english_clockless) is None


def test_guesses_are_not_dates():
    """A year-month, a form's default value and a code sample print no publication date."""
    form = _page("<div class='article'><h1>Notice on Winter Heating Subsidies</h1>"
                 "<p>Issued in February 2022.</p><form><label>Appointment</label>"
                 "<input type='text' name='day' value='14.03.2022'></form></div>")
    assert page_date(form) is None
    code = _page("<div class='article'><h1>Open Data Interface Guide</h1>"
                 "<pre><code>curl 'https://data.example.gov.cn/api?since=2021-06-30'</code>"
                 "</pre></div>", title="Open Data Interface Guide")
    assert page_date(code) is None


def test_the_chinese_byline_is_read_first():
    """A Chinese byline beside the title beats a JSON-LD date elsewhere on the page."""
    html = ("<html><head><title>关于做好冬季供暖补贴申领工作的通知_通知公告_示例省人民政府</title>"
            "<script type='application/ld+json'>{\"datePublished\": \"2026-11-20T08:00:00+08:00\"}"
            "</script></head><body><h1>关于做好冬季供暖补贴申领工作的通知</h1>"
            "<div class='pages-date'>2026-11-18 10:20 来源：省民政厅</div>"
            "<p>各市人民政府：……</p></body></html>")
    assert page_date(html)["date"] == "2026-11-18"
    full_width = html.replace("2026-11-18 10:20", "２０２６年１１月１８日")
    assert page_date(full_width)["date"] == "2026-11-18"


def test_disagreeing_time_elements_defer_to_the_one_that_is_published():
    """A sidebar's <time> first, the article's <time class=published> after it."""
    html = _page("<aside><h3>Latest</h3><ul><li><a href='/en/a'>Spring planting starts</a> "
                 "<time datetime='2022-03-20'>Mar 20, 2022</time></li></ul></aside>"
                 "<div class='article'><h1>Notice on Winter Heating Subsidies</h1>"
                 "<time class='published' datetime='2022-02-12T09:30:00+08:00' pubdate>"
                 "February 12, 2022</time><p>Applications open next week.</p></div>")
    assert page_date(html)["date"] == "2022-02-12"


def test_no_date_after_the_monitoring_day():
    assert page_date(ENGLISH_EDITION, latest=date(2022, 2, 11)) is None
    assert page_date(ENGLISH_EDITION, latest=date(2022, 2, 12))["date"] == "2022-02-12"


@pytest.mark.parametrize("text, dates", [
    ("Updated: Feb 12, 2022", ["2022-02-12"]),
    ("Posted December 29th 2019", ["2019-12-29"]),
    ("2. Februar 2022", ["2022-02-02"]),
    ("le 1er mars 2022", ["2022-03-01"]),
    ("martes 17 de marzo de 2020", ["2020-03-17"]),
    ("15 августа 2016 г.", ["2016-08-15"]),
    ("12.02.2022", ["2022-02-12"]),
    ("31.10.23", ["2023-10-31"]),
    ("25/12/2021", ["2021-12-25"]),
    ("02/12/2022", ["2022-12-02", "2022-02-12"]),  # both readings: the page decides
    ("2022년 2월 12일", ["2022-02-12"]),
    ("༢༠༢༢-༠༢-༡༢", ["2022-02-12"]),
    ("2026年11月18日", ["2026-11-18"]),
    ("© 2025", []),
    ("version 1.2.3", []),
    ("13/25/2022", []),
    ("February 2022", []),
])
def test_stated_dates_styles(text, dates):
    assert [d["date"] for d in stated_dates(text)] == dates


def test_stamps_and_the_publisher_day():
    assert stamp("2022-02-12T09:30:00+08:00")["offset"] == 480
    assert stamp("2023-11-09T01:09:55Z")["utc"] is True
    assert stamp("12 Feb 2022") is None
    utc = stamp("2023-11-09T01:09:55Z")
    same_instant_naive = stamp("2023-11-08 18:09:55")  # the publisher's own clock, -07:00
    assert publisher_day(utc, [same_instant_naive])["date"] == "2023-11-08"
    other_instant = stamp("2023-11-08T09:35:53-07:00")  # a comment's, not the same instant
    assert publisher_day(utc, [other_instant])["date"] == "2023-11-09"
    address = {"text": "2023-11-08", "date": "2023-11-08", "address": True}
    assert publisher_day(utc, [address])["date"] == "2023-11-08"  # 01:09 UTC reaches the day before
    afternoon = stamp("2023-11-09T14:00:00Z")
    assert publisher_day(afternoon, [address])["date"] == "2023-11-09"  # 14:00 UTC cannot
    assert set(publisher_day(utc, [])) == {"text", "date"}
