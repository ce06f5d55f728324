"""The reviewers' web app through Flask's test client: every route and the access rules."""

from __future__ import annotations

import io
import json
import re
import time

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from xunjian.review.app import create_app
from xunjian.review.data import MANUAL
from xunjian.review.sample import seed, site_code, tiny_png
from xunjian.review.users import add_user, authenticate
from xunjian.storage import EmbeddedStore, open_store

PASSWORD = "correct-horse-9"


@pytest.fixture()
def store(tmp_path):
    with EmbeddedStore(tmp_path / "store") as s:
        seed(s, sites=2, findings_per_site=3)
        s.upsert_site({"code": "9900000099", "region": "测试省", "url": "javascript:alert(1)",
                       "name": "<script>alert('x')</script>网站"})
        add_user(s, "alice", "reviewer", PASSWORD)
        add_user(s, "root", "admin", PASSWORD)
        yield s


@pytest.fixture()
def app(store):
    app = create_app(store, secret_key="test-secret")
    app.config["TESTING"] = True
    return app


def token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def sign_in(client, name="alice", password=PASSWORD):
    page = client.get("/login")
    resp = client.post("/login", data={"name": name, "password": password,
                                       "csrf_token": token(page.get_data(as_text=True))})
    return resp


@pytest.fixture()
def reviewer(app):
    client = app.test_client()
    assert sign_in(client).status_code == 302
    return client


@pytest.fixture()
def admin(app):
    client = app.test_client()
    assert sign_in(client, "root").status_code == 302
    return client


def csrf_of(client, path="/") -> str:
    return token(client.get(path).get_data(as_text=True))


CODE = site_code(1)
GETS = ["/", "/?region=北京&verdict=合格&pending=yes", f"/site/{CODE}", f"/site/{CODE}/card.json",
        f"/site/{CODE}/card.xlsx", "/queue", f"/queue?site={CODE}", f"/site/{CODE}/finding/f1x0",
        "/users"]


@pytest.mark.parametrize("path", GETS)
def test_anonymous_users_see_only_the_sign_in_page(app, path):
    client = app.test_client()
    resp = client.get(path)
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_anonymous_posts_are_refused_even_with_a_valid_token(app, store):
    client = app.test_client()
    csrf = token(client.get("/login").get_data(as_text=True))
    for path, form in [(f"/site/{CODE}/finding/f1x0/verdict", {"verdict": "rejected"}),
                       ("/users", {"name": "x", "role": "admin", "password": "p" * 10}),
                       (f"/site/{CODE}/add-finding", {"kind": "guide"})]:
        assert client.post(path, data={**form, "csrf_token": csrf}).status_code == 401
    assert store.reviews(CODE) == [] and store.get("review_users", "x") is None
    shot = store.findings(store.latest_inspection(CODE)["id"])[0]["evidence"]["screenshot"]
    assert client.get(f"/blob/{shot}").status_code == 302


def test_sign_in_rejects_wrong_passwords_and_unknown_names(app):
    client = app.test_client()
    assert sign_in(client, "alice", "wrong-password").status_code == 401
    assert sign_in(client, "nobody", PASSWORD).status_code == 401
    resp = sign_in(client)
    assert resp.status_code == 302
    assert client.get("/").status_code == 200


def test_sign_in_redirects_only_to_local_pages(app):
    client = app.test_client()
    page = client.get("/login")
    resp = client.post("/login?next=//evil.example/x", data={
        "name": "alice", "password": PASSWORD, "csrf_token": token(page.get_data(as_text=True))})
    assert resp.headers["Location"] == "/"


def test_login_form_needs_csrf(app):
    client = app.test_client()
    resp = client.post("/login", data={"name": "alice", "password": PASSWORD})
    assert resp.status_code == 400


def test_sessions_expire(app, reviewer):
    with reviewer.session_transaction() as sess:
        sess["since"] = time.time() - 13 * 3600
    resp = reviewer.get("/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_session_cookie_is_http_only_and_expires(app):
    client = app.test_client()
    resp = sign_in(client)
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Expires=" in cookie and "SameSite=Lax" in cookie


def test_a_disabled_user_is_signed_out(reviewer, admin):
    csrf = csrf_of(admin, "/users")
    resp = admin.post("/users", data={"action": "disable", "name": "alice", "csrf_token": csrf})
    assert resp.status_code == 302
    assert reviewer.get("/").status_code == 302


def test_logout(reviewer):
    csrf = csrf_of(reviewer)
    assert reviewer.post("/logout", data={"csrf_token": csrf}).status_code == 302
    assert reviewer.get("/").status_code == 302


def test_site_list_filters_and_escapes(reviewer):
    html = reviewer.get("/").get_data(as_text=True)
    assert "第1示范市人民政府网站" in html and "第2示范市人民政府网站" in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    only = reviewer.get("/?region=广东").get_data(as_text=True)
    assert "第2示范市" in only and "第1示范市" not in only
    assert "第1示范市" in reviewer.get("/?q=" + CODE).get_data(as_text=True)
    none = reviewer.get("/?verdict=none").get_data(as_text=True)
    assert "&lt;script&gt;" in none and "第1示范市" not in none
    assert "第1示范市" in reviewer.get("/?pending=yes").get_data(as_text=True)
    assert "第1示范市" not in reviewer.get("/?pending=no").get_data(as_text=True)
    assert reviewer.get("/?verdict=<x>&pending=bad&page=zz").status_code == 200


def test_site_page_shows_the_whole_card(reviewer):
    html = reviewer.get(f"/site/{CODE}").get_data(as_text=True)
    for text in ("严重错误", "链接可用性", "办事指南", "暂定结论", "检查记录", "评分表 XLSX",
                 "98.9"):
        assert text in html, text
    escaped = reviewer.get("/site/9900000099").get_data(as_text=True)
    assert "还没有完成的检查" in escaped and "<script>alert" not in escaped
    assert 'href="javascript:' not in escaped


def test_exports(reviewer):
    card = json.loads(reviewer.get(f"/site/{CODE}/card.json").get_data())
    assert card["site"]["code"] == CODE and card["score"] == 98.9
    resp = reviewer.get(f"/site/{CODE}/card.xlsx")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(resp.data))["评分表"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert ["一级指标", "二级指标", "存在的问题", "扣分"] in rows
    links = next(r for r in rows if r[1] == "链接可用性")
    assert links[0] == "网站可用性" and links[3] == 1.1 and "page-0.html" in links[2]


def test_unknown_sites_inspections_and_findings_are_404(reviewer):
    for path in ("/site/nope", "/site/..%2F..%2Fetc", f"/site/{CODE}/finding/nope",
                 f"/site/{CODE}?inspection=other", f"/site/{CODE}/card.json?inspection=x",
                 f"/site/{CODE}/finding/..%2F..%2Fetc%2Fpasswd", "/queue?site=../x"):
        assert reviewer.get(path).status_code == 404, path


@pytest.mark.parametrize("blob_id", [
    "abc", "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "0" * 64, "A" * 64, "g" * 64,
    "%2e%2e%2f" * 8, "0" * 63 + "/", "0" * 65,
])
def test_bad_blob_ids_are_404(reviewer, blob_id):
    assert reviewer.get(f"/blob/{blob_id}").status_code == 404


def test_screenshots_are_served_as_images_only(reviewer, store):
    shot = store.put_blob(tiny_png(), "image/png")
    resp = reviewer.get(f"/blob/{shot}")
    assert resp.status_code == 200 and resp.mimetype == "image/png" and resp.data == tiny_png()
    html_blob = store.put_blob(b"<script>alert(1)</script>", "text/html")
    resp = reviewer.get(f"/blob/{html_blob}")
    assert resp.mimetype == "application/octet-stream"
    assert "attachment" in resp.headers["Content-Disposition"]


def test_queue_shows_the_evidence(reviewer, store):
    html = reviewer.get("/queue").get_data(as_text=True)
    shot = store.findings(store.latest_inspection(CODE)["id"])[0]["evidence"]["screenshot"]
    assert f"/blob/{shot}" in html
    assert "http://www.site1.gov.cn/xxgk/page-0.html" in html  # URL, clickable
    assert "首页上的链接" in html and "域内链接不可用" in html and "404" in html
    assert "第 <strong>1</strong> / 6 条" in html


def test_verdicts_need_csrf_and_valid_values(reviewer, store):
    path = f"/site/{CODE}/finding/f1x0/verdict"
    assert reviewer.post(path, data={"verdict": "rejected"}).status_code == 400
    csrf = csrf_of(reviewer)
    assert reviewer.post(path, data={"verdict": "maybe", "csrf_token": csrf}).status_code == 400
    long = {"verdict": "rejected", "reason": "x" * 501, "csrf_token": csrf}
    assert reviewer.post(path, data=long).status_code == 400
    assert store.reviews(CODE) == []


def test_confirm_and_reject_change_the_score_and_keep_history(reviewer, store):
    csrf = csrf_of(reviewer)
    base = f"/site/{CODE}/finding"
    resp = reviewer.post(f"{base}/f1x0/verdict", data={
        "verdict": "rejected", "reason": "链接<正常>", "csrf_token": csrf})
    assert resp.status_code == 302
    reviewer.post(f"{base}/f1x2/verdict", data={"verdict": "confirmed", "csrf_token": csrf})
    card = json.loads(reviewer.get(f"/site/{CODE}/card.json").get_data())
    assert card["score"] == 98.9  # home link rejected; blocked home link confirmed
    reviewer.post(f"{base}/f1x0/verdict", data={"verdict": "confirmed", "csrf_token": csrf})
    history = [r for r in store.reviews(CODE) if r["finding"] == "f1x0"]
    assert [(r["before"], r["after"]) for r in history] == [("pending", "rejected"),
                                                            ("rejected", "confirmed")]
    assert history[0]["reviewer"] == "alice" and history[0]["reason"] == "链接<正常>"
    assert history[0]["evidence"] and history[0]["at"]
    html = reviewer.get(f"{base}/f1x0").get_data(as_text=True)
    assert "链接&lt;正常&gt;" in html and "已驳回 → 已确认" in html


def test_queue_moves_on_after_a_verdict(reviewer, store):
    page = reviewer.get(f"/queue?site={CODE}").get_data(as_text=True)
    assert "第 <strong>1</strong> / 3 条" in page
    resp = reviewer.post(f"/site/{CODE}/finding/f1x0/verdict", data={
        "verdict": "confirmed", "next": "queue", "i": "0", "site": CODE,
        "csrf_token": token(page)})
    assert resp.headers["Location"].startswith("/queue")
    page = reviewer.get(resp.headers["Location"]).get_data(as_text=True)
    assert "第 <strong>1</strong> / 2 条" in page and "page-1.html" in page
    for fid in ("f1x1", "f1x2"):
        reviewer.post(f"/site/{CODE}/finding/{fid}/verdict",
                      data={"verdict": "confirmed", "csrf_token": token(page)})
    assert "没有待复核的问题" in reviewer.get(f"/queue?site={CODE}").get_data(as_text=True)
    card = json.loads(reviewer.get(f"/site/{CODE}/card.json").get_data())
    assert card["final"] is True


def test_reviewer_adds_a_serious_error_with_a_screenshot(reviewer, store):
    csrf = csrf_of(reviewer, f"/site/{CODE}")
    form = {"kind": "serious_typo", "url": "http://www.site1.gov.cn/a.html",
            "detail": "领导人姓名写错", "csrf_token": csrf,
            "screenshot": (io.BytesIO(tiny_png()), "shot.png")}
    resp = reviewer.post(f"/site/{CODE}/add-finding", data=form,
                         content_type="multipart/form-data")
    assert resp.status_code == 302
    [added] = store.find(MANUAL)
    assert added["indicator"] == "veto.serious_error" and added["evidence"]["screenshot"]
    card = json.loads(reviewer.get(f"/site/{CODE}/card.json").get_data())
    assert card["verdict"] == "不合格" and card["score"] is None
    assert [v["id"] for v in card["vetoes"]] == ["veto.serious_error"]
    ws = load_workbook(io.BytesIO(reviewer.get(f"/site/{CODE}/card.xlsx").data))["评分表"]
    row = next(r for r in ws.iter_rows(values_only=True) if r[1] == "严重错误")
    assert row[3] == "单项否决" and "领导人姓名写错" in row[2]
    assert reviewer.get(resp.headers["Location"]).status_code == 200


def test_added_findings_are_validated(reviewer, store):
    csrf = csrf_of(reviewer, f"/site/{CODE}")
    bad = [{"kind": "guide", "url": "javascript:alert(1)", "detail": "x"},
           {"kind": "nope", "url": "http://a.gov.cn/", "detail": "x"},
           {"kind": "guide", "url": "http://a.gov.cn/", "detail": ""}]
    for form in bad:
        form.update(csrf_token=csrf, screenshot=(io.BytesIO(tiny_png()), "a.png"))
        reviewer.post(f"/site/{CODE}/add-finding", data=form, content_type="multipart/form-data")
    not_image = {"kind": "guide", "url": "http://a.gov.cn/", "detail": "x", "csrf_token": csrf,
                 "screenshot": (io.BytesIO(b"<svg onload=alert(1)>"), "a.png")}
    reviewer.post(f"/site/{CODE}/add-finding", data=not_image, content_type="multipart/form-data")
    no_csrf = {"kind": "guide", "url": "http://a.gov.cn/", "detail": "x",
               "screenshot": (io.BytesIO(tiny_png()), "a.png")}
    resp = reviewer.post(f"/site/{CODE}/add-finding", data=no_csrf,
                         content_type="multipart/form-data")
    assert resp.status_code == 400
    assert store.find(MANUAL) == []


def test_admin_only_pages(reviewer, admin, store):
    assert reviewer.get("/users").status_code == 403
    csrf = csrf_of(reviewer)
    form = {"action": "add", "name": "eve", "role": "admin", "password": "p" * 12,
            "csrf_token": csrf}
    assert reviewer.post("/users", data=form).status_code == 403
    assert admin.get("/users").status_code == 200
    form["csrf_token"] = csrf_of(admin, "/users")
    assert admin.post("/users", data=form).status_code == 302
    assert authenticate(store, "eve", "p" * 12)["role"] == "admin"
    form.update(name="bob", password="short")
    admin.post("/users", data=form)
    assert store.get("review_users", "bob") is None


def test_security_headers(reviewer):
    resp = reviewer.get("/")
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Frame-Options"] == "DENY"


def test_add_user_command(tmp_path):
    from xunjian.cli import main

    runner = CliRunner()
    args = ["--store", str(tmp_path / "s"), "review", "add-user", "zhang", "--role", "admin",
            "--password-stdin"]
    result = runner.invoke(main, args, input="long-enough-pw\n")
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, args, input="short\n")
    assert result.exit_code != 0 and "密码至少" in result.output
    with EmbeddedStore(tmp_path / "s") as s:
        user = s.get("review_users", "zhang")
        assert user["role"] == "admin" and "long-enough-pw" not in json.dumps(user)
        assert authenticate(s, "zhang", "long-enough-pw")


def test_a_screenshot_can_be_taken_on_demand(store):
    shots = []
    app = create_app(store, secret_key="t", screenshooter=lambda url: shots.append(url) or (
        tiny_png(8, 8) if "ok" in url else None))
    client = app.test_client()
    sign_in(client)
    csrf = csrf_of(client, f"/site/{CODE}")
    form = {"kind": "basic_info", "url": "http://www.site1.gov.cn/fail.html", "detail": "电话错误",
            "shoot": "1", "csrf_token": csrf}
    resp = client.post(f"/site/{CODE}/add-finding", data=form)
    assert "/site/" in resp.headers["Location"] and store.find(MANUAL) == []
    form["url"] = "http://www.site1.gov.cn/ok.html"
    client.post(f"/site/{CODE}/add-finding", data=form)
    [added] = store.find(MANUAL)
    assert store.get_blob(added["evidence"]["screenshot"]) == tiny_png(8, 8)
    assert shots == ["http://www.site1.gov.cn/fail.html", "http://www.site1.gov.cn/ok.html"]
    card = json.loads(client.get(f"/site/{CODE}/card.json").get_data())
    assert card["score"] == 98.9 - 1 and card["deductions"][3]["points"] == 1


def test_a_reinspection_keeps_reviews_unless_the_evidence_changed(reviewer, store):
    csrf = csrf_of(reviewer)
    for fid in ("f1x0", "f1x1"):
        reviewer.post(f"/site/{CODE}/finding/{fid}/verdict",
                      data={"verdict": "rejected", "csrf_token": csrf})
    old = store.latest_inspection(CODE)
    findings = store.findings(old["id"])
    for finding in findings:
        del finding["inspection"]
    findings[1]["evidence"].update(status=500, error="http_500", status_text="500")
    findings[0]["evidence"].update(checked_at="2026-11-27T02:00:00+00:00")
    new = store.create_inspection({"site": CODE, "as_of": "2026-11-27", "status": "done",
                                   "started_at": "2026-11-27T02:00:00+00:00",
                                   "checks": old["checks"]})
    store.replace_findings(new, findings)
    card = json.loads(reviewer.get(f"/site/{CODE}/card.json").get_data())
    assert card["inspection"] == new
    review = {f["id"]: f["review"] for f in card["findings"]}
    assert review == {"f1x0": "rejected", "f1x1": "pending", "f1x2": "pending"}


def test_repeated_wrong_passwords_lock_the_name_for_a_while(app):
    client = app.test_client()
    for _ in range(5):
        assert sign_in(client, "alice", "wrong-password").status_code == 401
    resp = sign_in(client)
    assert resp.status_code == 429 and "分钟后再试" in resp.get_data(as_text=True)
    assert sign_in(client, "root").status_code == 302  # other names are not locked


def test_serve_command_starts_the_app(tmp_path):
    import os
    import socket
    import subprocess
    import sys
    import urllib.request
    from pathlib import Path

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, XUNJIAN_STORE=str(tmp_path / "s"))
    open_store(str(tmp_path / "s")).close()  # serving reads a store that exists
    proc = subprocess.Popen([sys.executable, "-m", "xunjian.cli", "review", "serve",
                             "--port", str(port)], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        deadline = time.time() + 30
        while True:
            try:
                with opener.open(f"http://127.0.0.1:{port}/login", timeout=2) as r:
                    assert r.status == 200 and "登录" in r.read().decode("utf-8")
                    break
            except OSError:
                assert proc.poll() is None and time.time() < deadline, proc.stderr.read()
                time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
