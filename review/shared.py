"""What every page of the review app shares: the app's state, the signed-in user, the session
secret, sign-in throttling, safe redirects and the lookups that answer 404.

Sessions carry the user's session version (``users.session_version``): a cookie whose version
no longer matches (signed out, new password or role, disabled account) or that is older than
``max_session_hours`` is cleared by ``load_user`` before any view runs. CSRF tokens are
Flask-WTF's (``create_app`` turns them on for every form).
"""

from __future__ import annotations

import os
import re
import secrets
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import abort, current_app, g, redirect, request, session, url_for

from xunjian.base.config import current

from . import data
from .users import get_user, session_version

CONFIG = "review_config"
BLOB_RE = re.compile(r"^[0-9a-f]{64}$")
CODE_RE = re.compile(r"^[\w.-]{1,64}$")
FINDING_RE = re.compile(r"^[\w.:-]{1,128}$")
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
MAX_UPLOAD = 10 * 1024 * 1024
MAX_REASON = 500
#: Sign-in throttling, per (user name, client address) pair: the first THROTTLE_FREE failures
#: cost nothing, then each further one makes that pair wait THROTTLE_FIRST_DELAY seconds,
#: doubling, at most THROTTLE_MAX_DELAY. Nobody can keep a user out from another address.
THROTTLE_FREE = 5
THROTTLE_FIRST_DELAY = 30.0
THROTTLE_MAX_DELAY = 900.0
THROTTLE_PAIRS = 100_000  # pairs remembered at most (the oldest are forgotten first)


class Throttle:
    """Failed sign-ins per (name, address) pair, in memory: growing delays, never a lock."""

    def __init__(self) -> None:
        self._failures: dict[tuple[str, str], tuple[int, float]] = {}  # → (count, last failure)
        self._lock = threading.Lock()

    @staticmethod
    def _delay(count: int) -> float:
        if count < THROTTLE_FREE:
            return 0.0
        return min(THROTTLE_MAX_DELAY, THROTTLE_FIRST_DELAY * 2 ** (count - THROTTLE_FREE))

    def wait(self, name: str, addr: str) -> float:
        """Seconds this pair must wait before its next try (0: it may try now)."""
        with self._lock:
            count, last = self._failures.get((name, addr), (0, 0.0))
        return max(0.0, last + self._delay(count) - time.time())

    def fail(self, name: str, addr: str) -> None:
        now = time.time()
        with self._lock:
            count, last = self._failures.pop((name, addr), (0, 0.0))
            if now - last > 2 * THROTTLE_MAX_DELAY:
                count = 0  # a long-quiet pair starts over
            self._failures[(name, addr)] = (count + 1, now)
            while len(self._failures) > THROTTLE_PAIRS:
                del self._failures[next(iter(self._failures))]

    def clear(self, name: str, addr: str) -> None:
        with self._lock:
            self._failures.pop((name, addr), None)


def safe_next(value: str | None) -> str | None:
    """``value`` when it is a path of this site, else None: after decoding it starts with one
    ``/`` not followed by ``/`` or ``\\``, has no scheme or host, and no whitespace, control or
    format character anywhere (a browser drops those, so ``/\t/evil`` would become ``//evil``)."""
    if not value or len(value) > 2000:
        return None
    decoded = unquote(value)
    for text in (value, decoded):
        if any(unicodedata.category(ch)[0] in "CZ" for ch in text):  # controls, spaces
            return None
        if not text.startswith("/") or text[1:2] in ("/", "\\") or "\\" in text:
            return None
        parts = urlsplit(text)
        if parts.scheme or parts.netloc:
            return None
    return value


#: The session signing secret's file: beside an embedded store's folder (never inside it: who
#: can read the store must not be able to sign an admin session), else in the user's config.
SECRET_FILE = "review-secret"


class SecretError(RuntimeError):
    """The session secret can be neither read nor made; the message says where and what to do."""


def _secret_path(store) -> Path:
    root = getattr(store, "root", None)
    if root is not None:
        root = Path(root)
        return root.parent / f"{root.name}.{SECRET_FILE}"
    config = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(config) / "xunjian" / SECRET_FILE


def session_secret(store) -> str:
    """XUNJIAN_REVIEW_SECRET, else the 0600 file of ``_secret_path`` (made on first use, so
    sessions survive a restart). A secret an older version kept in the store is dropped."""
    try:
        if store.get(CONFIG, "secret") is not None:
            store.delete(CONFIG, id="secret")
    except Exception:  # noqa: BLE001 - only tidying: it is never read again either way
        pass
    configured = current().review_secret
    if configured:
        return configured
    path = _secret_path(store)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32) + "\n")
        secret = path.read_text("utf-8").strip()
    except OSError as exc:
        raise SecretError(f"cannot keep the review app's session secret in {path}: "
                           f"{exc.strerror or exc}; set XUNJIAN_REVIEW_SECRET instead") from None
    if len(secret) < 32:
        raise SecretError(f"the session secret in {path} is too short (at least 32 characters)")
    return secret


def image_type(raw: bytes) -> str | None:
    if raw.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if raw.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def web_url(value: str) -> str | None:
    value = (value or "").strip()
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.netloc and len(value) <= 2000:
        return value
    return None


# -- the app's state ------------------------------------------------------------------------------

@dataclass
class Review:
    """What the views of one app share (``app.extensions["xunjian_review"]``)."""

    store: Any
    summaries: data.Summaries
    census: Any  # reports.census.CensusCache
    screenshooter: Any
    max_age: float  # seconds a session lives in all
    throttle: Throttle = field(default_factory=Throttle)
    _other: dict = field(default_factory=dict)  # rules name → Summaries under that table
    _other_lock: threading.Lock = field(default_factory=threading.Lock)

    def summaries_for(self, rules: str | None) -> data.Summaries:
        """The site summaries under ``rules`` (``?rules=…``; None: the app's own table)."""
        if rules is None or rules == data.rules().name:
            return self.summaries
        with self._other_lock:
            if rules not in self._other:
                self._other[rules] = data.Summaries(self.store, rules)
            return self._other[rules]


def state() -> Review:
    return current_app.extensions["xunjian_review"]


# -- the signed-in user ---------------------------------------------------------------------------

#: Pages that answer without a signed-in user.
OPEN_ENDPOINTS = ("auth.login", "static", "favicon")


def load_user():
    """Before every request: ``g.user`` from the session (cleared when voided or too old);
    without one, a GET goes to the sign-in page and anything else is refused."""
    g.user = None
    name = session.get("user")
    if name:
        started = session.get("since", 0)
        user = get_user(state().store, name)
        if (user is None or time.time() - started > state().max_age
                or session.get("sv") != session_version(user)):
            session.clear()
        else:
            g.user = user
            session.permanent = True
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if g.user is None:
        if request.method == "GET":
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(401)
    return None


def admin_only(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.user is None or g.user.get("role") != "admin":
            abort(403)
        return view(*args, **kwargs)
    return wrapped


# -- lookups that answer 404 ----------------------------------------------------------------------

def site_or_404(code: str) -> dict:
    if not CODE_RE.match(code):
        abort(404)
    site = state().store.get_site(code)
    if site is None:
        abort(404)
    return site


def inspection_of(code: str, inspection_id: str | None) -> dict:
    if inspection_id:
        if not FINDING_RE.match(inspection_id):
            abort(404)
        inspection = state().store.get_inspection(inspection_id)
        if inspection is None or inspection.get("site") != code:
            abort(404)
        return inspection
    inspection = state().store.latest_inspection(code)
    if inspection is None:
        abort(404)
    return inspection


def rules_arg(source=None) -> str | None:
    """The score-card table a page asks for (``?rules=checklist-2019``, or a form field), None
    for the app's own (the XUNJIAN_RULES setting); an unknown name is the app's own too."""
    from xunjian.scoring.rules import RULE_SETS

    value = (request.args if source is None else source).get("rules")
    return value if value in RULE_SETS else None
