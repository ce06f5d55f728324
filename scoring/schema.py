"""The score card's JSON Schema (draft 2020-12) and a validator for it."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

SCHEMA_PATH = Path(__file__).with_name("scorecard.schema.json")


@lru_cache(maxsize=1)
def card_schema() -> dict[str, Any]:
    """The parsed schema (cached; do not mutate)."""
    with SCHEMA_PATH.open(encoding="utf-8") as fh:
        return json.load(fh)


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    schema = card_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def validate_card(card: Any) -> None:
    """Raise ``jsonschema.ValidationError`` (the most relevant error) when ``card`` is invalid."""
    _validator().validate(card)
