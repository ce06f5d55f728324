"""Scoring: the census-2015 table as data (rules/census-2015.toml) → score cards.

``score_card(site, findings, reviews, checked, as_of)`` is pure; ``validate_card`` checks a card
against ``scorecard.schema.json``; ``as_of_instant``/``within`` implement DESIGN.md "Time".
"""

from __future__ import annotations

from .card import FAIL, NOT_SCORED, PASS, latest_reviews, score_card
from .rules import INDICATORS, VETOES, Indicator, Rules, RulesError, load_rules, parse_rules
from .schema import SCHEMA_PATH, card_schema, validate_card
from .time import SHANGHAI, as_of_date, as_of_instant, window_start, within

__all__ = [
    "FAIL",
    "INDICATORS",
    "NOT_SCORED",
    "PASS",
    "SCHEMA_PATH",
    "SHANGHAI",
    "VETOES",
    "Indicator",
    "Rules",
    "RulesError",
    "as_of_date",
    "as_of_instant",
    "card_schema",
    "latest_reviews",
    "load_rules",
    "parse_rules",
    "score_card",
    "validate_card",
    "window_start",
    "within",
]
