"""Article dates on pages the date code was not written next to (issue 9, cause 10).

Two sets: the 58 real Chinese article pages in ``../shared/realpages`` (test data only, never
copied into the repo; skipped where that folder is absent) and a held-out set of small pages in
other CMS styles in ``tests/data/articles`` (国务院 pages-date, TRS 发布日期, 大汉 jcms
发布时间：2026年11月18日, GBK, a table layout, header clocks, newer related lists, ©2025 footers,
a date only in the URL, no date at all).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from xunjian.inspectors.dates import page_date
from xunjian.urlcheck import decode_body

REPO = Path(__file__).resolve().parent.parent
REALPAGES = REPO.parent / "shared" / "realpages"
ARTICLES = Path(__file__).resolve().parent / "data" / "articles"


@pytest.mark.skipif(not (REALPAGES / "answers.json").is_file(),
                    reason="../shared/realpages is not next to this repository")
def test_real_pages_at_least_56_of_58():
    answers = json.loads((REALPAGES / "answers.json").read_text(encoding="utf-8"))
    misses = []
    for entry in answers:
        found = page_date(decode_body((REALPAGES / entry["file"]).read_bytes(), None))
        got = found["date"] if found else None
        if got != entry["date"]:
            misses.append((entry["file"], entry["date"], got))
    assert len(answers) == 58
    assert len(answers) - len(misses) >= 56, misses


def _held_out():
    return json.loads((ARTICLES / "answers.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("entry", _held_out(), ids=lambda e: e["file"])
def test_held_out_article_date(entry):
    found = page_date(decode_body((ARTICLES / entry["file"]).read_bytes(), None),
                      url=entry.get("url"))
    assert (found["date"] if found else None) == entry["date"], entry["style"]
    if found:  # the shape every caller reads: the raw text and the ISO date
        assert found["text"] and found["source"]


def test_held_out_set_covers_the_styles_asked_for():
    entries = _held_out()
    assert len(entries) >= 12
    assert any(e["date"] is None for e in entries)
    assert any(e.get("url") for e in entries)
    raw = (ARTICLES / "gbk-gb2312.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # really GBK bytes


def test_a_date_after_latest_is_no_page_date():
    """A byline after the monitoring date is not answered with an older date of the page."""
    html = (ARTICLES / "gov-pages-date.html").read_text(encoding="utf-8")
    assert page_date(html, latest=date(2026, 11, 18))["date"] == "2026-11-18"
    assert page_date(html, latest=date(2026, 11, 17)) is None


def test_htmldate_year_only_guess_is_refused():
    """©2025 alone, or a 2024年3月5日 htmldate cannot read, never becomes YYYY-01-01."""
    footer_only = "<html><head><title>x</title></head><body><p>正文</p>" \
                  "<div>©2025 某某县人民政府</div></body></html>"
    assert page_date(footer_only) is None
    labelled = "<html><body><div>正文内容</div><p>发布时间：2024年3月5日</p></body></html>"
    assert page_date(labelled)["date"] == "2024-03-05"


def test_publication_label_beats_written_date_in_a_metadata_block():
    """信息公开 pages list 成文日期 before 发布日期 beside the title: a reader takes 发布日期."""
    html = ("<html><head><title>关于印发某某办法的通知_文件</title></head><body><table>"
            "<tr><td>标题：</td><td>关于印发某某办法的通知</td></tr><tr><td>成文日期：</td>"
            "<td>2026-11-10</td><td>发布日期：</td><td>2026-11-14</td></tr></table>"
            "<h1>关于印发某某办法的通知</h1><p>正文</p></body></html>")
    assert page_date(html)["date"] == "2026-11-14"
