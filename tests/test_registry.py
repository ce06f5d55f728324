"""registry/: census forms (附件3 sites, 附件4 columns) → site and column documents."""

from __future__ import annotations

import codecs
import copy
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from xunjian.registry import TEMPLATES, RegistryError, import_into, parse_files
from xunjian.registry.fields import normalize_url

DATA = Path(__file__).parent / "data" / "registry"

SITE_HEADER = ["网站标识码", "部门/地区", "网站名称", "网站类型", "首页网址", "负责人电子邮箱"]
COLUMN_HEADER = ["网站标识码", "内容类别", "栏目类型", "栏目(系统)名称", "栏目(系统)地址"]
GZ = ["4401000001", "广东省广州市", "广州市人民政府网站", "", "www.gz.gov.cn", "a@gz.gov.cn"]


class FakeStore:
    """The three store methods the registry may use, in memory."""

    def __init__(self) -> None:
        self.sites: dict[str, dict[str, Any]] = {}
        self.columns: dict[str, list[dict[str, Any]]] = {}
        self.upserts = 0

    def upsert_site(self, site: dict[str, Any]) -> bool:
        self.upserts += 1
        created = site["code"] not in self.sites
        self.sites[site["code"]] = copy.deepcopy(site)
        return created

    def get_site(self, code: str) -> dict[str, Any] | None:
        return copy.deepcopy(self.sites.get(code))

    def replace_columns(self, site_code: str, columns: list[dict[str, Any]]) -> None:
        self.columns[site_code] = copy.deepcopy(columns)

    def state(self) -> tuple[dict[str, Any], dict[str, Any]]:
        return copy.deepcopy(self.sites), copy.deepcopy(self.columns)


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    text = "".join(
        ",".join(f'"{c}"' if "," in c or "\n" in c else c for c in r) + "\r\n" for r in rows
    )
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def errors_at(result: Any) -> list[tuple[str, int, str]]:
    return [(e.file, e.row, e.field) for e in result.errors if e.severity == "error"]


# ---- reading: encodings, XLSX, headers -----------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_sites_csv_in_every_encoding(tmp_path: Path, encoding: str) -> None:
    path = write_csv(tmp_path / "sites.csv", [SITE_HEADER, GZ], encoding)
    if encoding == "utf-8-sig":
        assert path.read_bytes().startswith(codecs.BOM_UTF8)
    result = parse_files([path])
    assert result.errors == []
    [site] = result.sites
    assert site["code"] == "4401000001"
    assert site["name"] == "广州市人民政府网站"
    assert site["region"] == "广东省广州市"
    assert site["url"] == "http://www.gz.gov.cn/"
    assert site["leader"]["email"] == "a@gz.gov.cn"
    assert site["contact"] == {"name": "", "phone": "", "mobile": "", "email": ""}
    assert site["splash"] is False
    assert site["imported_from"] == "sites.csv:2"


def test_gbk_columns_csv(tmp_path: Path) -> None:
    rows = [
        COLUMN_HEADER,
        ["4401000001", "信息公开类", "工作动态", "政务要闻", "http://a.gov.cn/x/"],
    ]
    result = parse_files([write_csv(tmp_path / "columns.csv", rows, "gbk")])
    assert result.errors == []
    assert [(c["category"], c["type"], c["name"]) for c in result.columns["4401000001"]] == [
        ("信息公开类", "工作动态", "政务要闻")
    ]


def test_shipped_sample_forms_import_cleanly() -> None:
    result = parse_files([DATA / "columns.csv", DATA / "sites.csv"])  # order does not matter
    assert result.errors == []
    assert [s["code"] for s in result.sites] == ["4401000001", "4401000002", "4401000003"]
    assert [s["type"] for s in result.sites] == ["门户网站", "其他", "门户网站"]
    assert [s["splash"] for s in result.sites] == [False, False, True]
    gz = result.columns["4401000001"]
    assert len(gz) == 14
    assert [c["position"] for c in gz] == list(range(14))
    # /zwgk/tzgg/ resolved against the homepage from the sites file of the same import
    assert gz[4]["url"] == "http://www.gz.gov.cn/zwgk/tzgg/"
    assert gz[-1]["type"] == "在线(申报、查询)系统"
    assert {c["source"] for c in gz} == {"registry"}


def test_xlsx_workbook_with_both_forms(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "forms.xlsx",
        {
            "填写说明": [["请按附件3、附件4填写"]],
            "基本信息": [SITE_HEADER, [4401000001, "广东省广州市", "广州市人民政府网站", None,
                                    "http://www.gz.gov.cn", None]],
            "栏目": [COLUMN_HEADER, [4401000001.0, "信息公开类", "通知公告", "公告;公示",
                                   "http://www.gz.gov.cn/tzgg/;http://www.gz.gov.cn/gs/"]],
        },
    )  # fmt: skip
    result = parse_files(path)
    assert result.errors == []
    assert [s["code"] for s in result.sites] == ["4401000001"]  # numeric cell → "4401000001"
    assert result.sites[0]["imported_from"] == "forms.xlsx[基本信息]:2"
    assert [(c["name"], c["url"]) for c in result.columns["4401000001"]] == [
        ("公告", "http://www.gz.gov.cn/tzgg/"),
        ("公示", "http://www.gz.gov.cn/gs/"),
    ]


def test_xlsx_row_numbers_count_blank_and_title_rows(tmp_path: Path) -> None:
    bad = ["4401000002", "", "某局网站", "", "htp:/x", ""]
    path = write_xlsx(
        tmp_path / "sites.xlsx",
        {"Sheet": [["政府网站基本信息表"], ["填表单位（盖章）："], SITE_HEADER, GZ, [], [], bad]},
    )
    result = parse_files([path])
    assert [s["code"] for s in result.sites] == ["4401000001"]
    assert result.sites[0]["imported_from"] == "sites.xlsx:4"
    assert errors_at(result) == [("sites.xlsx", 7, "首页网址")]


def test_headers_tolerate_spaces_fullwidth_brackets_and_marks(tmp_path: Path) -> None:
    header = [" 网站标识码* ", "内容 类别", "栏目类型", "栏目（系统）名称", "栏目\n（系统）地址"]
    rows = [header, ["4401000001", "信息公开类", "工作动态", "要闻", "http://a.gov.cn/yw/"]]
    result = parse_files([write_csv(tmp_path / "c.csv", rows)])
    assert result.errors == []
    assert result.columns["4401000001"][0]["url"] == "http://a.gov.cn/yw/"


def test_unknown_layout_names_file_found_and_expected_headers(tmp_path: Path) -> None:
    rows = [["网站标识码", "网站名称", "网址"], ["4401000001", "广州", "www.gz.gov.cn"]]
    result = parse_files([write_csv(tmp_path / "odd.csv", rows)])
    assert result.sites == [] and result.columns == {}
    [error] = result.errors
    assert (error.file, error.row, error.severity) == ("odd.csv", 0, "error")
    assert "网址" in error.message  # the headers found
    assert "missing 首页网址" in error.message  # what the sites form lacks
    assert "栏目类型" in error.message  # what the columns form expects
    assert str(error).startswith("odd.csv: not a census form")


def test_unreadable_files_are_reported_and_others_still_import(tmp_path: Path) -> None:
    legacy = tmp_path / "old.xls"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 64)
    good = write_csv(tmp_path / "sites.csv", [SITE_HEADER, GZ])
    result = parse_files([tmp_path / "missing.csv", legacy, good])
    assert [(e.file, e.row) for e in result.errors] == [("missing.csv", 0), ("old.xls", 0)]
    assert ".xlsx" in result.errors[1].message
    assert [s["code"] for s in result.sites] == ["4401000001"]


def test_templates_are_header_only_utf8_bom_forms() -> None:
    for name in ("sites.csv", "columns.csv"):
        data = (TEMPLATES / name).read_bytes()
        assert data.startswith(codecs.BOM_UTF8)
        assert data.decode("utf-8-sig").count("\n") == 1
    result = parse_files([TEMPLATES / "sites.csv", TEMPLATES / "columns.csv"])
    assert (result.sites, result.columns, result.errors) == ([], {}, [])


# ---- sites ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "given", "expected"),
    [
        ("首都之窗门户网站", "", "门户网站"),
        ("广州市人民政府网站", "", "门户网站"),
        ("广州市教育局网站", "", "其他"),
        ("广州市人民政府网站", "其他", "其他"),  # an explicit value wins
        ("广州市教育局网站", " 门户网站 ", "门户网站"),
    ],
)
def test_site_type_default_rule(tmp_path: Path, name: str, given: str, expected: str) -> None:
    row = ["4401000001", "", name, given, "www.gz.gov.cn", ""]
    result = parse_files([write_csv(tmp_path / "s.csv", [SITE_HEADER, row])])
    assert result.errors == []
    assert result.sites[0]["type"] == expected


@pytest.mark.parametrize(
    ("raw", "url"),
    [
        ("www.beijing.gov.cn", "http://www.beijing.gov.cn/"),
        ("HTTPS://WWW.GD.gov.cn/a/B.html?x=1", "https://www.gd.gov.cn/a/B.html?x=1"),
        ("//www.gd.gov.cn/a", "http://www.gd.gov.cn/a"),
        ("127.0.0.1:8080/x", "http://127.0.0.1:8080/x"),
        ("http://中国政府网.政务/", "http://中国政府网.政务/"),
        ("htp:/x", None),
        ("ftp://www.gd.gov.cn/", None),
        ("http://", None),
        ("http://www", None),
        ("index.html", None),
        ("xxgk/index.html", None),
        ("http://www.gd.gov.cn/a b", None),
        ("http://www.gd.gov.cn:99999/", None),
    ],
)
def test_url_normalisation(raw: str, url: str | None) -> None:
    assert normalize_url(raw) == url


def test_bad_site_values_name_row_and_field(tmp_path: Path) -> None:
    rows = [
        [*SITE_HEADER, "首页类型"],
        ["4401000001", "", "甲网站", "", "htp:/x", "", ""],
        ["44-01", "", "乙网站", "门户", "www.b.gov.cn", "not-an-email", "首页"],
        ["", "", "", "", "", "", ""],
        ["4401000003", "", "", "", "", "", "导航页"],
    ]
    result = parse_files([write_csv(tmp_path / "sites.csv", rows)])
    assert result.sites == []
    assert errors_at(result) == [
        ("sites.csv", 2, "首页网址"),
        ("sites.csv", 3, "网站标识码"),
        ("sites.csv", 3, "网站类型"),
        ("sites.csv", 3, "首页类型"),
        ("sites.csv", 3, "负责人电子邮箱"),
        ("sites.csv", 5, "网站名称"),
        ("sites.csv", 5, "首页网址"),
    ]
    assert str(result.errors[0]) == "sites.csv:2: 首页网址: not a valid URL: 'htp:/x'"


def test_splash_homepage_flag(tmp_path: Path) -> None:
    rows = [[*SITE_HEADER, "首页类型"], [*GZ, "导航页"], ["4401000002", *GZ[1:], "普通"]]
    result = parse_files([write_csv(tmp_path / "s.csv", rows)])
    assert [s["splash"] for s in result.sites] == [True, False]


def test_mixed_good_and_bad_rows_keep_the_good_ones(tmp_path: Path) -> None:
    rows = [
        SITE_HEADER,
        GZ,
        ["4401000002", "", "坏网址网站", "", "http:/bad", ""],
        ["", "", "", "", "", ""],  # empty: skipped silently
        ["4401000003", "", "好网站", "", "www.c.gov.cn", ""],
        ["x", "", "坏标识码网站", "", "www.d.gov.cn", ""],
        ["4401000005", "", "也是好网站", "", "https://www.e.gov.cn/", ""],
    ]
    result = parse_files([write_csv(tmp_path / "sites.csv", rows)])
    assert [s["code"] for s in result.sites] == ["4401000001", "4401000003", "4401000005"]
    assert [s["imported_from"] for s in result.sites] == [
        "sites.csv:2", "sites.csv:5", "sites.csv:7"
    ]  # fmt: skip
    assert errors_at(result) == [("sites.csv", 3, "首页网址"), ("sites.csv", 6, "网站标识码")]


# ---- columns -------------------------------------------------------------------------------


def test_split_on_both_semicolons_and_newlines_keeping_order(tmp_path: Path) -> None:
    rows = [
        COLUMN_HEADER,
        ["4401000001", "信息公开类", "工作动态", "甲;乙；丙", "http://a.gov.cn/1；a.gov.cn/2;http://a.gov.cn/3"],
        ["4401000001", "信息公开类", "通知公告", "丁\n戊;", "http://a.gov.cn/4\nhttp://a.gov.cn/5"],
    ]  # fmt: skip
    result = parse_files([write_csv(tmp_path / "c.csv", rows)])
    assert result.errors == []
    columns = result.columns["4401000001"]
    assert [(c["name"], c["url"], c["position"]) for c in columns] == [
        ("甲", "http://a.gov.cn/1", 0),
        ("乙", "http://a.gov.cn/2", 1),
        ("丙", "http://a.gov.cn/3", 2),
        ("丁", "http://a.gov.cn/4", 3),
        ("戊", "http://a.gov.cn/5", 4),
    ]
    assert [c["imported_from"] for c in columns] == ["c.csv:2"] * 3 + ["c.csv:3"] * 2


def test_wu_means_no_columns_without_error(tmp_path: Path) -> None:
    rows = [
        COLUMN_HEADER,
        ["4401000001", "互动回应类", "互动访谈类栏目", "无", "无"],
        ["4401000001", "其他", "其他", "", ""],
        ["4401000002", "信息公开类", "人事信息", "无", "http://a.gov.cn/rs/"],
    ]
    result = parse_files([write_csv(tmp_path / "c.csv", rows)])
    assert result.columns["4401000001"] == []  # mentioned, with no columns
    assert "4401000002" not in result.columns
    assert errors_at(result) == [("c.csv", 4, "栏目(系统)地址")]
    assert "0 栏目(系统)名称 but 1 栏目(系统)地址" in result.errors[0].message


def test_name_address_count_mismatch_is_an_error_for_that_row(tmp_path: Path) -> None:
    rows = [
        COLUMN_HEADER,
        ["4401000001", "信息公开类", "工作动态", "甲", "http://a.gov.cn/1"],
        ["4401000001", "信息公开类", "通知公告", "乙;丙;丁", "http://a.gov.cn/2;http://a.gov.cn/3"],
        ["4401000001", "信息公开类", "政策文件", "戊", "http://a.gov.cn/5"],
    ]
    result = parse_files([write_csv(tmp_path / "columns.csv", rows)])
    [error] = result.errors
    assert (error.file, error.row, error.field) == ("columns.csv", 3, "栏目(系统)地址")
    assert str(error).startswith("columns.csv:3: 栏目(系统)地址: 3 栏目(系统)名称 but")
    assert [c["name"] for c in result.columns["4401000001"]] == ["甲", "戊"]
    assert [c["position"] for c in result.columns["4401000001"]] == [0, 1]


def test_unknown_category_and_type(tmp_path: Path) -> None:
    rows = [
        COLUMN_HEADER,
        ["4401000001", "公开类", "工作动态", "甲", "http://a.gov.cn/1"],
        ["4401000001", "信息公开类", "新闻中心", "乙", "http://a.gov.cn/2"],
        ["4401000001", "互动回应类", "工作动态", "丙", "http://a.gov.cn/3"],
        ["4401000001", "办事服务类", "在线（申报、查询）系统", "丁", "http://a.gov.cn/4"],
        ["4401000001", "互动回应类", "政务咨询类", "戊", "http://a.gov.cn/5"],
        ["4401000001", "信息公开类", "其它", "己", "http://a.gov.cn/6"],
    ]
    result = parse_files([write_csv(tmp_path / "c.csv", rows)])
    assert errors_at(result) == [
        ("c.csv", 2, "内容类别"),
        ("c.csv", 3, "栏目类型"),
        ("c.csv", 4, "栏目类型"),
    ]
    assert "unknown 内容类别 '公开类'" in result.errors[0].message
    assert "unknown 栏目类型 '新闻中心'" in result.errors[1].message
    assert "is not a type of 互动回应类" in result.errors[2].message
    assert [(c["category"], c["type"]) for c in result.columns["4401000001"]] == [
        ("办事服务类", "在线(申报、查询)系统"),
        ("互动回应类", "政务咨询类栏目"),
        ("信息公开类", "其他"),
    ]


def test_merged_category_cells_carry_forward_within_a_site(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    for row in [
        COLUMN_HEADER,
        ["4401000001", "信息公开类", "工作动态", "甲", "http://a.gov.cn/1"],
        ["4401000001", None, "通知公告", "乙", "http://a.gov.cn/2"],
        ["4401000001", None, "其他", "丙", "http://a.gov.cn/3"],  # 其他 of 信息公开类
        ["4401000001", "互动回应类", "政务咨询类栏目", "丁", "http://a.gov.cn/4"],
        ["4401000001", None, "其他", "戊", "http://a.gov.cn/5"],  # 其他 of 互动回应类
        ["4401000002", None, "其他", "己", "http://b.gov.cn/6"],  # new site: no carry
        ["4401000002", None, "工作动态", "庚", "http://b.gov.cn/7"],  # inferred from the type
    ]:
        sheet.append(row)
    sheet.merge_cells("B2:B4")
    sheet.merge_cells("B5:B6")
    book.save(tmp_path / "merged.xlsx")
    result = parse_files([tmp_path / "merged.xlsx"])
    assert result.errors == []
    got = {
        code: [(c["name"], c["category"]) for c in cols] for code, cols in result.columns.items()
    }
    assert got == {
        "4401000001": [
            ("甲", "信息公开类"),
            ("乙", "信息公开类"),
            ("丙", "信息公开类"),
            ("丁", "互动回应类"),
            ("戊", "互动回应类"),
        ],
        "4401000002": [("己", "其他"), ("庚", "信息公开类")],
    }


def test_carried_category_must_still_fit_the_type(tmp_path: Path) -> None:
    rows = [
        COLUMN_HEADER,
        ["4401000001", "信息公开类", "工作动态", "甲", "http://a.gov.cn/1"],
        ["4401000001", "", "办事指南类栏目", "乙", "http://a.gov.cn/2"],
    ]
    result = parse_files([write_csv(tmp_path / "c.csv", rows)])
    assert errors_at(result) == [("c.csv", 3, "栏目类型")]


def test_bad_column_address_and_scheme_less_host(tmp_path: Path) -> None:
    rows = [
        COLUMN_HEADER,
        ["4401000001", "信息公开类", "工作动态", "甲;乙", "www.a.gov.cn/1;javascript:void(0)"],
        ["4401000001", "信息公开类", "通知公告", "丙", "www.a.gov.cn/tzgg"],
    ]
    result = parse_files([write_csv(tmp_path / "c.csv", rows)])
    assert errors_at(result) == [("c.csv", 2, "栏目(系统)地址")]
    assert "address 2" in result.errors[0].message
    assert [c["url"] for c in result.columns["4401000001"]] == ["http://www.a.gov.cn/tzgg"]


def test_duplicate_column_is_ignored_with_warning(tmp_path: Path) -> None:
    row = ["4401000001", "信息公开类", "工作动态", "甲", "http://a.gov.cn/1"]
    result = parse_files([write_csv(tmp_path / "c.csv", [COLUMN_HEADER, row, row])])
    assert len(result.columns["4401000001"]) == 1
    assert [(e.row, e.severity) for e in result.errors] == [(3, "warning")]


# ---- import into a store -------------------------------------------------------------------


def write_pair(tmp_path: Path) -> list[Path]:
    sites = write_csv(
        tmp_path / "sites.csv",
        [SITE_HEADER, GZ, ["4401000002", "", "广州市教育局网站", "", "jyj.gz.gov.cn", ""]],
    )
    columns = write_csv(
        tmp_path / "columns.csv",
        [
            COLUMN_HEADER,
            ["4401000001", "信息公开类", "工作动态", "要闻;动态", "/yw/;/dt/"],
            ["4401000002", "信息公开类", "通知公告", "公告", "http://jyj.gz.gov.cn/tzgg/"],
        ],
    )
    return [sites, columns]


def test_import_creates_sites_and_columns(tmp_path: Path) -> None:
    store = FakeStore()
    summary = import_into(store, parse_files(write_pair(tmp_path)), now="2026-01-01T00:00:00+00:00")
    assert summary.ok
    assert summary.created == ["4401000001", "4401000002"]
    assert summary.columns == {"4401000001": 2, "4401000002": 1}
    assert store.sites["4401000001"]["updated_at"] == "2026-01-01T00:00:00+00:00"
    assert [c["url"] for c in store.columns["4401000001"]] == [
        "http://www.gz.gov.cn/yw/",
        "http://www.gz.gov.cn/dt/",
    ]


def test_reimport_is_idempotent(tmp_path: Path) -> None:
    paths = write_pair(tmp_path)
    store = FakeStore()
    import_into(store, parse_files(paths), now="2026-01-01T00:00:00+00:00")
    before = store.state()
    upserts = store.upserts
    summary = import_into(store, parse_files(paths), now="2026-02-02T00:00:00+00:00")
    assert store.state() == before  # same documents, same updated_at, no duplicated columns
    assert store.upserts == upserts
    assert summary.unchanged == ["4401000001", "4401000002"]
    assert summary.created == summary.updated == []
    assert len(store.columns["4401000001"]) == 2


def test_changed_site_is_updated_and_columns_replaced_as_a_whole(tmp_path: Path) -> None:
    store = FakeStore()
    import_into(store, parse_files(write_pair(tmp_path)))
    renamed = ["4401000001", "广东省广州市", "广州市人民政府门户网站", "", "www.gz.gov.cn", ""]
    sites = write_csv(tmp_path / "sites2.csv", [SITE_HEADER, renamed])
    columns = write_csv(
        tmp_path / "columns2.csv",
        [COLUMN_HEADER, ["4401000001", "信息公开类", "政策文件", "文件", "/wj/"]],
    )
    summary = import_into(store, parse_files([sites, columns]))
    assert summary.updated == ["4401000001"] and summary.created == []
    assert store.sites["4401000001"]["name"] == "广州市人民政府门户网站"
    assert [(c["name"], c["position"]) for c in store.columns["4401000001"]] == [("文件", 0)]
    assert len(store.columns["4401000002"]) == 1  # not mentioned: untouched


def test_columns_of_a_stored_site_resolve_relative_paths_from_the_store(tmp_path: Path) -> None:
    store = FakeStore()
    import_into(store, parse_files(write_csv(tmp_path / "s.csv", [SITE_HEADER, GZ])))
    rows = [COLUMN_HEADER, ["4401000001", "信息公开类", "工作动态", "要闻", "/yw/"]]
    result = parse_files(write_csv(tmp_path / "c.csv", rows))
    assert result.columns["4401000001"][0]["url"] == "/yw/"  # not resolvable without the store
    summary = import_into(store, result)
    assert summary.ok
    assert store.columns["4401000001"][0]["url"] == "http://www.gz.gov.cn/yw/"


def test_columns_of_an_unknown_site_are_an_error_and_not_imported(tmp_path: Path) -> None:
    store = FakeStore()
    rows = [
        COLUMN_HEADER,
        ["9999000001", "信息公开类", "工作动态", "要闻", "http://x.gov.cn/yw/"],
        ["9999000001", "信息公开类", "通知公告", "无", "无"],
    ]
    summary = import_into(store, parse_files(write_csv(tmp_path / "c.csv", rows)))
    assert [(e.file, e.row, e.field) for e in summary.errors] == [
        ("c.csv", 2, "网站标识码"),
        ("c.csv", 3, "网站标识码"),
    ]
    assert not summary.ok
    assert store.columns == {}


def test_error_str_shapes() -> None:
    assert str(RegistryError("a.csv", 7, "首页网址", "坏")) == "a.csv:7: 首页网址: 坏"
    assert str(RegistryError("a.csv", 0, "", "坏")) == "a.csv: 坏"
    assert str(RegistryError("a.csv", 3, "网站标识码", "重复", "warning")) == (
        "a.csv:3: 网站标识码: warning: 重复"
    )


def test_xlsx_with_a_wrong_dimension_record_still_reads_every_column(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "sites.xlsx", {"Sheet": [SITE_HEADER, GZ]})
    with zipfile.ZipFile(path) as source:
        members = {name: source.read(name) for name in source.namelist()}
    sheet_xml = members["xl/worksheets/sheet1.xml"].decode()
    assert '<dimension ref="A1:F2"/>' in sheet_xml
    members["xl/worksheets/sheet1.xml"] = sheet_xml.replace("A1:F2", "A1").encode()
    with zipfile.ZipFile(path, "w") as target:  # as some exporters write it
        for name, data in members.items():
            target.writestr(name, data)
    result = parse_files([path])
    assert result.errors == []
    assert result.sites[0]["url"] == "http://www.gz.gov.cn/"
