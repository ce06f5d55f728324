"""Attachments as government sites publish them, made here (tests and bench/privacy_bench.py):
a PDF with a Chinese text layer written by hand (a CID font that is not embedded, the way
scanned-and-OCRed or Word-exported PDFs often reference 宋体, with a ToUnicode map so a reader gets
the text), a PDF without text (a scan), an encrypted PDF, DOCX with a table, XLSX with numbers
stored as numbers and as text, and an old binary .doc."""

from __future__ import annotations

import io
import zipfile
import zlib


def _to_unicode_cmap(chars: set[str] | None = None) -> bytes:
    """A ToUnicode map of the characters used (as a subset font's is), or of the whole BMP."""
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
             "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    if chars is not None:
        codes = sorted(ord(c) for c in chars if ord(c) < 0x10000)
        for at in range(0, len(codes), 100):
            chunk = codes[at:at + 100]
            lines.append(f"{len(chunk)} beginbfchar")
            lines += [f"<{c:04X}> <{c:04X}>" for c in chunk]
            lines.append("endbfchar")
        highs = []
    else:
        highs = list(range(0x00, 0xD8)) + list(range(0xE0, 0x100))
    for at in range(0, len(highs), 100):
        chunk = highs[at:at + 100]
        lines.append(f"{len(chunk)} beginbfrange")
        lines += [f"<{h:02X}00> <{h:02X}FF> <{h:02X}00>" for h in chunk]
        lines.append("endbfrange")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode()


def text_pdf(lines: list[str], compress: bool = True, per_page: int = 50) -> bytes:
    """A PDF whose text layer holds ``lines``, ``per_page`` lines a page (CIDs are the
    characters' code points)."""
    chunks = [lines[at:at + per_page] for at in range(0, len(lines), per_page)] or [[]]
    count = len(chunks)
    # objects: 1 catalog, 2 pages, 3 font, 4 cid font, 5 cmap, 6 descriptor, then page+content
    kids = " ".join(f"{7 + 2 * i} 0 R" for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
        b"/DescendantFonts [4 0 R] /ToUnicode 5 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
        b"/FontDescriptor 6 0 R /DW 1000 >>",
        _stream(_to_unicode_cmap({c for line in lines for c in line}), compress),
        b"<< /Type /FontDescriptor /FontName /SimSun /Flags 6 /FontBBox [0 -141 1000 859] "
        b"/ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 700 /StemV 80 >>",
    ]
    for i, chunk in enumerate(chunks):
        content = ["BT", "/F1 11 Tf", "14 TL", "50 780 Td"]
        content += [f"<{''.join(f'{ord(c):04X}' for c in line)}> Tj T*" for line in chunk]
        content.append("ET")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources "
                       f"<< /Font << /F1 3 0 R >> >> /Contents {8 + 2 * i} 0 R >>".encode())
        objects.append(_stream("\n".join(content).encode(), compress))
    return _assemble(objects)


def image_pdf() -> bytes:
    """A 'scanned' page: one grey image, no text at all."""
    pixels = zlib.compress(bytes([200]) * (64 * 64))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>",
        _stream(b"q 500 0 0 700 40 60 cm /Im1 Do Q", False),
        b"<< /Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length " + str(len(pixels)).encode()
        + b" >>\nstream\n" + pixels + b"\nendstream",
    ]
    return _assemble(objects)


def encrypted_pdf(lines: list[str]) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(lines))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _stream(data: bytes, compress: bool) -> bytes:
    if compress:
        data = zlib.compress(data)
        head = b"<< /Filter /FlateDecode /Length %d >>" % len(data)
    else:
        head = b"<< /Length %d >>" % len(data)
    return head + b"\nstream\n" + data + b"\nendstream"


def _assemble(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def docx(paragraphs: list[str], rows: list[list[str]]) -> bytes:
    """A DOCX written as Word writes its parts (python-docx builds big tables too slowly for the
    bench): paragraphs, then one table."""
    from xml.sax.saxutils import escape

    def para(text: str) -> str:
        return ("<w:p><w:r><w:rPr><w:rFonts w:hint=\"eastAsia\"/></w:rPr>"
                f"<w:t xml:space=\"preserve\">{escape(text)}</w:t></w:r></w:p>")

    body = "".join(para(t) for t in paragraphs)
    if rows:
        body += "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/></w:tblPr>" + "".join(
            "<w:tr>" + "".join(f"<w:tc><w:tcPr><w:tcW w:w=\"1200\" w:type=\"dxa\"/></w:tcPr>"
                               f"{para(str(v))}</w:tc>" for v in row) + "</w:tr>"
            for row in rows) + "</w:tbl>"
    document = ("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
                "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/"
                "main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                f"relationships\"><w:body>{body}<w:sectPr/></w:body></w:document>")
    types = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas."
             "openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" "
             "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
             "<Default Extension=\"xml\" ContentType=\"application/xml\"/><Override "
             "PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-"
             "officedocument.wordprocessingml.document.main+xml\"/></Types>")
    rels = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas."
            "openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" "
            "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
            "officeDocument\" Target=\"word/document.xml\"/></Relationships>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", types)
        zf.writestr("_rels/.rels", rels)
        zf.writestr("word/document.xml", document)
    return out.getvalue()


def xlsx(rows: list[list[object]], sheet: str = "Sheet1") -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def old_doc() -> bytes:
    """The first bytes of an OLE2 compound file (Word 97-2003): not read, counted."""
    return bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504


def excel_xlsx(sheets: list[tuple[str, list[list[str]]]]) -> bytes:
    """A workbook as Excel and WPS write it: shared strings in raw UTF-8 (with a phonetic run to
    leave out and an escaped ``&``), numbers as ``<v>`` (one in exponent form, as some exporters
    write them), the sheet parts named in another order than the workbook lists them. A cell
    given as ``=N`` is a number N, as ``~text`` an inline string; empty cells are left out."""
    shared: list[str] = []
    parts = {}
    for index, (_name, rows) in enumerate(sheets):
        xml_rows = []
        for r, row in enumerate(rows, 1):
            cells = []
            for c, value in enumerate(row):
                ref = f"{'ABCDEFGHIJ'[c]}{r}"
                if value == "":
                    continue
                if value.startswith("="):
                    cells.append(f'<c r="{ref}" s="1"><v>{value[1:]}</v></c>')
                elif value.startswith("~"):
                    cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{_esc(value[1:])}</t>'
                                 '</is></c>')
                else:
                    if value not in shared:
                        shared.append(value)
                    cells.append(f'<c r="{ref}" t="s"><v>{shared.index(value)}</v></c>')
            xml_rows.append(f'<row r="{r}" spans="1:{len(row)}">{"".join(cells)}</row>')
        parts[f"xl/worksheets/sheet{len(sheets) - index}.xml"] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<worksheet xmlns="http://'
            'schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships"><dimension ref="A1:'
            f'{"ABCDEFGHIJ"[max(len(r) for r in rows) - 1]}{len(rows)}"/>'
            f'<sheetData>{"".join(xml_rows)}</sheetData></worksheet>')
    ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    book = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<workbook xmlns="http://'
            f'schemas.openxmlformats.org/spreadsheetml/2006/main" {ns}><sheets>'
            + "".join(f'<sheet name="{_esc(name)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                      for i, (name, _rows) in enumerate(sheets)) + "</sheets></workbook>")
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<Relationships xmlns='
            '"http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Target="worksheets/sheet{len(sheets) - i}.xml" '
                      f'Id="rId{i + 1}" '
                      'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                      'worksheet"/>' for i in range(len(sheets)))
            + f'<Relationship Id="rId{len(sheets) + 1}" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>")
    strings = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<sst xmlns="http://'
               f'schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(shared)}">'
               + "".join(f"<si><r><t>{_esc(s)}</t></r><rPh sb=\"0\" eb=\"1\"><t>ピン</t></rPh></si>"
                         for s in shared) + "</sst>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        main = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        zf.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<Types xmlns="http://'
            'schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default '
            'Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            f'ContentType="{main}.sheet.main+xml"/>'
            + "".join(f'<Override PartName="/{name}" ContentType="{main}.worksheet+xml"/>'
                      for name in parts)
            + f'<Override PartName="/xl/sharedStrings.xml" ContentType="{main}.sharedStrings+xml"/>'
            "</Types>"))
        zf.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<Relationships xmlns="'
            'http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        zf.writestr("xl/workbook.xml", book)
        zf.writestr("xl/_rels/workbook.xml.rels", rels)
        zf.writestr("xl/sharedStrings.xml", strings)
        for name, body in parts.items():
            zf.writestr(name, body)
    return out.getvalue()


def _esc(text: str) -> str:
    from xml.sax.saxutils import escape

    return escape(text)


def scanned_pdf(lines: list[str], pages: int = 1) -> bytes:
    """A scan as a copier makes one: each page a greyscale JPEG photo (150 dpi, A4, a little
    noise and blur) of ``lines`` printed in a CJK serif font, with no text layer at all."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    font = None
    for path in ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
                 "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"):
        try:
            font = ImageFont.truetype(path, 34)
            break
        except OSError:
            continue
    images = []
    for _ in range(pages):
        img = Image.new("L", (1240, 1754), 238)
        draw = ImageDraw.Draw(img)
        for n, line in enumerate(lines):
            draw.text((120, 150 + 60 * n), line, fill=25, font=font)
        img = img.rotate(0.4, fillcolor=238).filter(ImageFilter.GaussianBlur(0.5))
        images.append(img)
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=150, save_all=True, append_images=images[1:],
                   quality=85)
    return out.getvalue()
