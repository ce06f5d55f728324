"""One clock for people: stored times as a person reads them.

The store and every JSON output keep times in UTC (ISO 8601 strings such as
``2026-12-02T17:30:00+00:00``). Whatever a person reads — the terminal card, the review app, the
reports, warnings — shows them in Beijing time, and says so once per view (``ZONE_NOTE`` as a
header line, or ``ZONE_SUFFIX`` after one time), not after every time.

``beijing`` never raises: None and '' give '', a stored time without an offset is UTC (that is
how the store writes them), a date alone stays a date, and text that is not a time is returned as
it is, so a damaged record still shows what it holds.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
ZONE_NOTE = "时间均为北京时间"
ZONE_SUFFIX = "（北京时间）"
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


def instant(value) -> datetime | None:
    """The aware datetime a stored time stands for (naive = UTC), or None if it is not one."""
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, str) and value.strip() and not _DATE_ONLY.fullmatch(value.strip()):
        try:
            when = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    return when if when.tzinfo and when.utcoffset() is not None else when.replace(tzinfo=UTC)


def beijing(value, *, seconds: bool = False) -> str:
    """A stored time as Beijing time: ``2026-12-03 01:30`` (``…:00`` with seconds)."""
    if value is None or value == "":
        return ""
    when = instant(value)
    if when is None:
        return value.isoformat() if isinstance(value, date) else str(value)
    return when.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def beijing_date(value) -> str:
    """The Beijing calendar day of a stored time (``2026-12-03``); a date alone stays as it is."""
    when = instant(value)
    if when is None:
        return beijing(value)
    return when.astimezone(BEIJING).date().isoformat()


def beijing_short(value) -> str:
    """A stored time as a short Beijing time for a narrow table cell (``12-03 01:30``): the
    report says the year and the zone once, not in every row."""
    when = instant(value)
    if when is None:
        return beijing(value)
    return when.astimezone(BEIJING).strftime("%m-%d %H:%M")
