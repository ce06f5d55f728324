"""Writing a parsed import into a store (idempotent)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol

from xunjian.registry import fields as f
from xunjian.registry.model import ImportResult, ImportSummary, RegistryError


class RegistryStore(Protocol):
    """The only store methods the registry uses."""

    def upsert_site(self, site: dict[str, Any]) -> bool: ...  # True when created

    def get_site(self, code: str) -> dict[str, Any] | None: ...

    def replace_columns(self, site_code: str, columns: list[dict[str, Any]]) -> None: ...


def _origin(column: dict[str, Any]) -> tuple[str, int]:
    file, _, row = str(column.get("imported_from", "")).rpartition(":")
    return (file, int(row)) if row.isdigit() else (file or "?", 0)


def _unchanged(stored: dict[str, Any], site: dict[str, Any]) -> bool:
    return all(stored.get(key) == value for key, value in site.items())


#: Fields whose change in a later import is reported on the terminal (the census headers).
REPORTED_FIELDS = {"name": "网站名称", "url": "首页网址", "type": "网站类型"}


def describe_changes(stored: dict[str, Any], site: dict[str, Any]) -> list[str]:
    """``4401000001: 首页网址 changed: http://a → http://b`` for each reported field."""
    return [f"{site['code']}: {label} changed: {stored.get(key)} → {site.get(key)}"
            for key, label in REPORTED_FIELDS.items()
            if stored.get(key) != site.get(key)]


def import_into(
    store: RegistryStore, result: ImportResult, *, now: str | None = None
) -> ImportSummary:
    """Upsert the sites, then replace the registered columns of every site the columns forms
    mention. A site whose stored document already equals the import is left untouched (its
    updated_at too), so importing the same files twice leaves the same state."""
    stamp = now or datetime.now(UTC).isoformat(timespec="seconds")
    summary = ImportSummary(errors=list(result.errors))
    known: dict[str, dict[str, Any]] = {}
    for site in result.sites:
        code = site["code"]
        stored = store.get_site(code)
        if stored is not None and _unchanged(stored, site):
            summary.unchanged.append(code)
            known[code] = stored
            continue
        if stored is not None:
            summary.changes.extend(describe_changes(stored, site))
        document = {**site, "updated_at": stamp}
        created = store.upsert_site(document)
        (summary.created if created else summary.updated).append(code)
        known[code] = document

    for code, columns in result.columns.items():
        site = known.get(code) or store.get_site(code)
        if site is None:
            message = (f"site {code} is neither in this import's 基本信息表 nor registered; "
                       "its columns were not imported")
            summary.errors.extend(
                RegistryError(file, row, "网站标识码", message)
                for file, row in result.column_rows.get(code, [])
            )
            continue
        kept = []
        for column in columns:
            url = column["url"]
            if f.is_site_relative(url):
                url = f.resolve(url, site.get("url") or "")
                if url is None:
                    file, row = _origin(column)
                    message = (f"relative address {column['url']!r} cannot be resolved "
                               f"(site {code} has no valid 首页网址)")
                    summary.errors.append(RegistryError(file, row, "栏目(系统)地址", message))
                    continue
            kept.append({**column, "url": url, "position": len(kept)})
        store.replace_columns(code, kept)
        summary.columns[code] = len(kept)
    return summary
