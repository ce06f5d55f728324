"""Choosing a backend from a store URL (CLI option, env XUNJIAN_STORE, or the default folder)."""

from __future__ import annotations

import os
import re
import threading
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from xunjian.base import config
from xunjian.storage.base import Store
from xunjian.storage.embedded import EmbeddedStore
from xunjian.storage.errors import StoreError, StoreUnavailableError, StoreURLError

DEFAULT_DB = "xunjian"
SERVER_SELECTION_TIMEOUT_MS = 5000
ACCEPTED = "a folder path, file:///abs/path, mongodb://, mongodb+srv:// or mongomock://"

_mock_clients: dict[str, Any] = {}
_mock_lock = threading.Lock()


def redact_url(url: str) -> str:
    """The URL with any password replaced by ***, safe for messages and logs."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    netloc, tail = re.fullmatch(r"([^/?#]*)(.*)", rest, re.DOTALL).groups()  # type: ignore[union-attr]
    userinfo, at, hosts = netloc.rpartition("@")
    if not at or ":" not in userinfo:
        return url
    return f"{scheme}://{userinfo.split(':', 1)[0]}:***@{hosts}{tail}"


def open_store(url: str | os.PathLike[str] | None = None, *, create: bool = True) -> Store:
    """Open the store named by `url`, else env XUNJIAN_STORE, else ./xunjian-data.

    ``create=False`` (commands that only read) never makes a folder: an embedded store that does
    not exist raises StoreNotFoundError naming the folder.

    A plain path or file:/// URL opens the embedded store; mongodb:// and mongodb+srv:// open
    MongoDB; mongomock:// opens an in-process fake shared by everyone in this process.
    """
    target = os.fspath(url) if url is not None else config.current().store
    if not target.strip():
        raise StoreURLError(f"empty store URL; use {ACCEPTED}")
    if "://" not in target:
        return EmbeddedStore(target, create=create)
    parts = urlsplit(target)
    scheme = parts.scheme.lower()
    if scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path:
            raise StoreURLError(f"file URLs must look like file:///abs/path, not {target!r}")
        return EmbeddedStore(unquote(parts.path), create=create)
    if scheme in ("mongodb", "mongodb+srv"):
        return _open_mongo(target)
    if scheme == "mongomock":
        return _open_mongomock(parts.netloc, unquote(parts.path.strip("/")) or DEFAULT_DB, target)
    raise StoreURLError(
        f"unsupported store URL scheme {scheme!r} in {redact_url(target)!r}; use {ACCEPTED}"
    )


def _open_mongo(url: str) -> Store:
    from pymongo import MongoClient
    from pymongo.errors import ConfigurationError, InvalidName, InvalidURI, PyMongoError

    from xunjian.storage.mongo import MongoStore

    label = redact_url(url)
    options = {key.lower() for key, _ in parse_qsl(urlsplit(url).query)}
    extra: dict[str, Any] = {}
    if "serverselectiontimeoutms" not in options:  # a URL option wins over our default
        extra["serverSelectionTimeoutMS"] = SERVER_SELECTION_TIMEOUT_MS
    try:
        client: Any = MongoClient(url, **extra)
    except (InvalidURI, ValueError, TypeError) as exc:
        raise StoreURLError(f"bad MongoDB URL {label}: {_scrub(exc, url)}") from None
    except (ConfigurationError, PyMongoError) as exc:  # e.g. mongodb+srv DNS lookup failed
        reason = _scrub(exc, url)
        raise StoreUnavailableError(f"cannot reach MongoDB at {label}: {reason}") from None
    try:
        db_name = client.get_default_database(DEFAULT_DB).name
    except (ConfigurationError, InvalidName) as exc:
        client.close()
        raise StoreURLError(f"bad database name in {label}: {_scrub(exc, url)}") from None
    return MongoStore(client, db_name, label=label)


def _open_mongomock(host: str, db_name: str, url: str) -> Store:
    """In-memory MongoDB for tests; one client per host so every opener sees the same data."""
    try:
        import mongomock
        import mongomock.gridfs
    except ImportError:
        raise StoreError(
            "mongomock:// needs the test dependency mongomock (pip install 'xunjian[test]')"
        ) from None

    from xunjian.storage.mongo import MongoStore

    with _mock_lock:
        if host not in _mock_clients:
            mongomock.gridfs.enable_gridfs_integration()  # type: ignore[no-untyped-call]
            _mock_clients[host] = mongomock.MongoClient()
        client = _mock_clients[host]
    return MongoStore(client, db_name, label=url, owns_client=False)


def _scrub(exc: BaseException, url: str) -> str:
    """An error message with the URL's password removed, in case the driver echoed it."""
    text = str(exc)[:300]
    password = urlsplit(url).password if "@" in url else None
    for secret in {password, unquote(password)} if password else ():
        text = text.replace(secret, "***")
    return text
