"""The text of an attachment's bytes: PDF, DOCX, XLSX (and WPS/ET files that are OOXML inside).

Pure: bytes in, text and a status out; no I/O. The format comes from the bytes (``%PDF``, a ZIP
holding ``word/document.xml`` or ``xl/workbook.xml``, an OLE2 compound file), not the link's
extension — government sites serve DOCX as ``.doc`` and ``.wps`` as often as not.

Libraries: pypdfium2 (PDFium, Chromium's PDF engine, as a PyPI wheel: the text layer through the
fonts' ToUnicode maps, ~30 times faster than pypdf on a printed 公示 and without pypdf's Kangxi
radicals for 示 and 月; an empty user password is tried, nothing else is decrypted), lxml
streaming DOCX's word/document.xml (paragraphs and table cells; python-docx builds a whole object tree and takes
seconds on a MiB of table), openpyxl in read-only mode (cell values, row by row, without loading
styles). Old binary Word/Excel/WPS files (OLE2: .doc, .xls, .wps, .et) have no
well-kept pure-Python text reader, so they are *counted* as ``unsupported``, never silently
skipped; so are scanned PDFs (``no_text``: pages but no text layer — no OCR here), encrypted
files, a body cut at the download budget (``too_large``) and files that do not parse
(``damaged``).
"""

from __future__ import annotations

import io
import threading
import zipfile
from dataclasses import dataclass

#: The statuses of a read, in the order the inspection's figures list them.
STATUSES = ("ok", "no_text", "encrypted", "unsupported", "too_large", "damaged", "empty")
#: What each status means to a reviewer.
STATUS_TEXT = {"ok": "已读取", "no_text": "无文字层（扫描件，未识别）", "encrypted": "加密，无法读取",
               "unsupported": "格式不支持（旧版二进制 Office/WPS 等）",
               "too_large": "超过下载上限，未读完", "damaged": "文件损坏，无法解析",
               "empty": "文件为空"}
#: Bounds of one file's reading (a huge workbook or report must not stall an inspection).
MAX_PDF_PAGES = 300  # PDFium reads ~400 dense text pages a second
MAX_CELLS = 200_000
MAX_CHARS = 500_000  # ~5,000 rows of a 名单; past it a file is `partial`
#: A PDF whose text layer holds fewer characters than this per page is a scan.
MIN_CHARS_PER_PAGE = 5

_OLE = bytes.fromhex("D0CF11E0A1B11AE1")
_PDFIUM = threading.Lock()


@dataclass(frozen=True)
class AttachmentText:
    status: str
    text: str = ""
    format: str = ""  # pdf | docx | xlsx | ole | text | unknown
    pages: int = 0
    partial: bool = False  # stopped at MAX_PDF_PAGES, MAX_CELLS or MAX_CHARS


def sniff(data: bytes) -> str:
    head = data[:8]
    if data.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if head.startswith(_OLE):
        return "ole"
    if head.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return "zip"
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        return "zip"
    return "unknown"


def attachment_text(data: bytes, extension: str | None = None,
                    truncated: bool = False) -> AttachmentText:
    """The text of one attachment. ``truncated``: the download stopped at its byte budget."""
    if not data:
        return AttachmentText("empty")
    kind = sniff(data)
    if truncated and kind in ("pdf", "docx", "xlsx", "zip", "ole"):
        return AttachmentText("too_large", format=kind)
    if kind == "pdf":
        return _pdf(data)
    if kind == "docx":
        return _guarded(_docx, data, "docx")
    if kind == "xlsx":
        return _guarded(_xlsx, data, "xlsx")
    if kind == "unknown" and (extension or "") in ("txt", "csv"):
        return AttachmentText("ok", _decoded(data)[:MAX_CHARS], "text")
    return AttachmentText("unsupported", format=kind)


def _guarded(read, data: bytes, kind: str) -> AttachmentText:
    try:
        text = read(data)
    except Exception:  # noqa: BLE001 - any parse failure of a site's file is "damaged"
        return AttachmentText("damaged", format=kind)
    return AttachmentText("ok" if text.strip() else "no_text", text[:MAX_CHARS], kind,
                          partial=len(text) >= MAX_CHARS)


def _pdf(data: bytes) -> AttachmentText:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    with _PDFIUM:  # PDFium is not thread-safe; inspections may run in threads of one worker
        try:
            document = pdfium.PdfDocument(data)  # an empty user password is tried as given
        except pdfium.PdfiumError as error:
            if getattr(error, "err_code", None) in (pdfium_c.FPDF_ERR_PASSWORD,
                                                    pdfium_c.FPDF_ERR_SECURITY):
                return AttachmentText("encrypted", format="pdf")
            return AttachmentText("damaged", format="pdf")
        except Exception:  # noqa: BLE001 - a PDF that does not parse
            return AttachmentText("damaged", format="pdf")
        try:
            pages, parts = _pdf_pages(document)
        except Exception:  # noqa: BLE001 - a page that does not parse
            return AttachmentText("damaged", format="pdf")
        finally:
            document.close()
    text = "\n".join(parts)[:MAX_CHARS]
    if len(text.strip()) < MIN_CHARS_PER_PAGE * max(1, len(parts)):
        return AttachmentText("no_text", text, "pdf", pages)
    return AttachmentText("ok", text, "pdf", pages, partial=len(parts) < pages)


def _pdf_pages(document) -> tuple[int, list[str]]:
    """(page count, the text of the pages read): every character of a page's text layer, also
    those set outside its crop box (a table run off the page is still published), each page
    and its text page closed as soon as read."""
    pages = len(document)
    parts: list[str] = []
    size = 0
    for number in range(min(pages, MAX_PDF_PAGES)):
        page = document[number]
        try:
            textpage = page.get_textpage()
            try:
                text = textpage.get_text_range()
            finally:
                textpage.close()
        finally:
            page.close()
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
        parts.append(text)
        size += len(text)
        if size >= MAX_CHARS:
            break
    return pages, parts


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx(data: bytes) -> str:
    """Paragraphs, a line each; a table row is a line of its cells joined by tabs (a label stays
    on the line of its number). Read as a stream from word/document.xml: a MiB of table is a
    fraction of a second and never a whole tree in memory."""
    import lxml.etree

    lines: list[str] = []
    runs: list[str] = []
    rows: list[list[str]] = []
    cells: list[list[str]] = []
    size = 0
    with zipfile.ZipFile(io.BytesIO(data)) as zf, zf.open("word/document.xml") as xml:
        for event, el in lxml.etree.iterparse(xml, events=("start", "end"),
                                              resolve_entities=False, no_network=True,
                                              huge_tree=True):
            tag = el.tag
            if event == "start":
                if tag == _W + "tr":
                    rows.append([])
                elif tag == _W + "tc":
                    cells.append([])
                continue
            if tag == _W + "t":
                runs.append(el.text or "")
            elif tag in (_W + "tab", _W + "br"):
                runs.append(" ")
            elif tag == _W + "p":
                para, runs = "".join(runs), []
                (cells[-1] if cells else lines).append(para)
                size += len(para)
                el.clear()
            elif tag == _W + "tc" and cells:
                text = " ".join(x for x in cells.pop() if x)
                if rows:
                    rows[-1].append(text)
                el.clear()
            elif tag == _W + "tr" and rows:
                row = rows.pop()
                (cells[-1] if cells else lines).append("\t".join(row))
                el.clear()
            if size >= MAX_CHARS:
                break
    return "\n".join(lines)


def _xlsx(data: bytes) -> str:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    lines, cells = [], 0
    try:
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                values = [_cell(v) for v in row if v is not None]
                cells += len(row)
                if values:
                    lines.append("\t".join(values))
                if cells >= MAX_CELLS:
                    return "\n".join(lines)
    finally:
        book.close()
    return "\n".join(lines)


def _cell(value) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e17:
        return str(int(value))  # 13912345678 stored as a number
    return str(value)


def _decoded(data: bytes) -> str:
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")
