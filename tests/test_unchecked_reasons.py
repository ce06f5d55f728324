"""Why an indicator went unchecked reads the same in the terminal (English) and in the site
report (Chinese): one reason code and its facts, two sentences — no translation of sentences."""

from __future__ import annotations

from xunjian.reports.text import REASONS, unchecked_reasons

CARD = {"unchecked": ["veto.unreachable", "veto.serious_error", "updates.basic_info",
                      "availability.links"],
        "facts": {"unchecked_reasons": {"availability.links": "链接检查被中止: 5 个页面未打开"}}}


def test_a_stopped_inspection_says_so_in_both_languages() -> None:
    inspection = {"status": "interrupted", "serious": {"candidates": 3, "pages": 41},
                  "freshness": True}
    en = unchecked_reasons(CARD, inspection)
    zh = unchecked_reasons(CARD, inspection, language="zh")
    assert list(en) == list(zh) == CARD["unchecked"]
    assert en["updates.basic_info"] == ("the inspection interrupted before this indicator "
                                        "was checked")
    assert zh["updates.basic_info"] == "本次检查在检查该指标之前已中断"
    assert en["veto.serious_error"].startswith("3 machine candidates on 41 pages await a reviewer")
    assert zh["veto.serious_error"] == "机器在41个页面中发现3条候选问题，待人工复核；确认后单项否决"
    assert zh["veto.unreachable"].startswith("监测时间点前7天内首页探测次数不足")
    # a reason stored with the facts is shown as it was written, in both
    assert en["availability.links"] == zh["availability.links"] == "链接检查被中止: 5 个页面未打开"


def test_an_unreachable_homepage_and_a_scan_without_candidates() -> None:
    inspection = {"status": "done", "home": {"status": 503}, "serious": {"candidates": 0,
                                                                         "pages": 7}}
    card = {"unchecked": ["service.guide", "veto.serious_error"]}
    zh = unchecked_reasons(card, inspection, language="zh")
    assert zh["service.guide"] == "首页无法访问：HTTP 503"
    assert zh["veto.serious_error"] == "机器在7个页面中未发现候选问题；严重错误只能由人工排除"
    assert unchecked_reasons(card, inspection)["service.guide"] == "首页无法访问: HTTP 503"


def test_every_reason_has_both_sentences_with_the_same_facts() -> None:
    import string
    for code, (en, zh) in REASONS.items():
        fields = {f for _, f, _, _ in string.Formatter().parse(en) if f}
        fields_zh = {f for _, f, _, _ in string.Formatter().parse(zh) if f}
        assert fields_zh - {"status_zh"} <= fields | {"status_zh"}, code
        assert en and zh, code
