"""Reviewer accounts (collection ``review_users``): names, roles and argon2 password hashes."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from xunjian.storage.base import utc_now

USERS = "review_users"
ROLES = ("reviewer", "admin")
ROLE_NAMES = {"reviewer": "复核员", "admin": "管理员"}
MIN_PASSWORD = 8
_NAME_RE = re.compile(r"^[\w.@-]{1,40}$")
_hasher = PasswordHasher()
#: Verified against when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("xunjian-no-such-user")


class UserError(ValueError):
    """A user cannot be created or changed; the message says why (in Chinese, for the UI)."""


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not _NAME_RE.match(name):
        raise UserError("用户名须为 1–40 个字母、数字、汉字或 . _ - @")
    return name


def check_password(password: str) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise UserError(f"密码至少 {MIN_PASSWORD} 位")
    if len(password) > 200:
        raise UserError("密码过长")
    return password


def add_user(store, name: str, role: str, password: str) -> bool:
    """Create a user or reset an existing one's role and password; True if new."""
    name = check_name(name)
    if role not in ROLES:
        raise UserError(f"角色须为 {' / '.join(ROLES)}")
    check_password(password)
    existing = store.get(USERS, name)
    doc = {"id": name, "name": name, "role": role, "hash": _hasher.hash(password),
           "active": True, "created_at": (existing or {}).get("created_at", utc_now()),
           "updated_at": utc_now(),
           # a new password or role ends the sessions signed in with the old ones
           "session_version": session_version(existing) + 1 if existing else 0}
    if existing:
        store.update(USERS, name, doc)
        return False
    store.insert(USERS, doc)
    return True


def set_active(store, name: str, active: bool) -> None:
    user = store.get(USERS, name)
    if user is None:
        raise UserError("没有这个用户")
    store.update(USERS, name, {"active": bool(active), "updated_at": utc_now(),
                               "session_version": session_version(user) + 1})


def session_version(user: dict | None) -> int:
    """The user's current session version: a session signed in with another one is void."""
    value = (user or {}).get("session_version", 0)
    return value if isinstance(value, int) else 0


def end_sessions(store, name: str) -> None:
    """Void every session of this user (sign-out signs out each browser of that user)."""
    user = store.get(USERS, name)
    if user is not None:
        store.update(USERS, name, {"session_version": session_version(user) + 1})


def get_user(store, name: str) -> dict | None:
    """The active user with this name, or None."""
    if not isinstance(name, str) or not _NAME_RE.match(name):
        return None
    user = store.get(USERS, name)
    return user if user and user.get("active", True) and user.get("role") in ROLES else None


def list_users(store) -> list[dict]:
    return store.find(USERS, sort="name")


def authenticate(store, name: str, password: str) -> dict | None:
    """The user when the password matches, else None (constant-ish time either way)."""
    user = get_user(store, (name or "").strip())
    try:
        _hasher.verify(user["hash"] if user else _DUMMY_HASH, password or "")
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return user
