"""Issue 9, cause 7: an online system whose script fails leaves a shell — a title, 加载中…, a
header and footer around an empty app div. That is a blank system, not an open one; a login or
query form is open; a short 系统维护中 / 服务暂不可用 page is an error page.

The judgement (inspectors/service.py ``system_verdict``) reads the page as Chromium rendered it;
the fixtures in tests/data/systems are such rendered pages, and the first test renders three of
them in Chromium (bundles that 404, a bundle that mounts a form) to show they look like that.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from xunjian.inspectors.service import service_findings, system_verdict
from xunjian.scoring import score_card

DATA = Path(__file__).parent / "data" / "systems"
SITE = {"code": "4101000001", "name": "某某市人民政府", "url": "http://www.zz.gov.cn/"}

EXPECTED = {
    "spa_shell.html": ("unreachable", "blank"),      # Vue shell, header/nav/footer, empty #app
    "react_root.html": ("unreachable", "blank"),     # <div id="root"></div> + noscript
    "loading.html": ("unreachable", "loading"),      # only 加载中… / 正在加载，请稍候...
    "header_footer.html": ("unreachable", "blank"),  # table layout: banner, menu, empty body
    "maintenance.html": ("unreachable", "error_page:系统维护"),
    "unavailable.html": ("unreachable", "error_page:服务暂不可用"),
    "login.html": ("ok", "ok"),                      # 统一身份认证 login form
    "login_notice.html": ("ok", "ok"),               # a maintenance notice above a working form
    "query.html": ("ok", "ok"),                      # select + input + 查询
}
# spa_ok.html is spa_shell.html whose (inline) bundle mounts a query form: only its rendering
# (test_chromium_renders_failed_bundles_as_shells) has the form.


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_verdict_of_each_rendered_page(name):
    html = (DATA / name).read_text(encoding="utf-8")
    assert system_verdict(200, html, "") == EXPECTED[name]


def test_status_decides_before_the_page():
    login = (DATA / "login.html").read_text(encoding="utf-8")
    assert system_verdict(None, "", "") == ("unreachable", "navigation_error")
    assert system_verdict(503, login, "统一身份认证平台") == ("unreachable", "http_503")
    assert system_verdict(200, "", "") == ("unreachable", "blank")
    assert system_verdict(200, "<html><head><title>网上办事大厅</title></head><body></body>"
                          "</html>", "网上办事大厅") == ("unreachable", "blank")


def test_findings_and_points():
    systems = []
    for n, name in enumerate(sorted(EXPECTED)):
        verdict, reason = system_verdict(200, (DATA / name).read_text(encoding="utf-8"), "")
        systems.append({"column": {"name": name.removesuffix(".html")},
                        "url": f"http://www.zz.gov.cn/xt{n}/", "status": 200, "error": None,
                        "verdict": verdict, "reason": reason, "screenshot": "d" * 64})
    findings = service_findings(SITE, [], [], systems)
    assert sorted((f["evidence"]["column"], f["evidence"]["reason"]) for f in findings) == [
        ("header_footer", "blank"), ("loading", "loading"),
        ("maintenance", "error_page:系统维护"), ("react_root", "blank"),
        ("spa_shell", "blank"), ("unavailable", "error_page:服务暂不可用")]
    card = score_card(SITE, findings, [], {"service.online_systems": True}, "2026-11-20")
    assert next(d["points"] for d in card["deductions"]
                if d["id"] == "service.online_systems") == 18.0


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


async def _render(base: str, names: list[str]) -> dict[str, tuple[str, str, int]]:
    from playwright.async_api import async_playwright

    from xunjian.browser import context_options, launch_options

    out = {}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**launch_options())
        try:
            context = await browser.new_context(**context_options())
            page = await context.new_page()
            for name in names:
                response = await page.goto(base + name, wait_until="load", timeout=20000)
                out[name] = (await page.content(), await page.title(), response.status)
        finally:
            await browser.close()
    return out


@pytest.mark.browser
def test_chromium_renders_failed_bundles_as_shells():
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_Quiet, directory=str(DATA)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        names = ["spa_shell.html", "loading.html", "spa_ok.html"]  # /static/js/*.js are 404
        rendered = asyncio.run(asyncio.wait_for(_render(base, names), 60))
    finally:
        server.shutdown()
        server.server_close()
    verdicts = {n: system_verdict(status, html, title)
                for n, (html, title, status) in rendered.items()}
    assert verdicts == {"spa_shell.html": ("unreachable", "blank"),
                        "loading.html": ("unreachable", "loading"),
                        "spa_ok.html": ("ok", "ok")}
    assert rendered["spa_shell.html"][1] == "某某市政务服务网 - 办件进度查询"
