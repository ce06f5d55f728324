"""Census forms → site and column documents (pure: no store access).

Row rules worth knowing:
- A row with any error is reported (one entry per bad field) and not imported; other rows are.
- Entirely empty rows are skipped silently.
- Sites: a 网站标识码 on two or more rows of one import is an error on every one of those rows,
  and none of them is imported (the stored site, if any, keeps its name and URL).
- Columns: forms exported with merged cells leave 内容类别 blank on continuation rows; a blank
  内容类别 takes the previous row's category when that row was for the same site. With no such
  row (or no 内容类别 column at all) the category follows from the 栏目类型 (工作动态 → 信息公开类);
  a lone 其他 then means category 其他.
- 栏目(系统)名称 and 栏目(系统)地址 list several columns separated by ; or ； (or line breaks),
  in the same order. 无 (or empty) in both cells means the site has none of that type.
- A site is "mentioned" by a columns file when at least one of its rows is valid; only mentioned
  sites get their registered columns replaced, so a fully broken form never wipes stored data.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from xunjian.registry import fields as f
from xunjian.registry.layouts import (
    ALL_COLUMN_TYPES,
    CATEGORY_OF_TYPE,
    COLUMN_TYPES,
    HOMEPAGE_TYPES,
    PUBLIC_SERVICES,
    SITE_TYPES,
    Header,
    detect,
    unknown_layout_message,
)
from xunjian.registry.model import ImportResult, RegistryError
from xunjian.registry.tables import RunOn, Sheet, TableError, read_sheets

NAME = "栏目(系统)名称"
ADDRESS = "栏目(系统)地址"

_PERSON_FIELDS = {
    "leader": {
        "name": "负责人姓名",
        "title": "负责人职务",
        "phone": "负责人办公电话",
        "mobile": "负责人手机",
        "email": "负责人电子邮箱",
    },
    "contact": {
        "name": "联系人姓名",
        "phone": "联系人办公电话",
        "mobile": "联系人手机",
        "email": "联系人电子邮箱",
    },
}
_TEXT_FIELDS = {
    "region": "部门/地区",
    "icp": "ICP备案编号",
    "owner": "网站主管单位",
    "address": "办公地址",
}


def default_site_type(name: str) -> str:
    """门户网站 when the name contains 门户 or ends in 人民政府网站, else 其他."""
    return "门户网站" if "门户" in name or name.endswith("人民政府网站") else "其他"


def _type_name(value: str) -> str | None:
    """Canonical spelling of a 栏目类型, accepting a missing 栏目 suffix (政务咨询类)."""
    for candidate in (value, value + "栏目"):
        if candidate in ALL_COLUMN_TYPES:
            return candidate
    return None


class _Row:
    """One spreadsheet row being validated; collects its errors."""

    def __init__(self, label: str, number: int, header: Header, cells: list[str]) -> None:
        self.label, self.number, self.header, self.cells = label, number, header, cells
        self.errors: list[RegistryError] = []

    @property
    def origin(self) -> str:
        return f"{self.label}:{self.number}"

    def get(self, header: str) -> str:
        return self.header.get(self.cells, header)

    def error(self, field: str, message: str) -> None:
        self.errors.append(RegistryError(self.label, self.number, field, message))

    def warning(self, field: str, message: str) -> RegistryError:
        return RegistryError(self.label, self.number, field, message, "warning")

    def code(self) -> str | None:
        raw = f.clean(self.get("网站标识码"))
        code = f.site_code(raw)
        if not raw:
            self.error("网站标识码", "must not be empty")
        elif code is None:
            self.error("网站标识码", f"not a 网站标识码 ({f.CODE_SHAPE}): {raw!r}")
        return code


class _Parser:
    def __init__(self) -> None:
        self.result = ImportResult()
        self.sites: dict[str, dict[str, Any]] = {}
        self.site_rows: dict[str, list[str]] = {}  # 网站标识码 → every "file:row" that has it
        self.duplicates: set[str] = set()
        self.seen_columns: dict[str, set[tuple[str, str, str, str]]] = {}

    def error(self, file: str, message: str) -> None:
        self.result.errors.append(RegistryError(file, 0, "", message))

    def rows(self, sheet: Sheet, header: Header) -> Iterable[_Row]:
        for number, cells in sheet.rows:
            if number <= header.row:
                continue
            run_on = sheet.run_ons.get(number)
            if run_on is not None:
                self.refuse_run_on(sheet.label, header, run_on)
            elif any(f.clean(c) for c in cells):
                yield _Row(sheet.label, number, header, cells)

    def refuse_run_on(self, label: str, header: Header, run_on: RunOn) -> None:
        """An unclosed quote: an error on its row and on every line it swallowed; none of these
        rows is imported (each is only half read)."""
        names = {i: name for name, i in header.index.items()}
        field = names.get(run_on.cell, "")
        first, last = run_on.first, run_on.last
        if last > first:
            span = f"row {first + 1}" if last == first + 1 else f"rows {first + 1}–{last}"
            message = (f"unclosed quote (\"): this cell runs on over {span}; "
                       f"rows {first}–{last} were not imported (close the quote, then import "
                       "again)")
        else:
            message = ("unclosed quote (\"): this cell runs on to the end of the file; "
                       "the row was not imported (close the quote, then import again)")
        self.result.errors.append(RegistryError(label, first, field, message))
        for number in range(first + 1, last + 1):
            self.result.errors.append(RegistryError(
                label, number, "",
                f"swallowed by the unclosed quote on row {first}; not imported"))

    # ---- 附件3 政府网站基本信息表 -------------------------------------------------------
    def site_sheet(self, sheet: Sheet, header: Header) -> None:
        for row in self.rows(sheet, header):
            site = self.site_row(row)
            self.result.errors.extend(row.errors)
            code = f.site_code(f.clean(row.get("网站标识码")))
            if code is not None:
                self.site_rows.setdefault(code, []).append(row.origin)
            if site is not None:
                self.sites.setdefault(code, site)

    def refuse_duplicate_codes(self) -> None:
        """A 网站标识码 on several rows is an error on each of them; none of them is imported,
        since the form does not say which row is meant."""
        for code, origins in self.site_rows.items():
            if len(origins) < 2:
                continue
            self.sites.pop(code, None)
            self.duplicates.add(code)
            for origin in origins:
                file, _, number = origin.rpartition(":")
                others = ", ".join(o for o in origins if o != origin)
                self.result.errors.append(RegistryError(
                    file, int(number), "网站标识码",
                    f"{code} is also on {others}; none of these rows was imported"))

    def site_row(self, row: _Row) -> dict[str, Any] | None:
        code = row.code()
        name = f.clean(row.get("网站名称"))
        if not name:
            row.error("网站名称", "must not be empty")
        raw_url = f.clean(row.get("首页网址"))
        url = f.normalize_url(raw_url)
        if not raw_url:
            row.error("首页网址", "must not be empty")
        elif url is None:
            row.error("首页网址", f"not a valid URL: {raw_url!r}")
        site_type = f.choice(row.get("网站类型"))
        if f.is_none(site_type):
            site_type = default_site_type(name)
        elif site_type not in SITE_TYPES:
            row.error("网站类型", f"must be 门户网站 or 其他, not {f.clean(row.get('网站类型'))!r}")
        homepage = f.choice(row.get("首页类型")) or "普通"
        if homepage not in HOMEPAGE_TYPES:
            row.error("首页类型", f"must be 普通 or 导航页, not {f.clean(row.get('首页类型'))!r}")
        services = f.choice(row.get("公共服务"))
        if services and services not in PUBLIC_SERVICES:
            row.error("公共服务", f"must be 提供 or 不提供, not {f.clean(row.get('公共服务'))!r}")
        people: dict[str, dict[str, str]] = {}
        for person, mapping in _PERSON_FIELDS.items():
            people[person] = {key: f.optional(row.get(header)) for key, header in mapping.items()}
            email = people[person]["email"]
            if email and not f.is_email(email):
                row.error(mapping["email"], f"not a valid e-mail address: {email!r}")
        if row.errors or code is None or url is None:
            return None
        text = {key: f.optional(row.get(header)) for key, header in _TEXT_FIELDS.items()}
        return {
            "code": code,
            "region": text["region"],
            "name": name,
            "type": site_type,
            "icp": text["icp"],
            "url": url,
            "owner": text["owner"],
            "address": text["address"],
            **people,
            "splash": HOMEPAGE_TYPES[homepage],
            "imported_from": row.origin,
            # stated only when the form has it (checklist-2019's 4/3 rule reads it)
            **({"public_services": PUBLIC_SERVICES[services]} if services else {}),
        }

    # ---- 附件4 政府网站栏目(系统)基本信息表 ---------------------------------------------
    def column_sheet(self, sheet: Sheet, header: Header) -> None:
        previous: tuple[str, str] | None = None  # (site, category) a blank 内容类别 may reuse
        for row in self.rows(sheet, header):
            code = row.code()
            category, reusable = self.category(row, code, previous)
            column_type = self.column_type(row, category)
            entries = self.entries(row, code)
            previous = (code, category) if code and category and reusable else None
            if code in self.duplicates:
                # The form does not say which of the repeated sites these columns belong to.
                row.error("网站标识码", f"{code} is on several 附件3 rows, none imported; "
                                   "this column row was not imported either")
            self.result.errors.extend(row.errors)
            if row.errors or code is None or category is None or column_type is None:
                continue
            self.add_columns(row, code, category, column_type, entries)

    def category(
        self, row: _Row, code: str | None, previous: tuple[str, str] | None
    ) -> tuple[str | None, bool]:
        """(category, reusable by the next row?) — an inferred category is not reusable."""
        raw = f.clean(row.get("内容类别"))
        category = f.choice(raw)
        if category:
            if category not in COLUMN_TYPES:
                allowed = "、".join(COLUMN_TYPES)
                row.error("内容类别", f"unknown 内容类别 {raw!r} (one of {allowed})")
                return None, False
            return category, True
        if previous is not None and code is not None and previous[0] == code:
            return previous[1], True
        known = _type_name(f.choice(row.get("栏目类型")))
        if known is None:
            return None, False  # column_type() reports the unknown type
        return CATEGORY_OF_TYPE.get(known, "其他"), False

    def column_type(self, row: _Row, category: str | None) -> str | None:
        raw = f.clean(row.get("栏目类型"))
        if not raw:
            row.error("栏目类型", "must not be empty")
            return None
        known = _type_name(f.choice(raw))
        if known is None:
            row.error("栏目类型", f"unknown 栏目类型 {raw!r}")
            return None
        if category is None:
            return None
        if known not in COLUMN_TYPES[category]:
            allowed = "、".join(COLUMN_TYPES[category])
            row.error("栏目类型", f"{raw!r} is not a type of {category} (it allows: {allowed})")
            return None
        return known

    def entries(self, row: _Row, code: str | None) -> list[tuple[str, str]]:
        """(name, url) pairs; a site-relative url stays a path when the site is unknown here."""
        raw_names, raw_urls = row.get(NAME), row.get(ADDRESS)
        names, addresses = f.split_cell(raw_names), f.split_cell(raw_urls)
        if len(names) != len(addresses):
            row.error(
                ADDRESS,
                f"{len(names)} 栏目(系统)名称 but {len(addresses)} 栏目(系统)地址 "
                "(separate several columns with ';', one address per name, in the same order)",
            )
            return []
        base = self.sites[code]["url"] if code in self.sites else None
        entries = []
        for i, (name, raw) in enumerate(zip(names, addresses, strict=True), 1):
            which = f"address {i}" if len(addresses) > 1 else "the address"
            if f.is_site_relative(raw):
                url = f.resolve(raw, base) if base else f.site_path(raw)
            else:
                url = f.normalize_url(raw)
            if url is None:
                row.error(ADDRESS, f"{which} is not a valid URL: {raw!r}")
            else:
                entries.append((name, url))
        return entries

    def add_columns(
        self, row: _Row, code: str, category: str, column_type: str, entries: list[tuple[str, str]]
    ) -> None:
        columns = self.result.columns.setdefault(code, [])
        self.result.column_rows.setdefault(code, []).append((row.label, row.number))
        seen = self.seen_columns.setdefault(code, set())
        for name, url in entries:
            key = (category, column_type, name, url)
            if key in seen:
                self.result.errors.append(row.warning(NAME, f"column {name!r} ({url}) repeated; "
                                                                  "ignored"))
                continue
            seen.add(key)
            columns.append(
                {
                    "site": code,
                    "category": category,
                    "type": column_type,
                    "name": name,
                    "url": url,
                    "position": len(columns),
                    "source": "registry",
                    "imported_from": row.origin,
                }
            )

    # ---- files ---------------------------------------------------------------------
    def run(self, paths: Iterable[Path]) -> ImportResult:
        site_sheets: list[tuple[Sheet, Header]] = []
        column_sheets: list[tuple[Sheet, Header]] = []
        for path in paths:
            try:
                sheets = read_sheets(path)
            except TableError as exc:
                self.error(path.name, str(exc))
                continue
            found = [(sheet, detect(sheet.rows)) for sheet in sheets]
            matched = [(sheet, header) for sheet, header in found if header is not None]
            if not matched:
                self.error(path.name, unknown_layout_message(sheets[0].rows if sheets else []))
            for sheet, header in matched:
                target = site_sheets if header.kind == "sites" else column_sheets
                target.append((sheet, header))
        # Sites first, so that site-relative column addresses can use their homepage.
        for sheet, header in site_sheets:
            self.site_sheet(sheet, header)
        self.refuse_duplicate_codes()
        for sheet, header in column_sheets:
            self.column_sheet(sheet, header)
        self.result.sites = list(self.sites.values())
        return self.result


def parse_files(paths: Iterable[str | Path] | str | Path) -> ImportResult:
    """Parse census forms (附件3 sites, 附件4 columns; CSV or XLSX) into documents and errors."""
    if isinstance(paths, str | Path):
        paths = [paths]
    return _Parser().run(Path(p) for p in paths)
