"""The scoring table as data: load and validate ``scoring/rules/<name>.toml``.

The TOML file is the single place where the table's windows, thresholds and points live; its header
comment explains the keys. This module parses it into frozen :class:`Rules` and rejects anything it
does not understand (unknown keys, missing names or points, unknown or missing indicator ids) with
an error naming the file and the key.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

#: Deduction indicator ids, in the table's order (every one appears in a card's ``deductions``).
INDICATORS: tuple[str, ...] = (
    "availability.homepage",
    "availability.links",
    "updates.homepage",
    "updates.basic_info",
    "interaction.consultation",
    "interaction.survey",
    "interaction.interview",
    "service.guide",
    "service.attachments",
    "service.online_systems",
    "content.privacy",  # 内容安全: personal data on pages and attachments (0 points here)
)

#: Veto (单项否决) ids, in the table's order.
VETOES: tuple[str, ...] = (
    "veto.unreachable",
    "veto.not_updated",
    "veto.columns_stale",
    "veto.serious_error",
    "veto.unresponsive",
)

RULES_DIR = Path(__file__).with_name("rules")

_TOP_REQUIRED = {"name", "title", "source", "full_score", "threshold", "windows", "columns",
                 "vetoes", "indicators"}
_TOP_KEYS = _TOP_REQUIRED | {"note", "probes_only"}
_ENTRY_COMMON = {"group", "name", "text", "reasons", "window_days", "thresholds", "params",
                 "review_required"}
_VETO_KEYS = _ENTRY_COMMON
_DEDUCTION_KEYS = _ENTRY_COMMON | {"points"}
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9.-]*$")


class RulesError(ValueError):
    """A rules file is malformed; the message names the file and the offending key."""


@dataclass(frozen=True)
class Indicator:
    """One row of the table: a veto (``veto`` true) or a deduction indicator."""

    id: str
    veto: bool
    group: str  # 一级指标
    name: str  # 二级指标
    text: str  # 扣分细则, as worded in the table
    points: Mapping[str, float]  # rule → points (empty for vetoes)
    reasons: Mapping[str, str]  # rule → wording (every veto rule; optional for deductions)
    window_days: int | None
    thresholds: Mapping[str, Any]
    params: Mapping[str, Any]
    review_required: bool

    @property
    def rules(self) -> tuple[str, ...]:
        """The rule keys a finding of this indicator may name."""
        return tuple(self.reasons if self.veto else self.points)

    def rule_points(self, rule: str) -> float:
        """Points of one application of ``rule``; ValueError naming an unknown rule."""
        if rule not in self.points:
            raise ValueError(
                f"unknown rule {rule!r} for indicator {self.id!r} "
                f"(known: {', '.join(self.rules)})"
            )
        return self.points[rule]


@dataclass(frozen=True)
class Rules:
    """A parsed, validated rules file."""

    name: str
    title: str
    source: str
    note: str
    full_score: float
    threshold: float  # total deduction strictly above this → 不合格
    windows: Mapping[str, int]  # named windows, e.g. "前6个月内" → 183
    column_windows: Mapping[str, int]  # 栏目类型 → days
    vetoes: tuple[Indicator, ...]
    indicators: tuple[Indicator, ...]
    #: ids decided by homepage probes alone: a card checked on nothing else is 未评分
    probes_only: tuple[str, ...] = ()

    @property
    def all(self) -> tuple[Indicator, ...]:
        """Vetoes then deduction indicators, in table order."""
        return self.vetoes + self.indicators

    def indicator(self, indicator_id: str) -> Indicator:
        """The veto or deduction indicator with this id; ValueError when unknown."""
        for entry in self.all:
            if entry.id == indicator_id:
                return entry
        raise ValueError(f"unknown indicator {indicator_id!r} in rules {self.name!r}")

    def column_window(self, column_type: str) -> int:
        """Days after which a column of this 栏目类型 is stale (unknown types use 其他)."""
        return self.column_windows.get(column_type, self.column_windows["其他"])


@cache
def load_rules(name: str = "census-2015") -> Rules:
    """Load, validate and cache ``scoring/rules/<name>.toml``."""
    if not _NAME_RE.match(name):
        raise RulesError(f"bad rules name {name!r}")
    path = RULES_DIR / f"{name}.toml"
    if not path.is_file():
        known = sorted(p.stem for p in RULES_DIR.glob("*.toml"))
        raise RulesError(f"no rules named {name!r} (known: {', '.join(known)})")
    with path.open("rb") as fh:
        try:
            data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise RulesError(f"{path.name}: {exc}") from exc
    rules = parse_rules(data, source=path.name)
    if rules.name != name:
        raise RulesError(f"{path.name}: name is {rules.name!r}, expected {name!r}")
    return rules


def parse_rules(data: Mapping[str, Any], source: str = "<rules>") -> Rules:
    """Validate a parsed rules document and build :class:`Rules`; RulesError on any problem."""
    check = _Checker(source)
    check.keys(data, "", _TOP_KEYS, _TOP_REQUIRED)
    columns = check.table(data["columns"], "columns")
    check.keys(columns, "columns", {"windows"}, {"windows"})
    column_windows = check.day_map(columns["windows"], "columns.windows")
    if "其他" not in column_windows:
        raise RulesError(f"{source}: columns.windows: needs an entry for '其他'")
    return Rules(
        name=check.text(data["name"], "name"),
        title=check.text(data["title"], "title"),
        source=check.text(data["source"], "source"),
        note=check.text(data.get("note", ""), "note", empty=True),
        full_score=check.number(data["full_score"], "full_score"),
        threshold=check.number(data["threshold"], "threshold"),
        windows=check.day_map(data["windows"], "windows"),
        column_windows=column_windows,
        vetoes=check.entries(data["vetoes"], "vetoes", VETOES, veto=True),
        indicators=check.entries(data["indicators"], "indicators", INDICATORS, veto=False),
        probes_only=check.ids(data.get("probes_only", []), "probes_only"),
    )


class _Checker:
    """Validation helpers that raise RulesError prefixed with the file and key path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> RulesError:
        return RulesError(f"{self.source}: {where or '(top level)'}: {message}")

    def keys(self, table: Mapping[str, Any], where: str, allowed: set[str],
             required: set[str]) -> None:
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise self.fail(where, f"unknown key(s) {', '.join(map(repr, unknown))} "
                                   f"(allowed: {', '.join(sorted(allowed))})")
        missing = sorted(required - set(table))
        if missing:
            raise self.fail(where, f"missing key(s) {', '.join(map(repr, missing))}")

    def table(self, value: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected a table, got {type(value).__name__}")
        return value

    def text(self, value: Any, where: str, empty: bool = False) -> str:
        if not isinstance(value, str) or (not empty and not value.strip()):
            raise self.fail(where, "expected a non-empty string")
        return value

    def number(self, value: Any, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise self.fail(where, f"expected a non-negative number, got {value!r}")
        return float(value)

    def days(self, value: Any, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise self.fail(where, f"expected a positive whole number of days, got {value!r}")
        return value

    def ids(self, value: Any, where: str) -> tuple[str, ...]:
        if not isinstance(value, list) or any(v not in VETOES + INDICATORS for v in value):
            raise self.fail(where, f"expected a list of indicator ids, got {value!r}")
        return tuple(value)

    def day_map(self, value: Any, where: str) -> Mapping[str, int]:
        table = self.table(value, where)
        return MappingProxyType({k: self.days(v, f"{where}.{k}") for k, v in table.items()})

    def entries(self, value: Any, where: str, ids: tuple[str, ...],
                veto: bool) -> tuple[Indicator, ...]:
        table = self.table(value, where)
        unknown = sorted(set(table) - set(ids))
        if unknown:
            raise self.fail(where, f"unknown indicator id(s) {', '.join(map(repr, unknown))}")
        missing = [i for i in ids if i not in table]
        if missing:
            raise self.fail(where, f"missing indicator id(s) {', '.join(map(repr, missing))}")
        return tuple(self.entry(i, table[i], f"{where}.{i}", veto) for i in ids)

    def entry(self, ident: str, value: Any, where: str, veto: bool) -> Indicator:
        table = self.table(value, where)
        required = {"group", "name", "text", "reasons" if veto else "points"}
        self.keys(table, where, _VETO_KEYS if veto else _DEDUCTION_KEYS, required)
        points: dict[str, float] = {}
        if not veto:
            raw = self.table(table["points"], f"{where}.points")
            points = {k: self.number(v, f"{where}.points.{k}") for k, v in raw.items()}
            if not points:
                raise self.fail(f"{where}.points", "needs at least one rule")
        raw_reasons = self.table(table.get("reasons", {}), f"{where}.reasons")
        reasons = {k: self.text(v, f"{where}.reasons.{k}") for k, v in raw_reasons.items()}
        if veto and not reasons:
            raise self.fail(f"{where}.reasons", "needs at least one rule")
        if not veto and set(reasons) - set(points):
            extra = sorted(set(reasons) - set(points))
            raise self.fail(f"{where}.reasons", f"rule(s) without points: {', '.join(extra)}")
        window = table.get("window_days")
        review_required = table.get("review_required", False)
        if not isinstance(review_required, bool):
            raise self.fail(f"{where}.review_required", "expected true or false")
        return Indicator(
            id=ident,
            veto=veto,
            group=self.text(table["group"], f"{where}.group"),
            name=self.text(table["name"], f"{where}.name"),
            text=self.text(table["text"], f"{where}.text"),
            points=MappingProxyType(points),
            reasons=MappingProxyType(reasons),
            window_days=None if window is None else self.days(window, f"{where}.window_days"),
            thresholds=self.thresholds(table.get("thresholds", {}), f"{where}.thresholds"),
            params=_freeze(self.table(table.get("params", {}), f"{where}.params")),
            review_required=review_required,
        )

    def thresholds(self, value: Any, where: str) -> Mapping[str, Any]:
        """Numbers (kept as written: 5 stays int) or tables of numbers, e.g. by site type."""
        out: dict[str, Any] = {}
        for key, item in self.table(value, where).items():
            if isinstance(item, dict):
                for k, v in item.items():
                    self.number(v, f"{where}.{key}.{k}")
                out[key] = MappingProxyType(dict(item))
            else:
                self.number(item, f"{where}.{key}")
                out[key] = item
        return MappingProxyType(out)


def _freeze(value: Any) -> Any:
    """Read-only copy of parsed TOML data (tables → mapping proxies, arrays → tuples)."""
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value
