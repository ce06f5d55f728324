"""checklist-2019 办事服务 and 互动交流 (service.guide, service.forms, service.catalogue,
service.statistics, interaction.published, veto.unresponsive, veto.service_impractical) from a
stored inspection: the deriver inspection/c2019_service.py on an embedded store holding guide
pages, downloads, column pages, letters and pages as the spider stores them.

Fixtures (tests/data/service2019/) are pages as 政务服务网 and county sites publish them: a GBK
table guide with 实施机关 and 收费依据及标准 rows, a 宋体 article guide missing 5 elements, a dl/dt
guide without any fee statement, a tabbed guide; letter lists with 来信时间/回复时间/回复单位
columns and one without 答复单位; a 办件统计 page dated 2 months before as-of. Points are priced
from the table (checklist-2019.md): the rules file when it exists, else the same numbers here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from xunjian.inspection.c2019_service import derive
from xunjian.inspection.checks2019 import DERIVERS, Context
from xunjian.inspectors.guide import guide_facts, inspect_guide
from xunjian.inspectors.interaction import letter_record
from xunjian.inspectors.service2019 import ELEMENTS_2019, guide_findings, guide_reading
from xunjian.scoring.rules import Indicator, Rules, RulesError, load_rules
from xunjian.spiders.site import page_items
from xunjian.storage.embedded import EmbeddedStore
from xunjian.urlcheck import decode_body

DATA = Path(__file__).parent / "data" / "service2019"
AS_OF = "2026-11-20"
BASE = "http://127.0.0.1:8000"
SITE = {"code": "4113000001", "name": "某某县人民政府", "url": f"{BASE}/", "type": "门户网站"}

#: The 2019 table's numbers (checklist-2019.md): indicator → (cap, rule → points).
SPEC = {
    "service.guide": (8, {"no_guide": 4, "missing_element": 0.5, "unclear_format": 1,
                          "vague_material": 2, "policy_without_content": 0.5}),
    "service.forms": (2, {"forms_missing": 1}),
    "service.catalogue": (3, {"no_catalogue": 3}),
    "service.statistics": (2, {"no_statistics": 2, "stale_1m": 1, "stale_3m": 2}),
    "interaction.published": (6, {"none_published": 6, "missing_field": 1, "stale": 3,
                                  "no_statistics": 3}),
}
VETOES = {"veto.unresponsive": ("no_channel", "unanswered_letter"),
          "veto.service_impractical": ("no_service", "guides_lacking")}


def _stub_rules() -> Rules:
    """The 2019 ids of this area as the table prices them (until the rules file exists)."""
    def entry(ident, veto, points=(), reasons=()):
        return Indicator(id=ident, veto=veto, group="g", name=ident, text=ident,
                         points=dict(points), reasons={r: r for r in reasons},
                         window_days=None, thresholds={}, params={}, review_required=False)
    return Rules(name="checklist-2019", title="t", source="s", note="", full_score=100,
                 threshold=40, windows={}, column_windows={"其他": 183},
                 vetoes=tuple(entry(i, True, reasons=r) for i, r in VETOES.items()),
                 indicators=tuple(entry(i, False, points=p) for i, (_, p) in SPEC.items()))


@pytest.fixture(scope="module")
def rules() -> Rules:
    try:
        return load_rules("checklist-2019")
    except RulesError:
        return _stub_rules()


def price(rules: Rules, findings: list[dict]) -> dict[str, float]:
    """Counting findings (needs_review false) priced by the rules, capped per indicator."""
    out: dict[str, float] = {}
    for f in findings:
        ind = rules.indicator(f["indicator"])
        if ind.veto or f["needs_review"]:
            continue
        out[ind.id] = out.get(ind.id, 0) + ind.rule_points(f["rule"]) * f.get("units", 1)
    return {k: min(v, SPEC[k][0]) for k, v in out.items()}


def html(name: str) -> str:
    return decode_body((DATA / name).read_bytes(), "text/html")


# -- the guide reader: 10 elements for 2019, the census's 8 unchanged -------------------------


def test_guide_reader_knows_the_two_2019_elements_and_keeps_the_census_eight():
    page = html("guide_table_full.html")
    census = inspect_guide(page)["elements"]
    assert list(census) == ["事项名称", "设定依据", "申请条件", "办理材料", "办理地点", "办理时间",
                            "联系电话", "办理流程"]  # the 2015 card counts its 8 only
    assert all(e["present"] for e in census.values())
    read = guide_reading(page, f"{BASE}/bsfw/a/1.html", ELEMENTS_2019)
    assert list(read["elements"]) == list(ELEMENTS_2019)
    assert {c: e["label"] for c, e in read["elements"].items()
            if c in ("办理机构", "收费标准")} == {"办理机构": "实施机关",
                                              "收费标准": "收费依据及标准"}
    assert [c for c, e in read["elements"].items() if not e["present"]] == []
    assert (read["vague_material"], read["policy_without_content"]) == (None, None)

    dl = guide_reading(html("guide_dl_no_fee.html"), f"{BASE}/bsfw/b/1.html", ELEMENTS_2019)
    assert [c for c, e in dl["elements"].items() if not e["present"]] == ["收费标准"]
    assert dl["elements"]["办理机构"]["label"] == "办理部门"

    five = guide_reading(html("guide_missing_five.html"), f"{BASE}/bsfw/a/2.html",
                         ELEMENTS_2019)
    assert [c for c, e in five["elements"].items() if not e["present"]] == [
        "申请条件", "办理机构", "收费标准", "办理时间", "办理流程"]
    assert five["vague_material"] == "其他材料"
    assert five["policy_without_content"] == (
        "《中华人民共和国建筑法》、《建筑工程施工许可管理办法》")

    tabs = guide_reading(html("guide_tabs_shizhu.html"), f"{BASE}/bsfw/a/3.html",
                         ELEMENTS_2019)
    assert all(e["present"] for e in tabs["elements"].values())
    assert tabs["elements"]["办理材料"]["label"] == "申请材料"  # the tab's panel
    assert "合同示范文本" in [m["name"] for m in tabs["mentions"]]


@pytest.mark.parametrize(("page", "unclear"), [
    # a 政务服务网 事项 page: the formats are the 材料形式 / 份数 columns of the materials table
    ("guide_materials_table.html", None),
    # a county bureau's <ol>: three materials, no original/copy, medium or count anywhere
    ("guide_list_no_format.html", "林木采伐申请书 林木权属证明 伐区调查设计文件"),
    # the same list with one note below it: 原件一份、A4纸复印件一份 for all of them
    ("guide_list_format_note.html", None),
    ("guide_no_materials.html", None),  # 无需提交材料: nothing to be unclear about
    ("guide_dl_no_fee.html", None),  # 居民身份证原件 (身份证's 份 is not a count)
    ("guide_table_full.html", None),  # （原件1份）（复印件1份）
    ("guide_missing_five.html",
     "（一）建筑工程施工许可申请表； （二）建设工程规划许可证； （三）其他材料。"),
])
def test_materials_without_a_format_are_unclear(page, unclear):
    read = guide_reading(html(page), f"{BASE}/g.html", ELEMENTS_2019)
    assert read["unclear_format"] == unclear


def test_an_unclear_format_is_one_finding_per_service_priced_by_the_table(rules):
    url = f"{BASE}/bsfw/lyj/1.html"
    reading = guide_reading(html("guide_list_no_format.html"), url, ELEMENTS_2019)
    found = guide_findings(SITE, [{"url": url, "status": 200, "title": "林木采伐许可证核发",
                                   "screenshot": "shot-1", "column": {"name": "林业"}}],
                           {url: reading})
    # 办理时限 (how long it takes) is not 办理时间 (office hours): that element is missing too
    assert [(f["rule"], f.get("units", 1), f["needs_review"]) for f in found] == [
        ("missing_element", 1, False), ("unclear_format", 1, False)]
    found = found[1:]
    assert found[0]["detail"].startswith(
        "办事指南「林木采伐许可证核发办事指南-某某县林业局」办理材料未写明格式要求")
    assert found[0]["evidence"]["material"] == "林木采伐申请书 林木权属证明 伐区调查设计文件"
    assert found[0]["evidence"]["screenshot"] == "shot-1"
    assert price(rules, found) == {"service.guide": 1}  # 1 per service, not per material


def test_a_guide_saying_only_that_it_is_free_has_its_fee_element():
    page = ("<html><body><h1>老年优待证办理</h1><table><tr><td>受理机构</td><td>县民政局</td></tr>"
            "<tr><td>办理材料</td><td>身份证复印件1份</td></tr></table>"
            "<p>本事项不收取任何费用。</p></body></html>")
    read = guide_reading(page, f"{BASE}/x.html", ELEMENTS_2019)
    assert read["elements"]["收费标准"]["present"] is True
    assert read["elements"]["办理机构"]["value"] == "县民政局"
    free = guide_reading(page.replace("<p>本事项不收取任何费用。</p>",
                                      "<p>收费标准：无</p>"), f"{BASE}/x.html", ELEMENTS_2019)
    assert free["elements"]["收费标准"]["present"] is True  # 无 = no fee, stated


# -- letters: which of the 4 published fields a letter shows ---------------------------------


def test_letter_reader_records_the_fields_it_found():
    full = letter_record(html("letter_detail_full.html"))
    assert full["fields"] == {"留言时间": True, "答复时间": True, "答复单位": True,
                              "答复内容": True}
    assert full["reply_unit"] == "县住房和城乡建设局"
    assert (full["asked"]["date"], full["replied"]["date"], full["has_reply"]) == (
        "2026-11-03", "2026-11-06", True)
    no_unit = letter_record(html("letter_detail_no_unit.html"))
    assert no_unit["fields"] == {"留言时间": True, "答复时间": True, "答复单位": False,
                                 "答复内容": True}


# -- the whole area from a stored inspection ---------------------------------------------------


def _guide(store, inspection, column, url, page, status=200, error=None):
    doc = {"inspection": inspection, "site": SITE["code"], "column": column, "url": url,
           "final_url": url, "status": status, "error": error, "fetched_at": "2026-11-20T03:00"}
    if page is None:
        doc.update(title="", elements={}, review=[], downloads=[], mentions=[], html=None,
                   screenshot=None)
    else:
        facts = guide_facts(page, url)
        doc.update(title=facts["title"], **{k: facts[k] for k in
                                             ("elements", "review", "downloads", "mentions")})
        doc["html"] = store.put_blob(page.encode(), "text/html; charset=utf-8")
        doc["screenshot"] = store.put_blob(b"\x89PNG" + url.encode(), "image/png")
    store.insert("guide_pages", doc)


def _column(kind, name, path):
    return {"type": kind, "name": name, "url": f"{BASE}{path}", "source": "registry"}


def _store_site(store, *, letters=True, stats=True) -> str:
    store.upsert_site(SITE)
    inspection = store.create_inspection({"site": SITE["code"], "as_of": None, "status": "done",
                                          "freshness": True,
                                          "started_at": "2026-11-20T02:00:00+00:00"})
    links = [{"url": f"{BASE}/bsfw/", "text": "办事服务", "external": False},
             {"url": f"{BASE}/hdjl/sjxx/", "text": "书记信箱", "external": False},
             {"url": f"{BASE}/xfts/", "text": "信访投诉", "external": False}]
    if stats:
        links.append({"url": f"{BASE}/bsfw/bjtj/", "text": "办件统计", "external": False})
    store.add_page({"inspection": inspection, "url": SITE["url"], "final_url": SITE["url"],
                    "is_home": True, "status": 200, "error": None, "title": SITE["name"],
                    "links": links, "depth": 0})
    hall = html("service_hall.html")
    store.add_page({"inspection": inspection, "url": f"{BASE}/bsfw/", "status": 200,
                    "error": None, "title": "办事服务_某某县人民政府", "depth": 1,
                    "html": store.put_blob(hall.encode(), "text/html; charset=utf-8"),
                    "links": [{"url": f"{BASE}/bsfw/grbs/sy/", "text": "生育收养",
                               "external": False}]})
    if stats:
        page = html("banjian_tongji.html")
        store.add_page({"inspection": inspection, "url": f"{BASE}/bsfw/bjtj/", "status": 200,
                        "error": None, "title": "办件统计_某某县政务服务网", "depth": 1,
                        "html": store.put_blob(page.encode(), "text/html; charset=utf-8"),
                        "screenshot": store.put_blob(b"\x89PNGtj", "image/png"), "links": []})
    a = _column("办事指南类栏目", "个人办事指南", "/bsfw/a/")
    b = _column("办事指南类栏目", "法人办事指南", "/bsfw/b/")
    for col in (a, b):
        store.insert("column_pages", {"inspection": inspection, "column": col, "url": col["url"],
                                      "status": 200, "error": None, "items": [{"url": "x"}]})
    _guide(store, inspection, a, f"{BASE}/bsfw/a/1.html", html("guide_table_full.html"))
    _guide(store, inspection, a, f"{BASE}/bsfw/a/2.html", html("guide_missing_five.html"))
    _guide(store, inspection, a, f"{BASE}/bsfw/a/3.html", html("guide_tabs_shizhu.html"))
    _guide(store, inspection, a, f"{BASE}/bsfw/a/4.html", html("guide_dl_no_fee.html"))
    _guide(store, inspection, b, f"{BASE}/bsfw/b/1.html", html("guide_dl_no_fee.html"))
    _guide(store, inspection, b, f"{BASE}/bsfw/b/2.html", None, status=404, error="HTTP 404")
    store.insert_many("downloads", [
        {"inspection": inspection, "url": f"{BASE}/attach/2019/kysqs.doc",
         "guide": f"{BASE}/bsfw/a/1.html", "ok": True, "reason": "ok"},
        {"inspection": inspection, "url": f"{BASE}/files/sqb.pdf",
         "guide": f"{BASE}/bsfw/a/3.html", "ok": False, "reason": "http_404"}])
    if letters:
        _letters(store, inspection)
    return inspection


def _letters(store, inspection):
    x = _column("政务咨询类栏目", "书记信箱", "/hdjl/sjxx/")
    y = _column("政务咨询类栏目", "网上咨询", "/zxzx/")
    for col, name in ((x, "letters_list_units.html"), (y, "letters_list_no_unit.html")):
        page = html(name)
        store.insert("column_pages", {
            "inspection": inspection, "column": col, "url": col["url"], "final_url": col["url"],
            "status": 200, "error": None, "whole_list": True,
            "items": page_items(page, col["url"], [], whole=True),
            "html": store.put_blob(page.encode(), "text/html; charset=utf-8"),
            "screenshot": store.put_blob(b"\x89PNG" + col["url"].encode(), "image/png")})
        detail = html("letter_detail_full.html" if col is x else "letter_detail_no_unit.html")
        for item in page_items(page, col["url"], [], whole=True):
            store.insert("letters", {"inspection": inspection, "site": SITE["code"],
                                     "column_url": col["url"], "url": item["url"],
                                     "title": item["title"], "list_date": item["date"],
                                     "status": 200, "error": None, **letter_record(detail)})


def _derive(store, inspection, rules):
    return derive(Context(store=store, inspection=store.get_inspection(inspection), site=SITE,
                          as_of=AS_OF, rules=rules))


def test_the_service_and_interaction_area_of_a_stored_inspection(tmp_path, rules):
    assert "xunjian.inspection.c2019_service" in DERIVERS
    with EmbeddedStore(tmp_path / "store") as store:
        inspection = _store_site(store)
        got = _derive(store, inspection, rules)
    found = sorted((f["indicator"], f["rule"], f["url"].replace(BASE, ""), f.get("units", 1))
                   for f in got.findings)
    assert found == [
        ("interaction.published", "missing_field", "/zxzx/show.asp?id=2001", 1),
        ("interaction.published", "missing_field", "/zxzx/show.asp?id=2002", 1),
        ("service.forms", "forms_missing", "/bsfw/a/2.html", 1),
        ("service.guide", "missing_element", "/bsfw/a/2.html", 5),
        ("service.guide", "missing_element", "/bsfw/b/1.html", 1),
        ("service.guide", "no_guide", "/bsfw/b/2.html", 1),
        ("service.guide", "policy_without_content", "/bsfw/a/2.html", 1),
        # 申请表；规划许可证；其他材料 and 身份证明；申请表: no original, copy or count
        ("service.guide", "unclear_format", "/bsfw/a/2.html", 1),
        ("service.guide", "unclear_format", "/bsfw/a/3.html", 1),
        ("service.guide", "vague_material", "/bsfw/a/2.html", 1),
        ("service.statistics", "stale_1m", "/bsfw/bjtj/", 1),
    ]
    assert price(rules, got.findings) == {"service.guide": 8, "service.forms": 1,
                                          "service.statistics": 1,
                                          "interaction.published": 2}
    assert got.checked == dict.fromkeys(
        ("service.guide", "service.forms", "service.catalogue", "service.statistics",
         "interaction.published", "veto.unresponsive", "veto.service_impractical"), True)
    assert not any(f["needs_review"] for f in got.findings)
    by = {(f["rule"], f["url"]): f for f in got.findings}
    five = by[("missing_element", f"{BASE}/bsfw/a/2.html")]
    assert five["evidence"]["missing"] == [
        "申请条件", "办理机构", "收费标准", "办理时间", "办理流程"]
    assert five["evidence"]["screenshot"]
    assert five["detail"].startswith("办事指南「建筑工程施工许可证核发」")
    unit = by[("missing_field", f"{BASE}/zxzx/show.asp?id=2001")]
    assert unit["evidence"]["missing"] == ["答复单位"] and "答复单位" in unit["detail"]
    sample = got.facts["service2019"]["guide_sample"]
    assert [u.replace(BASE, "") for u in sample] == [
        "/bsfw/a/1.html", "/bsfw/b/1.html", "/bsfw/a/2.html", "/bsfw/b/2.html", "/bsfw/a/3.html"]
    stats = by[("stale_1m", f"{BASE}/bsfw/bjtj/")]
    assert stats["evidence"]["newest"] == "2026-09-18"
    ids = [f["id"] for f in got.findings]
    assert len(set(ids)) == len(ids)
    with EmbeddedStore(tmp_path / "again") as store:  # ids are stable across inspections
        assert sorted(ids) == sorted(f["id"] for f in _derive(store, _store_site(store),
                                                              rules).findings)


def test_stale_letters_without_statistics_and_an_unanswered_letter(tmp_path, rules):
    with EmbeddedStore(tmp_path / "store") as store:
        inspection = _store_site(store, letters=False, stats=False)
        col = _column("政务咨询类栏目", "县长信箱", "/xzxx/")
        rows = "".join(f"<tr><td><a href='/xzxx/{n}.html'>来信{n}</a></td><td>{d}</td>"
                       f"<td>{r}</td><td>县政府办</td></tr>" for n, d, r in
                       ((1, "2026-08-01", ""), (2, "2026-07-20", "2026-07-25")))
        page = ("<html><body><table><tr><th>主题</th><th>留言时间</th><th>答复时间</th>"
                f"<th>答复部门</th></tr>{rows}</table></body></html>")
        store.insert("column_pages", {
            "inspection": inspection, "column": col, "url": col["url"], "status": 200,
            "error": None, "items": page_items(page, col["url"], [], whole=True),
            "html": store.put_blob(page.encode(), "text/html")})
        store.insert("letters", {"inspection": inspection, "column_url": col["url"],
                                 "url": f"{BASE}/xzxx/1.html", "title": "来信1", "status": 200,
                                 "error": None,
                                 **letter_record("<p>留言时间：2026-08-01</p><p>状态：待处理</p>")})
        store.insert("letters", {"inspection": inspection, "column_url": col["url"],
                                 "url": f"{BASE}/xzxx/2.html", "title": "来信2", "status": 200,
                                 "error": None, **letter_record(
                                     "<p>留言时间：2026-07-20</p><p>答复时间：2026-07-25</p>"
                                     "<p>答复单位：县政府办</p><p>答复内容：已转相关部门办理完毕。</p>")})
        got = _derive(store, inspection, rules)
    found = sorted((f["indicator"], f["rule"], f["url"].replace(BASE, ""), f.get("units", 1))
                   for f in got.findings if f["indicator"].startswith(("interaction", "veto")))
    # letter 1 waits for its reply (the veto's): only its 留言时间 is asked for, and shown
    assert found == [
        ("interaction.published", "no_statistics", "/xzxx/", 1),
        ("interaction.published", "stale", "/xzxx/", 1),
        ("veto.unresponsive", "unanswered_letter", "/xzxx/1.html", 1),
    ]
    assert price(rules, got.findings)["interaction.published"] == 6  # 3 + 3
    assert price(rules, got.findings)["service.statistics"] == 2
    stale = next(f for f in got.findings if f["rule"] == "stale")
    assert stale["evidence"]["newest"] == "2026-08-01"


def test_no_channel_but_petitions_and_no_service_at_all(tmp_path, rules):
    with EmbeddedStore(tmp_path / "store") as store:
        store.upsert_site(SITE)
        inspection = store.create_inspection({"site": SITE["code"], "as_of": None,
                                              "status": "done", "freshness": True})
        store.add_page({"inspection": inspection, "url": SITE["url"], "is_home": True,
                        "status": 200, "error": None, "title": SITE["name"], "links": [
                            {"url": f"{BASE}/xf/", "text": "网上信访", "external": False},
                            {"url": f"{BASE}/jw/", "text": "纪检监察举报", "external": False},
                            {"url": f"{BASE}/zwgk/", "text": "政务公开", "external": False}]})
        xf = _column("政务咨询类栏目", "网上信访", "/xf/")
        store.insert("column_pages", {"inspection": inspection, "column": xf, "url": xf["url"],
                                      "status": 200, "error": None, "items": []})
        got = _derive(store, inspection, rules)
    vetoes = sorted((f["indicator"], f["rule"]) for f in got.findings if f["indicator"]
                    .startswith("veto."))
    assert vetoes == [("veto.service_impractical", "no_service"),
                      ("veto.unresponsive", "no_channel")]
    published = [f["rule"] for f in got.findings if f["indicator"] == "interaction.published"]
    assert published == ["none_published"]
    assert price(rules, got.findings) == {"interaction.published": 6, "service.catalogue": 3,
                                          "service.statistics": 2}
    # no service: no guide to read, no form to get — unchecked with the reason, never 0
    assert got.checked["service.guide"] is False and got.checked["service.forms"] is False
    assert "未发现办事服务" in got.reasons["service.guide"]


def test_fewer_than_five_services_all_lacking_four_elements_is_impractical(tmp_path, rules):
    bare = ("<html><body><h1>{}</h1><p>办理地点：县政务服务中心</p><p>联系电话：0396-1234567</p>"
            "</body></html>")
    with EmbeddedStore(tmp_path / "store") as store:
        inspection = _store_site(store, letters=False)
        store.delete("guide_pages", inspection=inspection)
        col = _column("办事指南类栏目", "办事指南", "/bszn/")
        for n in range(3):
            _guide(store, inspection, col, f"{BASE}/bszn/{n}.html", bare.format(f"事项{n}"))
        got = _derive(store, inspection, rules)
    veto = [f for f in got.findings if f["indicator"] == "veto.service_impractical"]
    assert [(f["rule"], f["evidence"]["count"], f["evidence"]["services"]) for f in veto] == [
        ("guides_lacking", 3, 3)]
    guide = [f for f in got.findings if f["indicator"] == "service.guide"]
    assert sorted((f["rule"], f.get("units", 1)) for f in guide) == [("missing_element", 7)] * 3
    assert price(rules, got.findings)["service.guide"] == 8  # 3 × 3.5, capped
    assert got.checked["service.forms"] is True  # no guide names a form: nothing to get
    assert not [f for f in got.findings if f["indicator"] == "service.forms"]


def test_the_spider_stores_the_fields_a_letter_shows():
    from scrapy import Request
    from scrapy.http import HtmlResponse

    from xunjian.spiders.site import SiteSpider

    spider = SiteSpider(site=SITE["code"])
    url = f"{BASE}/hdjl/sjxx/202611/t20261103_1001.html"
    item = {"title": "关于城区道路积水问题的反映", "url": url, "date": None}
    request = Request(url, meta={"requested": url, "item": item,
                                 "column_url": f"{BASE}/hdjl/sjxx/"})
    response = HtmlResponse(url, body=(DATA / "letter_detail_full.html").read_bytes(),
                            headers={"Content-Type": "text/html; charset=gb2312"},
                            request=request)
    (stored,) = list(spider.parse_letter(response))
    assert stored["fields"] == dict.fromkeys(("留言时间", "答复时间", "答复单位", "答复内容"), True)
    assert (stored["reply_unit"], stored["asked"]["date"]) == ("县住房和城乡建设局", "2026-11-03")


def test_what_the_store_cannot_decide_is_unchecked_with_its_reason(tmp_path, rules):
    """A service platform elsewhere, a 办件统计 link whose page was not read, a channel only
    linked from the homepage, a guide page showing nothing the reader knows."""
    with EmbeddedStore(tmp_path / "store") as store:
        store.upsert_site(SITE)
        inspection = store.create_inspection({"site": SITE["code"], "as_of": None,
                                              "status": "done", "freshness": True})
        store.add_page({"inspection": inspection, "url": SITE["url"], "is_home": True,
                        "status": 200, "error": None, "title": SITE["name"], "links": [
                            {"url": "https://zwfw.hnzwfw.gov.cn/", "text": "河南政务服务网",
                             "external": True},
                            {"url": "https://zwfw.hnzwfw.gov.cn/bjtj", "text": "办件统计",
                             "external": True},
                            {"url": f"{BASE}/szxx/", "text": "市长信箱", "external": False}]})
        col = _column("办事指南类栏目", "办事指南", "/bszn/")
        _guide(store, inspection, col, f"{BASE}/bszn/1.html",
               "<html><body><img src='/zn/1.jpg' alt='办事指南'></body></html>")
        _guide(store, inspection, col, f"{BASE}/bszn/2.html",
               html("guide_table_full.html"))
        got = _derive(store, inspection, rules)
    assert {k: got.checked[k] for k in ("service.catalogue", "service.statistics",
                                        "interaction.published", "veto.unresponsive")} == {
        "service.catalogue": False, "service.statistics": False,
        "interaction.published": False, "veto.unresponsive": True}
    assert "河南政务服务网" in got.reasons["service.catalogue"]
    assert "办件统计" in got.reasons["service.statistics"]
    assert "市长信箱" in got.reasons["interaction.published"]
    (no_guide,) = [f for f in got.findings if f["rule"] == "no_guide"]
    assert (no_guide["url"], no_guide["needs_review"]) == (f"{BASE}/bszn/1.html", True)
    assert price(rules, got.findings) == {}  # nothing counts before a reviewer looks
