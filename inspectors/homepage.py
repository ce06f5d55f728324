"""An unreachable homepage: what the inspection saw, and which indicators it could not check.

The homepage is the only way to judge some indicators (its own updates, the links on it, the
columns its navigation leads to). When it hung, looped, reset, answered an error or showed a bad
certificate through every try, those indicators are *unchecked* with the reason — never a veto
or deduction built on a page nobody could see. Registered columns were still inspected on their
own URLs, so indicators whose columns are known without the homepage stay checked.

Pure: stored facts in, a state and {indicator: reason} out. (Availability itself —
availability.homepage, veto.unreachable — is the probes' business, not the inspection's.)
"""

from __future__ import annotations

from xunjian.base.errors import plain_reason
from xunjian.inspectors.interaction import CONSULTATION, INTERVIEW, SURVEY
from xunjian.inspectors.service import GUIDE_TYPE, SYSTEM_TYPE

UNREACHABLE = "首页无法访问"

#: Indicators read from the homepage itself.
FROM_HOMEPAGE = ("availability.links", "updates.homepage", "veto.not_updated")
#: Column type → indicators judged from columns of that type (found in the registry or, when
#: the registry does not list one, in the homepage's navigation).
FROM_COLUMNS = {
    CONSULTATION: ("interaction.consultation", "veto.unresponsive"),
    SURVEY: ("interaction.survey",),
    INTERVIEW: ("interaction.interview",),
    GUIDE_TYPE: ("service.guide", "service.attachments"),
    SYSTEM_TYPE: ("service.online_systems",),
}


def homepage_state(pages: list[dict]) -> dict:
    """{"reachable", "url", "status", "error", "at", "screenshot", "attempts"} of the crawl."""
    home = next((p for p in pages if p.get("is_home")), None)
    if home is None:
        return {"reachable": False, "url": None, "status": None,
                "error": "the homepage was not fetched", "at": None, "screenshot": None,
                "attempts": []}
    status = home.get("status")
    error = home.get("error") or (f"HTTP {status}" if (status or 0) >= 400 else None)
    return {"reachable": error is None and status is not None, "url": home.get("url"),
            "status": status, "error": error, "at": home.get("fetched_at"),
            "screenshot": home.get("screenshot"), "attempts": home.get("attempts") or []}


def short_error(error: str | None) -> str:
    """The browser's error in a few plain words, its code kept: 连接被重置 (ERR_CONNECTION_RESET),
    页面加载超时 (Timeout 30000ms), HTTP 503 (xunjian.base.errors)."""
    return (plain_reason(error) or "unknown error")[:160]


def unreachable_reason(state: dict) -> str:
    tries = len(state.get("attempts") or []) or 1
    return (f"{UNREACHABLE}（{short_error(state.get('error'))}，{state.get('at')}，"
            f"共试 {tries} 次）")


def homepage_gaps(state: dict, column_pages: list[dict], system_pages: list[dict]) -> dict:
    """{indicator: reason} of the indicators an unreachable homepage leaves unchecked."""
    if state.get("reachable"):
        return {}
    reason = unreachable_reason(state)
    gaps = dict.fromkeys(FROM_HOMEPAGE, reason)
    known = {(p.get("column") or {}).get("type") for p in [*column_pages, *system_pages]}
    for kind, indicators in FROM_COLUMNS.items():
        if kind not in known:
            for indicator in indicators:
                gaps[indicator] = f"{reason}：未登记{kind}，只能从首页导航发现"
    return gaps


def without_gaps(findings: list[dict], gaps: dict) -> list[dict]:
    """Machine findings minus those of unchecked indicators (no veto or deduction from them)."""
    return [f for f in findings if f.get("indicator") not in gaps]
