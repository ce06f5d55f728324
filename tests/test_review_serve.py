"""Issue 10 point 9: ``xunjian review serve`` runs on waitress, not Flask's development server,
and behind an HTTPS reverse proxy it honours the proxy's headers only when told to.

Each case starts the real command on a free loopback port and talks HTTP to it as nginx would.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROXIED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "review.szgov.example",
           "X-Forwarded-For": "203.0.113.9", "X-Forwarded-Prefix": "/review"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def xunjian(store: Path, *args: str, **kwargs):
    env = dict(os.environ, XUNJIAN_STORE=str(store))
    return subprocess.run([sys.executable, "-m", "xunjian.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, **kwargs)


@pytest.fixture
def serve(tmp_path: Path):
    store = tmp_path / "store"
    added = xunjian(store, "review", "add-user", "王审核", "--role", "reviewer",
                    "--password-stdin", input="correct horse battery\n")
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "created user 王审核 (reviewer)"
    procs = []

    def start(*options: str) -> int:
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "xunjian.cli", "review", "serve",
                                 "--port", str(port), *options], cwd=ROOT,
                                env=dict(os.environ, XUNJIAN_STORE=str(store)),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        procs.append(proc)
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return port
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode()
                assert time.monotonic() < deadline, "the review server did not start"
                time.sleep(0.2)

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=20)


def request(port: int, method: str, path: str, headers: dict | None = None,
            body: str | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def sign_in(port: int, headers: dict, csrf: bool = True):
    page, html = request(port, "GET", "/login", headers)
    assert page.status == 200 and "登录" in html
    cookie = page.getheader("Set-Cookie")
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    form = {"name": "王审核", "password": "correct horse battery"}
    if csrf:
        form["csrf_token"] = token
    answer, _ = request(port, "POST", "/login", {
        **headers, "Cookie": cookie.split(";")[0],
        "Content-Type": "application/x-www-form-urlencoded"}, urlencode(form))
    return page, answer


def test_served_by_waitress_with_sign_in_and_csrf_intact(serve) -> None:
    port = serve()
    page, answer = sign_in(port, {})
    assert page.getheader("Server") == "xunjian"  # waitress, not "Werkzeug/… Python/…"
    assert answer.status == 302 and answer.getheader("Location") == "/"
    _, refused = sign_in(port, {}, csrf=False)
    assert refused.status == 400  # CSRF still enforced
    sites, _ = request(port, "GET", "/")
    assert sites.status == 302 and sites.getheader("Location").startswith("/login")
    traversal, _ = request(port, "GET", "/blob/..%2f..%2fstore.sqlite3")
    assert traversal.status in (302, 404)


def test_behind_an_https_proxy_the_forwarded_headers_count(serve) -> None:
    port = serve("--behind-proxy", "--secure-cookies")
    page, answer = sign_in(port, PROXIED)
    assert "Secure" in page.getheader("Set-Cookie")
    assert answer.status == 302
    assert answer.getheader("Location") == "/review/"  # the proxy's prefix, seen by the app


def test_forwarded_headers_are_ignored_without_behind_proxy(serve) -> None:
    port = serve()
    _, answer = sign_in(port, PROXIED)
    assert answer.status == 302 and answer.getheader("Location") == "/"
