"""scoring/: rules as data, the pure score card, its schema, and the table's time windows."""

from __future__ import annotations

import copy
import json
import random
import tomllib
from datetime import UTC, date, datetime, timedelta

import jsonschema
import pytest

from xunjian.scoring import (
    INDICATORS,
    VETOES,
    RulesError,
    as_of_instant,
    card_schema,
    load_rules,
    parse_rules,
    score_card,
    validate_card,
    window_start,
    within,
)
from xunjian.scoring.rules import RULES_DIR

SITE = {"code": "4401000001", "name": "广州市人民政府网站", "url": "http://www.gz.gov.cn/"}
ALL_CHECKED = {i: True for i in VETOES + INDICATORS}
AS_OF = "2026-11-20"


def finding(fid: str, indicator: str, rule: str, **extra) -> dict:
    return {"id": fid, "site": SITE["code"], "inspection": "insp-1", "indicator": indicator,
            "kind": "test", "rule": rule, "url": f"http://www.gz.gov.cn/{fid}",
            "page": "http://www.gz.gov.cn/", "detail": "说明", "needs_review": False,
            "evidence": {"status": 404, "screenshot": None}, **extra}


def review(fid: str, verdict: str, at: str) -> dict:
    return {"finding": fid, "site": SITE["code"], "verdict": verdict, "reviewer": "张三",
            "at": at, "reason": "复核"}


def card(findings=(), reviews=(), checked=None, as_of=AS_OF, **kw) -> dict:
    result = score_card(SITE, list(findings), list(reviews),
                        ALL_CHECKED if checked is None else checked, as_of, **kw)
    validate_card(result)  # every card produced in these tests must satisfy the schema
    return result


def deduction(result: dict, ident: str) -> dict:
    (entry,) = [d for d in result["deductions"] if d["id"] == ident]
    return entry


def links(home: int, other: int) -> list[dict]:
    return ([finding(f"h{n}", "availability.links", "home") for n in range(home)]
            + [finding(f"o{n}", "availability.links", "other") for n in range(other)])


# --- score card -------------------------------------------------------------------------------

def test_clean_site_with_everything_checked_passes_and_is_final():
    result = card(inspection="insp-1", facts={"probes": {"total": 140, "failed": 0}})
    assert result["verdict"] == "合格"
    assert result["score"] == 100.0
    assert result["total_deduction"] == 0.0
    assert result["final"] is True and result["provisional"] is False
    assert result["unchecked"] == [] and result["vetoes"] == []
    assert [d["id"] for d in result["deductions"]] == list(INDICATORS)
    assert all(d["checked"] and d["points"] == 0 for d in result["deductions"])
    assert result["site"] == SITE and result["as_of"] == AS_OF
    assert result["rules"] == "census-2015" and result["inspection"] == "insp-1"
    assert result["facts"] == {"probes": {"total": 140, "failed": 0}}


def test_only_links_checked_is_provisional_and_lists_the_rest():
    result = card(links(1, 0), checked={"availability.links": True, "updates.homepage": False})
    assert result["provisional"] is True and result["final"] is False
    assert result["unchecked"] == [i for i in VETOES + INDICATORS if i != "availability.links"]
    assert deduction(result, "availability.links") == {
        "id": "availability.links", "name": "链接可用性", "checked": True, "points": 1.0,
        "findings": ["h0"]}
    for ident in INDICATORS:
        if ident != "availability.links":
            assert deduction(result, ident)["checked"] is False
    # the verdict is still computed from what was checked
    assert result["verdict"] == "合格" and result["score"] == 99.0


def test_broken_links_cost_one_on_home_and_a_tenth_elsewhere_exactly():
    result = card(links(3, 5))
    assert deduction(result, "availability.links")["points"] == 3.5
    assert result["total_deduction"] == 3.5 and result["score"] == 96.5
    three = card(links(0, 3))
    assert deduction(three, "availability.links")["points"] == 0.3  # not 0.30000000000000004
    assert three["score"] == 99.7
    assert [f["points"] for f in three["findings"]] == [0.1, 0.1, 0.1]


def test_units_multiply_the_rule_points():
    result = card([finding("p", "availability.homepage", "per_percent", units=3),
                   finding("g", "service.guide", "missing_element", units=2),
                   finding("s", "updates.basic_info", "通知公告")])
    assert deduction(result, "availability.homepage")["points"] == 15.0
    assert deduction(result, "service.guide")["points"] == 4.0
    assert deduction(result, "updates.basic_info")["points"] == 4.0
    assert result["total_deduction"] == 23.0
    with pytest.raises(ValueError, match="units"):
        card([finding("p", "availability.homepage", "per_percent", units=0)])


def test_needs_review_counts_only_when_confirmed_and_rejected_never_counts():
    blocked = finding("b", "availability.links", "home", needs_review=True)
    pending = card([blocked])
    assert pending["findings"][0]["review"] == "pending"
    assert pending["findings"][0]["points"] == 0 and pending["findings"][0]["counts"] is False
    assert deduction(pending, "availability.links")["points"] == 0
    assert deduction(pending, "availability.links")["findings"] == ["b"]
    assert pending["awaiting_review"] == ["b"]
    assert pending["provisional"] is True and pending["final"] is False

    confirmed = card([blocked], [review("b", "confirmed", "2026-11-21T09:00:00+08:00")])
    assert deduction(confirmed, "availability.links")["points"] == 1.0
    assert confirmed["findings"][0]["review"] == "confirmed"
    assert confirmed["final"] is True and confirmed["awaiting_review"] == []

    normal = finding("n", "availability.links", "home")
    assert deduction(card([normal]), "availability.links")["points"] == 1.0
    rejected = card([normal], [review("n", "rejected", "2026-11-21T09:00:00+08:00")])
    assert deduction(rejected, "availability.links")["points"] == 0
    assert rejected["findings"][0]["review"] == "rejected"
    assert rejected["score"] == 100.0


def test_veto_fails_the_site_with_no_score_but_keeps_deductions():
    result = card([finding("u", "veto.unreachable", "probe_failures"), *links(2, 0)])
    assert result["verdict"] == "不合格"
    assert result["score"] is None
    assert result["vetoes"] == [{"id": "veto.unreachable", "name": "站点无法访问",
                                 "reason": "监测1周内首页打不开的次数比例累计超过（含）5%",
                                 "findings": ["u"]}]
    assert deduction(result, "availability.links")["points"] == 2.0
    assert result["total_deduction"] == 2.0
    assert len(result["deductions"]) == len(INDICATORS)


def test_serious_error_candidate_needs_a_reviewer_before_it_vetoes():
    typo = finding("t", "veto.serious_error", "serious_typo")  # needs_review False on purpose
    candidate = card([typo])
    assert candidate["vetoes"] == [] and candidate["verdict"] == "合格"
    assert candidate["awaiting_review"] == ["t"] and candidate["provisional"] is True
    confirmed = card([typo], [review("t", "confirmed", "2026-11-21T10:00:00+08:00")])
    assert [v["id"] for v in confirmed["vetoes"]] == ["veto.serious_error"]
    assert confirmed["verdict"] == "不合格" and confirmed["score"] is None


def test_forty_points_pass_and_forty_point_one_fails():
    forty = [finding("g", "service.guide", "missing_element", units=20)]
    at_limit = card(forty)
    assert at_limit["total_deduction"] == 40.0
    assert at_limit["verdict"] == "合格" and at_limit["score"] == 60.0
    over = card(forty + links(0, 1))
    assert over["total_deduction"] == 40.1
    assert over["verdict"] == "不合格" and over["score"] == 59.9


def test_score_is_floored_at_zero():
    result = card([finding("g", "service.guide", "missing_element", units=60)])
    assert result["total_deduction"] == 120.0
    assert result["score"] == 0.0 and result["verdict"] == "不合格"


def test_latest_review_wins_by_time_not_list_order():
    item = finding("b", "availability.links", "home", needs_review=True)
    reviews = [review("b", "rejected", "2026-11-22T08:00:00+08:00"),
               review("b", "confirmed", "2026-11-21T08:00:00+08:00")]
    result = card([item], reviews)
    assert result["findings"][0]["review"] == "rejected"
    assert result["total_deduction"] == 0
    # offsets are compared as instants: 01:00Z on the 22nd is after 08:00+08:00 (00:00Z)
    reviews.append(review("b", "confirmed", "2026-11-22T01:00:00Z"))
    assert card([item], reviews)["findings"][0]["review"] == "confirmed"


def test_same_inputs_in_any_order_give_the_same_card():
    findings = [*links(3, 4), finding("s", "updates.basic_info", "工作动态"),
                finding("q", "interaction.survey", "few_activities"),
                finding("b", "availability.links", "home", needs_review=True)]
    reviews = [review("b", "confirmed", "2026-11-21T08:00:00+08:00"),
               review("o1", "rejected", "2026-11-21T09:00:00+08:00")]
    expected = json.dumps(card(findings, reviews), ensure_ascii=False)
    rng = random.Random(7)
    for _ in range(5):
        f, r = copy.deepcopy(findings), copy.deepcopy(reviews)
        rng.shuffle(f)
        rng.shuffle(r)
        assert json.dumps(card(f, r), ensure_ascii=False) == expected
    ordered = [(f["indicator"], f["url"], f["id"]) for f in card(findings, reviews)["findings"]]
    assert [o[0] for o in ordered] == sorted((o[0] for o in ordered), key=INDICATORS.index)


def test_original_finding_fields_are_kept_and_inputs_not_mutated():
    evidence = {"status": 404, "anchor_text": "首页"}
    item = finding("h", "availability.links", "home", evidence=evidence)
    before = copy.deepcopy(item)
    (out,) = card([item])["findings"]
    assert item == before
    assert {k: out[k] for k in before} == before
    assert (out["review"], out["counts"], out["points"]) == ("pending", True, 1.0)


def test_findings_still_count_when_their_check_is_marked_unchecked():
    checked = dict(ALL_CHECKED, **{"availability.links": False})
    result = card(links(1, 0), checked=checked)
    links_entry = deduction(result, "availability.links")
    assert links_entry["checked"] is False and links_entry["points"] == 1.0
    assert result["unchecked"] == ["availability.links"] and result["provisional"] is True


def test_malformed_findings_and_reviews_are_rejected_with_clear_errors():
    with pytest.raises(ValueError, match="'homepage'"):
        card([finding("x", "availability.links", "homepage")])
    with pytest.raises(ValueError, match=r"availability\.linkz"):
        card([finding("x", "availability.linkz", "home")])
    with pytest.raises(ValueError, match="duplicate"):
        card(links(1, 0) + links(1, 0))
    with pytest.raises(ValueError, match="verdict"):
        card(links(1, 0), [review("h0", "maybe", "2026-11-21T00:00:00+08:00")])
    with pytest.raises(ValueError, match="as_of"):
        score_card(SITE, [], [], ALL_CHECKED, None)  # type: ignore[arg-type]


def test_card_as_of_is_the_shanghai_date_of_the_instant():
    late_utc = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)  # 04:00 on the 21st in Shanghai
    assert card(as_of=late_utc)["as_of"] == "2026-11-21"
    assert card(as_of=date(2026, 11, 20))["as_of"] == "2026-11-20"


# --- schema -----------------------------------------------------------------------------------

def test_schema_is_valid_and_lists_every_indicator():
    schema = card_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$defs"]["deduction"]["properties"]["id"]["enum"] == list(INDICATORS)
    assert schema["$defs"]["veto"]["properties"]["id"]["enum"] == list(VETOES)


@pytest.mark.parametrize("breakage", [
    lambda c: c.update(verdict="通过"),
    lambda c: c["deductions"].pop(3),
    lambda c: c["deductions"].__setitem__(3, dict(c["deductions"][2])),  # duplicate, one missing
    lambda c: c.update(score="100"),
    lambda c: c.update(final=True),  # provisional card claiming to be final
    lambda c: c["findings"][0].update(review="ok"),
    lambda c: c["findings"][0].update(review="rejected"),  # rejected yet counted
    lambda c: c.pop("unchecked"),
    lambda c: c.update(vetoes=[{"id": "veto.unreachable", "name": "站点无法访问",
                                "reason": "x", "findings": ["h0"]}]),  # veto with a score
])
def test_broken_cards_fail_validation(breakage):
    good = card(links(1, 0), checked={"availability.links": True})
    validate_card(good)
    bad = copy.deepcopy(good)
    breakage(bad)
    with pytest.raises(jsonschema.ValidationError):
        validate_card(bad)


# --- time -------------------------------------------------------------------------------------

def test_table_example_two_months_before_march_first_starts_january_first():
    # 附件2 注: 监测时间点为3月1日，"监测时间点前2个月内"，是指1月1日至3月1日 (59 days in 2015).
    assert within(date(2015, 1, 1), "2015-03-01", 59)
    assert within(date(2015, 3, 1), "2015-03-01", 59)
    assert not within(date(2014, 12, 31), "2015-03-01", 59)
    assert not within(date(2015, 3, 2), "2015-03-01", 59)
    assert window_start("2015-03-01", 59) == as_of_instant("2015-01-01").replace(
        hour=0, minute=0, second=0)


def test_two_week_window_is_inclusive_at_both_ends():
    assert within("2026-11-06", AS_OF, 14)
    assert not within("2026-11-05", AS_OF, 14)
    assert within(datetime(2026, 11, 6, 0, 0), AS_OF, 14)  # naive = Asia/Shanghai
    assert not within(datetime(2026, 11, 5, 23, 59, 59), AS_OF, 14)


def test_as_of_date_means_end_of_day_in_shanghai():
    end = as_of_instant(AS_OF)
    assert end.isoformat() == "2026-11-20T23:59:59+08:00"
    assert as_of_instant(date(2026, 11, 20)) == end
    assert within(datetime(2026, 11, 20, 23, 59, 59), AS_OF, 14)
    assert not within(datetime(2026, 11, 21, 0, 0, 0), AS_OF, 14)
    # 15:59:59Z is 23:59:59 in Shanghai: inside; one second later is the next day
    assert within(datetime(2026, 11, 20, 15, 59, 59, tzinfo=UTC), AS_OF, 14)
    assert not within(datetime(2026, 11, 20, 16, 0, 0, tzinfo=UTC), AS_OF, 14)


def test_naive_and_aware_datetimes_are_read_in_shanghai():
    naive = as_of_instant(datetime(2026, 11, 20, 10, 30))
    assert naive.isoformat() == "2026-11-20T10:30:00+08:00"
    aware = as_of_instant(datetime(2026, 11, 20, 2, 30, tzinfo=UTC))
    assert aware == naive and aware.utcoffset() == timedelta(hours=8)
    assert as_of_instant("2026-11-20T10:30:00").isoformat() == "2026-11-20T10:30:00+08:00"
    now = as_of_instant(None)
    assert now.utcoffset() == timedelta(hours=8)
    # an instant as-of: later the same day is outside the window
    assert not within(datetime(2026, 11, 20, 11, 0), naive, 14)
    assert within(date(2026, 11, 20), naive, 14)


# --- rules file -------------------------------------------------------------------------------

def test_rules_file_has_every_design_id_with_names_and_points():
    rules = load_rules()
    assert [v.id for v in rules.vetoes] == list(VETOES)
    assert [i.id for i in rules.indicators] == list(INDICATORS)
    raw = tomllib.loads((RULES_DIR / "census-2015.toml").read_text(encoding="utf-8"))
    assert set(raw["vetoes"]) == set(VETOES) and set(raw["indicators"]) == set(INDICATORS)
    for entry in rules.all:
        assert entry.name and entry.group and entry.text
        assert entry.reasons if entry.veto else entry.points
    assert {v.group for v in rules.vetoes} == {"单项否决"}
    assert rules.indicator("availability.links").group == "网站可用性"
    assert rules.indicator("service.online_systems").name == "在线系统"


def test_rules_file_carries_the_tables_numbers():
    rules = load_rules()
    basic = rules.indicator("updates.basic_info")
    assert basic.points["通知公告"] == 4.0 and rules.column_windows["通知公告"] == 183
    assert basic.points["政策文件"] == 4.0 and rules.column_windows["政策文件"] == 183
    assert basic.points["工作动态"] == 3.0 and rules.column_windows["工作动态"] == 14
    assert basic.points["规划计划"] == 5.0 and basic.points["人事信息"] == 5.0
    assert basic.points["inaccuracy"] == 1.0
    assert rules.column_window("机构设置及职能") == 365 and rules.column_window("未知") == 365
    assert dict(rules.indicator("availability.links").points) == {"home": 1.0, "other": 0.1}
    assert rules.indicator("availability.homepage").points["per_percent"] == 5.0
    assert rules.indicator("updates.homepage").thresholds["few_items"] == 10
    assert dict(rules.indicator("interaction.survey").thresholds["few_activities"]) == {
        "门户网站": 6, "其他": 3}
    assert rules.indicator("service.online_systems").points["unreachable"] == 3.0
    assert len(rules.indicator("service.guide").params["elements"]) == 8
    assert dict(rules.indicator("veto.columns_stale").thresholds) == {"a": 5, "b": 10, "c": 5}
    unreachable = rules.indicator("veto.unreachable")
    assert unreachable.window_days == 7 and unreachable.thresholds["failure_ratio"] == 0.05
    assert rules.indicator("veto.unresponsive").thresholds["unanswered_days"] == 90
    assert rules.indicator("veto.not_updated").window_days == 14
    assert rules.windows["前6个月内"] == 183 and rules.windows["三个月"] == 90
    assert rules.threshold == 40.0 and rules.full_score == 100.0
    assert load_rules() is rules  # cached


def _raw_rules() -> dict:
    return tomllib.loads((RULES_DIR / "census-2015.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("breakage", "message"), [
    (lambda d: d["indicators"]["availability.links"].update(pointz={}), "pointz"),
    (lambda d: d["indicators"]["availability.links"].pop("points"), "points"),
    (lambda d: d["vetoes"]["veto.unreachable"].pop("name"), "name"),
    (lambda d: d["indicators"].update({"availability.speed": {}}), "availability.speed"),
    (lambda d: d["indicators"].pop("service.guide"), "service.guide"),
    (lambda d: d.update(thresold=40), "thresold"),
    (lambda d: d["indicators"]["updates.homepage"]["points"].update(few_items="5"), "few_items"),
    (lambda d: d["columns"]["windows"].update({"工作动态": 0}), "工作动态"),
])
def test_malformed_rules_are_rejected_naming_the_key(breakage, message):
    parse_rules(_raw_rules(), source="census-2015.toml")  # the pristine file parses
    data = _raw_rules()
    breakage(data)
    with pytest.raises(RulesError, match=message):
        parse_rules(data, source="census-2015.toml")


def test_unknown_rules_name_is_an_error():
    with pytest.raises(RulesError, match="census-2015"):
        load_rules("census-2099")
    with pytest.raises(RulesError):
        load_rules("../etc/passwd")


def test_reviews_of_other_findings_are_ignored():
    result = card(links(1, 0), [review("elsewhere", "rejected", "2026-11-21T08:00:00+08:00")])
    assert result["findings"][0]["review"] == "pending"
    assert deduction(result, "availability.links")["points"] == 1.0


def test_machine_findings_count_at_once_but_the_card_is_final_only_after_review():
    found = [finding("a", "availability.links", "home")]
    before = card(found)
    assert before["total_deduction"] == 1.0 and before["verdict"] == "合格"
    assert before["final"] is False and before["awaiting_review"] == ["a"]
    after = card(found, [review("a", "confirmed", "2026-11-21T10:00:00+08:00")])
    assert after["final"] is True and after["total_deduction"] == 1.0
