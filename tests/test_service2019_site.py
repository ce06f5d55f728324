"""checklist-2019 办事服务 and 互动交流 end to end: the service fixture site (tests/sites/service,
served on 127.0.0.1) is crawled in Chromium as census-2015 crawls it, and the 2019 deriver reads
what the spider stored — the guides' HTML again with 10 elements, the letters' fields, the column
pages. Findings are asserted exactly, priced by the table.

What the site shows against 2019: no guide names its 实施机关 or fees (办理机构, 收费标准 missing
everywhere); g1 and g3 give their 设定依据 as a bare law name; g2 names 建设单位承诺书 without
offering it and offers 项目登记表 as a 404; 县长信箱 letters show no 答复单位, no handling
statistics; no catalogue page, no 办件统计.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from cli_run import xunjian
from test_service2019 import price, rules  # noqa: F401  (the rules fixture)
from test_service_site import CODE, SITE_ROOT, registry

from xunjian.demo.server import DemoServer
from xunjian.inspection.c2019_service import derive
from xunjian.inspection.checks2019 import Context
from xunjian.storage import open_store

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("service2019")
    store_dir = tmp / "store"
    with DemoServer(root=SITE_ROOT) as server:
        imported = xunjian("registry", "import", *map(str, registry(tmp / "reg", server)),
                           store=store_dir)
        assert imported.returncode == 0, imported.stdout + imported.stderr
        env = {"XUNJIAN_LINK_TIMEOUT": "1.5", "XUNJIAN_FRESHNESS": "1", "XUNJIAN_MAX_PAGES": "40"}
        run = xunjian("inspect", CODE, "--as-of", "2026-11-20", store=store_dir, env=env)
        assert run.returncode == 0, run.stdout + run.stderr
    yield store_dir


def test_the_2019_reading_of_a_crawled_site(stored, rules):  # noqa: F811
    with open_store(str(stored)) as store:
        inspection = store.latest_inspection(CODE)
        got = derive(Context(store=store, inspection=inspection, site=store.get_site(CODE),
                             as_of="2026-11-20", rules=rules))
        shots = {f["evidence"].get("screenshot") for f in got.findings
                 if f["indicator"] == "service.guide"}
        assert shots and all(store.get_blob(s)[:4] == b"\x89PNG" for s in shots)
    found = sorted((f["indicator"], f["rule"], urlsplit(f["url"]).path, f.get("units", 1))
                   for f in got.findings)
    assert found == [
        ("interaction.published", "missing_field", "/hd/xx/1.html", 1),
        ("interaction.published", "missing_field", "/hd/xx/2.html", 1),
        ("interaction.published", "no_statistics", "/hd/xx.html", 1),
        ("service.catalogue", "no_catalogue", "/", 1),
        ("service.forms", "forms_missing", "/bszn/g2.html", 1),
        ("service.guide", "missing_element", "/bszn/g1.html", 2),
        ("service.guide", "missing_element", "/bszn/g2.html", 4),
        ("service.guide", "missing_element", "/bszn/g3.html", 3),
        ("service.guide", "policy_without_content", "/bszn/g1.html", 1),
        ("service.guide", "policy_without_content", "/bszn/g3.html", 1),
        # 申请表 / 承诺书；登记表 / 出生医学证明: none says original or copy, paper or how many
        ("service.guide", "unclear_format", "/bszn/g1.html", 1),
        ("service.guide", "unclear_format", "/bszn/g2.html", 1),
        ("service.guide", "unclear_format", "/bszn/g3.html", 1),
        ("service.statistics", "no_statistics", "/", 1),
        ("veto.unresponsive", "unanswered_letter", "/hd/xx/2.html", 1),
    ]
    assert price(rules, got.findings) == {
        "service.guide": 8, "service.forms": 1, "service.catalogue": 3,  # guide: 8.5, capped
        "service.statistics": 2, "interaction.published": 5}
    assert all(got.checked.values()) and got.reasons == {}
    missing = {urlsplit(u).path: m for u, m in
               got.facts["service2019"]["elements_missing"].items()}
    assert missing["/bszn/g2.html"] == ["办理机构", "收费标准", "办理时间", "办理流程"]
    forms = next(f for f in got.findings if f["indicator"] == "service.forms")
    assert (forms["evidence"]["not_offered"], forms["evidence"]["download_failed"]) == (
        ["建设单位承诺书"], ["项目登记表"])
