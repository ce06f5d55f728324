"""End to end in real headless Chromium: sign in, review with the keyboard, see the score change.

Screenshots of the main pages are kept in tests/artifacts/ (gitignored) for a person to look at.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

pytest.importorskip("playwright")

from playwright.sync_api import Error as PlaywrightError  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from xunjian.browser import launch_options  # noqa: E402
from xunjian.review.app import create_app  # noqa: E402
from xunjian.review.sample import seed, site_code  # noqa: E402
from xunjian.review.users import add_user  # noqa: E402
from xunjian.storage import EmbeddedStore  # noqa: E402

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
EVIDENCE_HTML = """<html><body style="font-family:sans-serif;margin:30px">
<h1 style="color:#a4161a">第1示范市人民政府</h1><p>首页 · 政务公开 · 政务服务 · 互动交流</p>
<ul><li>政务公开第0条（链接已失效）</li><li>关于做好2026年冬季安全生产工作的通知</li></ul>
</body></html>"""


@pytest.fixture(scope="module")
def browser():
    try:
        options = launch_options()
    except Exception as exc:  # no Chromium on this machine
        pytest.skip(f"no browser: {exc}")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(**options)
        yield chromium
        chromium.close()


@pytest.fixture()
def server(tmp_path, browser):
    page = browser.new_page(viewport={"width": 900, "height": 500})
    page.set_content(EVIDENCE_HTML)
    try:
        evidence = page.screenshot(full_page=True)
    except PlaywrightError:  # "Unable to capture screenshot": a frame not painted yet under load
        page.wait_for_timeout(1000)
        evidence = page.screenshot(full_page=True)
    page.close()
    store = EmbeddedStore(tmp_path / "store")
    seed(store, sites=2, findings_per_site=3, screenshot=evidence)
    add_user(store, "reviewer1", "reviewer", "review-pass-1")
    httpd = make_server("127.0.0.1", 0, create_app(store, secret_key="e2e"), threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    # a reviewer's 现场截图 may photograph only the site's own origin (issue 24 case 10): here the
    # site is served by the same 127.0.0.1 server
    site = store.get_site(site_code(1))
    store.upsert_site({**site, "url": f"http://127.0.0.1:{httpd.server_port}/"})
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    store.close()


def test_review_with_the_keyboard_in_chromium(browser, server):
    ARTIFACTS.mkdir(exist_ok=True)
    code = site_code(1)
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(server + "/")
    expect(page.locator("form.login")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "review-login.png"))
    page.fill("input[name=name]", "reviewer1")
    page.fill("input[name=password]", "review-pass-1")
    page.click("button[type=submit]")
    expect(page.locator("table.list")).to_contain_text("第1示范市人民政府网站")
    page.screenshot(path=str(ARTIFACTS / "review-sites.png"), full_page=True)

    page.goto(f"{server}/site/{code}")
    expect(page.locator("#score")).to_have_text("98.9")
    page.screenshot(path=str(ARTIFACTS / "review-site-before.png"), full_page=True)

    page.goto(f"{server}/queue?site={code}")
    expect(page.locator(".qbar")).to_contain_text("1 / 3")
    shot = page.locator("#shot")
    expect(shot).to_be_visible()
    page.wait_for_function("document.getElementById('shot').complete")
    assert shot.evaluate("img => img.naturalWidth") > 100
    page.screenshot(path=str(ARTIFACTS / "review-queue.png"), full_page=True)
    page.keyboard.press("z")
    expect(shot).to_have_class("zoomed")
    page.keyboard.press("z")

    page.keyboard.press("y")  # confirm page-0 (home link, 1 point)
    expect(page.locator(".qbar")).to_contain_text("1 / 2")
    expect(page.locator("#url")).to_contain_text("page-1.html")
    page.keyboard.press("r")
    page.keyboard.type("链接可以打开")
    page.keyboard.press("Escape")
    page.keyboard.press("n")  # reject page-1 (other page link, 0.1 point)
    expect(page.locator(".qbar")).to_contain_text("1 / 1")
    expect(page.locator("#url")).to_contain_text("page-2.html")
    page.keyboard.press("y")  # confirm the wall-blocked link: it now counts (1 point)
    expect(page.locator("main")).to_contain_text("没有待复核的问题")

    page.goto(f"{server}/site/{code}")
    expect(page.locator("#score")).to_have_text("98")
    expect(page.locator("p.final")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "review-site-after.png"), full_page=True)

    # a reviewer adds what machines cannot judge, with a screenshot taken on demand
    page.select_option("select[name=kind]", "guide")
    page.fill("input[name=url]", f"{server}/login")
    page.fill("textarea[name=detail]", "办理地点与实际不符")
    page.check("input[name=shoot]")
    page.click("text=添加并计入评分")
    expect(page.locator("h1")).to_contain_text("办理地点与实际不符", timeout=60_000)
    page.wait_for_function("document.getElementById('shot').complete")
    assert page.locator("#shot").evaluate("img => img.naturalWidth") > 100
    page.screenshot(path=str(ARTIFACTS / "review-added-finding.png"), full_page=True)
    page.goto(f"{server}/site/{code}")
    expect(page.locator("#score")).to_have_text("97")

    page.goto(f"{server}/site/{code}/finding/f1x1")
    expect(page.locator("table.history")).to_contain_text("链接可以打开")
    expect(page.locator("table.history")).to_contain_text("待复核 → 已驳回")
    page.screenshot(path=str(ARTIFACTS / "review-finding.png"), full_page=True)
    page.close()
