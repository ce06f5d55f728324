"""design.domain's pure parts (inspectors/design_checks.py): a government site is under .gov.cn,
its host labels spell its place or unit (whole pinyin or initials, over every reading of its
characters), its name shows in the homepage header; an IP address or localhost has no domain to
judge."""

from __future__ import annotations

import pytest

from xunjian.inspectors.design_checks import (
    domain_findings,
    literal_host,
    name_words,
    named_after,
    prominent,
    spellings,
)

COUNTY = {"code": "1305340001", "name": "清河县人民政府门户网站", "region": "河北省清河县"}
BUREAU = {"code": "bm13000012", "name": "清河县教育局", "region": "河北省清河县"}
CITY = {"code": "4301000001", "name": "长沙市人民政府", "region": "湖南省长沙市"}


def test_name_words_are_places_and_the_unit():
    assert name_words(COUNTY) == ["清河县", "清河"]  # its own place, not the province above
    assert name_words(BUREAU) == ["清河县", "清河", "教育局", "教育", "清河教育"]


def test_spellings_cover_every_reading():
    assert {"qinghexian", "qhx"} <= spellings("清河县")
    assert {"qinghe", "qh"} <= spellings("清河")
    assert {"changsha", "zhangsha", "cs", "zs"} <= spellings("长沙")  # 长: cháng / zhǎng
    assert spellings("") == set()


@pytest.mark.parametrize("host,site,named", [
    ("www.qinghe.gov.cn", COUNTY, True),
    ("www.qhx.gov.cn", COUNTY, True),  # initials of 清河县
    ("jyj.qinghe.gov.cn", BUREAU, True),
    ("qhjy.hebei.gov.cn", BUREAU, True),
    ("www.changsha.gov.cn", CITY, True),
    ("www.abc123.gov.cn", COUNTY, False),
    ("www.hunan.gov.cn", CITY, False),  # the province's name, not 长沙's
])
def test_host_labels_spelling_the_site(host, site, named):
    assert named_after(host, site)[0] is named


def test_literal_hosts_have_no_domain():
    assert literal_host("127.0.0.1") and literal_host("[::1]") and literal_host("localhost")
    assert not literal_host("www.qinghe.gov.cn")
    findings, facts, reason = domain_findings({**COUNTY, "url": "http://[::1]:8000/"}, None)
    assert (findings, reason) == ([], "IP地址访问，无法检查域名")


def test_the_name_in_the_header_text_or_a_logo_alt():
    assert prominent(COUNTY, {"text": "", "alts": ["清河县人民政府"]}) == "清河县人民政府"
    shown = {"text": "清河县人民政府门户网站 首页", "alts": []}
    assert prominent(COUNTY, shown) == "清河县人民政府门户网站"
    assert prominent(COUNTY, {"text": "首页 政务公开", "alts": ["logo"]}) is None


def test_off_gov_cn_is_non_compliant_and_certain():
    findings, facts, reason = domain_findings({**COUNTY, "url": "http://www.qinghexian.com/"},
                                              None)
    assert reason is None and facts == {"host": "www.qinghexian.com", "gov_cn": False,
                                        "named": True}
    assert [(f["rule"], f["needs_review"], f["detail"]) for f in findings] == [
        ("non_compliant", False, "网站域名 www.qinghexian.com 不在 .gov.cn 下")]
