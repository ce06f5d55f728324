"""Writing a parsed import into a store (idempotent)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Protocol

from registry import fields as f
from registry.model import ImportResult, ImportSummary, RegistryError


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
        document = {**site, "updated_at": stamp}
        created = store.upsert_site(document)
        (summary.created if created else summary.updated).append(code)
        known[code] = document

    for code, columns in result.columns.items():
        site = known.get(code) or store.get_site(code)
        if site is None:
            message = f"网站 {code} 既不在本次导入的基本信息表中，也未登记过；其栏目未导入"
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
                    message = (
                        f"相对地址 {column['url']!r} 无法解析（网站 {code} 没有有效的首页网址）"
                    )
                    summary.errors.append(RegistryError(file, row, "栏目(系统)地址", message))
                    continue
            kept.append({**column, "url": url, "position": len(kept)})
        store.replace_columns(code, kept)
        summary.columns[code] = len(kept)
    return summary
