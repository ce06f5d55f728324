"""功能设计 facts of one page (inspectors/design.py): footer marks, meta tags, the 找错 entry and
the header, on footers as Chinese county and department sites write them — a GBK table footer
with 主办/承办/网站标识码/ICP/公网安备 and the conac image link, a div footer missing some marks
whose article body has a phone number, the conac mark served through the site's own proxy, a
footer a script fills, a page with no footer element at all — and on four real pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from xunjian.inspectors.design import MARK_ITEMS, page_design
from xunjian.urlcheck import decode_body

DATA = Path(__file__).parent / "data" / "design"
REALPAGES = Path(__file__).resolve().parents[1].parent / "shared" / "realpages" / "pages"
URL = "http://www.qinghe.gov.cn/index.html"


def read(name: str, gbk: bool = False) -> str:
    raw = (DATA / name).read_bytes()
    if gbk:  # served as GBK bytes, charset only in the page's <meta>, as the spider gets them
        raw = raw.decode("utf-8").encode("gbk")
    return decode_body(raw, "text/html")


def marks(facts: dict) -> dict[str, tuple[str, str]]:
    return {item: (m["how"], m["text"]) for item, m in facts["marks"].items()}


def test_gbk_table_footer_of_a_county_portal_carries_all_six_marks():
    facts = page_design(read("county_home_gbk.html", gbk=True), URL)
    assert marks(facts) == {
        "党政机关网站标识": ("link", "http://bszs.conac.cn/sitename?method=show&id="
                                     "2B1E0F3C4D5A6978E053012819ACBB11"),
        "网站标识码": ("text", "1305340001"),
        "ICP备案编号": ("text", "冀ICP备05012345号-1"),
        "公安机关备案标识": ("text", "冀公网安备 13053402000123号"),
        "主办单位": ("text", "清河县人民政府办公室"),
        "联系方式": ("text", "电话：0319-8161234"),
    }
    assert facts["footer"]["from"] == "tail" and not facts["footer"]["scripted"]
    # ColumnName is empty: not carried
    assert facts["tags"] == {"SiteName": "清河县人民政府门户网站",
                             "SiteDomain": "www.qinghe.gov.cn", "SiteIDCode": "1305340001"}
    assert facts["report_errors"] == {"how": "script", "text": "_jiucuo_",
                                      "url": "http://www.qinghe.gov.cn/exposure/jiucuo.js"}
    assert facts["header"]["alts"] == ["清河县人民政府"]  # the logo's name


def test_div_footer_lacking_marks_is_not_rescued_by_the_article_body():
    facts = page_design(read("dept_div_footer.html"), "http://jyj.ceshi.gov.cn/zwgk/1.html")
    assert marks(facts) == {
        "党政机关网站标识": ("link", "https://bszs.conac.cn/sitename?method=show&id=5A3B9C0D1E2F"),
        "ICP备案编号": ("text", "浙ICP备05070218号"),
        "主办单位": ("text", "测试市教育局"),
    }  # 联系电话 is in the article, not in the footer; no 网站标识码, no 公网安备
    assert facts["footer"]["from"] == "element"
    assert set(facts["tags"]) == {"SiteName", "SiteDomain", "SiteIDCode", "ColumnName",
                                  "ColumnType", "ArticleTitle", "PubDate"}  # ContentSource blank
    assert facts["tags"]["SiteIDCode"] == "3301000012"  # lower-case names read too
    assert facts["report_errors"] is None
    assert facts["header"] == {"text": "", "alts": []}  # a logo image without a name


def test_conac_mark_through_a_proxy_path_and_a_department_code():
    facts = page_design(read("proxy_conac.html"), "http://qzf.ceshi.gov.cn/")
    got = marks(facts)
    assert got["党政机关网站标识"] == (
        "link", "http://qzf.ceshi.gov.cn/govproxy/conac/sitename?method=show&id=72D9E1A0B3C4")
    assert got["网站标识码"] == ("text", "bm09000001")
    assert got["主办单位"] == ("text", "测试区人民政府办公室")  # 主　办： with a full-width space
    assert got["公安机关备案标识"] == ("text", "京公网安备 11010202000001号")
    assert got["联系方式"] == ("text", "E-mail：qzf@ceshi.gov.cn")
    assert set(got) == set(MARK_ITEMS)
    assert facts["report_errors"] == {
        "how": "alt", "text": "我为政府网站找错",
        "url": "http://qzf.ceshi.gov.cn/zhaocuo/index.html?site=bm09000001"}
    assert facts["header"]["text"] == "测试区人民政府"


def test_a_footer_filled_by_script_is_told_apart_from_a_missing_one():
    facts = page_design(read("scripted_footer.html"), "http://www.ceshi.gov.cn/a.html")
    assert facts["marks"] == {} and facts["footer"] == {"from": "element", "chars": 0,
                                                        "scripted": True}


def test_page_without_footer_element_reads_its_last_text_and_conac_by_title():
    facts = page_design(read("no_footer_element.html"), "http://www.ceshi.gov.cn/")
    assert marks(facts) == {
        "党政机关网站标识": ("link", "http://www.conac.cn/"),
        "ICP备案编号": ("text", "湘ICP备10012345号"),
        "主办单位": ("text", "测试镇党政办公室"),
        "联系方式": ("text", "电话：0738-5551234"),
    }
    assert facts["footer"]["from"] == "tail"
    html = read("no_footer_element.html").replace('<a href="http://www.conac.cn/" '
                                                  'target="_blank">', "<a>")
    assert marks(page_design(html, "http://www.ceshi.gov.cn/"))["党政机关网站标识"] == \
        ("alt", "党政机关网站标识")  # no link: the image's title names it


def test_unreadable_pages_have_no_facts():
    assert page_design("", URL) is None and page_design("   ", URL) is None


@pytest.mark.skipif(not REALPAGES.is_dir(), reason="../shared/realpages is not next to this "
                    "repository")
def test_real_government_pages():
    def facts(name: str) -> dict:
        return page_design(decode_body((REALPAGES / name).read_bytes(), None),
                           "http://www.example.gov.cn/")

    shanxi = facts("article-055.html")  # 山西省人民政府: every mark, the kaipuyun 找错 script
    assert set(shanxi["marks"]) == set(MARK_ITEMS)
    assert shanxi["marks"]["网站标识码"]["text"] == "1400000045"
    assert shanxi["marks"]["主办单位"]["text"] == "山西省人民政府办公厅"
    assert shanxi["report_errors"]["how"] == "script"
    assert shanxi["tags"]["SiteIDCode"] == "1400000045"
    zj = facts("article-056.html")  # 浙江省发改委: 版权所有 only, no 主办; 找错 link by its path
    assert set(zj["marks"]) == set(MARK_ITEMS) - {"主办单位"}
    assert zj["marks"]["公安机关备案标识"]["text"] == "浙公网安备 33010602009328号"
    assert zj["report_errors"]["how"] == "link"
    assert "SiteIDCode" not in zj["tags"]  # present but empty
    cmse = facts("article-057.html")  # 中国载人航天: 主办方, ICP with -1, nothing else
    assert marks(cmse)["主办单位"] == ("text", "中国载人航天工程办公室")
    assert set(cmse["marks"]) == {"ICP备案编号", "主办单位", "联系方式"}
    assert cmse["report_errors"] is None and cmse["tags"] == {}


def test_a_frameset_homepage_shows_its_footer_through_a_frame():
    from xunjian.inspectors.design import with_frames

    frameset = ('<html><head><meta charset="gb2312"><title>测试县人民政府</title></head>'
                '<frameset rows="150,*,110" frameborder="0"><frame src="/top.html">'
                '<frame src="/main.html"><frame src="/foot.html"></frameset></html>')
    facts = page_design(frameset, "http://www.ceshi.gov.cn/")
    assert facts["marks"] == {} and facts["report_errors"] is None
    foot = read("proxy_conac.html")
    merged = with_frames(facts, [("http://www.ceshi.gov.cn/top.html", "<html><body>测试县"
                                  "</body></html>"), ("http://www.ceshi.gov.cn/foot.html", foot)])
    assert set(merged["marks"]) == set(MARK_ITEMS)
    assert merged["marks"]["主办单位"] == {"how": "text", "text": "测试区人民政府办公室",
                                       "frame": "http://www.ceshi.gov.cn/foot.html"}
    assert merged["report_errors"]["frame"] == "http://www.ceshi.gov.cn/foot.html"


def test_a_friendly_link_to_conac_or_an_exposure_column_is_no_mark():
    html = ('<html><body><div class="top"><a href="http://www.conac.cn/">中央编办</a>'
            '<a href="/zwgk/exposure/index.html">曝光台</a></div>' + "<p>正文内容。</p>" * 200 +
            '<div class="footer">主办：测试县人民政府</div></body></html>')
    facts = page_design(html, "http://www.ceshi.gov.cn/")
    assert set(facts["marks"]) == {"主办单位"} and facts["report_errors"] is None
