"""A command pointed at the wrong store says which store it read, and reading creates nothing.

A user who runs ``xunjian report card …`` in a folder without a store used to get an empty
./xunjian-data created on the spot, then "unknown site" or 登记网站 0 with no word of where it
looked. Now commands that only read refuse a store that does not exist and name its folder;
"unknown site" names the store and what it holds; only ``registry import`` (and ``demo``, which
imports) start a new store.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from xunjian.cli import StoreContext, main
from xunjian.storage import StoreNotFoundError, open_store

SITES_CSV = (
    "网站名称,网站标识码,首页网址,主办单位,网站类型,地区,级别\n"
    "某某县人民政府,1234000001,http://127.0.0.1:9/,某某县人民政府办公室,门户网站,某某省某某县,县级\n"
    "某某县教育局,1234000002,http://127.0.0.1:9/jyj/,某某县教育局,其他,某某省某某县,县级\n"
)


@pytest.fixture()
def bare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with no store in it and no XUNJIAN_STORE."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("XUNJIAN_STORE", raising=False)
    return tmp_path


def _run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("command", [
    ["report", "card", "1234000001"],
    ["report", "site", "1234000001", "--format", "html", "--output", "r.html"],
    ["report", "census", "--format", "html", "--output", "c.html"],
    ["warnings", "1234000001"],
    ["inspect", "1234000001"],
    ["recheck", "abc123"],
])
def test_a_reading_command_without_a_store_names_the_folder_and_creates_nothing(bare, command):
    result = _run(*command)
    assert result.exit_code == 1, result.output
    assert f"no store at {bare / 'xunjian-data'}" in result.output
    assert "registry import" in result.output
    assert not (bare / "xunjian-data").exists()
    assert not (bare / "r.html").exists() and not (bare / "c.html").exists()


def test_a_mistyped_store_folder_is_not_created(bare):
    result = _run("report", "card", "1234000001", "--store", "xunjain-data")
    assert result.exit_code == 1
    assert f"no store at {bare / 'xunjain-data'}" in result.output
    assert not (bare / "xunjain-data").exists()


def test_registry_import_starts_the_store_and_unknown_site_names_it(bare):
    (bare / "sites.csv").write_text(SITES_CSV, encoding="gbk")
    imported = _run("registry", "import", "sites.csv")
    assert imported.exit_code == 0, imported.output
    assert (bare / "xunjian-data" / "xunjian.sqlite3").is_file()

    wrong = _run("report", "card", "1234000009")
    assert wrong.exit_code == 1
    assert (f"unknown site '1234000009' in the store {bare / 'xunjian-data'} "
            "(2 registered: 1234000001, 1234000002)") in wrong.output
    # a site that is registered but never inspected is not "unknown"
    never = _run("report", "card", "1234000001")
    assert never.exit_code == 1 and "no finished inspection of site '1234000001'" in never.output


def test_unknown_site_in_an_empty_store_and_a_census_of_nothing_say_where(bare):
    open_store(str(bare / "empty")).close()  # a store that exists, with no sites
    wrong = _run("report", "site", "1234000001", "--format", "html", "--output", "r.html",
                 "--store", "empty")
    assert wrong.exit_code == 1
    assert f"in the store {bare / 'empty'} (no sites are registered there)" in wrong.output

    census = _run("report", "census", "--format", "html", "--output", "c.html",
                  "--store", "empty")
    assert census.exit_code == 0, census.output
    assert (f"the store {bare / 'empty'} has no registered sites (登记网站 0)"
            in census.output)


def test_many_sites_are_summarised_not_listed(tmp_path):
    with open_store(str(tmp_path / "s")) as store:
        for n in range(7):
            store.upsert_site({"code": f"12340000{n:02d}", "name": f"网站{n}",
                               "url": f"http://127.0.0.1:9/{n}/"})
        message = store.unknown_site("x")
    assert "(7 registered: 1234000000, 1234000001, 1234000002, 1234000003, 1234000004…)" in message


def test_a_store_url_with_a_password_is_shown_without_it():
    context = StoreContext("mongodb://inspector:s3cret@db.example:27017/xunjian")
    assert context.label == "mongodb://inspector:***@db.example:27017/xunjian"


def test_open_store_without_create_raises_a_store_error(tmp_path):
    with pytest.raises(StoreNotFoundError, match="no store at"):
        open_store(str(tmp_path / "none"), create=False)
    assert not (tmp_path / "none").exists()
    with pytest.raises(StoreNotFoundError):
        open_store(f"file://{tmp_path / 'none'}", create=False)
