"""The ``--as-of`` option of the commands (监测时间点): a calendar date, default today in Beijing.

Shared by every command that takes one (``xunjian inspect``, ``report …``, ``queue enqueue``);
light on purpose, the command line imports it at start-up."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import click

SHANGHAI = ZoneInfo("Asia/Shanghai")


def today() -> str:
    return datetime.now(SHANGHAI).date().isoformat()


def parse_as_of(value: str | None) -> str:
    """``YYYY-MM-DD`` of the option's date (today when not given); a usage error otherwise."""
    if value is None:
        return today()
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-20",
                                 param_hint="--as-of") from None
