"""The finishing stage's active checks of the 2019 checklist, end to end: site search, IPv6 and the
message form (tests/support/activesite.py, served on 127.0.0.1 / ::1), inspected with Chromium;
the stored ``site_checks`` and the findings of inspection/c2019_active.py asserted exactly."""

from __future__ import annotations

import asyncio
import json
import socket

import pytest
from cli_run import census_forms, xunjian

from tests.support.activesite import NEWEST, ActiveSite, Variant, registry_rows
from xunjian.browser.netpolicy import AddressPolicy
from xunjian.inspection.c2019_active import derive
from xunjian.inspection.card import card_for
from xunjian.inspection.checks2019 import DERIVERS, Context
from xunjian.scoring.rules import load_rules
from xunjian.storage import open_store
from xunjian.urlcheck.ipv6 import ipv6_check

CODE = "9999000077"
#: The points of checklist-2019 (国办秘函〔2019〕19号) for the three indicators (the spec's).
CAPS = {"design.search": 4, "design.ipv6": 1, "interaction.submit": 7}
PRICES = {("design.search", "no_search"): 4, ("design.search", "broken"): 4,
          ("design.search", "not_found"): 1, ("design.search", "not_grouped"): 1,
          ("design.ipv6", "not_ready"): 1,
          ("interaction.submit", "cannot_submit"): 7}


def points(derived, indicator: str) -> float:
    """What the table deducts for ``indicator``: findings awaiting review count nothing yet."""
    total = sum(PRICES[(f["indicator"], f["rule"])] for f in derived.findings
                if f["indicator"] == indicator and not f.get("needs_review"))
    expected = min(CAPS[indicator], total)
    card = getattr(derived, "card19", None)
    if card is not None:  # the 2019 card of the same inspection charges exactly this
        charged = {d["id"]: d for d in card["deductions"]}[indicator]
        assert charged["checked"] and charged["points"] == expected, charged
    return expected


def test_the_prices_here_are_the_tables():
    rules = load_rules("checklist-2019")
    for (indicator, rule), price in PRICES.items():
        assert rules.indicator(indicator).rule_points(rule) == price, (indicator, rule)
    for indicator, cap in CAPS.items():
        assert rules.indicator(indicator).cap == cap, indicator


def mine(derived, indicator: str) -> list[dict]:
    return [f for f in derived.findings if f["indicator"] == indicator]


def inspect(tmp, variant: Variant, host: str = "127.0.0.1", **settings: str) -> dict:
    with ActiveSite(variant, host=host) as site:
        site_row, columns = registry_rows(site, CODE)
        files = census_forms(tmp / "reg", site_row, columns)
        store_dir = tmp / "store"
        imported = xunjian("registry", "import", *map(str, files), store=store_dir)
        assert imported.returncode == 0, imported.stdout + imported.stderr
        env = {"XUNJIAN_LINK_TIMEOUT": "2", "XUNJIAN_MAX_PAGES": "60",
               "XUNJIAN_SEARCH_TIMEOUT": "15", **settings}
        run = xunjian("inspect", CODE, "--as-of", "2026-11-20", "--json",
                      str(tmp / "card.json"), store=store_dir, env=env)
        assert run.returncode == 0, run.stdout + run.stderr
        hits = list(site.hits)
    with open_store(str(store_dir)) as store:
        inspection = store.latest_inspection(CODE)
        checks = {c["kind"]: c for c in store.find("site_checks", inspection=inspection["id"])}
        ctx = Context(store, inspection, store.get_site(CODE), "2026-11-20",
                      load_rules("checklist-2019"))
        derived = derive(ctx)
        derived.card19 = card_for(store, inspection["id"], rules="checklist-2019")
        shots = {k: [store.get_blob(q["screenshot"])[:4] for q in c["evidence"].get("queries", [])
                     if q.get("screenshot")] for k, c in checks.items()}
        submit_shot = checks.get("submit", {}).get("evidence", {}).get("screenshot")
        if submit_shot:
            shots["submit"] = [store.get_blob(submit_shot)[:4]]
    assert "Traceback" not in run.stderr
    return {"checks": checks, "derived": derived, "hits": hits, "shots": shots,
            "card": json.loads((tmp / "card.json").read_text("utf-8"))}


@pytest.fixture(scope="module")
def was5_form(tmp_path_factory):
    return inspect(tmp_path_factory.mktemp("was5"), Variant("was5", "form"))


def _ipv6_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def _localhost_v4_only() -> bool:
    try:
        socket.getaddrinfo("localhost", 80, socket.AF_INET6)
        return False
    except OSError:
        return True


@pytest.fixture(scope="module")
def none_noform(tmp_path_factory):
    """Registered as http://localhost:PORT/ (here a name with no IPv6 address)."""
    return inspect(tmp_path_factory.mktemp("none"), Variant("none", "noform"), host="localhost")


@pytest.fixture(scope="module")
def error_absent(tmp_path_factory):
    return inspect(tmp_path_factory.mktemp("error"), Variant("error", "absent"))


@pytest.fixture(scope="module")
def absent_login(tmp_path_factory):
    return inspect(tmp_path_factory.mktemp("absent"), Variant("absent", "login"))


@pytest.fixture(scope="module")
def js_partial(tmp_path_factory):
    """Served on ::1 and registered as http://[::1]:PORT/ (where ::1 can be bound)."""
    return inspect(tmp_path_factory.mktemp("js"), Variant("js", "form", unindexed=(NEWEST[2],)),
                   host="::1" if _ipv6_available() else "127.0.0.1")


def test_the_deriver_is_listed():
    assert "xunjian.inspection.c2019_active" in DERIVERS


# -- site search ---------------------------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.slow
def test_trs_was5_search_finds_the_four_newest_titles(was5_form):
    search = was5_form["checks"]["search"]
    assert search["result"] == "ok"
    entry = search["evidence"]["entry"]
    assert entry["kind"] == "form" and entry["input"] == "searchword"
    assert entry["action"].endswith("/was5/web/search")
    queries = search["evidence"]["queries"]
    # the newest item of each of the four columns, newest first
    assert [q["title"] for q in queries] == [NEWEST[0], NEWEST[1], NEWEST[3], NEWEST[2]]
    assert [q["state"] for q in queries] == ["found"] * 4
    assert all("/was5/web/search?" in q["results_url"] for q in queries)
    assert was5_form["shots"]["search"] == [b"\x89PNG"] * 4
    derived = was5_form["derived"]
    assert mine(derived, "design.search") == [] and points(derived, "design.search") == 0
    assert derived.checked["design.search"] is True


@pytest.mark.browser
@pytest.mark.slow
def test_a_search_that_finds_nothing_is_broken(none_noform):
    search = none_noform["checks"]["search"]
    assert search["evidence"]["entry"]["kind"] == "box"  # a box outside any form
    assert [(q["state"], q["empty"]) for q in search["evidence"]["queries"]] == \
        [("not_found", True)] * 4
    assert all("/jsearch/search.html?q=" in q["results_url"]
               for q in search["evidence"]["queries"])
    derived = none_noform["derived"]
    found = mine(derived, "design.search")
    assert [(f["rule"], f["needs_review"]) for f in found] == [("broken", False)]
    assert "没有找到" in found[0]["detail"] or "均未" in found[0]["detail"]
    assert points(derived, "design.search") == 4


@pytest.mark.browser
@pytest.mark.slow
def test_a_search_that_errors_is_broken(error_absent):
    search = error_absent["checks"]["search"]
    assert [(q["state"], q["status"]) for q in search["evidence"]["queries"]] == \
        [("error", 500)] * 4
    derived = error_absent["derived"]
    assert [f["rule"] for f in mine(derived, "design.search")] == ["broken"]
    assert mine(derived, "design.search")[0]["evidence"]["statuses"] == [500] * 4
    assert points(derived, "design.search") == 4


@pytest.mark.browser
@pytest.mark.slow
def test_no_search_at_all(absent_login):
    assert absent_login["checks"]["search"]["result"] == "no_search"
    derived = absent_login["derived"]
    found = mine(derived, "design.search")
    assert [(f["rule"], f["url"]) for f in found] == [("no_search", found[0]["page"])]
    assert points(derived, "design.search") == 4


@pytest.mark.browser
@pytest.mark.slow
def test_results_drawn_by_script_and_one_title_missing(js_partial):
    search = js_partial["checks"]["search"]
    assert search["evidence"]["entry"]["kind"] == "form"
    assert search["evidence"]["entry"]["page"].endswith("/so.htm")  # reached by its link
    states = {q["title"]: q["state"] for q in search["evidence"]["queries"]}
    assert states == {NEWEST[0]: "found", NEWEST[1]: "found", NEWEST[3]: "found",
                      NEWEST[2]: "not_found"}
    derived = js_partial["derived"]
    found = mine(derived, "design.search")
    assert [(f["rule"], f["evidence"].get("title"), f["needs_review"]) for f in found] == [
        ("not_found", NEWEST[2], False),
        ("not_grouped", None, True)]  # a plain list, no 全部/信息公开/办事服务 tabs: a reviewer says
    assert points(derived, "design.search") == 1


# -- the message form ----------------------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.slow
def test_message_form_found_and_never_submitted(was5_form):
    submit = was5_form["checks"]["submit"]
    assert submit["result"] == "found"
    assert submit["evidence"]["form_url"].endswith("/hdjl/xzxx/write.html")
    assert submit["evidence"]["column"] == "县长信箱"
    assert was5_form["shots"]["submit"] == [b"\x89PNG"]
    assert [h for h in was5_form["hits"] if h[0] == "POST"] == []
    assert ("GET", "/hdjl/xzxx/write.html") in was5_form["hits"]
    derived = was5_form["derived"]
    assert mine(derived, "interaction.submit") == []
    assert derived.checked["interaction.submit"] is True


@pytest.mark.browser
@pytest.mark.slow
def test_consultation_column_without_a_form(none_noform):
    assert none_noform["checks"]["submit"]["result"] == "cannot_submit"
    derived = none_noform["derived"]
    found = mine(derived, "interaction.submit")
    assert [(f["rule"], f["needs_review"]) for f in found] == [("cannot_submit", False)]
    assert found[0]["url"].endswith("/hdjl/xzxx/index.html")
    assert points(derived, "interaction.submit") == 7
    assert [h for h in none_noform["hits"] if h[0] == "POST"] == []


@pytest.mark.browser
@pytest.mark.slow
def test_a_login_wall_awaits_review(absent_login):
    submit = absent_login["checks"]["submit"]
    assert submit["result"] == "needs_login"
    assert "/sso/login.html" in submit["evidence"]["final_url"]
    derived = absent_login["derived"]
    found = mine(derived, "interaction.submit")
    assert [(f["rule"], f["needs_review"]) for f in found] == [("cannot_submit", True)]
    assert points(derived, "interaction.submit") == 0
    assert [h for h in absent_login["hits"] if h[0] == "POST"] == []


@pytest.mark.browser
@pytest.mark.slow
def test_no_interaction_column_is_unchecked(error_absent):
    derived = error_absent["derived"]
    assert mine(derived, "interaction.submit") == []
    assert derived.checked["interaction.submit"] is False
    assert "政务咨询" in derived.reasons["interaction.submit"]


# -- IPv6 ---------------------------------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.slow
def test_an_ipv4_literal_host_is_unchecked(was5_form):
    assert was5_form["checks"]["ipv6"]["result"] == "unchecked"
    derived = was5_form["derived"]
    assert derived.checked["design.ipv6"] is False
    assert derived.reasons["design.ipv6"] == "IP地址访问，无法检查IPv6"
    assert mine(derived, "design.ipv6") == []


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(not _ipv6_available(), reason="no ::1 here")
def test_a_site_on_an_ipv6_address_is_ready(js_partial):
    ipv6 = js_partial["checks"]["ipv6"]
    assert ipv6["result"] == "ready"
    assert ipv6["evidence"]["addresses"] == ["::1"] and ipv6["evidence"]["http_status"] == 200
    derived = js_partial["derived"]
    assert derived.checked["design.ipv6"] is True and mine(derived, "design.ipv6") == []


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(not _localhost_v4_only(), reason="localhost has an IPv6 address here")
def test_a_site_whose_name_has_no_aaaa_is_not_ready(none_noform):
    assert none_noform["checks"]["ipv6"]["result"] == "not_ready"
    derived = none_noform["derived"]
    found = mine(derived, "design.ipv6")
    assert [(f["rule"], f["needs_review"]) for f in found] == [("not_ready", False)]
    assert "AAAA" in found[0]["detail"] and found[0]["url"].startswith("http://localhost:")
    assert points(derived, "design.ipv6") == 1


@pytest.mark.skipif(not _ipv6_available(), reason="no ::1 here")
def test_ipv6_on_the_loopback_is_ready():
    with ActiveSite(Variant(), host="::1") as site:
        result = asyncio.run(ipv6_check(site.url, AddressPolicy([site.url]), timeout=5))
    assert result["result"] == "ready"
    assert result["evidence"]["addresses"] == ["::1"]
    assert result["evidence"]["connected"] is True and result["evidence"]["http_status"] == 200
    assert ("GET", "/") in site.hits


def test_a_name_without_aaaa_is_not_ready():
    """``localhost`` here resolves to 127.0.0.1 only (/etc/hosts)."""
    if not _localhost_v4_only():
        pytest.skip("localhost has an IPv6 address here")
    with ActiveSite(Variant()) as site:
        url = site.url.replace("127.0.0.1", "localhost")
        result = asyncio.run(ipv6_check(url, AddressPolicy([url]), timeout=5))
    assert result["result"] == "not_ready"
    assert result["evidence"]["addresses"] == []
    assert "AAAA" in result["detail"]


@pytest.mark.skipif(not _ipv6_available(), reason="no ::1 here")
def test_an_aaaa_address_that_refuses_is_not_ready():
    with socket.socket(socket.AF_INET6) as s:  # a port nothing listens on
        s.bind(("::1", 0))
        port = s.getsockname()[1]
    url = f"http://[::1]:{port}/"
    result = asyncio.run(ipv6_check(url, AddressPolicy([url]), timeout=5))
    assert result["result"] == "not_ready"
    assert result["evidence"]["connected"] is False


def test_an_ipv4_literal_is_unchecked():
    result = asyncio.run(ipv6_check("http://127.0.0.1:8080/", AddressPolicy([]), timeout=5))
    assert result["result"] == "unchecked"
    assert result["detail"] == "IP地址访问，无法检查IPv6"


def test_ipv6_findings_from_stored_checks():
    from xunjian.inspectors.active import active_findings

    site = {"code": CODE, "url": "http://www.example.gov.cn/"}
    ready = active_findings(site, [{"kind": "ipv6", "result": "ready", "detail": "",
                                    "url": site["url"], "evidence": {}}])
    assert ready["findings"] == [] and ready["checked"]["design.ipv6"] is True
    not_ready = active_findings(site, [{"kind": "ipv6", "result": "not_ready",
                                        "detail": "域名没有IPv6地址（AAAA记录）",
                                        "url": site["url"], "evidence": {"addresses": []}}])
    assert [(f["indicator"], f["rule"]) for f in not_ready["findings"]] == \
        [("design.ipv6", "not_ready")]
    again = active_findings(site, [{"kind": "ipv6", "result": "not_ready", "detail": "x",
                                    "url": site["url"], "evidence": {}}])
    assert again["findings"][0]["id"] == not_ready["findings"][0]["id"]  # a stable id
    none = active_findings(site, [])
    assert none["checked"] == {"design.search": False, "design.ipv6": False,
                               "interaction.submit": False}
    assert all(none["reasons"].values())
    error = active_findings(site, [{"kind": "search", "result": "error", "url": site["url"],
                                    "detail": "检查出错：TimeoutError", "evidence": {}}])
    assert error["checked"]["design.search"] is False
    assert "TimeoutError" in error["reasons"]["design.search"]


@pytest.mark.browser
@pytest.mark.slow
def test_a_crawl_that_reads_no_lists_still_checks_search_and_form(tmp_path):
    """XUNJIAN_FRESHNESS=0: no column pages stored; the titles come from the homepage's own
    lists and the registered 县长信箱 is opened here."""
    seen = inspect(tmp_path, Variant("was5", "form"), XUNJIAN_FRESHNESS="0")
    queries = seen["checks"]["search"]["evidence"]["queries"]
    assert seen["checks"]["search"]["result"] == "ok" and len(queries) == 4
    assert queries[0]["title"] == NEWEST[0]
    assert seen["checks"]["submit"]["result"] == "found"
    assert [h for h in seen["hits"] if h[0] == "POST"] == []


class _NoBrowser:
    """A renderer whose pages are never needed (the checks themselves are replaced)."""

    def __init__(self, *args, **kwargs):
        pass

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return None


def test_a_failing_check_is_stored_as_an_error_and_the_indicator_unchecked(tmp_path,
                                                                        monkeypatch):
    from xunjian.inspection import site_checks as module

    async def broken(*args, **kwargs):
        raise RuntimeError("the page crashed")

    async def hangs(*args, **kwargs):
        await asyncio.sleep(60)

    monkeypatch.setattr(module, "Renderer", _NoBrowser)
    monkeypatch.setattr(module, "search_check", broken)
    monkeypatch.setattr(module, "submit_check", hangs)
    monkeypatch.setenv("XUNJIAN_SEARCH_TIMEOUT", "0.1")
    monkeypatch.setattr(module, "SLACK", 0.5)
    with open_store(str(tmp_path / "store")) as store:
        site = {"code": CODE, "name": "某某县人民政府门户网站", "url": "http://127.0.0.1:9/"}
        store.upsert_site(site)
        inspection_id = store.create_inspection({"site": CODE, "as_of": "2026-11-20"})
        store.add_page({"inspection": inspection_id, "site": CODE, "url": site["url"],
                        "final_url": site["url"], "is_home": True, "status": 200,
                        "error": None, "items": []})
        docs = asyncio.run(module.site_checks(store, inspection_id))
        assert {d["kind"]: d["result"] for d in docs} == \
            {"ipv6": "unchecked", "search": "error", "submit": "error"}
        stored = store.find("site_checks", inspection=inspection_id)
        assert len(stored) == 3
        ctx = Context(store, store.get_inspection(inspection_id), store.get_site(CODE),
                      "2026-11-20", load_rules("checklist-2019"))
        derived = derive(ctx)
    assert derived.findings == []
    assert derived.checked == {"design.search": False, "design.ipv6": False,
                               "interaction.submit": False}
    assert "the page crashed" in derived.reasons["design.search"]
    assert "超时" in derived.reasons["interaction.submit"]


@pytest.mark.browser
@pytest.mark.slow
def test_a_search_sent_to_an_intranet_address_is_not_followed(tmp_path):
    seen = inspect(tmp_path, Variant("intranet", "form"))
    search = seen["checks"]["search"]
    assert search["result"] == "broken"
    queries = search["evidence"]["queries"]
    assert [q["state"] for q in queries] == ["error"] * 4
    assert all("内网地址" in q["error"] and q["results_url"].startswith("http://10.255.0.9:8080/")
               for q in queries)
    found = mine(seen["derived"], "design.search")
    assert [(f["rule"], f["needs_review"]) for f in found] == [("broken", False)]
    assert points(seen["derived"], "design.search") == 4
