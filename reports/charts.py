"""The bars of the per-site report's probe charts, one pair per day of the week before 监测时间点:
the HTML report draws them as SVG, the DOCX report as PNG, from the same report dict."""

from __future__ import annotations


def probe_chart_bars(report: dict) -> list[tuple[str, float]]:
    return [(d["day"][5:], d["probes"]) for d in report["probes"]["days"]]


def probe_fail_bars(report: dict) -> list[tuple[str, float]]:
    return [(d["day"][5:], d["failed"]) for d in report["probes"]["days"]]
