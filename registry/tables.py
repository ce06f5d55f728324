"""Reading CSV and XLSX files into plain rows of text cells, numbered like a spreadsheet."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

Row = tuple[int, list[str]]  # (1-based spreadsheet row number, cell texts)

_XLSX_SUFFIXES = (".xlsx", ".xlsm")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls


class TableError(Exception):
    """The file as a whole cannot be read."""


@dataclass
class Sheet:
    label: str  # file name, plus [sheet] for workbooks with several sheets
    rows: list[Row]


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


def read_csv(data: bytes, label: str) -> Sheet:
    text = decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise TableError(f"not a valid CSV file: {exc}") from exc
    return Sheet(label, [(number, record) for number, record in enumerate(records, 1)])


def cell_text(value: object) -> str:
    """A cell as text; whole-number floats (4401000001.0) lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def read_xlsx(path: Path) -> list[Sheet]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise TableError(f"cannot read the XLSX file: {exc}") from exc
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
        return read_xlsx(path)
    return [read_csv(data, path.name)]
