"""Issue 10 points 6 and 7: the card in a file or a pipe, and the command line's traps.

A stored inspection of a 大汉 jcms-style site (links under /jcms/jcms_files/…) with long URLs and
screenshot hashes is re-scored with ``xunjian report card`` — through a real pipe (subprocess, no
tty) and through CliRunner — and read back line by line as an operator's script would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from xunjian.storage import open_store
from xunjian.cli import main

ROOT = Path(__file__).resolve().parent.parent
CODE = "3205000012"
SITE = {"code": CODE, "name": "苏州市相城区人民政府门户网站", "url": "http://www.dsxc.gov.cn/",
        "type": "门户网站", "splash": False}
LONG = ("http://www.dsxc.gov.cn/jcms/jcms_files/jcms1/web1/site/module/jslib/"
        "tongzhigonggao/2026/11/20261118_zhengfuxinxigongkai_niandubaogao_fujian_0001.pdf")
JPAGE = ("http://www.dsxc.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45"
         "&perpage=15&col=1&appid=1&webid=1&path=%2F&columnid=3315&sourceContentType=1")


def finding(fid: str, url: str, page: str, shot: str, anchor: str, status: int,
            blank: bool = False) -> dict:
    return {"id": fid, "site": CODE, "indicator": "availability.links", "kind": "broken_link",
            "rule": "home", "url": url, "page": page, "detail": f"首页链接「{anchor}」不可用",
            "needs_review": False,
            "evidence": {"anchor_text": anchor, "error_type": "链接不可访问", "status": status,
                         "status_text": f"HTTP {status}", "screenshot": shot,
                         "screenshot_blank": blank}}


@pytest.fixture
def stored(tmp_path: Path) -> dict:
    folder = tmp_path / "store"
    store = open_store(str(folder))
    store.upsert_site(SITE)
    png = b"\x89PNG\r\n\x1a\n" + os.urandom(64)  # content-addressed: a long hash-named file
    shot = store.put_blob(png, "image/png")
    other = store.put_blob(b"\x89PNG\r\n\x1a\n" + os.urandom(64), "image/png")
    done = store.create_inspection({"site": CODE, "as_of": "2026-11-20", "status": "done",
                                    "started_at": "2026-11-20T01:00:00+00:00", "checks": {
                                        "availability.links": True}})
    store.replace_findings(done, [
        {**finding("f-pdf", LONG, "http://www.dsxc.gov.cn/", shot, "2026年度报告\t(附件)", 404),
         "inspection": done},
        {**finding("f-jpage", JPAGE, "http://www.dsxc.gov.cn/col/col3315/index.html", other,
                   "通知公告", 500, blank=True), "inspection": done},
    ])
    failed = store.create_inspection({
        "site": CODE, "as_of": "2026-11-21", "status": "failed", "checks": {},
        "started_at": "2026-11-21T01:00:00+00:00",
        "error": "InspectionError: the crawl failed (exit 1)"})
    locations = {"f-pdf": store.blob_location(shot), "f-jpage": store.blob_location(other)}
    store.close()
    return {"folder": folder, "done": done, "failed": failed, "locations": locations}


def piped(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xunjian.cli", *args], cwd=ROOT,
                          env=dict(os.environ, COLUMNS="80", **(env or {})),
                          capture_output=True, text=True, timeout=120)


def test_piped_card_is_whole_tab_separated_lines(stored) -> None:
    out = piped("report", "card", CODE, "--inspection", stored["done"], "--store",
                str(stored["folder"]))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    rows = [line.split("\t") for line in lines]
    assert rows[0][:2] == ["site", CODE]
    findings = {row[1]: row for row in rows if row[0] == "finding"}
    assert set(findings) == {"f-pdf", "f-jpage"}
    header = next(row for row in rows if row[0] == "#finding")
    assert len(header) == len(findings["f-pdf"])  # every finding line has every field
    # whole URLs and whole screenshot paths, each on its own finding's line
    assert findings["f-pdf"][4] == LONG and findings["f-jpage"][4] == JPAGE
    assert findings["f-pdf"][-2] == stored["locations"]["f-pdf"]
    assert findings["f-jpage"][-2] == stored["locations"]["f-jpage"]
    assert findings["f-pdf"][-1] == "" and findings["f-jpage"][-1] == "blank"
    assert findings["f-pdf"][3] == "2026年度报告 (附件)"  # a tab in the anchor cannot split fields
    for line in lines:
        assert len(line.split("\t")) >= 2, line  # no stray continuation lines from wrapping
    # the 单项否决 table as the web app shows it: all five, checked or not, fired or not
    vetoes = [row for row in rows if row[0] == "veto"]
    assert [row[1] for row in vetoes] == ["veto.unreachable", "veto.not_updated",
                                          "veto.columns_stale", "veto.serious_error",
                                          "veto.unresponsive"]
    assert all(row[4] == "未触发" for row in vetoes)
    # every unchecked indicator with a reason
    unchecked = {row[1]: row[3] for row in rows if row[0] == "unchecked"}
    assert "veto.serious_error" in unchecked and "人工复核" in unchecked["veto.serious_error"]
    assert "7 days" in unchecked["availability.homepage"] or "探测" in unchecked[
        "availability.homepage"]
    assert "availability.links" not in unchecked
    assert all(unchecked.values())


def test_cli_runner_output_is_not_wrapped(stored) -> None:
    result = CliRunner().invoke(main, ["--store", str(stored["folder"]), "report", "card", CODE,
                                       "--inspection", stored["done"]])
    assert result.exit_code == 0, result.output
    assert LONG in result.output.splitlines()[-2].split("\t")  # the jcms PDF link, unbroken
    for location in stored["locations"].values():
        assert any("\t" + location + "\t" in line for line in result.output.splitlines())


def test_failed_inspection_says_so_on_the_first_line(stored) -> None:
    out = piped("--store", str(stored["folder"]), "report", "card", CODE,
                "--inspection", stored["failed"])
    assert out.returncode == 0, out.stderr
    first = out.stdout.splitlines()[0].split("\t")
    assert first[:4] == ["status", "incomplete", stored["failed"], "failed"]
    assert "the crawl failed" in first[4]
    unchecked = [line for line in out.stdout.splitlines() if line.startswith("unchecked\t")]
    assert any("availability.links" in line and "failed" in line for line in unchecked)
    # the JSON card on stdout stays JSON; the notice goes to stderr
    as_json = piped("--store", str(stored["folder"]), "report", "card", CODE,
                    "--inspection", stored["failed"], "--json", "-")
    assert as_json.stdout.lstrip().startswith("{")
    assert as_json.stderr.startswith("INCOMPLETE inspection " + stored["failed"])


def test_unknown_inspection_id_is_a_clear_error(stored) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["report", "card", CODE, "--inspection", "nope-123",
                                  "--store", str(stored["folder"])])
    assert result.exit_code == 1
    assert "no inspection 'nope-123' in the store" in result.output
    other = runner.invoke(main, ["report", "card", "9999000001", "--inspection", stored["done"],
                                 "--store", str(stored["folder"])])
    assert other.exit_code == 1 and f"is of site '{CODE}'" in other.output


def test_store_after_the_subcommand_is_the_store_used(stored, tmp_path: Path) -> None:
    runner = CliRunner(env={"XUNJIAN_STORE": str(tmp_path / "empty")})
    before = runner.invoke(main, ["report", "card", CODE])
    assert before.exit_code == 1 and f"no store at {tmp_path / 'empty'}" in before.output
    assert not (tmp_path / "empty").exists()  # reading names the store; it creates nothing
    after = runner.invoke(main, ["report", "card", CODE, "--store", str(stored["folder"])])
    assert after.exit_code == 0, after.output
    assert after.output.startswith(f"site\t{CODE}\t")
    # the subcommand's --store wins over the group's
    both = runner.invoke(main, ["--store", str(tmp_path / "empty"), "registry", "discovered",
                                CODE, "--store", str(stored["folder"])])
    assert both.exit_code == 0, both.output and "no discovered columns" in both.output


def _commands(command: click.Command, path: tuple[str, ...] = ("xunjian",)):
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _commands(sub, (*path, name))


def test_every_option_has_help_and_every_store_command_takes_store() -> None:
    for path, command in _commands(main):
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{' '.join(path)} {param.opts[0]} has no help text"
        if not isinstance(command, click.Group) and path[-1] != "extract":
            assert any(p.name == "store" for p in command.params), " ".join(path)
    for args in (["inspect", "--help"], ["probe", "--help"], ["review", "serve", "--help"]):
        shown = CliRunner().invoke(main, args)
        assert shown.exit_code == 0 and "--store URL" in shown.output


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and result.output.startswith("xunjian 0.")


def test_terminal_card_shows_the_veto_table_and_why_each_indicator_is_unchecked(stored) -> None:
    import io

    from rich.console import Console

    from xunjian.reports.text import print_card
    from xunjian.inspection.card import card_for

    store = open_store(str(stored["folder"]))
    card = card_for(store, stored["failed"])
    screen = Console(file=io.StringIO(), force_terminal=True, width=160, color_system=None)
    print_card(card, screen, blob_location=store.blob_location,
               inspection=store.get_inspection(stored["failed"]))
    text = screen.file.getvalue()
    lines = text.splitlines()
    assert lines[0].startswith(f"INCOMPLETE inspection {stored['failed']} (failed:")
    assert "单项否决指标" in text and text.count("未触发") == 5
    for name in ("站点无法访问", "网站不更新", "栏目不更新", "严重错误", "互动回应差"):
        assert name in text, name
    reasons = text[text.index("未检查 unchecked"):]
    assert "链接可用性 availability.links: the inspection failed before" in reasons
    assert "严重错误 veto.serious_error: judged by reviewers only" in reasons


def test_inspect_reads_the_store_named_after_it(stored, tmp_path: Path) -> None:
    runner = CliRunner(env={"XUNJIAN_STORE": str(tmp_path / "empty")})
    result = runner.invoke(main, ["inspect", "3205000099", "--store", str(stored["folder"])])
    assert result.exit_code == 1
    assert f"in the store {stored['folder']} (1 registered: {CODE})" in result.output  # the registry of the store given after inspect
