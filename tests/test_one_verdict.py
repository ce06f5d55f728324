"""One URL, one verdict; what the table charges is charged (issue 19, parts 2 and 4).

A 博思/JEECMS-look county site (tests/sites/bosi_verdict/bosi_site.py, on 127.0.0.1): an upload
``…/项目备案承诺书.pdf`` that answers 200 with the site's 「文件不存在！」 page, a real .doc behind
``downfile.jsp``, a legitimate download page ``down.jsp?id=88``; an interview column that is a soft
404, a survey column answering 500, a consultation column on a refused port — each also linked
from the homepage — and, for a second registry, an interview column behind a 412 wall.

Every check that touches one of those URLs says the same thing of it: the link check, the
guide's download check, the column's status and the interaction indicator.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from cli_run import census_forms, xunjian

from xunjian.inspectors.service import service_findings
from xunjian.scoring import validate_card
from xunjian.storage import EmbeddedStore, open_store
from xunjian.urlcheck import LinkChecker, check_urls
from xunjian.urlcheck.download import check_downloads, judge_download
from xunjian.urlcheck.verdict import page_usability
from xunjian.inspection.finish import check_guide_downloads, link_check_config, share_page_verdicts

SPEC = importlib.util.spec_from_file_location(
    "bosi_site", Path(__file__).parent / "sites" / "bosi_verdict" / "bosi_site.py")
bosi_site = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bosi_site)
CODE = "5108220001"
WALL_CODE = "5108220002"
AS_OF = "2026-11-20"
ENV = {"XUNJIAN_LINK_TIMEOUT": "3", "XUNJIAN_FRESHNESS": "1", "XUNJIAN_MAX_PAGES": "40",
       "XUNJIAN_NAV_TIMEOUT": "8", "XUNJIAN_HOME_RETRIES": "0", "COLUMNS": "240"}


def registry(folder: Path, site) -> list[Path]:
    base = site.url.rstrip("/")
    return census_forms(folder, (CODE, "四川省广元市青川县", f"{bosi_site.AGENCY}网站", "其他",
                                 site.url, bosi_site.AGENCY), [
        ("信息公开类", "工作动态", "工作动态", f"{base}/xwzx/gzdt/index.jhtml"),
        ("办事服务类", "办事指南类栏目", "办事指南", f"{base}/bsfw/bszn/index.jhtml"),
        ("互动回应类", "政务咨询类栏目", "在线咨询", site.consult_url),
        ("互动回应类", "调查征集类栏目", "调查征集", f"{base}{bosi_site.SURVEY}"),
        ("互动回应类", "互动访谈类栏目", "互动访谈", f"{base}{bosi_site.INTERVIEW}")])


def inspect(tmp: Path, code: str, forms: list[Path], env: dict) -> dict:
    store_dir = tmp / "store"
    imported = xunjian("registry", "import", *map(str, forms), store=store_dir)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    run = xunjian("inspect", code, "--as-of", AS_OF, "--json", str(tmp / f"{code}.json"),
                  store=store_dir, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    card = json.loads((tmp / f"{code}.json").read_text("utf-8"))
    with open_store(str(store_dir)) as store:
        facts = {kind: store.find(kind, inspection=card["inspection"])
                 for kind in ("column_pages", "downloads")}
        facts["links"] = {r["url"]: r for r in store.link_results(card["inspection"])}
    return {"card": card, "facts": facts}


@pytest.fixture(scope="module")
def site():
    with bosi_site.BosiSite() as served:
        yield served


@pytest.fixture(scope="module")
def inspected(site, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("one_verdict")
    return inspect(tmp, CODE, registry(tmp / "reg", site), ENV)


@pytest.fixture(scope="module")
def walled(site, tmp_path_factory):
    """A second site on the same server whose only interaction column is behind the wall."""
    tmp = tmp_path_factory.mktemp("one_verdict_wall")
    forms = census_forms(tmp / "reg", (WALL_CODE, "四川省广元市青川县", "青川县互动平台网站",
                                       "其他", site.url + "index.jhtml", bosi_site.AGENCY), [
        ("互动回应类", "互动访谈类栏目", "在线访谈", site.url + bosi_site.WALL.lstrip("/"))])
    return inspect(tmp, WALL_CODE, forms, {**ENV, "XUNJIAN_MAX_PAGES": "3"})


def points(card: dict, ident: str) -> float:
    return next(d["points"] for d in card["deductions"] if d["id"] == ident)


def mine(card: dict, ident: str) -> list[dict]:
    return [f for f in card["findings"] if f["indicator"] == ident]


def where(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


# -- the shared classification over plain HTTP (no browser) ------------------------------------

def test_an_upload_answering_an_error_page_is_broken_for_the_link_and_the_download(site):
    urls = {name: site.url.rstrip("/") + path for name, path in (
        ("pdf", bosi_site.PROMISE_PDF), ("doc", bosi_site.DOC_DOWNLOAD),
        ("page", bosi_site.DOWNLOAD_PAGE), ("flow", bosi_site.FLOW_PDF))}
    links = check_urls(urls.values())
    downloads = asyncio.run(check_downloads(list(urls.values())))
    pdf = links[urls["pdf"]]
    assert (pdf.outcome, pdf.reason, pdf.http_status) == ("broken", "soft_404", 200)
    assert "附件不可用" in pdf.detail and "文件不存在" in pdf.detail
    assert (downloads[urls["pdf"]]["ok"], downloads[urls["pdf"]]["reason"]) == \
        (False, "html_instead_of_file")
    assert downloads[urls["pdf"]]["detail"] == pdf.detail
    for name in ("doc", "page", "flow"):  # a file behind downfile.jsp, a download page, a PDF
        assert (links[urls[name]].outcome, downloads[urls[name]]["ok"]) == ("ok", True), name


@pytest.mark.parametrize("url,ctype,head,verdict", [
    # a download page without a file extension is a page: fine, unless it says the file is gone
    ("http://h/module/download/down.jsp?id=88", "text/html", b"<html><body><a href=x.pdf>"
     b"\xe7\x82\xb9\xe5\x87\xbb\xe4\xb8\x8b\xe8\xbd\xbd</a></body></html>", "ok"),
    ("http://h/download?id=3", "text/html; charset=utf-8",
     "<html><head><title>提示</title></head><body><p>文件不存在！</p></body></html>".encode(),
     "soft_404"),
    # a promised file answered by an HTML page, labelled or sniffed
    ("http://h/u/a.pdf", "text/html", b"<!DOCTYPE html><html><body>x</body></html>",
     "html_instead_of_file"),
    ("http://h/u/a.wps", "application/octet-stream", b"\r\n  <HTML><HEAD><TITLE>error",
     "html_instead_of_file"),
    ("http://h/u/a.pdf", "application/pdf", b"%PDF-1.7\n", "ok"),
])
def test_download_rule(url, ctype, head, verdict):
    assert judge_download(url, 200, ctype, len(head), head)[1] == verdict


LINK_TIMEOUT = {"outcome": "broken", "reason": "timeout", "http_status": None,
                "detail": "访问超时（3秒内未完成）"}
LINK_OK = {"outcome": "ok", "reason": "ok", "http_status": 200, "detail": "正常（HTTP 200）"}


@pytest.mark.parametrize("status,error,html,link,verdict", [
    (200, None, "<html><body><p>抱歉，您访问的页面不存在！</p></body></html>", None,
     ("soft_404", True)),
    (500, None, "<html><body>java.lang.NullPointerException</body></html>", None,
     ("http_500", True)),
    (None, "Error: Page.goto: net::ERR_CONNECTION_REFUSED at http://x/", None, None,
     ("connect", True)),
    # the browser timed out and so did plain HTTP: as strong as a broken link
    (None, "TimeoutError: Timeout 8000ms exceeded.", None, LINK_TIMEOUT, ("timeout", True)),
    # the browser alone failed while plain HTTP got the page: a reviewer looks
    (None, "TimeoutError: Timeout 8000ms exceeded.", None, LINK_OK, ("timeout", False)),
    (412, None, bosi_site.WALL_BODY, None, ("waf_challenge", False)),
    (503, None, "<html><body>Service Unavailable</body></html>", None, ("http_503", False)),
])
def test_column_page_usability(status, error, html, link, verdict):
    got = page_usability(status, error, html, "", link)
    assert (got["usable"], got["reason"], got["strong"]) == (False, *verdict)


def test_a_walled_online_system_awaits_review_and_a_broken_one_costs_at_once():
    systems = [{"url": "http://h/wsbs/", "status": 412, "verdict": "unreachable",
                "reason": "http_412", "column": {"name": "网上办事"}},
               {"url": "http://h/cx/", "status": 502, "verdict": "unreachable",
                "reason": "http_502", "column": {"name": "进度查询"}}]
    found = {f["evidence"]["column"]: f["needs_review"] for f in service_findings(
        {"code": CODE}, [], [], systems)}
    assert found == {"网上办事": True, "进度查询": False}


def test_a_download_that_gets_the_page_turns_its_link_broken(site, tmp_path):
    """HEAD alone said the sheet was there; the download's GET got the message page: the link
    result of the same URL takes the download's verdict (one URL, one verdict)."""
    url = site.url.rstrip("/") + bosi_site.HEAD_LIES
    links = {u: r.to_dict() for u, r in check_urls([url]).items()}
    assert (links[url]["outcome"], links[url]["method"]) == ("ok", "HEAD")
    with EmbeddedStore(tmp_path / "store") as store:
        inspection = store.create_inspection({"site": CODE, "status": "running",
                                              "started_at": f"{AS_OF}T02:00:00+00:00"})
        store.insert("guide_pages", {"inspection": inspection, "site": CODE,
                                     "url": site.url + "bsfw/bszn/202611/3302.jhtml",
                                     "downloads": [{"url": url, "text": "申请表.xls"}]})
        docs = asyncio.run(check_guide_downloads(store, inspection, links))
    assert [(d["ok"], d["reason"]) for d in docs] == [(False, "html_instead_of_file")]
    assert (links[url]["outcome"], links[url]["reason"], links[url]["shared_from"]) == \
        ("broken", "soft_404", "downloads")
    assert links[url]["detail"] == docs[0]["detail"] and "文件不存在" in docs[0]["detail"]


def test_column_pages_and_their_link_results_share_one_verdict(site, tmp_path):
    interview = site.url.rstrip("/") + bosi_site.INTERVIEW
    column = {"type": "互动访谈类栏目", "name": "互动访谈", "url": interview,
              "category": "互动回应类", "source": "registry"}
    with EmbeddedStore(tmp_path / "store") as store:
        inspection = store.create_inspection({"site": CODE, "status": "running",
                                              "started_at": f"{AS_OF}T02:00:00+00:00"})
        html = store.put_blob(bosi_site.page_missing(site.consult_url).encode("utf-8"),
                              "text/html; charset=utf-8")
        store.insert("column_pages", {"inspection": inspection, "site": CODE, "column": column,
                                      "url": interview, "status": 200, "error": None,
                                      "title": "互动访谈-青川县发展和改革局", "html": html,
                                      "items": []})
        # the browser's words do not say why (打不开): the link check of the URL does
        store.insert("column_pages", {"inspection": inspection, "site": CODE,
                                      "column": {**column, "type": "政务咨询类栏目",
                                                 "url": site.consult_url},
                                      "url": site.consult_url, "status": None,
                                      "error": "打不开", "items": []})
        results = {interview: {"url": interview, "outcome": "ok", "reason": "ok",
                               "http_status": 200, "detail": "正常（HTTP 200）"}}

        async def share():
            async with LinkChecker(link_check_config()) as checker:
                await share_page_verdicts(store, inspection, results, checker)

        asyncio.run(share())
        verdicts = {p["url"]: p["usability"] for p in store.find("column_pages",
                                                                 inspection=inspection)}
    assert (verdicts[interview]["reason"], verdicts[interview]["strong"]) == ("soft_404", True)
    assert (results[interview]["outcome"], results[interview]["reason"],
            results[interview]["shared_from"]) == ("broken", "soft_404", "column_pages")
    consult = verdicts[site.consult_url]
    assert (consult["reason"], consult["from"], consult["strong"]) == ("connect", "link", True)


# -- the inspection: one verdict per URL across link, download, column and interaction checks --

@pytest.mark.browser
def test_each_bad_url_is_one_broken_link(inspected, site):
    card = inspected["card"]
    found = {where(f["url"]): f for f in mine(card, "availability.links")}
    consult = where(site.consult_url)
    assert {k: (f["kind"], f["evidence"]["error"], f["rule"]) for k, f in found.items()} == {
        bosi_site.PROMISE_PDF: ("broken_link", "soft_404", "other"),
        bosi_site.INTERVIEW: ("broken_link", "soft_404", "home"),
        bosi_site.SURVEY: ("broken_link", "http_500", "home"),
        consult: ("broken_link", "connect", "home"),
    }
    assert len(mine(card, "availability.links")) == 4  # one finding per URL
    assert found[bosi_site.PROMISE_PDF]["evidence"]["error_type"] == "域内附件链接不可用"
    assert found[bosi_site.PROMISE_PDF]["page"].endswith(bosi_site.GUIDE)
    assert points(card, "availability.links") == pytest.approx(3.1)


@pytest.mark.browser
def test_the_download_check_agrees_with_the_link_check(inspected):
    card = inspected["card"]
    downloads = {where(d["url"]): d for d in inspected["facts"]["downloads"]}
    assert {k: (d["ok"], d["reason"]) for k, d in downloads.items()} == {
        bosi_site.DOC_DOWNLOAD: (True, "ok"), bosi_site.DOWNLOAD_PAGE: (True, "ok"),
        bosi_site.PROMISE_PDF: (False, "html_instead_of_file")}
    links = {where(u): r for u, r in inspected["facts"]["links"].items()}
    for path, download in downloads.items():
        assert (links[path]["outcome"] == "ok") == download["ok"], path
    failed = mine(card, "service.attachments")
    assert [(f["rule"], where(f["url"]), f["needs_review"]) for f in failed] == \
        [("download_failed", bosi_site.PROMISE_PDF, False)]
    assert points(card, "service.attachments") == 1


@pytest.mark.browser
def test_unusable_columns_are_unreachable_never_blank(inspected, site):
    card = inspected["card"]
    statuses = {where(c["url"]): c for c in card["facts"]["freshness"]["columns"]}
    consult = where(site.consult_url)
    assert {k: (c["status"], c.get("reason")) for k, c in statuses.items()
            if k in (bosi_site.INTERVIEW, bosi_site.SURVEY, consult)} == {
        bosi_site.INTERVIEW: ("unreachable", "soft_404"),
        bosi_site.SURVEY: ("unreachable", "http_500"),
        consult: ("unreachable", "connect")}
    assert "您访问的页面不存在" in statuses[bosi_site.INTERVIEW]["detail"]
    assert not [f for f in card["findings"] if f["kind"] == "blank_column"]
    assert not mine(card, "veto.columns_stale")
    assert not [f for f in mine(card, "updates.basic_info")
                if where(f["url"]) in (bosi_site.INTERVIEW, bosi_site.SURVEY, consult)]


@pytest.mark.browser
def test_unusable_interaction_columns_cost_five_at_once(inspected):
    card = inspected["card"]
    for ident, reason in (("interaction.interview", "soft_404"), ("interaction.survey", "http_500"),
                          ("interaction.consultation", "connect")):
        found = mine(card, ident)
        assert [(f["rule"], f["needs_review"], f["review"]) for f in found] == \
            [("no_letters" if ident == "interaction.consultation" else "no_activity", False,
              "pending")], ident
        assert found[0]["evidence"]["column_unusable"] is True
        assert found[0]["evidence"]["columns"][0]["reason"] == reason, ident
        assert found[0]["points"] == 5 and points(card, ident) == 5, ident
    # 3.1 links + 1 attachment + 15 interaction: a reviewer can still reject each of them
    validate_card(card)


@pytest.mark.browser
def test_a_wall_blocked_column_still_awaits_review(walled):
    card = walled["card"]
    found = mine(card, "interaction.interview")
    assert [(f["rule"], f["needs_review"]) for f in found] == [("no_activity", True)]
    assert found[0]["evidence"]["columns"][0]["status"] == 412
    assert found[0]["id"] in card["awaiting_review"]
    assert found[0]["points"] == 0 and points(card, "interaction.interview") == 0
    status = next(c for c in card["facts"]["freshness"]["columns"]
                  if where(c["url"]) == bosi_site.WALL)
    assert status["status"] == "unreachable" and status["reason"] == "waf_challenge"
