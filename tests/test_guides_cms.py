"""Issue 9, causes 5 and 8: guides laid out by other CMSs (a GBK TRS two-column table with
``<td class="title">`` labels, a 大汉 jcms page of ``<h4>【…】</h4><p>…</p>``, ``div.list-item``
label spans) — which element categories they carry, which forms they mention, which downloads
offer them, and what the card charges for it.

Decisions checked here (see scoring/rules/census-2015.toml, service.guide / service.attachments):
法定时限/承诺时限/办结时限 are time limits, not 办理时间; 附件下载/相关附件/附件：/表格下载 headings
are not forms; a named form is offered by a download whose text or (%-decoded, UTF-8 or GBK) file
name names it, or by a generic 下载 link right after the name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from xunjian.inspectors.guide import CATEGORIES, guide_facts, synonyms
from xunjian.inspectors.service import service_findings
from xunjian.scoring import score_card
from xunjian.scoring.rules import load_rules
from xunjian.urlcheck.content import decode_body

DATA = Path(__file__).parent / "data" / "guides_cms"
SITE = {"code": "4100000009", "name": "某某县人民政府", "url": "http://www.xx.gov.cn/"}
BASE = "http://www.xx.gov.cn/art/2026/11/18/"
URLS = {"trs_table_gbk.html": BASE + "art_123_456.html",
        "jcms_h4.html": "http://www.xx.gov.cn/jcms/jcms_files/jcms1/web1/site/art/2026/11/18/"
                        "art_77_1801.html",
        "plain_forms.html": "http://www.xx.gov.cn/bszn/202611/t20261118_123.html"}
JCMS_FILES = "http://www.xx.gov.cn/jcms/jcms_files/jcms1/web1/site/"


def facts(name: str) -> dict:
    html = decode_body((DATA / name).read_bytes(), "text/html")
    return guide_facts(html, URLS[name])


def missing(f: dict) -> list[str]:
    return [c for c, e in f["elements"].items() if not e["present"]]


def offered(f: dict) -> dict:
    return {m["name"]: m["offered"] for m in f["mentions"]}


def test_trs_gbk_table_time_limits_are_not_office_hours():
    f = facts("trs_table_gbk.html")
    assert missing(f) == ["办理时间"]  # 法定时限 and 承诺时限 rows only
    labels = {c: e["label"] for c, e in f["elements"].items()}
    assert labels == {"事项名称": "事项名称", "设定依据": "法律依据", "申请条件": "受理条件",
                      "办理材料": "申请材料", "办理地点": "受理地点", "办理时间": None,
                      "联系电话": "咨询电话", "办理流程": "办理程序"}
    # the 附件下载 row is a heading, not a form; the nav link 表格下载 is a page, not a file
    assert offered(f) == {
        "个体工商户开业登记申请书": BASE + "P020261118551234567890.doc",
        # a bare 下载 link whose GBK %-encoded file name is the form's name
        "经营场所使用承诺书": "http://www.xx.gov.cn/uploadfiles/"
                         "%BE%AD%D3%AA%B3%A1%CB%F9%CA%B9%D3%C3%B3%D0%C5%B5%CA%E9.doc"}
    assert [d["name"] for d in f["downloads"]] == ["P020261118551234567890.doc",
                                                   "经营场所使用承诺书.doc"]


def test_jcms_h4_headings_empty_office_hours_do_not_borrow_the_time_limit():
    f = facts("jcms_h4.html")
    # 【办理时间】 has an empty <p>; the next heading 【承诺时限】 ends it (it used to be read as
    # the value of 办理时间)
    assert missing(f) == ["办理时间"]
    assert f["elements"]["联系电话"]["label"] == "监督投诉电话"
    assert f["elements"]["事项名称"]["label"] == "(标题)"
    assert offered(f) == {
        # 点击下载 right after the name (jcms downfile.jsp?filename=….doc)
        "建设项目环境影响评价审批申请表": JCMS_FILES + "module/download/downfile.jsp?classid=0"
                                             "&filename=1811201030123.doc",
        "建设单位承诺书": None,
        "环境影响登记表": JCMS_FILES + "art/2026/11/18/%E5%BB%BA%E8%AE%BE%E9%A1%B9%E7%9B%AE"
                                  "%E7%8E%AF%E5%A2%83%E5%BD%B1%E5%93%8D%E7%99%BB%E8%AE%B0"
                                  "%E8%A1%A8.docx"}


def test_list_item_spans_forms_offered_by_file_name_and_numbered_attachments():
    f = facts("plain_forms.html")
    assert missing(f) == ["办理时间"]  # 办结时限 only
    assert offered(f) == {
        "城市道路占用挖掘许可申请表": None,
        # link text 点击下载, UTF-8 %-encoded 授权委托书（样本）.doc
        "授权委托书": "http://www.xx.gov.cn/attach/0/%E6%8E%88%E6%9D%83%E5%A7%94%E6%89%98%E4"
                   "%B9%A6%EF%BC%88%E6%A0%B7%E6%9C%AC%EF%BC%89.doc",
        "附件2": None,  # "详见附件2", but only 附件1 is linked
        "附件1": "http://www.xx.gov.cn/attach/0/ab12cd34.pdf"}


def test_card_points_for_the_three_guides():
    pages = []
    for name, url in URLS.items():
        f = facts(name)
        pages.append({"column": {"name": "办事指南", "type": "办事指南类栏目"}, "url": url,
                      "status": 200, "error": None, "screenshot": "c" * 64, **f})
    findings = service_findings(SITE, pages, [], [])
    got = sorted((x["indicator"], x["rule"], x["url"].rsplit("/", 1)[-1],
                  x.get("units", 1), x["evidence"].get("form") or ",".join(
                      x["evidence"].get("missing") or [])) for x in findings)
    assert got == [
        ("service.attachments", "not_offered", "art_77_1801.html", 1, "建设单位承诺书"),
        ("service.attachments", "not_offered", "t20261118_123.html", 1,
         "城市道路占用挖掘许可申请表"),
        ("service.attachments", "not_offered", "t20261118_123.html", 1, "附件2"),
        ("service.guide", "missing_element", "art_123_456.html", 1, "办理时间"),
        ("service.guide", "missing_element", "art_77_1801.html", 1, "办理时间"),
        ("service.guide", "missing_element", "t20261118_123.html", 1, "办理时间"),
    ]
    checked = {"service.guide": True, "service.attachments": True}
    card = score_card(SITE, findings, [], checked, "2026-11-20")
    points = {d["id"]: d["points"] for d in card["deductions"]}
    assert points["service.guide"] == 6.0 and points["service.attachments"] == 3.0


@pytest.mark.parametrize("heading", [
    "<h3>附件下载</h3><ul><li><a href='/f/1.doc'>关于印发实施细则的通知.doc</a></li></ul>",
    "<p><b>相关附件：</b></p><p><a href='/f/2.pdf'>办事指南.pdf</a></p>",
    "<div class='fj'>附件：<a href='/f/3.doc'>3.doc</a></div>",
    "<td class='title'>表格下载</td><td>暂无</td>",
    "<h4>附件</h4><p>无</p>",
])
def test_headings_are_not_forms(heading):
    f = guide_facts(f"<html><body><h2>某某事项办事指南</h2>{heading}</body></html>",
                    "http://www.xx.gov.cn/bszn/1.html")
    assert f["mentions"] == []


def test_download_page_links_are_not_files():
    html = ("<html><body><a href='/bgxz/'>表格下载</a> <a href='/xzzx/index.html'>【下载中心】</a>"
            "<a href='/module/download/downfile.jsp?filename=a%20b.doc&classid=1'>a b.doc</a>"
            "</body></html>")
    f = guide_facts(html, "http://www.xx.gov.cn/bszn/1.html")
    assert [d["url"] for d in f["downloads"]] == [
        "http://www.xx.gov.cn/module/download/downfile.jsp?filename=a%20b.doc&classid=1"]


def test_synonyms_come_from_the_rules_file_and_time_limits_are_not_office_hours():
    params = load_rules().indicator("service.guide").params
    assert synonyms() == {c: tuple(params["synonyms"][c]) for c in CATEGORIES}
    hours = synonyms()["办理时间"]
    assert not [x for x in hours if "时限" in x or "期限" in x]
    assert {"法定时限", "承诺时限", "办结时限"} <= set(params["other_labels"])
    every = [x for labels in synonyms().values() for x in labels]
    assert len(every) == len(set(every))  # a label names one category only
    assert not set(every) & set(params["other_labels"])
    assert {"实施依据", "法律依据", "办理依据", "受理条件", "申办条件", "申请材料", "申报材料",
            "提交材料", "受理地点", "办理地址", "窗口地址", "咨询电话", "咨询方式", "监督投诉电话",
            "办理程序", "办事流程", "办理步骤", "受理时间", "办公时间", "工作时间"} <= set(every)


def test_a_generic_download_link_right_after_the_name_offers_it():
    # decision: 下载 / 点击下载 / 附件 links without a file extension (download.jsp?id=…) are
    # downloads; one right after a form's name (only punctuation between) offers that form
    html = ("<html><body><table><tr><td class='title'>申请材料</td><td>"
            "1.中华人民共和国护照申请表（<a href='/servlet/download.jsp?id=88'>下载</a>）<br>"
            "2.身份证复印件；3.监护人同意出境的书面意见（<a href='/d.jsp?id=9'>附件</a>）<br>"
            "4.经营者承诺书 见窗口领取 <a href='/d.jsp?id=10'>点击下载</a></td></tr></table>"
            "</body></html>")
    f = guide_facts(html, "http://www.xx.gov.cn/bszn/1.html")
    assert offered(f) == {
        "中华人民共和国护照申请表": "http://www.xx.gov.cn/servlet/download.jsp?id=88",
        "经营者承诺书": None}  # text stands between the name and the link
    assert [d["text"] for d in f["downloads"]] == ["下载", "附件", "点击下载"]


def test_a_shortened_or_different_file_name():
    html = ("<p>需提交个体工商户变更登记申请书、<a href='/f/1.doc'>设立登记申请书.doc</a></p>"
            "<p>填写户籍登记表</p><p><a href='/f/2.doc'>登记表.doc</a></p>")
    f = guide_facts(f"<html><body>{html}</body></html>", "http://www.xx.gov.cn/bszn/1.html")
    # 设立… does not offer 变更…; a shorter name of the same form does (登记表 ⊂ 户籍登记表)
    assert offered(f) == {"个体工商户变更登记申请书": None,
                          "设立登记申请书": "http://www.xx.gov.cn/f/1.doc",
                          "户籍登记表": "http://www.xx.gov.cn/f/2.doc",
                          "登记表": "http://www.xx.gov.cn/f/2.doc"}  # the link's own text
