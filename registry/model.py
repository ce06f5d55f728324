"""Result types of a registry import: errors, the parsed documents and the import summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class RegistryError:
    """One problem in an input file.

    ``row`` is the 1-based spreadsheet row (the header row is 1); 0 means the whole file.
    ``field`` is the Chinese header of the offending cell ("" for file-level problems).
    """

    file: str
    row: int
    field: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}" if self.row else self.file
        message = f"warning: {self.message}" if self.severity == "warning" else self.message
        return f"{where}: {self.field}: {message}" if self.field else f"{where}: {message}"


@dataclass
class ImportResult:
    """What ``parse_files`` found, before anything touches a store.

    ``columns`` holds a key for every site that has at least one valid row in a columns file
    (an empty list means the form says the site has no such columns). A column URL that still
    starts with "/" belongs to a site absent from this import; ``import_into`` resolves it
    against the stored site's homepage. ``column_rows`` lists, per site, the valid (file, row)
    of the columns forms that mention it.
    """

    sites: list[dict[str, Any]] = field(default_factory=list)
    columns: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    errors: list[RegistryError] = field(default_factory=list)
    column_rows: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(e.severity == "error" for e in self.errors)


@dataclass
class ImportSummary:
    """What ``import_into`` did. Site lists hold site codes; ``columns`` maps a site code to the
    number of columns it now has (its registered columns were replaced as a whole)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)
    errors: list[RegistryError] = field(default_factory=list)
    #: Deliberate changes of stored sites: "4401000001: 首页网址 changed: http://a → http://b".
    changes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(e.severity == "error" for e in self.errors)

    def describe(self) -> str:
        """One line for the terminal: what changed, and how many rows were refused."""
        errors = sum(e.severity == "error" for e in self.errors)
        warnings = len(self.errors) - errors
        return (f"sites: {len(self.created)} new, {len(self.updated)} updated, "
                f"{len(self.unchanged)} unchanged; columns: {sum(self.columns.values())} "
                f"for {len(self.columns)} site(s); {errors} error(s), {warnings} warning(s)")
