"""The census PDF keeps each section heading with its table (issue 22, section 3).

With 48 or 52 registered sites (tests/support/census_sites.py: provinces, cities, counties and
国务院部门, every kind of verdict) the old layout printed 六、结论为暂定的网站 or 七、尚未检查的网站
at the foot of a page, with the table header row, and the sites on the next page: Chromium breaks
between a table's header row and its first rows although the heading says break-after: avoid.
The PDF is printed by the report's own engine and read back page by page with pypdf.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata

import pytest
from pypdf import PdfReader

from tests.support.census_sites import census_sites
from xunjian.reports.census import census_html, census_report
from xunjian.reports.render import html_to_pdf
from xunjian.storage import open_store

AS_OF = "2026-11-20"
RADICALS = str.maketrans("⺠⻔⻚⻓⻅⻋⻛⻜⻝⻢⻬⻰⻳⺟⻄⻆⻉⻘⻥⻦⻩⻨戶",
                         "民门页长见车风飞食马齐龙龟母西角贝青鱼鸟黄麦户")


def norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(RADICALS))


def plain(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def headings_and_first_rows(document: str) -> list[tuple[str, str]]:
    """Each h2/h3 of the HTML followed by a table, with the first cell of its first data row."""
    out = []
    for m in re.finditer(r"<h([23])[^>]*>(.*?)</h\1>", document, re.S):
        section = document[m.end():]
        following = re.search(r"<h[23]", section)
        section = section[:following.start()] if following else section
        table = re.search(r"<table.*?</table>", section, re.S)
        rows = [r for r in re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(0), re.S)
                if "<td" in r] if table else []
        if rows:
            cell = re.search(r"<td[^>]*>(.*?)</td>", rows[0], re.S).group(1)
            out.append((plain(m.group(2)), plain(cell)))
    return out


@pytest.mark.browser
@pytest.mark.parametrize("sites", [48, 52])
def test_no_page_ends_with_a_heading(tmp_path, sites):
    store = open_store(str(tmp_path / "store"))
    try:
        census_sites(store, sites, as_of=AS_OF)
        document = census_html(census_report(store, as_of=AS_OF))
    finally:
        store.close()
    reader = PdfReader(io.BytesIO(html_to_pdf(document)))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 8
    sections = headings_and_first_rows(document)
    assert {"五、不合格网站名单", "六、结论为暂定的网站", "七、尚未检查的网站"} <= {h for h, _ in sections}
    heads = {norm(h) for h in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", document)}
    for number, text in enumerate(pages, start=1):
        lines = [norm(line) for line in text.splitlines() if line.strip()]
        lines = [line for line in lines if not re.fullmatch(r"\d+/\d+", line)]  # page footer
        assert lines and lines[-1] not in heads, f"page {number} ends with {lines[-1]}"
        flat = norm(text)
        for head, first_cell in sections:  # the heading's page shows its table's first row
            at = flat.find(norm(head))
            if at >= 0:
                assert norm(first_cell) in flat[at:], f"page {number}: {head} without its rows"
