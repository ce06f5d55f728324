"""Issue 19 §6: bad census files end in one line naming the file and row, never a traceback,
and nothing half-read is imported. Real files, the real command line, the embedded store."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
from openpyxl import Workbook

from xunjian.storage import open_store
from tests.cli_run import xunjian

SITES = ("网站标识码,部门/地区,网站名称,网站类型,首页网址,网站主管单位,办公地址\r\n")


def stored_codes(store: Path) -> list[str]:
    db = open_store(str(store))
    try:
        return sorted(s["code"] for s in db.list_sites())
    finally:
        db.close()


def error_lines(done) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.strip()]


def test_unclosed_quote_names_every_row_it_swallowed(tmp_path: Path) -> None:
    # A 大汉-style export: CRLF lines, an 办公地址 quoted because it holds a comma. Row 3 of 5
    # (line 4) opens a quote it never closes; the cell then runs on over the rest of the file.
    rows = [
        '1100000001,北京市,北京市人民政府门户网站,门户网站,http://www.beijing.gov.cn/,北京市政府办公厅,"通州区运河东大街57号,101160"',
        "4401000001,广东省广州市,广州市人民政府门户网站,门户网站,http://www.gz.gov.cn/,广州市人民政府办公厅,府前路1号",
        '4401060001,广东省广州市天河区,"天河区人民政府网站,门户网站,http://www.thnet.gov.cn/,天河区人民政府办公室,天府路1号',
        "4401040001,广东省广州市越秀区,越秀区人民政府网站,门户网站,http://www.yuexiu.gov.cn/,越秀区人民政府办公室,府前路",
        "4401030001,广东省广州市荔湾区,荔湾区人民政府网站,门户网站,http://www.lw.gov.cn/,荔湾区人民政府办公室,中山七路",
    ]  # fmt: skip
    sites = tmp_path / "sites.csv"
    sites.write_bytes((SITES + "\r\n".join(rows) + "\r\n").encode("utf-8-sig"))
    store = tmp_path / "store"
    done = xunjian("registry", "import", str(sites), store=store)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert error_lines(done) == [
        'sites.csv:4: 网站名称: unclosed quote ("): this cell runs on over rows 5–6; rows 4–6 '
        "were not imported (close the quote, then import again)",
        "sites.csv:5: swallowed by the unclosed quote on row 4; not imported",
        "sites.csv:6: swallowed by the unclosed quote on row 4; not imported",
    ]
    assert stored_codes(store) == ["1100000001", "4401000001"]


def test_unclosed_quote_closed_by_a_later_row_imports_nothing_half_read(tmp_path: Path) -> None:
    # The run-on ends at the next quote (a later row's quoted 办公地址); the csv module would
    # hand back a "valid" row 3 with row 5's address and a name three lines long.
    rows = [
        "4403000001,广东省深圳市,深圳市人民政府门户网站,门户网站,http://www.sz.gov.cn/,深圳市政府办公厅,福中三路",
        '4403040001,广东省深圳市福田区,"福田区人民政府网站,门户网站,http://www.szft.gov.cn/,福田区政府办公室,福民路',
        "4403030001,广东省深圳市罗湖区,罗湖区人民政府网站,门户网站,http://www.szlh.gov.cn/,罗湖区政府办公室,文华路",
        '4403050001,广东省深圳市南山区,南山区人民政府网站,门户网站,http://www.szns.gov.cn/,南山区政府办公室,"南头街道,桃园路"',
        "4403060001,广东省深圳市宝安区,宝安区人民政府网站,门户网站,http://www.baoan.gov.cn/,宝安区政府办公室,新安街道",
    ]  # fmt: skip
    sites = tmp_path / "附件3.csv"
    sites.write_bytes((SITES + "\n".join(rows) + "\n").encode("gb18030"))
    store = tmp_path / "store"
    done = xunjian("registry", "import", str(sites), store=store)
    assert done.returncode == 1, done.stderr
    assert error_lines(done) == [
        '附件3.csv:3: 网站名称: unclosed quote ("): this cell runs on over rows 4–5; rows 3–5 '
        "were not imported (close the quote, then import again)",
        "附件3.csv:4: swallowed by the unclosed quote on row 3; not imported",
        "附件3.csv:5: swallowed by the unclosed quote on row 3; not imported",
    ]
    assert stored_codes(store) == ["4403000001", "4403060001"]


def test_a_cell_listing_columns_on_several_lines_is_still_one_row(tmp_path: Path) -> None:
    forms = tmp_path / "columns.csv"
    forms.write_text(
        "网站标识码,内容类别,栏目类型,栏目(系统)名称,栏目(系统)地址\n"
        '4401000001,信息公开类,工作动态,"政务要闻\n部门动态","http://www.gz.gov.cn/zwyw/\n'
        'http://www.gz.gov.cn/bmdt/"\n'
        "4401000001,信息公开类,通知公告,通知公告,http://www.gz.gov.cn/tzgg/\n", encoding="utf-8")
    sites = tmp_path / "sites.csv"
    sites.write_text(SITES + "4401000001,广东省广州市,广州市人民政府门户网站,门户网站,"
                     "http://www.gz.gov.cn/,广州市人民政府办公厅,府前路1号\n", encoding="utf-8")
    done = xunjian("registry", "import", str(sites), str(forms), store=tmp_path / "store")
    assert done.returncode == 0, done.stderr
    assert "columns: 3 for 1 site(s); 0 error(s)" in done.stdout


def test_short_codes_are_errors_naming_the_field(tmp_path: Path) -> None:
    # GBK, as the census's own Excel saves a CSV; 440100 is a region code, not a 网站标识码.
    sites = tmp_path / "sites.csv"
    sites.write_bytes((
        "网站标识码,部门/地区,网站名称,网站类型,首页网址\r\n"
        "4401000001,广东省广州市,广州市人民政府门户网站,门户网站,http://www.gz.gov.cn/\r\n"
        "440100,广东省广州市,广州市发展和改革委员会网站,其他,http://fgw.gz.gov.cn/\r\n"
        "BM04000001,水利部,水利部网站,其他,http://www.mwr.gov.cn/\r\n"
        "bm0400001x,水利部,水利部某中心网站,其他,http://x.mwr.gov.cn/\r\n"
        "44010000012,广东省广州市,广州市教育局网站,其他,http://jyj.gz.gov.cn/\r\n"
    ).encode("gbk"))
    columns = tmp_path / "columns.csv"
    columns.write_bytes((
        "网站标识码,内容类别,栏目类型,栏目(系统)名称,栏目(系统)地址\r\n"
        "4401000001,信息公开类,通知公告,通知公告,http://www.gz.gov.cn/tzgg/\r\n"
        "GZ01,信息公开类,工作动态,工作动态,http://www.gz.gov.cn/gzdt/\r\n"
    ).encode("gbk"))
    store = tmp_path / "store"
    done = xunjian("registry", "import", str(sites), str(columns), store=store)
    assert done.returncode == 1
    assert error_lines(done) == [
        "sites.csv:3: 网站标识码: not a 网站标识码 (10 digits, or bm + 8 digits): '440100'",
        "sites.csv:5: 网站标识码: not a 网站标识码 (10 digits, or bm + 8 digits): 'bm0400001x'",
        "sites.csv:6: 网站标识码: not a 网站标识码 (10 digits, or bm + 8 digits): '44010000012'",
        "columns.csv:3: 网站标识码: not a 网站标识码 (10 digits, or bm + 8 digits): 'GZ01'",
    ]
    assert stored_codes(store) == ["4401000001", "bm04000001"]


def test_files_that_are_not_workbooks_are_one_line_each(tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(["网站标识码", "部门/地区", "网站名称", "网站类型", "首页网址"])
    book.active.append(["4401000001", "广东省广州市", "广州市人民政府门户网站", "门户网站",
                        "http://www.gz.gov.cn/"])
    good = tmp_path / "sites.xlsx"
    book.save(good)
    document = docx.Document()
    document.add_paragraph("附件4 政府网站栏目(系统)基本信息表")
    document.add_table(rows=2, cols=5)
    document.save(tmp_path / "columns.docx")
    (tmp_path / "columns.docx").rename(tmp_path / "columns.xlsx")
    with zipfile.ZipFile(tmp_path / "archive.xlsx", "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    (tmp_path / "empty.xlsx").write_bytes(b"")
    (tmp_path / "cut.xlsx").write_bytes(good.read_bytes()[:300])
    (tmp_path / "photo.csv").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)))
    names = ["columns.xlsx", "archive.xlsx", "empty.xlsx", "cut.xlsx", "photo.csv", "sites.xlsx"]
    store = tmp_path / "store"
    done = xunjian("registry", "import", *(str(tmp_path / n) for n in names), store=store)
    assert done.returncode == 1
    assert error_lines(done) == [
        "columns.xlsx: not an XLSX workbook (it is a Word document)",
        "archive.xlsx: not an XLSX workbook (a ZIP archive with no workbook in it)",
        "empty.xlsx: not an XLSX workbook (the file is empty)",
        "cut.xlsx: not an XLSX workbook (a damaged ZIP archive)",
        "photo.csv: not a CSV text file (it holds binary data; save the form as CSV or .xlsx)",
    ]
    assert stored_codes(store) == ["4401000001"]  # the good workbook still imports
