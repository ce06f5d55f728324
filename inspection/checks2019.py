"""The 2019 checklist's facts → findings: how each area plugs into the card of a stored inspection.

A card scored under ``checklist-2019`` (``card_for(..., rules="checklist-2019")``) is built from
what the same crawl stored for census-2015 plus the facts only 2019 needs (page footers and meta
tags, the site search, IPv6, forms, …). Each area of the table has one *deriver*: a function of a
:class:`Context` that reads what it needs from the store and returns a :class:`Derived` — its
findings (``indicator`` a 2019 id, ``rule`` a key of that indicator's ``points`` or ``reasons`` in
``scoring/rules/checklist-2019.toml``), which indicators it checked, why the others were not, and
the figures behind them. The derivers' own logic is pure and lives in ``inspectors/``; a deriver
only reads the store and calls it.

``DERIVERS`` lists the deriver modules by name; each has ``derive(ctx) -> Derived``. An indicator
that no deriver checked stays ``checked: false`` on the card with its reason — never a silent 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from importlib import import_module
from typing import Any


@dataclass
class Context:
    """What a deriver may read: the store, the stored inspection and site, the as-of and rules."""

    store: Any
    inspection: dict
    site: dict
    as_of: Any
    rules: Any  # xunjian.scoring.rules.Rules of checklist-2019

    @property
    def id(self) -> str:
        return self.inspection["id"]

    @cached_property
    def pages(self) -> list[dict]:
        """The inspection's crawled pages (read once, shared by every deriver)."""
        return self.store.pages(self.id)

    def find(self, collection: str, **equals) -> list[dict]:
        """Documents of ``collection`` stored by this inspection."""
        return self.store.find(collection, inspection=self.id, **equals)


@dataclass
class Derived:
    """A deriver's answer. ``checked``: indicator id → whether its check ran on this inspection;
    ``reasons``: indicator id → why it was not checked (a sentence a reviewer reads)."""

    findings: list[dict] = field(default_factory=list)
    checked: dict[str, bool] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)

    def merge(self, other: Derived) -> Derived:
        return Derived(self.findings + other.findings, {**self.checked, **other.checked},
                       {**self.reasons, **other.reasons}, {**self.facts, **other.facts})


#: The deriver modules, each with ``derive(ctx: Context) -> Derived``; one line per area.
DERIVERS: tuple[str, ...] = (
    "xunjian.inspection.c2019_translate",  # what the 2015 crawl already stores, 2019's way
    "xunjian.inspection.c2019_design",  # design.marks/page_tags/report_errors/domain, 解读关联
    "xunjian.inspection.c2019_active",  # design.search, design.ipv6, interaction.submit
    "xunjian.inspection.c2019_service",  # service.*, interaction.published, two vetoes
)


def derivers() -> list[Callable[[Context], Derived]]:
    return [import_module(name).derive for name in DERIVERS]


def derive_all(ctx: Context) -> Derived:
    """Every area's findings, checks, reasons and facts for one stored inspection."""
    result = Derived()
    for derive in derivers():
        result = result.merge(derive(ctx))
    return result
