"""The review app against hostile clients (issue 24, cases 7, 8 and 9), through Flask's test
client: a stolen or kept cookie after sign-out or a password reset, a session signed with a secret
read from the store, an outsider guessing the admin's password to lock them out, a reviewer behind
the same proxy as a guesser, and sign-in links that send the browser off-site."""

from __future__ import annotations

import os
import stat
import time

import pytest
from flask import Flask

from xunjian.review import shared as review_shared
from xunjian.review.app import create_app
from xunjian.review.sample import seed
from xunjian.review.users import add_user
from xunjian.storage import EmbeddedStore
from test_review_app import PASSWORD, csrf_of, token

COOKIE = "xunjian_review"


@pytest.fixture()
def store(tmp_path, monkeypatch):
    monkeypatch.delenv("XUNJIAN_REVIEW_SECRET", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    with EmbeddedStore(tmp_path / "store") as s:
        seed(s, sites=1, findings_per_site=1)
        add_user(s, "alice", "reviewer", PASSWORD)
        add_user(s, "root", "admin", PASSWORD)
        yield s


@pytest.fixture()
def app(store):
    app = create_app(store)  # the secret as deployed: not given by the caller
    app.config["TESTING"] = True
    return app


def sign_in(client, name="alice", password=PASSWORD, addr="127.0.0.1", next_=None):
    page = client.get("/login", environ_base={"REMOTE_ADDR": addr})
    path = "/login" if next_ is None else f"/login?next={next_}"
    return client.post(path, environ_base={"REMOTE_ADDR": addr}, data={
        "name": name, "password": password, "csrf_token": token(page.get_data(as_text=True))})


def cookie_of(client) -> str:
    return client.get_cookie(COOKIE).value


def replay(app, value: str):
    """A fresh browser that presents a copied session cookie."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, value)
    return thief


# -- 7. sessions are revoked server-side; the secret is not in the store ---------------------------

def test_a_cookie_kept_after_sign_out_no_longer_works(app):
    alice = app.test_client()
    assert sign_in(alice).status_code == 302
    kept = cookie_of(alice)
    assert replay(app, kept).get("/").status_code == 200  # the copy works while signed in
    assert alice.post("/logout", data={"csrf_token": csrf_of(alice)}).status_code == 302
    resp = replay(app, kept).get("/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_a_password_reset_signs_the_old_sessions_out(app):
    alice, root = app.test_client(), app.test_client()
    assert sign_in(alice).status_code == 302 and sign_in(root, "root").status_code == 302
    resp = root.post("/users", data={"action": "add", "name": "alice", "role": "reviewer",
                                     "password": "a-new-password-7",
                                     "csrf_token": csrf_of(root, "/users")})
    assert resp.status_code == 302
    assert alice.get("/").status_code == 302  # signed out
    assert sign_in(alice, password="a-new-password-7").status_code == 302
    assert alice.get("/").status_code == 200


def test_a_role_change_and_a_disable_end_the_session(app):
    alice, root = app.test_client(), app.test_client()
    assert sign_in(alice).status_code == 302 and sign_in(root, "root").status_code == 302
    kept = cookie_of(alice)
    root.post("/users", data={"action": "disable", "name": "alice",
                              "csrf_token": csrf_of(root, "/users")})
    root.post("/users", data={"action": "enable", "name": "alice",
                              "csrf_token": csrf_of(root, "/users")})
    assert replay(app, kept).get("/").status_code == 302  # re-enabled, but that session is void


def forged_admin_cookie(secret: str, **extra) -> str:
    forger = Flask("forger")
    forger.secret_key = secret
    serializer = forger.session_interface.get_signing_serializer(forger)
    return serializer.dumps({"user": "root", "since": time.time(), "_permanent": True, **extra})


def test_who_reads_the_store_cannot_sign_an_admin_session(store, tmp_path):
    # a store written by an older version holds its signing secret; reading it must not help
    store.upsert("review_config", {"id": "secret"}, {"value": "s3cret-from-the-store-" * 3})
    app = create_app(store)
    app.config["TESTING"] = True
    for sv in (0, 1, None):
        extra = {} if sv is None else {"sv": sv}
        forged = replay(app, forged_admin_cookie("s3cret-from-the-store-" * 3, **extra))
        assert forged.get("/users").status_code == 302
    assert store.get("review_config", "secret") is None  # nothing left to steal
    # the secret the app signs with lives beside the store folder, readable by its owner only
    secret_file = tmp_path / "store.review-secret"
    assert secret_file.is_file() and not (tmp_path / "store" / "review-secret").exists()
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert app.secret_key == secret_file.read_text().strip()
    assert all(app.secret_key not in p.read_bytes().decode("utf-8", "replace")
               for p in (tmp_path / "store").rglob("*") if p.is_file())
    # a restart keeps the secret (sessions survive), the environment overrides it
    again = create_app(store)
    assert again.secret_key == app.secret_key
    os.environ["XUNJIAN_REVIEW_SECRET"] = "from-the-environment-" * 3
    try:
        assert create_app(store).secret_key == "from-the-environment-" * 3
    finally:
        del os.environ["XUNJIAN_REVIEW_SECRET"]


# -- 8. throttling per (name, address), growing delays, never a lock -------------------------------

def test_an_outsider_cannot_lock_the_admin_out(app):
    outsider, admin = app.test_client(), app.test_client()
    for _ in range(8):
        assert sign_in(outsider, "root", "guess-guess", addr="203.0.113.9").status_code in (401,
                                                                                            429)
    # the guesser waits, even with the right password …
    assert sign_in(outsider, "root", addr="203.0.113.9").status_code == 429
    # … the real admin, from their own address, signs in at once
    assert sign_in(admin, "root", addr="10.1.2.3").status_code == 302
    assert admin.get("/users").status_code == 200


def test_a_guesser_behind_the_proxy_does_not_lock_out_its_reviewers(app):
    guesser, alice = app.test_client(), app.test_client()
    for n in range(31):  # one address, many names
        sign_in(guesser, f"user{n}", "guess-guess", addr="10.0.0.1")
    assert sign_in(alice, "alice", addr="10.0.0.1").status_code == 302


def test_the_delay_grows_and_ends(app, monkeypatch):
    clock = [1_000_000.0]
    monkeypatch.setattr(review_shared.time, "time", lambda: clock[0])
    client = app.test_client()
    for _ in range(review_shared.THROTTLE_FREE):
        assert sign_in(client, "alice", "wrong-wrong").status_code == 401
    assert sign_in(client, "alice").status_code == 429
    first = review_shared.THROTTLE_FIRST_DELAY
    clock[0] += first + 1
    assert sign_in(client, "alice", "wrong-wrong").status_code == 401  # allowed again: wrong
    clock[0] += first + 1
    assert sign_in(client, "alice").status_code == 429  # now it waits twice as long
    clock[0] += first
    assert sign_in(client, "alice").status_code == 302


# -- 9. only same-site paths after sign-in ---------------------------------------------------------

@pytest.mark.parametrize("next_", [
    "/%09/evil.example", "/%0a/evil.example", "/%0d%0a/evil.example", "%09//evil.example",
    "/%5Cevil.example", "/\\evil.example", "/%2F/evil.example", "%2F%2Fevil.example",
    "//evil.example", "https://evil.example/", "javascript:alert(1)", "/%20/evil.example",
    "/%E2%80%AE/evil.example", "evil.example"])
def test_sign_in_never_redirects_off_site(app, next_):
    resp = sign_in(app.test_client(), next_=next_)
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/", next_


def test_sign_in_returns_to_the_page_asked_for(app):
    resp = sign_in(app.test_client(), next_="/queue%3Fregion%3D%E5%8C%97%E4%BA%AC")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/queue?region=")


def test_a_secret_that_cannot_be_kept_is_a_clear_error(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    folder = tmp_path / "store"
    EmbeddedStore(folder).close()
    (tmp_path / "store.review-secret").mkdir()  # in the way: neither readable nor writable
    env = {k: v for k, v in os.environ.items() if k != "XUNJIAN_REVIEW_SECRET"}
    done = subprocess.run([sys.executable, "-m", "xunjian.cli", "review", "serve", "--port",
                           "1", "--store", str(folder)], cwd=Path(__file__).parent.parent,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "session secret" in done.stderr and "XUNJIAN_REVIEW_SECRET" in done.stderr
