"""The monitoring time point (监测时间点) and the table's "监测时间点前××内" windows.

DESIGN.md "Time": ``--as-of`` is the monitoring time point; a date means its end, 23:59:59
Asia/Shanghai; default now. Windows are whole days: "前2周内" = 14, "前6个月内" = 183,
"前1年内" = 365, "三个月" = 90, probes "监测1周" = 7.

Window boundaries follow the table's own note (附件2, 注): "监测时间点前××(时间)内，是指自监测日期前
倒退××(时间)至监测时间点的时期。例如，监测时间点为3月1日，'监测时间点前2个月内'，是指1月1日至3月1日。"
So the window of ``days`` days up to as-of runs from the START of the calendar day
``as_of_date − days`` (00:00:00 Asia/Shanghai) to the as-of instant, BOTH ENDS INCLUSIVE:

* a date ``d`` is within when ``as_of_date − days <= d <= as_of_date``
  (as-of 2015-03-01, 59 days = 2 months → 2015-01-01 … 2015-03-01);
* an instant ``t`` is within when ``window_start(as_of, days) <= t <= as_of_instant(as_of)``;
  anything after the monitoring time point is outside.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from datetime import time as clock
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Moment = date | datetime | str


def as_of_instant(value: Moment | None = None) -> datetime:
    """The monitoring time point as an aware datetime in Asia/Shanghai.

    ``None`` → now; a ``date`` or ``'YYYY-MM-DD'`` → that day at 23:59:59 Asia/Shanghai; an aware
    datetime (or ISO string with an offset) → converted to Asia/Shanghai; a naive datetime (or ISO
    string without an offset) → read as Asia/Shanghai wall-clock time.
    """
    if value is None:
        return datetime.now(SHANGHAI)
    if isinstance(value, str):
        value = _parse(value)
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return value.replace(tzinfo=SHANGHAI)
        return value.astimezone(SHANGHAI)
    if isinstance(value, date):
        return datetime.combine(value, clock(23, 59, 59), SHANGHAI)
    kind = type(value).__name__
    raise TypeError(f"as-of must be a date, datetime, ISO string or None, not {kind}")


def as_of_date(value: Moment | None = None) -> date:
    """The calendar date (Asia/Shanghai) of the monitoring time point."""
    return as_of_instant(value).date()


def window_start(as_of: Moment | None, days: int) -> datetime:
    """First instant of the ``days``-day window up to ``as_of``: 00:00:00 of (as-of date − days)."""
    _check_days(days)
    start = as_of_instant(as_of).date() - timedelta(days=days)
    return datetime.combine(start, clock.min, SHANGHAI)


def within(value: Moment, as_of: Moment | None, days: int) -> bool:
    """Whether a date or instant lies in the ``days``-day window up to ``as_of`` (inclusive).

    A ``date`` (or ``'YYYY-MM-DD'``) is compared by calendar day; a datetime (naive = Asia/Shanghai)
    by instant. See the module docstring for the boundary rule and the table's example.
    """
    _check_days(days)
    end = as_of_instant(as_of)
    if isinstance(value, str):
        value = _parse(value)
    if isinstance(value, datetime):
        instant = as_of_instant(value)
        return window_start(end, days) <= instant <= end
    if isinstance(value, date):
        return end.date() - timedelta(days=days) <= value <= end.date()
    raise TypeError(f"expected a date, datetime or ISO string, not {type(value).__name__}")


def _parse(text: str) -> date | datetime:
    text = text.strip()
    try:
        if _DATE_RE.match(text):
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not an ISO date or datetime: {text!r}") from None


def _check_days(days: int) -> None:
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ValueError(f"window must be a whole number of days >= 0, got {days!r}")
