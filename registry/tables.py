"""Reading CSV and XLSX files into plain rows of text cells, numbered like a spreadsheet."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook

Row = tuple[int, list[str]]  # (1-based spreadsheet row number, cell texts)

_XLSX_SUFFIXES = (".xlsx", ".xlsm")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls


class TableError(Exception):
    """The file as a whole cannot be read."""


@dataclass(frozen=True)
class RunOn:
    """A CSV record that an unclosed quote ran on over the following lines (or to the end of
    the file): ``first``–``last`` are its physical lines, ``cell`` the index of the cell that
    swallowed them."""

    first: int
    last: int
    cell: int


@dataclass
class Sheet:
    label: str  # file name, plus [sheet] for workbooks with several sheets
    rows: list[Row]
    #: CSV records read across an unclosed quote, by their row number; never imported.
    run_ons: dict[int, RunOn] = field(default_factory=dict)


def decode(data: bytes) -> str:
    """BOM → strict UTF-8 → GB18030 (a superset of GBK and GB2312)."""
    if data.startswith(codecs.BOM_UTF8):
        encodings: tuple[str, ...] = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError("unknown text encoding (UTF-8 and GBK/GB18030 are read); "
                     f"tried {', '.join(encodings)}")


def _swallowed_row(cell: str, delimiter: str) -> bool:
    """Does a cell's text, after its first line, hold something that looks like a row of its
    own (two or more delimited values)? A cell may list columns on several lines; those lines
    hold no delimiters."""
    for line in cell.splitlines()[1:]:
        if sum(1 for part in line.split(delimiter) if part.strip()) >= 2:
            return True
    return False


def _unclosed_at_end(lines: list[str], delimiter: str) -> bool:
    """Does this last record of a file end inside a quoted cell?"""
    try:
        for _ in csv.reader(lines, delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def read_csv(data: bytes, label: str) -> Sheet:
    """Rows are numbered by the physical line they start on, as an editor shows them. A record
    that an unclosed quote ran on over lines that look like rows of their own (or to the end of
    the file) is kept in ``run_ons``: half of it is another row, so none of it can be trusted."""
    text = decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(lines, delimiter=delimiter)
    rows: list[Row] = []
    run_ons: dict[int, RunOn] = {}
    first = 1
    try:
        for record in reader:
            last = reader.line_num
            rows.append((first, record))
            cells = [i for i, cell in enumerate(record) if _swallowed_row(cell, delimiter)]
            if cells:
                run_ons[first] = RunOn(first, last, cells[0])
            elif last == len(lines) and _unclosed_at_end(lines[first - 1:], delimiter):
                cell = next((i for i, c in enumerate(record) if "\n" in c or "\r" in c),
                            len(record) - 1)
                run_ons[first] = RunOn(first, last, cell)
            first = last + 1
    except csv.Error as exc:
        raise TableError(f"not a valid CSV file: {exc}") from exc
    return Sheet(label, rows, run_ons)


def cell_text(value: object) -> str:
    """A cell as text; whole-number floats (4401000001.0) lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


_ZIP_KINDS = (("word/", "it is a Word document"), ("ppt/", "it is a PowerPoint presentation"),
              ("content.xml", "it is an OpenDocument file; save it as .xlsx"))


def _workbook_error(path: Path, data: bytes, exc: Exception) -> TableError:
    """What a file that should be an XLSX workbook is instead, in a few words."""
    if not data:
        reason = "the file is empty"
    elif not data.startswith(b"PK"):
        reason = "not a ZIP archive, as every .xlsx is"
    else:
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            names = None
        kinds = [what for prefix, what in _ZIP_KINDS
                 if names and any(n.startswith(prefix) for n in names)]
        if names is None:
            reason = "a damaged ZIP archive"
        elif kinds:
            reason = kinds[0]
        elif any(n.startswith("xl/") for n in names):
            reason = f"a damaged workbook: {str(exc) or type(exc).__name__}"
        else:
            reason = "a ZIP archive with no workbook in it"
    return TableError(f"not an XLSX workbook ({reason})")


def read_xlsx(path: Path, data: bytes = b"") -> list[Sheet]:
    """Every worksheet of a workbook; any file that openpyxl cannot read as one (a DOCX
    renamed .xlsx, an empty file, a damaged archive) is one TableError naming what it is."""
    try:
        return _read_xlsx(path)
    except TableError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl fails in many ways on foreign bytes
        raise _workbook_error(path, data or path.read_bytes(), exc) from exc


def _read_xlsx(path: Path) -> list[Sheet]:
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheets = workbook.worksheets
        many = len(sheets) > 1
        result = []
        for sheet in sheets:
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()  # some exporters write a wrong <dimension>
            rows = [
                (number, [cell_text(v) for v in values])
                for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), 1)
            ]
            label = f"{path.name}[{sheet.title}]" if many else path.name
            result.append(Sheet(label, rows))
        return result
    finally:
        workbook.close()


def read_sheets(path: Path) -> list[Sheet]:
    """Every sheet of a file: one for CSV, one per worksheet for XLSX."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TableError(f"cannot read the file: {exc.strerror or exc}") from exc
    if data.startswith(_OLE_MAGIC):
        raise TableError("old .xls files are not read; save it as .xlsx or CSV")
    if path.suffix.lower() in _XLSX_SUFFIXES or data.startswith(b"PK\x03\x04"):
        return read_xlsx(path, data)
    if b"\0" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise TableError("not a CSV text file (it holds binary data; save the form as CSV "
                         "or .xlsx)")
    return [read_csv(data, path.name)]
