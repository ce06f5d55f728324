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
from dataclasses import dataclass, field
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

#: checklist-2019 (国办秘函〔2019〕19号) ids, in the table's order.
VETOES_2019: tuple[str, ...] = (
    "veto.serious_error",
    "veto.unreachable",
    "veto.not_updated",
    "veto.columns_stale",
    "veto.unresponsive",
    "veto.service_impractical",
)
INDICATORS_2019: tuple[str, ...] = (
    "publish.overview", "publish.functions", "publish.leaders", "publish.news",
    "publish.policies", "publish.interpretations", "publish.interpretation_ratio",
    "publish.interpretation_links", "publish.other_columns",
    "service.catalogue", "service.online_apply", "service.statistics", "service.guide",
    "service.accuracy", "service.forms",
    "interaction.submit", "interaction.login", "interaction.published", "interaction.replies",
    "design.domain", "design.marks", "design.links", "design.report_errors", "design.search",
    "design.single_login", "design.page_tags", "design.compatibility", "design.ipv6",
)  # fmt: skip
BONUSES_2019: tuple[str, ...] = (
    "bonus.data_release", "bonus.interpretation_forms", "bonus.service_functions",
    "bonus.service_content", "bonus.service_links", "bonus.realtime", "bonus.survey",
    "bonus.smart_search", "bonus.user_space", "bonus.innovation",
)  # fmt: skip

#: Rules name → (veto ids, deduction ids, bonus ids) its file must define, in this order. A rules
#: file not named here defines its own ids by the order of its tables.
KNOWN_IDS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "census-2015": (VETOES, INDICATORS, ()),
    "checklist-2019": (VETOES_2019, INDICATORS_2019, BONUSES_2019),
}

#: The tables a score card can be scored by (``--rules``, ``XUNJIAN_RULES``), with their titles.
RULE_SETS: dict[str, str] = {
    "census-2015": "全国政府网站普查评分表（国办发〔2015〕15号）",
    "checklist-2019": "政府网站与政务新媒体检查指标（国办秘函〔2019〕19号）",
}


def score_rules(name: str | None) -> Rules:
    """The rules of a score-card table by name (``--rules``); RulesError in one line naming the
    tables there are."""
    if name not in RULE_SETS:
        raise RulesError(f"unknown rules {name!r} (choose one of {', '.join(RULE_SETS)})")
    return load_rules(name)


#: How a card's score is computed: census-2015 "threshold" (total deduction > threshold →
#: 不合格); checklist-2019 "capped" (100 − deductions each capped, < fail_below → 不合格, bonus).
SCORING_MODES = ("threshold", "capped")

RULES_DIR = Path(__file__).with_name("rules")

_TOP_REQUIRED = {"name", "title", "source", "full_score", "windows", "columns", "vetoes",
                 "indicators"}
_TOP_KEYS = _TOP_REQUIRED | {"note", "probes_only", "threshold", "scoring", "fail_below",
                             "bonus_above", "bonus_max", "bonus_site_types", "groups",
                             "without_services", "bonuses"}
_ENTRY_COMMON = {"group", "name", "text", "reasons", "window_days", "thresholds", "params",
                 "review_required", "cap"}
_VETO_KEYS = _ENTRY_COMMON - {"cap"}
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
    #: most points this indicator's findings take together (None: no cap, census-2015)
    cap: float | None = None
    #: a bonus (加分) indicator: its points are added, not deducted (checklist-2019)
    bonus: bool = False

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
    threshold: float | None  # "threshold" scoring: total deduction strictly above → 不合格
    windows: Mapping[str, int]  # named windows, e.g. "前6个月内" → 183
    column_windows: Mapping[str, int]  # 栏目类型 → days
    vetoes: tuple[Indicator, ...]
    indicators: tuple[Indicator, ...]
    #: ids decided by homepage probes alone: a card checked on nothing else is 未评分
    probes_only: tuple[str, ...] = ()
    scoring: str = "threshold"  # one of SCORING_MODES
    fail_below: float | None = None  # "capped": a score strictly below → 不合格
    bonus_above: float | None = None  # "capped": bonus only for a deduction part above this
    bonus_max: float = 0.0
    bonus_site_types: tuple[str, ...] = ()  # registry 网站类型 that may get the bonus
    bonuses: tuple[Indicator, ...] = ()
    #: 一级指标 → points
    groups: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    #: the 4/3 rule: {"group": "办事服务", "base": 75.0} (empty: none)
    without_services: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    #: 栏目类型 of this table → {"types": (registry types…), "names": (name fragments…)}
    column_kinds: Mapping[str, Mapping[str, tuple[str, ...]]] = field(
        default_factory=lambda: MappingProxyType({}))

    @property
    def all(self) -> tuple[Indicator, ...]:
        """Vetoes, deduction indicators, then bonus indicators, in table order."""
        return self.vetoes + self.indicators + self.bonuses

    @property
    def veto_ids(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.vetoes)

    @property
    def indicator_ids(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.indicators)

    @property
    def bonus_ids(self) -> tuple[str, ...]:
        return tuple(e.id for e in self.bonuses)

    @property
    def ids(self) -> tuple[str, ...]:
        """Every id of the table (vetoes, deductions, bonuses), in order."""
        return tuple(e.id for e in self.all)

    def column_kind(self, column: Mapping[str, Any]) -> str:
        """This table's 栏目类型 of a column ({"type", "name", …}): by name fragment first (file
        order of [columns.kinds]), then by the registered type; the registered type itself when
        the table has no kinds (census-2015); else 其他."""
        kind = column.get("type") or "其他"
        if not self.column_kinds:
            return kind
        name = "".join(str(column.get("name") or "").split())
        for candidate, spec in self.column_kinds.items():
            if any(fragment in name for fragment in spec.get("names", ())):
                return candidate
        for candidate, spec in self.column_kinds.items():
            if kind in spec.get("types", ()):
                return candidate
        return "其他"

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
    mode = data.get("scoring", "threshold")
    if mode not in SCORING_MODES:
        raise check.fail("scoring", f"expected one of {', '.join(SCORING_MODES)}, got {mode!r}")
    required = _TOP_REQUIRED | ({"threshold"} if mode == "threshold" else
                                {"fail_below", "bonus_above", "groups"})
    check.keys(data, "", _TOP_KEYS, required)
    columns = check.table(data["columns"], "columns")
    check.keys(columns, "columns", {"windows", "kinds"}, {"windows"})
    column_windows = check.day_map(columns["windows"], "columns.windows")
    if "其他" not in column_windows:
        raise RulesError(f"{source}: columns.windows: needs an entry for '其他'")
    kinds = check.column_kinds(columns.get("kinds", {}), column_windows)
    name = check.text(data["name"], "name")
    veto_ids, deduction_ids, bonus_ids = KNOWN_IDS.get(name) or (
        tuple(check.table(data["vetoes"], "vetoes")),
        tuple(check.table(data["indicators"], "indicators")),
        tuple(check.table(data.get("bonuses", {}), "bonuses")))
    check.all_ids = veto_ids + deduction_ids + bonus_ids
    groups = check.groups(data.get("groups", {}))
    optional = (lambda key: None if key not in data else check.number(data[key], key))
    vetoes = check.entries(data["vetoes"], "vetoes", veto_ids, veto=True)
    indicators = check.entries(data["indicators"], "indicators", deduction_ids, veto=False)
    bonuses = check.entries(data.get("bonuses", {}), "bonuses", bonus_ids, veto=False,
                            bonus=True)
    check.in_groups(indicators + bonuses, groups)
    return Rules(
        name=name,
        title=check.text(data["title"], "title"),
        source=check.text(data["source"], "source"),
        note=check.text(data.get("note", ""), "note", empty=True),
        full_score=check.number(data["full_score"], "full_score"),
        threshold=optional("threshold"),
        windows=check.day_map(data["windows"], "windows"),
        column_windows=column_windows,
        vetoes=vetoes,
        indicators=indicators,
        probes_only=check.ids(data.get("probes_only", []), "probes_only"),
        scoring=mode,
        fail_below=optional("fail_below"),
        bonus_above=optional("bonus_above"),
        bonus_max=check.number(data.get("bonus_max", 0), "bonus_max"),
        bonus_site_types=check.strings(data.get("bonus_site_types", []), "bonus_site_types"),
        bonuses=bonuses,
        groups=groups,
        without_services=check.without_services(data.get("without_services"), groups),
        column_kinds=kinds,
    )


class _Checker:
    """Validation helpers that raise RulesError prefixed with the file and key path."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.all_ids: tuple[str, ...] = VETOES + INDICATORS

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
        if not isinstance(value, list) or any(v not in self.all_ids for v in value):
            raise self.fail(where, f"expected a list of indicator ids, got {value!r}")
        return tuple(value)

    def strings(self, value: Any, where: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(where, f"expected a list of non-empty strings, got {value!r}")
        return tuple(value)

    def groups(self, value: Any) -> Mapping[str, float]:
        table = self.table(value, "groups")
        return MappingProxyType({k: self.number(v, f"groups.{k}") for k, v in table.items()})

    def in_groups(self, entries: tuple[Indicator, ...], groups: Mapping[str, float]) -> None:
        """With [groups]: every deduction and bonus names one, each with a cap, and the caps of a
        group add up to its points."""
        if not groups:
            return
        sums: dict[str, float] = dict.fromkeys(groups, 0.0)
        for entry in entries:
            where = f"{'bonuses' if entry.bonus else 'indicators'}.{entry.id}"
            if entry.group not in groups:
                raise self.fail(f"{where}.group", f"{entry.group!r} is not in [groups] "
                                                  f"({', '.join(groups)})")
            if entry.cap is None:
                raise self.fail(where, "missing key 'cap' (every indicator of a table with "
                                       "[groups] has one)")
            sums[entry.group] += entry.cap
        for group, points in groups.items():
            if abs(sums[group] - points) > 1e-9:
                raise self.fail(f"groups.{group}", f"{points:g} points, but its indicators' "
                                                   f"caps add up to {sums[group]:g}")

    def without_services(self, value: Any, groups: Mapping[str, float]) -> Mapping[str, Any]:
        if value is None:
            return MappingProxyType({})
        table = self.table(value, "without_services")
        self.keys(table, "without_services", {"group", "base"}, {"group", "base"})
        group = self.text(table["group"], "without_services.group")
        if group not in groups:
            raise self.fail("without_services.group", f"{group!r} is not in [groups]")
        base = self.number(table["base"], "without_services.base")
        if base <= 0:
            raise self.fail("without_services.base", "expected a positive number")
        return MappingProxyType({"group": group, "base": base})

    def column_kinds(self, value: Any, windows: Mapping[str, int]
                     ) -> Mapping[str, Mapping[str, tuple[str, ...]]]:
        out = {}
        for kind, spec in self.table(value, "columns.kinds").items():
            where = f"columns.kinds.{kind}"
            spec = self.table(spec, where)
            self.keys(spec, where, {"types", "names"}, set())
            if kind not in windows:
                raise self.fail(where, "needs a window in [columns.windows]")
            out[kind] = MappingProxyType({k: self.strings(spec.get(k, []), f"{where}.{k}")
                                          for k in ("types", "names")})
        return MappingProxyType(out)

    def day_map(self, value: Any, where: str) -> Mapping[str, int]:
        table = self.table(value, where)
        return MappingProxyType({k: self.days(v, f"{where}.{k}") for k, v in table.items()})

    def entries(self, value: Any, where: str, ids: tuple[str, ...],
                veto: bool, bonus: bool = False) -> tuple[Indicator, ...]:
        table = self.table(value, where)
        unknown = sorted(set(table) - set(ids))
        if unknown:
            raise self.fail(where, f"unknown indicator id(s) {', '.join(map(repr, unknown))}")
        missing = [i for i in ids if i not in table]
        if missing:
            raise self.fail(where, f"missing indicator id(s) {', '.join(map(repr, missing))}")
        return tuple(self.entry(i, table[i], f"{where}.{i}", veto, bonus) for i in ids)

    def entry(self, ident: str, value: Any, where: str, veto: bool,
              bonus: bool = False) -> Indicator:
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
            cap=None if "cap" not in table else self.number(table["cap"], f"{where}.cap"),
            bonus=bonus,
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
