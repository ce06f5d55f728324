"""No verdict without evidence (issue 19 §5, DESIGN.md "No verdict without evidence").

A county site registered at 127.0.0.1 on a port where nothing listens (the host refuses every
connection — the site is down for the whole inspection): `xunjian probe --count 3` fails three
times, `xunjian inspect` exits 3 and its card is 未评分 with no score — not 合格 100 — and the
three failed probes do not fire veto.unreachable (the table asks 20 probes a day over the week,
140 in all); the PDF cover says 未评分, the census counts it apart from 合格 and 不合格.

With a full probe week (140+ probes spread over 7 days) the veto still fires at ≥ 5 %. A card
whose vetoes could not all be checked is 合格 only provisionally, and says which vetoes.
"""

from __future__ import annotations

import io
import json
import re
import socket
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from cli_run import census_forms, xunjian
from openpyxl import load_workbook
from pypdf import PdfReader

from xunjian.probes.scoring import HOMEPAGE, UNREACHABLE, probe_findings
from xunjian.reports.census import census_stats
from xunjian.scoring import load_rules, score_card, validate_card

CODE = "3301270001"  # 浙江省杭州市淳安县 (a county site)
AS_OF = "2026-11-20"
SH = ZoneInfo("Asia/Shanghai")
FAST = {"XUNJIAN_NAV_TIMEOUT": "5", "XUNJIAN_LINK_TIMEOUT": "2", "XUNJIAN_HOME_RETRIES": "1",
        "XUNJIAN_HOME_RETRY_PAUSE": "0.3", "XUNJIAN_MAX_PAGES": "20"}
VETOES = [e.id for e in load_rules().vetoes]


def closed_port() -> int:
    """A loopback port nobody listens on (bound once, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@pytest.fixture(scope="module")
def dead(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dead-site")
    store_dir = tmp / "store"
    url = f"http://127.0.0.1:{closed_port()}/"
    files = census_forms(tmp / "reg", (CODE, "浙江省杭州市淳安县", "淳安县人民政府", "门户网站",
                                       url, "淳安县人民政府办公室"), [])
    done = xunjian("registry", "import", *map(str, files), store=store_dir)
    assert done.returncode == 0, done.stdout + done.stderr
    probed = xunjian("probe", "--site", CODE, "--count", "3", "--interval", "0", "--timeout", "2",
                     "--no-screenshots", store=store_dir, env=FAST, timeout=120)
    assert probed.returncode == 0, probed.stdout + probed.stderr
    assert "3 probes of 1 sites, 3 failed" in probed.stdout, probed.stdout
    card_file = tmp / "card.json"
    today = datetime.now(SH).date().isoformat()  # the probes just made lie in its week
    run = xunjian("inspect", CODE, "--as-of", today, "--json", str(card_file), store=store_dir,
                  env=FAST, timeout=240)
    pdf = tmp / "report.pdf"
    report = xunjian("report", "site", CODE, "--format", "pdf", "--output", str(pdf),
                     store=store_dir, timeout=180)
    assert report.returncode == 0, report.stdout + report.stderr
    census = tmp / "census.xlsx"
    counted = xunjian("report", "census", "--as-of", today, "--format", "xlsx", "--output",
                      str(census), store=store_dir, timeout=120)
    assert counted.returncode == 0, counted.stdout + counted.stderr
    yield {"run": run, "card": json.loads(card_file.read_text("utf-8")), "pdf": pdf.read_bytes(),
           "census": census.read_bytes(), "store": store_dir}


@pytest.mark.browser
def test_a_dead_site_is_not_scored_and_exits_3(dead) -> None:
    run, card = dead["run"], dead["card"]
    assert run.returncode == 3, run.stdout + run.stderr
    assert run.stdout.startswith("首页无法访问") and "ERR_CONNECTION_REFUSED" in run.stdout
    line = next(x for x in run.stdout.splitlines() if x.startswith("card\t"))
    assert "结论 未评分" in line and "得分 —" in line and "合格" not in line.replace("未评分", "")
    validate_card(card)
    assert card["verdict"] == "未评分" and card["score"] is None
    assert card["vetoes"] == [] and card["total_deduction"] == 0
    assert card["unchecked_vetoes"] == VETOES


@pytest.mark.browser
def test_three_failed_probes_leave_the_veto_unchecked_with_the_indicators_reason(dead) -> None:
    card = dead["card"]
    assert card["facts"]["probes"]["probes"] == 3 and card["facts"]["probes"]["failed"] == 3
    assert UNREACHABLE in card["unchecked"] and HOMEPAGE in card["unchecked"]
    assert not any(f["indicator"] in (UNREACHABLE, HOMEPAGE) for f in card["findings"])
    why = card["unchecked_reasons"]
    assert why[UNREACHABLE] == why[HOMEPAGE]
    assert why[UNREACHABLE].startswith("监测不足：1周内仅有3次探测") and "140" in why[UNREACHABLE]
    veto_line = next(x for x in dead["run"].stdout.splitlines()
                     if x.startswith(f"veto\t{UNREACHABLE}"))
    assert "\tunchecked\t" in veto_line and "否决" not in veto_line


@pytest.mark.browser
def test_the_pdf_cover_says_not_scored(dead) -> None:
    cover = norm(PdfReader(io.BytesIO(dead["pdf"])).pages[0].extract_text())
    assert "检查结论未评分" in cover, cover
    assert "100分" not in cover and "检查结论合格" not in cover
    assert norm("（未评分：未能检查任何指标）（扣分合计0分）") in cover and norm("单项否决，不再评分") not in cover


@pytest.mark.browser
def test_the_census_counts_it_apart(dead) -> None:
    wb = load_workbook(io.BytesIO(dead["census"]))
    overall = {row[0]: row[1] for row in wb["总体情况"].iter_rows(min_row=2, values_only=True)}
    assert overall["已检查网站"] == 1 and overall["合格"] == 0 and overall["不合格"] == 0
    assert overall["未评分"] == 1 and overall["合格率(%)"] == "—"
    header = next(wb["按级别"].iter_rows(max_row=1, values_only=True))
    county = {row[0]: dict(zip(header, row, strict=False))
              for row in wb["按级别"].iter_rows(min_row=2, values_only=True)}["县级"]
    assert county["未评分"] == 1 and county["合格"] == 0 and county["不合格"] == 0
    listed = [row[0] for row in wb["未评分网站"].iter_rows(min_row=2, values_only=True)]
    assert listed == [CODE]


# -- what 合格 needs ------------------------------------------------------------------------------

SITE = {"code": CODE, "name": "淳安县人民政府", "url": "http://www.qdh.gov.cn/"}


def week(total: int, failed: int) -> list[dict]:
    """``total`` probes spread over the 7 days before as-of, ``failed`` of them scattered."""
    from test_probes_scoring import week as spread

    return [dict(p, site=CODE) for p in spread(total, failed)]


def everything_checked() -> dict[str, bool]:
    return {e.id: True for e in load_rules().all}


def test_pass_with_an_unchecked_veto_is_provisional_and_says_which() -> None:
    checked = everything_checked() | {UNREACHABLE: False, "veto.serious_error": False}
    card = score_card(SITE, [], [], checked, AS_OF)
    validate_card(card)
    assert card["verdict"] == "合格" and card["score"] == 100
    assert card["unchecked_vetoes"] == [UNREACHABLE, "veto.serious_error"]
    full = score_card(SITE, [], [], everything_checked(), AS_OF)
    assert full["verdict"] == "合格" and full["unchecked_vetoes"] == []


def test_only_probes_checked_is_not_scored_but_a_probe_veto_fails() -> None:
    """A full probe week says the homepage answered; it reads nothing of the site."""
    found, checked, _ = probe_findings(week(140, 2), SITE, AS_OF)
    card = score_card(SITE, found, [], checked, AS_OF)
    validate_card(card)
    assert card["verdict"] == "未评分" and card["score"] is None
    assert card["total_deduction"] == 5  # the probes' deduction is still on the card
    found, checked, _ = probe_findings(week(140, 7), SITE, AS_OF)
    card = score_card(SITE, found, [], checked, AS_OF)
    assert card["verdict"] == "不合格" and card["score"] is None  # checked evidence fires a veto
    found, checked, _ = probe_findings(week(140, 2), SITE, AS_OF)
    one_column = score_card(SITE, found, [], {"updates.basic_info": True, **checked}, AS_OF)
    assert one_column["verdict"] == "合格" and one_column["score"] == 95  # something was read


def test_the_terminal_card_says_provisional_and_not_scored() -> None:
    from xunjian.reports.text import card_lines

    checked = everything_checked() | {UNREACHABLE: False}
    lines = card_lines(score_card(SITE, [], [], checked, AS_OF))
    line = next(x for x in lines if x.startswith("card\t"))
    assert "结论 合格（暂定）: 未能检查 站点无法访问" in line
    lines = card_lines(score_card(SITE, [], [], {}, AS_OF))
    line = next(x for x in lines if x.startswith("card\t"))
    assert "结论 未评分" in line and "得分 —（未评分）" in line


def test_census_rate_leaves_not_scored_out_of_the_denominator() -> None:
    sites = [{"code": f"33012700{n:02d}", "name": f"站{n}", "region": "浙江省杭州市淳安县",
              "type": "其他"} for n in range(1, 5)]
    passed = score_card(sites[0], [], [], everything_checked(), AS_OF)
    failing = {"id": "f1", "indicator": "veto.not_updated", "rule": "no_homepage_updates"}
    failed = score_card(sites[1], [failing], [], everything_checked(), AS_OF)
    nothing = [score_card(s, [], [], {}, AS_OF) for s in sites[2:]]
    cards = dict(zip([s["code"] for s in sites], [passed, failed, *nothing], strict=True))
    stats = census_stats(sites, cards, AS_OF)
    o = stats["overall"]
    assert (o["inspected"], o["qualified"], o["unqualified"], o["unscored"]) == (4, 1, 1, 2)
    assert o["rate"] == 50.0  # 1 of the 2 sites with a verdict
    assert [r["code"] for r in stats["unscored_sites"]] == [s["code"] for s in sites[2:]]
    assert stats["unqualified_total"] == 1


@pytest.mark.browser
def test_the_review_app_says_not_scored(dead) -> None:
    from xunjian.review.app import create_app
    from xunjian.review.users import add_user
    from xunjian.storage import open_store

    with open_store(str(dead["store"])) as store:
        add_user(store, "wang", "reviewer", "correct-horse-9")
        app = create_app(store, secret_key="test-secret")
        app.config["TESTING"] = True
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert client.post("/login", data={"name": "wang", "password": "correct-horse-9",
                                           "csrf_token": csrf}).status_code == 302
        site = client.get(f"/site/{CODE}").get_data(as_text=True)
        verdict = re.search(r'<span id="verdict"[^>]*>([^<]*)</span>', site).group(1)
        score = re.search(r'<span id="score"[^>]*>([^<]*)</span>', site).group(1)
        assert verdict == "未评分" and score == "—（未评分）"
        listed = client.get("/?verdict=未评分").get_data(as_text=True)
        assert CODE in listed and ">未评分</span>" in listed
        assert CODE not in client.get("/?verdict=合格").get_data(as_text=True)
        stats = client.get("/statistics").get_data(as_text=True)
        assert "合格 <b>0</b> 个、不合格 <b>0</b> 个" in stats
        assert "未评分 <b>1</b> 个" in stats


@pytest.mark.browser
def test_every_report_format_says_not_scored(dead) -> None:
    from docx import Document

    from xunjian.reports.site import build_site_report
    from xunjian.storage import open_store

    with open_store(str(dead["store"])) as store:
        out = {fmt: build_site_report(store, CODE, fmt) for fmt in ("html", "docx", "xlsx")}
    html = out["html"].decode("utf-8")
    assert re.search(r"<th>检查结论</th><td[^>]*>未评分</td>", html)
    assert "—（未评分：未能检查任何指标）" in html and "单项否决，不再评分" not in html
    cells = {row.cells[0].text: row.cells[1].text
             for row in Document(io.BytesIO(out["docx"])).tables[0].rows}
    assert cells["检查结论"] == "未评分" and cells["得分"].startswith("—（未评分")
    cover = {r[0]: r[1] for r in load_workbook(io.BytesIO(out["xlsx"]))["封面"].iter_rows(
        min_row=2, values_only=True)}
    assert cover["检查结论"] == "未评分" and cover["得分"].startswith("—（未评分")
