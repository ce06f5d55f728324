"""The text of an attachment's bytes: PDF, DOCX, XLSX (and WPS/ET files that are OOXML inside).

Pure: bytes in, text and a status out; no I/O. The format comes from the bytes (``%PDF``, a ZIP
holding ``word/document.xml`` or ``xl/workbook.xml``, an OLE2 compound file), not the link's
extension — government sites serve DOCX as ``.doc`` and ``.wps`` as often as not.

Libraries: pypdfium2 (PDFium, Chromium's PDF engine, as a PyPI wheel: the text layer through the
fonts' ToUnicode maps, ~30 times faster than pypdf on a printed 公示 and without pypdf's Kangxi
radicals for 示 and 月; an empty user password is tried, nothing else is decrypted). DOCX's
word/document.xml and XLSX's sheets and shared strings are read as markup, a MiB at a time, by
regular expressions (several times faster than lxml's or openpyxl's parsers on a 名单 of
thousands of rows; python-docx builds a whole object tree and takes seconds on a MiB of table);
parts laid out otherwise fall back to lxml and openpyxl's read-only mode. Old binary
Word/Excel/WPS files (OLE2: .doc, .xls, .wps, .et) have no well-kept pure-Python text reader, so they are *counted* as ``unsupported``, never silently
skipped; so are scanned PDFs (``no_text``: pages but no text layer — no OCR here), encrypted
files, a body cut at the download budget (``too_large``) and files that do not parse
(``damaged``).
"""

from __future__ import annotations

import html
import io
import re
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
#: The inspection's attachment figures (``facts.attachments["statuses"]``) beyond a read's own.
FIGURE_TEXT = {"no_text": "扫描件无文字层", "encrypted": "加密",
               "unsupported": "旧版 Office/WPS 格式", "too_large": "超过下载上限", "damaged": "文件损坏", "empty": "空文件",
               "over_time": "超过本站读取时限", "over_cap": "超过每站附件数量上限",
               "broken_link": "链接打不开", "not_fetched": "未能下载"}
#: Counted beside "read": not files left unread.
_READ_TOO = ("ok", "ocr", "partial")


def figures_text(figures: dict | None) -> str:
    """The attachment figures as one sentence for people: how many were linked and read, and
    every one that was not, by why (nothing unread is left unsaid); "" without figures."""
    if not figures or not figures.get("linked"):
        return ""
    statuses = figures.get("statuses") or {}
    text = f"附件：链接 {figures['linked']} 个，已读取 {figures.get('read', 0)} 个"
    if statuses.get("ocr"):
        text += f"（其中 {statuses['ocr']} 个经文字识别）"
    if statuses.get("partial"):
        text += f"，其中 {statuses['partial']} 个只读了一部分（超过页数或字数上限）"
    unread = [(k, n) for k, n in statuses.items()
              if k not in _READ_TOO and not k.startswith("format_") and n]
    if unread:
        named = "、".join(f"{FIGURE_TEXT.get(k, k)} {n} 个" for k, n in unread)
        text += f"；未读取 {sum(n for _, n in unread)} 个：{named}"
    note = (figures.get("ocr") or {}).get("note")
    if note and statuses.get("no_text"):
        text += f"（{note}）"
    formats = [(k.removeprefix("format_"), n) for k, n in statuses.items()
               if k.startswith("format_") and n]
    if formats:  # linked files of formats nobody reads (zip, rar, 图片…)
        text += "；另有不读取的格式：" + "、".join(f"{ext} {n} 个" for ext, n in formats)
    return text + "。"


#: Bounds of one file's reading (a huge workbook or report must not stall an inspection).
MAX_PDF_PAGES = 300  # PDFium reads ~400 dense text pages a second
MAX_CELLS = 200_000
MAX_CHARS = 200_000  # ~2,000 rows of a 名单; past it a file is `partial`
#: A PDF whose text layer holds fewer characters than this per page is a scan.
MIN_CHARS_PER_PAGE = 5

_OLE = bytes.fromhex("D0CF11E0A1B11AE1")
PDFIUM_LOCK = threading.Lock()  # PDFium is not thread-safe: one call at a time


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
    text, cut = text if isinstance(text, tuple) else (text, False)
    return AttachmentText("ok" if text.strip() else "no_text", text[:MAX_CHARS], kind,
                          partial=cut or len(text) >= MAX_CHARS)


def _pdf(data: bytes) -> AttachmentText:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    with PDFIUM_LOCK:  # inspections may run in threads of one worker
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
#: the XML of a part read at a time (cut after a ``>``: no tag is split)
CHUNK = 1 << 20
#: Word's own ``w:`` prefix (Word, WPS and LibreOffice all write it): the markup read as bytes
_W_PREFIX = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_W_DROP = re.compile(rb"<w:(instrText|delText)\b[^>]*>[^<]*</w:\1>")
_W_MARK = re.compile(rb"<w:(?:tab|br|cr)\b[^>]*/>|</w:(?:p|tc|tr)>|<w:p\b[^>]*/>")
_W_MARKS = {b"</w:p>": b"\x01", b"</w:tc>": b"\x02", b"</w:tr>": b"\x03"}
_TAG = re.compile(rb"<[^>]*>")


def _xml_chunks(stream):
    """A part's XML ~1 MiB at a time, each piece ending after a ``>``."""
    rest = b""
    while True:
        block = stream.read(CHUNK)
        if not block:
            if rest:
                yield rest
            return
        block = rest + block
        cut = block.rfind(b">") + 1
        rest = block[cut:]
        yield block[:cut]


def _w_mark(match: re.Match) -> bytes:
    tag = match.group(0)
    return _W_MARKS.get(tag, b"\x01" if tag.startswith(b"<w:p") else b" ")


def _docx(data: bytes) -> str:
    """Paragraphs, a line each; a table row is a line of its cells joined by tabs (a label stays
    on the line of its number; a cell's earlier paragraphs end lines of their own). The markup
    of word/document.xml is turned into text a MiB at a time by regular expressions, not parsed
    into elements: ~15 MiB of XML a second, never a whole tree in memory. A part whose
    elements carry another prefix than Word's ``w:`` is parsed (``_docx_parsed``)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf, zf.open("word/document.xml") as xml:
        pieces: list[str] = []
        size = 0
        for number, chunk in enumerate(_xml_chunks(xml)):
            if number == 0 and _W_PREFIX not in chunk[:4096]:
                return _docx_parsed(data)
            chunk = _TAG.sub(b"", _W_MARK.sub(_w_mark, _W_DROP.sub(b"", chunk)))
            text = chunk.decode("utf-8", "replace")
            pieces.append(text)
            size += len(text)
            if size >= MAX_CHARS:
                break
        else:
            size = 0
    text = "".join(pieces).replace("\x01\x02", "\x02").replace("\x02\x03", "\x03")
    text = text.replace("\x01", "\n").replace("\x02", "\t").replace("\x03", "\n")
    text = html.unescape(text).strip("\n") if "&" in text else text.strip("\n")
    return text, size >= MAX_CHARS  # the text, and whether it stopped at MAX_CHARS


def _docx_parsed(data: bytes) -> str:
    """The same text by parsing the XML with lxml (any prefix), as a stream."""
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


_X_SI = re.compile(rb"<(?:\w+:)?si>(.*?)</(?:\w+:)?si>|<(?:\w+:)?si/>", re.S)
_X_T = re.compile(rb"<(?:\w+:)?t\b[^>/]*>([^<]*)</(?:\w+:)?t>")
_X_RPH = re.compile(rb"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)
_X_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)|</(?:\w+:)?row>", re.S)
_X_TYPE = re.compile(rb'\bt="(\w+)"')
_X_V = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_X_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"")
_X_REL = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)>")
_X_ID = re.compile(rb'\bId="([^"]+)"')
_X_TARGET = re.compile(rb'\bTarget="([^"]+)"')


def _xlsx(data: bytes) -> tuple[str, bool]:
    """Cell values, a line per row joined by tabs, the sheets in the workbook's order. The
    sheets' XML is read a MiB at a time by regular expressions (shared strings, inline strings,
    numbers stored as numbers: 13912345678, not 1.39e10), several times faster than openpyxl's
    read-only mode; a workbook laid out otherwise is read with openpyxl (``_xlsx_openpyxl``)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        sheets = _xlsx_sheets(zf, names)
        if not sheets:
            return _xlsx_openpyxl(data), False
        shared = _xlsx_shared(zf.read("xl/sharedStrings.xml")) \
            if "xl/sharedStrings.xml" in names else []
        lines: list[str] = []
        cells = size = 0
        for name in sheets:
            with zf.open(name) as xml:
                for chunk in _row_chunks(xml):
                    row: list[str] = []
                    for match in _X_CELL.finditer(chunk):
                        if match.group(1) is None:  # </row>
                            if row:
                                lines.append("\t".join(row))
                                size += len(lines[-1])
                                row = []
                            continue
                        cells += 1
                        value = _xlsx_value(match.group(1), match.group(2), shared)
                        if value:
                            row.append(value)
                    if row:
                        lines.append("\t".join(row))
                    if cells >= MAX_CELLS or size >= MAX_CHARS:
                        return "\n".join(lines), True
    return "\n".join(lines), False


def _row_chunks(stream):
    """A sheet's XML ~1 MiB at a time, each piece ending after a row (no cell is split)."""
    rest = b""
    while True:
        block = stream.read(CHUNK)
        if not block:
            if rest:
                yield rest
            return
        block = rest + block
        cut = block.rfind(b"row>") + 4
        if cut < 4:
            rest = block
            continue
        rest = block[cut:]
        yield block[:cut]


def _xlsx_sheets(zf: zipfile.ZipFile, names: set[str]) -> list[str]:
    """The worksheet parts in the workbook's order ([] when the workbook cannot say)."""
    try:
        book = zf.read("xl/workbook.xml")
        rels = zf.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return []
    targets = {}
    for attrs in _X_REL.findall(rels):
        rid, target = _X_ID.search(attrs), _X_TARGET.search(attrs)
        if rid and target:
            targets[rid.group(1)] = target.group(1).decode("utf-8", "replace")
    parts = []
    for rid in _X_SHEET.findall(book):
        target = targets.get(rid, "")
        part = target.lstrip("/") if target.startswith("/") else "xl/" + target
        if part in names:
            parts.append(part)
    return parts


def _xml_text(raw: bytes) -> str:
    text = raw.decode("utf-8", "replace")
    return html.unescape(text) if "&" in text else text


def _xlsx_shared(xml: bytes) -> list[str]:
    return [_xml_text(b"".join(_X_T.findall(_X_RPH.sub(b"", m.group(1) or b""))))
            for m in _X_SI.finditer(xml)]


def _xlsx_value(attrs: bytes, body: bytes | None, shared: list[str]) -> str:
    if not body:
        return ""
    kind = _X_TYPE.search(attrs)
    kind = kind.group(1) if kind else b"n"
    if kind == b"inlineStr":
        return _xml_text(b"".join(_X_T.findall(_X_RPH.sub(b"", body))))
    value = _X_V.search(body)
    if value is None:
        return ""
    raw = value.group(1)
    if kind == b"s":
        try:
            return shared[int(raw)]
        except (ValueError, IndexError):
            return ""
    if kind == b"n":
        if raw.isdigit():
            return raw.decode()
        try:
            return _cell(float(raw))
        except ValueError:
            return _xml_text(raw)
    if kind == b"b":
        return "True" if raw == b"1" else "False"
    return _xml_text(raw)


def _xlsx_openpyxl(data: bytes) -> str:
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
