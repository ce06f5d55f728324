"""Issue 10 point 5: a 网站标识码 twice in one import, and a deliberate change of a stored site.

Through the command line and the embedded store, as an operator would import the census forms.
"""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

from xunjian.registry import parse_files
from xunjian.storage import open_store
from xunjian.cli import main

HEADER = ["网站标识码", "部门/地区", "网站名称", "网站类型", "首页网址", "负责人电子邮箱"]
FOSHAN = ["4406000001", "广东省佛山市", "佛山市人民政府网站", "", "http://www.foshan.gov.cn/",
          "xxgk@foshan.gov.cn"]
NANHAI = ["4406050001", "广东省佛山市南海区", "南海区人民政府门户网站", "门户网站",
          "http://www.nanhai.gov.cn/", ""]


def write(path: Path, rows: list[list[str]], encoding: str = "gb18030") -> Path:
    with path.open("w", encoding=encoding, newline="") as out:
        csv.writer(out).writerows(rows)
    return path


def run(store: Path, *args: str):
    return CliRunner().invoke(main, ["--store", str(store), *args])


def test_both_rows_of_a_repeated_code_are_errors_and_nothing_is_imported(tmp_path: Path) -> None:
    typo = ["4406000001", "广东省佛山市顺德区", "顺德区人民政府网站", "",
            "http://www.shunde.gov.cn/", ""]
    sites = write(tmp_path / "附件3.csv", [HEADER, FOSHAN, NANHAI, typo])
    result = parse_files([sites])
    assert [s["code"] for s in result.sites] == ["4406050001"]
    assert [(e.file, e.row, e.field, e.severity) for e in result.errors] == [
        ("附件3.csv", 2, "网站标识码", "error"),
        ("附件3.csv", 4, "网站标识码", "error"),
    ]
    assert str(result.errors[0]) == (
        "附件3.csv:2: 网站标识码: 4406000001 is also on 附件3.csv:4; "
        "none of these rows was imported")

    store = tmp_path / "data"
    out = run(store, "registry", "import", str(sites))
    assert out.exit_code == 1
    assert "附件3.csv:2: 网站标识码" in out.output and "附件3.csv:4: 网站标识码" in out.output
    opened = open_store(str(store))
    assert opened.get_site("4406000001") is None
    assert opened.get_site("4406050001")["name"] == "南海区人民政府门户网站"


def test_a_repeated_code_leaves_the_stored_site_as_it_was(tmp_path: Path) -> None:
    store = tmp_path / "data"
    first = run(store, "registry", "import", str(write(tmp_path / "a.csv", [HEADER, FOSHAN])))
    assert first.exit_code == 0, first.output
    other = ["4406000001", "", "佛山市政府", "", "http://fs.example.gov.cn/", ""]
    again = write(tmp_path / "b.csv", [HEADER, other, FOSHAN], encoding="utf-8-sig")
    out = run(store, "registry", "import", str(again))
    assert out.exit_code == 1
    assert "b.csv:2: 网站标识码" in out.output and "b.csv:3: 网站标识码" in out.output
    site = open_store(str(store)).get_site("4406000001")
    assert (site["name"], site["url"]) == ("佛山市人民政府网站", "http://www.foshan.gov.cn/")


def test_a_changed_url_in_a_later_import_is_reported_as_a_change(tmp_path: Path) -> None:
    store = tmp_path / "data"
    assert run(store, "registry", "import",
               str(write(tmp_path / "a.csv", [HEADER, FOSHAN, NANHAI]))).exit_code == 0
    moved = [*FOSHAN[:4], "https://www.foshan.gov.cn/", FOSHAN[5]]
    out = run(store, "registry", "import", str(write(tmp_path / "a.csv", [HEADER, moved, NANHAI])))
    assert out.exit_code == 0, out.output
    assert ("4406000001: 首页网址 changed: http://www.foshan.gov.cn/ → https://www.foshan.gov.cn/"
            in out.output.splitlines())
    assert "sites: 0 new, 1 updated, 1 unchanged;" in out.output
    assert "4406050001" not in out.output  # an unchanged site is not reported
    assert open_store(str(store)).get_site("4406000001")["url"] == "https://www.foshan.gov.cn/"


def test_columns_of_a_repeated_code_are_not_imported_either(tmp_path: Path) -> None:
    """Which of the two sites a 附件4 row belongs to is unknown, so it must not land on either."""
    typo = ["4406000001", "广东省佛山市顺德区", "顺德区人民政府网站", "",
            "http://www.shunde.gov.cn/", ""]
    sites = write(tmp_path / "附件3.csv", [HEADER, FOSHAN, NANHAI, typo])
    columns = write(tmp_path / "附件4.csv", [
        ["网站标识码", "内容类别", "栏目类型", "栏目(系统)名称", "栏目(系统)地址"],
        ["4406000001", "信息公开类", "工作动态", "佛山要闻", "http://www.foshan.gov.cn/yw/"],
        ["4406050001", "信息公开类", "工作动态", "南海要闻", "http://www.nanhai.gov.cn/yw/"],
    ])
    result = parse_files([sites, columns])
    assert list(result.columns) == ["4406050001"]
    refused = [(e.file, e.row, e.field) for e in result.errors if e.file == "附件4.csv"]
    assert refused == [("附件4.csv", 2, "网站标识码")]
    assert "not imported" in str(next(e for e in result.errors if e.file == "附件4.csv"))

    store = tmp_path / "data"
    out = run(store, "registry", "import", str(sites), str(columns))
    assert out.exit_code == 1
    opened = open_store(str(store))
    assert opened.columns("4406000001") == []
    assert [c["name"] for c in opened.columns("4406050001")] == ["南海要闻"]
