"""The few names the inspection's stages share: the runner (run.py), the finishing stage
(finish.py, extension.py) and the card (card.py) import them from here, so none of them
imports another for them (no circle between the runner and the finishing)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

#: Called as progress(stage, done, total) — total None while unknown.
Progress = Callable[[str, int, "int | None"], None]


class InspectionError(RuntimeError):
    """An inspection could not run; the message says why and what to do."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
