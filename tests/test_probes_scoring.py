"""Failure percentage, points and the veto from probes; boundaries of the 7-day window."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from xunjian.probes.probe import load_probes
from xunjian.probes.scoring import HOMEPAGE, UNREACHABLE, probe_findings
from xunjian.scoring import load_rules, score_card
from xunjian.storage import EmbeddedStore

SH = ZoneInfo("Asia/Shanghai")
AS_OF = "2026-11-20"
SITE = {"code": "4401000001", "name": "测试网站", "url": "http://www.example.gov.cn/"}


def make_probes(total: int, failed: int, start: datetime | None = None) -> list[dict]:
    """`total` probes spread over the 7 days before as-of, the first `failed` of them failed."""
    start = start or datetime(2026, 11, 14, 0, 0, tzinfo=SH)
    step = timedelta(days=7) / total
    return [{"site": SITE["code"], "time": (start + step * n).isoformat(), "ok": n >= failed,
             "status": 200 if n >= failed else None, "elapsed_ms": 100,
             "error": None if n >= failed else "timeout"} for n in range(total)]


def card(findings, checked):
    return score_card(site=SITE, findings=findings, reviews=[], checked=checked, as_of=AS_OF)


def points(card_doc) -> float:
    return next(d["points"] for d in card_doc["deductions"] if d["id"] == HOMEPAGE)


@pytest.mark.parametrize(("total", "failed", "units", "veto"), [
    (10000, 499, 4, False),  # 4.99 %: four full percent, no veto
    (140, 7, None, True),  # exactly 5 %: veto
    (200, 2, 1, False),  # exactly 1 %
    (200, 4, 2, False),  # 2 %
    (10000, 99, None, False),  # 0.99 %: not a full percent
    (10000, 199, 1, False),  # 1.99 %
    (140, 0, None, False),
])
def test_boundaries(total: int, failed: int, units: int | None, veto: bool) -> None:
    findings, checked, facts = probe_findings(make_probes(total, failed), SITE, AS_OF)
    assert checked == {HOMEPAGE: True, UNREACHABLE: True}
    assert facts["probes"] == total and facts["failed"] == failed and facts["sufficient"]
    result = card(findings, checked)
    vetoed = [v["id"] for v in result["vetoes"]]
    if veto:
        assert vetoed == [UNREACHABLE]
        assert [f["indicator"] for f in findings] == [UNREACHABLE]
        assert points(result) == 0
    else:
        assert vetoed == []
        assert points(result) == 5.0 * (units or 0)
        if units:
            assert findings[0]["units"] == units and findings[0]["rule"] == "per_percent"
        else:
            assert findings == []


def test_evidence_lists_failures_and_screenshot() -> None:
    probes = make_probes(140, 7)
    probes[3]["screenshot"] = "ab" * 32
    findings, _, facts = probe_findings(probes, SITE, AS_OF)
    evidence = findings[0]["evidence"]
    assert evidence["probes"] == 140 and evidence["failed"] == 7
    assert evidence["failure_percent"] == 5.0
    assert evidence["errors"] == {"timeout": 7}
    assert evidence["screenshot"] == "ab" * 32
    assert len(evidence["failures"]) == 7
    assert "140" in findings[0]["detail"] and "5%" in findings[0]["detail"]
    assert facts["failure_percent"] == 5.0


def test_insufficient_monitoring_is_said_not_pretended() -> None:
    findings, checked, facts = probe_findings(make_probes(100, 10), SITE, AS_OF)
    assert checked == {HOMEPAGE: False, UNREACHABLE: False}  # the card stays provisional
    assert not facts["sufficient"] and "监测不足" in facts["note"] and "100" in facts["note"]
    # issue 19 §5: 10 % of 100 probes fired the veto although it was unchecked; now neither the
    # veto nor the points come from too few probes — what was seen stays in the facts
    assert findings == []
    assert facts["failed"] == 10 and facts["errors"] == {"timeout": 10}
    result = card(findings, checked)
    assert result["final"] is False and result["vetoes"] == []
    assert UNREACHABLE in result["unchecked_vetoes"]


def week(total: int, failed: int) -> list[dict]:
    """``total`` probes spread evenly over the 7 days before as-of, every ``total // failed``-th
    one failed (failures scattered over the week, not bunched at its start)."""
    start = datetime(2026, 11, 13, 0, 5, tzinfo=SH)
    step = (timedelta(days=8) - timedelta(minutes=10)) / total
    every = total // failed if failed else total + 1
    return [{"site": SITE["code"], "time": (start + step * n).isoformat(),
             "ok": not (failed and n % every == every - 1 and n // every < failed),
             "status": None, "elapsed_ms": 15000, "error": "timeout"} for n in range(total)]


def test_three_failed_probes_do_not_fire_the_veto() -> None:
    findings, checked, facts = probe_findings(week(3, 3), SITE, AS_OF)
    assert checked == {HOMEPAGE: False, UNREACHABLE: False}
    assert findings == []  # no finding that would fire the veto or cost points
    assert facts["failed"] == 3 and facts["note"].startswith("监测不足：1周内仅有3次探测")
    card = score_card(SITE, findings, [], checked, AS_OF)
    assert card["vetoes"] == [] and UNREACHABLE in card["unchecked_vetoes"]


@pytest.mark.parametrize(("total", "failed", "fires"), [
    (140, 7, True),  # 20 a day, exactly 5 %
    (161, 9, True),  # 23 a day, 5.6 %
    (161, 8, False),  # 4.97 %
    (139, 139, False),  # one probe short of the table: unchecked, however many failed
])
def test_a_full_probe_week_still_fires_the_veto(total, failed, fires) -> None:
    probes = week(total, failed)
    assert sum(not p["ok"] for p in probes) == failed
    findings, checked, _ = probe_findings(probes, SITE, AS_OF)
    assert checked[UNREACHABLE] is (total >= 140)
    card = score_card(SITE, findings, [], {e.id: True for e in load_rules().all} | checked, AS_OF)
    assert [v["id"] for v in card["vetoes"]] == ([UNREACHABLE] if fires else [])
    assert card["verdict"] == ("不合格" if fires else "合格")
    assert card["unchecked_vetoes"] == ([] if total >= 140 else [UNREACHABLE])


def test_no_probes() -> None:
    findings, checked, facts = probe_findings([], SITE, AS_OF)
    assert findings == [] and not any(checked.values())
    assert facts["probes"] == 0 and facts["failure_percent"] is None and facts["note"]


def test_window_edges(tmp_path) -> None:
    inside_first = datetime(2026, 11, 13, 0, 0, tzinfo=SH)  # as-of date − 7, 00:00 (inclusive)
    before = inside_first - timedelta(seconds=1)
    last = datetime(2026, 11, 20, 23, 59, 59, tzinfo=SH)  # the as-of instant itself
    after = last + timedelta(seconds=1)
    probes = [{"site": SITE["code"], "time": t.isoformat(), "ok": False, "error": "timeout"}
              for t in (before, inside_first, last, after)]
    _, _, facts = probe_findings(probes, SITE, AS_OF)
    assert facts["probes"] == 2
    with EmbeddedStore(tmp_path / "s") as store:
        store.insert_many("probes", probes)
        store.insert("probes", {"site": "other", "time": last.isoformat(), "ok": True})
        loaded = load_probes(store, SITE["code"], AS_OF)
    assert [p["time"] for p in loaded] == [inside_first.isoformat(), last.isoformat()]


def test_the_card_for_wiring(tmp_path) -> None:
    """What card_for does with probes: stored probes → findings, checks and facts on the card."""
    from xunjian.probes import probe_findings as find
    from xunjian.probes.probe import load_probes as load
    from xunjian.scoring import validate_card

    with EmbeddedStore(tmp_path / "s") as store:
        store.upsert_site(SITE)
        store.insert_many("probes", make_probes(280, 5))  # 1.79 %: one full percent
        site = store.get_site(SITE["code"])
        found, checked, facts = find(load(store, SITE["code"], AS_OF), site, AS_OF)
    result = score_card(site=site, findings=found, reviews=[],
                        checked={"availability.links": True, **checked}, as_of=AS_OF,
                        facts={"probes": facts})
    validate_card(result)
    assert points(result) == 5.0
    assert result["facts"]["probes"]["probes"] == 280
    assert next(d for d in result["deductions"] if d["id"] == HOMEPAGE)["checked"] is True
