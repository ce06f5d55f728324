"""Issue 19 §6: an output path that cannot be written is one line naming it, before any work
(no report built, no inspection run), and exit status 1."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from xunjian.storage import open_store
from tests.cli_run import census_forms
from tests.test_cli_output import CODE, ROOT, stored  # noqa: F401 - the stored inspection

AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def run(*args: str, store: Path, as_nobody: bool = False) -> subprocess.CompletedProcess:
    """The real command line; as an unprivileged user when asked (root may write anywhere)."""
    prefix = AS_NOBODY if as_nobody and os.geteuid() == 0 else []
    return subprocess.run([*prefix, sys.executable, "-m", "xunjian.cli", *args], cwd=ROOT,
                          env=dict(os.environ, XUNJIAN_STORE=str(store)), capture_output=True,
                          text=True, timeout=120)


def test_report_site_and_census_to_a_missing_folder(stored, tmp_path: Path) -> None:  # noqa: F811
    store = stored["folder"]
    missing = tmp_path / "no-such-dir" / "报告.pdf"
    for args in (["report", "site", CODE, "--format", "pdf"],
                 ["report", "census", "--format", "xlsx"],
                 ["report", "card", CODE, "--json"]):
        done = run(*args, *([] if args[-1] == "--json" else ["--output"]), str(missing),
                   store=store)
        assert done.returncode == 1, done.stderr
        assert done.stderr.splitlines() == [f"Error: {missing}: directory does not exist"]
        assert done.stdout == ""  # no card printed, nothing built
    assert not missing.parent.exists()


def test_an_existing_folder_as_the_output_file(stored, tmp_path: Path) -> None:  # noqa: F811
    done = run("report", "site", CODE, "--format", "html", "--output", str(tmp_path),
               store=stored["folder"])
    assert done.returncode == 1
    assert done.stderr.splitlines() == [f"Error: {tmp_path}: is a directory, not a file"]


def test_unwritable_folder(stored, tmp_path: Path) -> None:  # noqa: F811
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH
                 | stat.S_IXOTH)
    tmp_path.chmod(0o755)
    for parent in tmp_path.parents:  # nobody must reach the folder to be told it is locked
        if parent.stat().st_uid == os.geteuid() and str(parent).startswith("/tmp/"):
            parent.chmod(parent.stat().st_mode | 0o005)
    target = locked / "report.html"
    done = run("report", "site", CODE, "--format", "html", "--output", str(target),
               store=stored["folder"], as_nobody=True)
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines() == [f"Error: {target}: directory is not writable"]
    assert not target.exists()


def test_inspect_checks_its_json_path_before_inspecting(tmp_path: Path) -> None:
    site = ("4301210001", "湖南省长沙县", "长沙县人民政府门户网站", "门户网站",
            "http://127.0.0.1:9/", "长沙县人民政府办公室")
    forms = census_forms(tmp_path / "forms", site, [])
    store = tmp_path / "store"
    imported = run("registry", "import", *map(str, forms), store=store)
    assert imported.returncode == 0, imported.stderr
    target = tmp_path / "cards" / "card.json"
    done = run("inspect", site[0], "--as-of", "2026-11-20", "--json", str(target), store=store)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.splitlines() == [f"Error: {target}: directory does not exist"]
    db = open_store(str(store))
    try:
        assert db.inspections(site[0]) == []  # nothing was crawled
    finally:
        db.close()
