"""scoring/rules/checklist-2019.toml (国办秘函〔2019〕19号) as data and its pure score card: every id of
the split with its rule keys, caps, < 60 fails, the bonus above 80 for portals only, the 4/3 rule of
departments without public services, design.links 0.2 / 0.1 capped at 1."""

from __future__ import annotations

import copy
import tomllib

import jsonschema
import pytest

from xunjian.scoring import FAIL, NOT_SCORED, PASS, RulesError, load_rules, parse_rules
from xunjian.scoring import score_card, validate_card
from xunjian.scoring.rules import RULES_DIR

RULES = load_rules("checklist-2019")
PORTAL = {"code": "4403000001", "name": "深圳市人民政府门户网站", "url": "http://www.sz.gov.cn/",
          "type": "门户网站"}
DEPARTMENT = {"code": "4403000102", "name": "深圳市档案馆", "url": "http://www.szdag.gov.cn/",
              "type": "其他"}
AS_OF = "2026-11-20"
ALL_CHECKED = dict.fromkeys(RULES.ids, True)

#: The split's ids → their rule keys (/work/notes/i21-spec.md): exactly these, no more.
SPEC = {
    "veto.serious_error": {"serious_typo", "fabricated", "prohibited", "privacy_leak"},
    "veto.unreachable": {"probe_failures"},
    "veto.not_updated": {"no_homepage_updates"},
    "veto.columns_stale": {"a", "b", "c"},
    "veto.unresponsive": {"no_channel", "unanswered_letter"},
    "veto.service_impractical": {"no_service", "guides_lacking"},
    "publish.overview": {"no_column", "inaccuracy"},
    "publish.functions": {"no_column", "inaccuracy"},
    "publish.leaders": {"no_column", "inaccuracy"},
    "publish.news": {"no_column", "stale"},
    "publish.policies": {"no_column", "stale"},
    "publish.interpretations": {"no_column", "stale"},
    "publish.interpretation_ratio": {"not_interpreted"},
    "publish.interpretation_links": {"missing_link"},
    "publish.other_columns": {"blank", "stale"},
    "service.catalogue": {"no_catalogue"},
    "service.online_apply": {"cannot_register", "cannot_apply"},
    "service.statistics": {"no_statistics", "stale_1m", "stale_3m"},
    "service.guide": {"no_guide", "missing_element", "unclear_format", "vague_material",
                      "policy_without_content"},
    "service.accuracy": {"inaccuracy"},
    "service.forms": {"forms_missing"},
    "interaction.submit": {"cannot_submit"},
    "interaction.login": {"no_single_login"},
    "interaction.published": {"none_published", "missing_field", "stale", "no_statistics"},
    "interaction.replies": {"no_reply", "perfunctory"},
    "design.domain": {"non_compliant", "not_named", "name_not_prominent"},
    "design.marks": {"missing_mark"},
    "design.links": {"home", "other"},
    "design.report_errors": {"no_entry", "missing_on_page", "unanswered"},
    "design.search": {"no_search", "broken", "not_found", "not_grouped"},
    "design.single_login": {"no_single_login"},
    "design.page_tags": {"content_page", "column_page"},
    "design.compatibility": {"per_browser"},
    "design.ipv6": {"not_ready"},
}
CAPS = {"publish.overview": 2, "publish.functions": 2, "publish.leaders": 2, "publish.news": 5,
        "publish.policies": 5, "publish.interpretations": 5, "publish.interpretation_ratio": 3,
        "publish.interpretation_links": 3, "publish.other_columns": 4, "service.catalogue": 3,
        "service.online_apply": 5, "service.statistics": 2, "service.guide": 8,
        "service.accuracy": 5, "service.forms": 2, "interaction.submit": 7,
        "interaction.login": 3, "interaction.published": 6, "interaction.replies": 7,
        "design.domain": 3, "design.marks": 3, "design.links": 1, "design.report_errors": 4,
        "design.search": 4, "design.single_login": 2, "design.page_tags": 1,
        "design.compatibility": 2, "design.ipv6": 1, "bonus.data_release": 4,
        "bonus.interpretation_forms": 3, "bonus.service_functions": 2,
        "bonus.service_content": 2, "bonus.service_links": 2, "bonus.realtime": 5,
        "bonus.survey": 3, "bonus.smart_search": 4, "bonus.user_space": 2, "bonus.innovation": 3}


def finding(fid: str, indicator: str, rule: str, site=PORTAL, **extra) -> dict:
    return {"id": fid, "site": site["code"], "indicator": indicator, "kind": "test", "rule": rule,
            "url": f"{site['url']}{fid}.html", "detail": "说明", "needs_review": False,
            "evidence": {}, **extra}


def card(findings=(), site=PORTAL, checked=None, **kw) -> dict:
    result = score_card(site, list(findings), [], ALL_CHECKED if checked is None else checked,
                        AS_OF, rules=RULES, **kw)
    validate_card(result)
    return result


def entry(result: dict, ident: str) -> dict:
    (found,) = [d for d in result["deductions"] + result["bonus"] if d["id"] == ident]
    return found


def test_every_id_of_the_split_with_exactly_its_rule_keys():
    assert {e.id: set(e.rules) for e in RULES.vetoes + RULES.indicators} == SPEC
    assert RULES.bonus_ids == tuple(i for i in CAPS if i.startswith("bonus."))
    assert {e.id: e.cap for e in RULES.indicators + RULES.bonuses} == CAPS
    assert dict(RULES.groups) == {"发布解读": 31, "办事服务": 25, "互动交流": 23, "功能设计": 21,
                                  "加分项": 30}
    assert {e.group for e in RULES.vetoes} == {"单项否决"}
    assert all(e.text and e.name for e in RULES.all)
    assert (RULES.scoring, RULES.fail_below, RULES.bonus_above, RULES.bonus_max) == (
        "capped", 60, 80, 30)
    assert RULES.bonus_site_types == ("门户网站",)
    assert dict(RULES.without_services) == {"group": "办事服务", "base": 75}


def test_windows_thresholds_and_column_kinds():
    assert {k: RULES.column_window(k) for k in ("动态要闻", "通知公告", "政策文件", "政策解读",
                                                 "规划计划")} == {
        "动态要闻": 14, "通知公告": 183, "政策文件": 183, "政策解读": 183, "规划计划": 365}
    stale = RULES.indicator("veto.columns_stale")
    assert dict(stale.thresholds) == {"a": 5, "b": 10, "c": 5}
    assert stale.params["a_column_types"] == ("动态要闻", "通知公告", "政策文件")
    assert dict(RULES.indicator("veto.service_impractical").thresholds) == {
        "services": 5, "missing_elements": 4}
    assert len(RULES.indicator("service.guide").params["elements"]) == 10
    kind = RULES.column_kind
    assert kind({"type": "政策文件", "name": "政策解读"}) == "政策解读"  # discovery says 政策文件
    assert kind({"type": "机构设置及职能", "name": "领导之窗"}) == "领导信息"
    assert kind({"type": "机构设置及职能", "name": "组织机构"}) == "机构职能"
    assert kind({"type": "工作动态", "name": "部门信息"}) == "动态要闻"
    assert kind({"type": "人事信息", "name": "人事任免"}) == "其他"
    census = load_rules()
    assert census.column_kind({"type": "政策文件", "name": "政策解读"}) == "政策文件"
    assert census.scoring == "threshold" and census.bonuses == () and census.threshold == 40


def test_caps_and_groups_must_add_up():
    data = tomllib.loads((RULES_DIR / "checklist-2019.toml").read_text("utf-8"))
    broken = copy.deepcopy(data)
    broken["indicators"]["design.links"]["cap"] = 2.0
    with pytest.raises(RulesError, match="groups.功能设计: 21 points, but its indicators' caps "
                                         "add up to 22"):
        parse_rules(broken, "checklist-2019.toml")
    broken = copy.deepcopy(data)
    del broken["indicators"]["design.ipv6"]
    with pytest.raises(RulesError, match="missing indicator id.*design.ipv6"):
        parse_rules(broken, "checklist-2019.toml")
    broken = copy.deepcopy(data)
    broken["scoring"] = "median"
    with pytest.raises(RulesError, match="scoring: expected one of threshold, capped"):
        parse_rules(broken, "checklist-2019.toml")
    with pytest.raises(RulesError, match=r"no rules named 'checklist-2020' \(known: .*"
                                         r"census-2015, checklist-2019"):
        load_rules("checklist-2020")


def test_each_indicator_is_capped_at_its_points():
    found = [finding(f"l{n}", "design.links", "home") for n in range(4)]  # 0.8
    found += [finding(f"o{n}", "design.links", "other") for n in range(5)]  # 0.5 → capped 1
    found += [finding(f"g{n}", "service.guide", "no_guide") for n in range(3)]  # 12 → 8
    found += [finding("s1", "interaction.submit", "cannot_submit")]  # 7
    result = card(found)
    links = entry(result, "design.links")
    assert (links["points"], links["uncapped"], links["cap"], links["group"]) == (
        1.0, 1.3, 1.0, "功能设计")
    assert entry(result, "service.guide")["points"] == 8.0
    assert result["total_deduction"] == 16.0
    assert result["deduction_score"] == 84.0
    assert {g["name"]: g["deducted"] for g in result["groups"]} == {
        "发布解读": 0, "办事服务": 8, "互动交流": 7, "功能设计": 1}


def test_design_links_two_tenths_home_one_tenth_other():
    result = card([finding("h1", "design.links", "home"), finding("o1", "design.links", "other"),
                   finding("o2", "design.links", "other")])
    assert entry(result, "design.links")["points"] == 0.4
    assert "uncapped" not in entry(result, "design.links")
    assert result["score"] == 99.6  # a portal above 80: bonus applies, nothing found


def test_below_sixty_fails_sixty_passes():
    forty = [finding(f"p{n}", i, "no_column") for n, i in enumerate(
        ("publish.news", "publish.policies", "publish.interpretations"))]  # 15
    forty += [finding("g", "service.guide", "no_guide"), finding("g2", "service.guide", "no_guide")]
    forty += [finding("sub", "interaction.submit", "cannot_submit"),
              finding("pub", "interaction.published", "none_published"),
              finding("srch", "design.search", "no_search")]  # 15 + 8 + 7 + 6 + 4 = 40
    result = card(forty)
    assert (result["verdict"], result["score"], result["deduction_score"]) == (PASS, 60.0, 60.0)
    more = card(forty + [finding("ipv6", "design.ipv6", "not_ready")])
    assert (more["verdict"], more["score"]) == (FAIL, 59.0)
    assert more["bonus_applied"] is False and more["bonus_points"] == 0
    assert "未高于80分" in more["bonus_note"]


def test_any_veto_fails_without_a_score():
    result = card([finding("v", "veto.not_updated", "no_homepage_updates")])
    assert (result["verdict"], result["score"], result["deduction_score"]) == (FAIL, None, None)
    assert result["vetoes"][0]["name"] == "首页不更新"
    assert result["bonus_points"] == 0 and "单项否决" in result["bonus_note"]


BONUS = [finding("b1", "bonus.realtime", "answered_1d"),
         finding("b2", "bonus.realtime", "smart_qa"),
         finding("b3", "bonus.realtime", "smart_qa"),  # 7 → capped 5
         finding("b4", "bonus.data_release", "updated_3m")]  # 2


def test_bonus_above_eighty_for_a_portal_only():
    result = card(BONUS + [finding("x", "interaction.login", "no_single_login")])  # 97
    assert result["deduction_score"] == 97.0
    assert entry(result, "bonus.realtime")["points"] == 5.0
    assert (result["bonus_applied"], result["bonus_points"], result["bonus_note"]) == (
        True, 7.0, None)
    assert result["score"] == 104.0 and result["verdict"] == PASS
    dept = [finding(f["id"], f["indicator"], f["rule"], DEPARTMENT) for f in BONUS]
    other = card(dept, site=DEPARTMENT)
    assert (other["bonus_applied"], other["bonus_points"], other["score"]) == (False, 0, 100.0)
    assert other["bonus_note"] == "加分项仅适用于门户网站，本网站类型为其他，不进行加分评分"
    # exactly 80 is not above 80; 81 is
    twenty = [finding(f"n{n}", i, "no_column") for n, i in enumerate(
        ("publish.news", "publish.policies", "publish.interpretations"))]  # 15
    twenty += [finding("se", "design.search", "no_search"), finding("v6", "design.ipv6",
                                                                    "not_ready")]  # 20
    at80 = card(twenty + BONUS)
    assert (at80["deduction_score"], at80["bonus_points"], at80["score"]) == (80.0, 0, 80.0)
    assert at80["bonus_note"] == "扣分部分得分80分，未高于80分，不进行加分评分"
    at81 = card(twenty[:-1] + BONUS)
    assert (at81["deduction_score"], at81["bonus_points"], at81["score"]) == (81.0, 7.0, 88.0)


def test_bonus_is_at_most_thirty():
    every = [finding(f"b{n}", e.id, rule, units=9) for n, e in enumerate(RULES.bonuses)
             for rule in list(e.points)[:1]]
    result = card(every)
    assert sum(b["points"] for b in result["bonus"]) == 30.0  # each at its cap: 30 together
    assert result["bonus_points"] == 30.0 and result["score"] == 130.0


def test_department_without_public_services_is_scored_four_thirds():
    site = dict(DEPARTMENT, public_services=False)
    found = [finding("n", "publish.news", "no_column", site),  # 5
             finding("sub", "interaction.submit", "cannot_submit", site),  # 7
             finding("g", "service.guide", "no_guide", site),  # not applicable
             finding("v", "veto.service_impractical", "no_service", site)]  # not applicable
    result = card(found, site=site)
    assert result["services_applicable"] is False
    assert result["vetoes"] == []
    assert result["veto_status"][-1] == {"id": "veto.service_impractical", "name": "服务不实用",
                                         "checked": True, "fired": False, "applicable": False}
    assert entry(result, "service.guide") == {
        "id": "service.guide", "name": "办事指南", "checked": True, "points": 0.0,
        "findings": ["g"], "group": "办事服务", "cap": 8.0, "applicable": False}
    # (75 − 12) × 4/3 = 84
    assert (result["total_deduction"], result["deduction_score"], result["score"]) == (
        12.0, 84.0, 84.0)
    assert [g for g in result["groups"] if g["name"] == "办事服务"][0]["applicable"] is False
    # the services group unchecked is no reason to be provisional then
    unchecked = {i: i not in {e.id for e in RULES.indicators if e.group == "办事服务"}
                 for i in RULES.ids}
    again = card(found, site=site, checked=unchecked)
    assert not {"service.guide", "veto.service_impractical"} & set(again["unchecked"])
    # an explicit answer wins over the registry
    assert card(found, site=site, services=True)["vetoes"][0]["id"] == "veto.service_impractical"
    # a portal always offers services
    portal = dict(PORTAL, public_services=False)
    assert card([], site=portal)["services_applicable"] is True


def test_every_id_is_on_the_card_and_unchecked_ones_are_provisional():
    result = card([], checked={"veto.unreachable": True, "publish.news": True})
    assert [d["id"] for d in result["veto_status"]] == list(RULES.veto_ids)
    assert [d["id"] for d in result["deductions"]] == list(RULES.indicator_ids)
    assert [d["id"] for d in result["bonus"]] == list(RULES.bonus_ids)
    assert result["provisional"] and "design.ipv6" in result["unchecked"]
    assert result["verdict"] == PASS and result["score"] == 100.0
    probes_only = card([], checked={"veto.unreachable": True})
    assert probes_only["verdict"] == NOT_SCORED and probes_only["score"] is None


def test_schema_keeps_each_table_to_its_own_ids():
    good = card([finding("l", "design.links", "home")])
    bad = copy.deepcopy(good)
    bad["deductions"][0]["id"] = "availability.links"
    with pytest.raises(jsonschema.ValidationError):
        validate_card(bad)
    bad = copy.deepcopy(good)
    bad["bonus_points"] = 31
    with pytest.raises(jsonschema.ValidationError):
        validate_card(bad)
    bad = copy.deepcopy(good)
    bad["rules"] = "census-2015"
    with pytest.raises(jsonschema.ValidationError):
        validate_card(bad)
