"""From stored probes to the findings of ``availability.homepage`` and ``veto.unreachable``.

Pure: the card reads the probes of the 7 days before as-of from the store (``load_probes`` in
probes/probe.py, beside the prober that stores them) and ``probe_findings`` turns them into
findings, checked flags and the figures behind them.

* failure ratio = failed probes / probes in the window (exact fractions, no float rounding);
* ``veto.unreachable`` fires at ≥ the table's failure_ratio (5 %);
* below that, ``availability.homepage`` costs 5 points per FULL 1 %: units = ⌊failed × 100 / probes⌋
  (4.99 % → 4 units, exactly 1 % → 1 unit, 0.99 % → nothing);
* fewer than the table's probes_per_day × window_days (20 × 7 = 140) is "insufficient
  monitoring": both checks stay unchecked with the same reason (facts ``note``) and neither gives
  a finding — no veto and no points from evidence the table does not accept (DESIGN.md "No
  verdict without evidence"); the facts still say what the probes saw (count, failures, errors).

The window, the probes a day and the ratio are read from the rules (census-2015.toml,
``veto.unreachable``).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from fractions import Fraction
from typing import Any

from xunjian.inspectors import finding_id
from xunjian.scoring import load_rules
from xunjian.scoring.time import as_of_instant, within

POINTS_RULE = "per_percent"
VETO_RULE = "probe_failures"
HOMEPAGE = "availability.homepage"
UNREACHABLE = "veto.unreachable"
MAX_LISTED = 20  # failed probes listed as evidence (most recent first)


def table() -> tuple[int, int, Fraction]:
    """(window days, probes a day, failure ratio that fires the veto) of the rules."""
    veto = load_rules().indicator(UNREACHABLE)
    return (int(veto.window_days or 7), int(veto.params["probes_per_day"]),
            Fraction(str(veto.thresholds["failure_ratio"])))


def window_probes(probes: list[dict], as_of: Any) -> list[dict]:
    """Probes whose time lies in the 7-day window up to as-of (both ends inclusive)."""
    window_days = table()[0]
    kept = []
    for probe in probes:
        when = probe.get("time")
        try:
            if when and within(datetime.fromisoformat(when), as_of, window_days):
                kept.append(probe)
        except (TypeError, ValueError):
            continue
    return kept


def probe_findings(
    probes: list[dict], site: dict, as_of: Any
) -> tuple[list[dict], dict[str, bool], dict[str, Any]]:
    """(findings, checked flags, facts) for availability.homepage and veto.unreachable."""
    code = str(site.get("code") or "")
    url = str(site.get("url") or "")
    inside = window_probes(probes, as_of)
    total = len(inside)
    failed = [p for p in inside if not p.get("ok")]
    window_days, per_day_needed, ratio = table()
    needed = per_day_needed * window_days
    per_day = Counter(as_of_instant(p["time"]).date().isoformat() for p in inside)
    facts: dict[str, Any] = {
        "window_days": window_days,
        "probes": total,
        "failed": len(failed),
        "failure_percent": round(len(failed) * 100 / total, 2) if total else None,
        "probes_needed": needed,
        "per_day": dict(sorted(per_day.items())),
        "errors": dict(Counter(str(p.get("error")) for p in failed).most_common()),
        "sufficient": total >= needed,
    }
    if total == 0:
        facts["note"] = "监测1周内没有首页访问探测记录，无法评价首页可用性"
    elif total < needed:
        facts["note"] = (f"监测不足：1周内仅有{total}次探测（表中要求每天{per_day_needed}次以上，"
                         f"共{needed}次），不足以评价首页可用性")
    checked = {HOMEPAGE: total >= needed, UNREACHABLE: total >= needed}
    if not failed or not facts["sufficient"]:
        return [], checked, facts

    full_percent = len(failed) * 100 // total
    shots = [p for p in reversed(failed) if p.get("screenshot")]
    shot = next((p for p in shots if not p.get("screenshot_blank")), shots[0] if shots else None)
    evidence = {
        "probes": total,
        "failed": len(failed),
        "failure_percent": facts["failure_percent"],
        "window_days": window_days,
        "as_of": as_of_instant(as_of).isoformat(),
        "errors": facts["errors"],
        "failures": [
            {k: p.get(k) for k in ("time", "status", "error", "elapsed_ms", "screenshot",
                                   "screenshot_blank", "id")}
            for p in sorted(failed, key=lambda p: as_of_instant(p["time"]), reverse=True)[
                :MAX_LISTED]
        ],
        # the latest picture that shows something, else the latest (marked blank)
        "screenshot": shot["screenshot"] if shot else None,
        "screenshot_blank": bool(shot and shot.get("screenshot_blank")),
        "sufficient": facts["sufficient"],
    }
    percent_text = f"{facts['failure_percent']:g}%"
    if Fraction(len(failed), total) >= ratio:
        finding = {
            "id": finding_id(code, UNREACHABLE, "unreachable", url),
            "site": code, "indicator": UNREACHABLE, "kind": "unreachable", "rule": VETO_RULE,
            "url": url, "page": url, "needs_review": False,
            "detail": f"监测1周共探测{total}次，首页打不开{len(failed)}次，比例{percent_text}，"
                      f"超过（含）{float(ratio * 100):g}%",
            "evidence": evidence,
        }
        return [finding], checked, facts
    if full_percent < 1:
        return [], checked, facts
    finding = {
        "id": finding_id(code, HOMEPAGE, "homepage_failures", url),
        "site": code, "indicator": HOMEPAGE, "kind": "homepage_failures", "rule": POINTS_RULE,
        "units": full_percent, "url": url, "page": url, "needs_review": False,
        "detail": f"监测1周共探测{total}次，首页打不开{len(failed)}次，比例{percent_text}，"
                  f"按每1%扣5分计{full_percent}个1%",
        "evidence": evidence,
    }
    return [finding], checked, facts

