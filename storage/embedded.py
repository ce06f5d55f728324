"""The default store: SQLite plus content-addressed files, no server needed.

Several processes share one folder (the Scrapy crawl subprocess writes pages while the CLI
reads), so the database runs in WAL mode with a busy timeout, and every write takes the write
lock up front (`BEGIN IMMEDIATE`): a deferred transaction that upgrades from reading to writing
can fail with "database is locked" without ever waiting. Blobs are files named by their sha256,
written to a temporary name and renamed so a reader never sees half a screenshot.
"""

from __future__ import annotations

import json
import mimetypes
import os
import re
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from xunjian.storage.base import INDEXES, Doc, Scalar, Store, index_fields
from xunjian.storage.errors import (
    DuplicateIdError,
    StoreError,
    StoreNotFoundError,
    StoreUnavailableError,
)

DB_FILE = "xunjian.sqlite3"
BLOB_DIR = "blobs"
BUSY_TIMEOUT_S = 60.0
_EXT_RE = re.compile(r"^\.[a-z0-9]{1,10}$")


def _dumps(doc: Doc) -> str:
    """Compact JSON that keeps Chinese readable in the file (ensure_ascii=False)."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _path(field: str) -> str:
    """SQL for a top-level field; the same text is used in indexes so SQLite can use them."""
    return f"json_extract(doc, '$.\"{field}\"')"


def _where(equals: dict[str, Scalar]) -> tuple[str, list[Any]]:
    """Equality with MongoDB semantics: None matches missing, types are not mixed."""
    clauses: list[str] = []
    params: list[Any] = []
    for field, value in equals.items():
        if field == "id":
            clauses.append("id = ?" if isinstance(value, str) else "0")
            params += [value] if isinstance(value, str) else []
            continue
        kind = f"json_type(doc, '$.\"{field}\"')"
        if value is None:
            clauses.append(f"{_path(field)} IS NULL")
        elif isinstance(value, bool):
            clauses.append(f"{kind} = '{'true' if value else 'false'}'")
        elif isinstance(value, str):
            clauses.append(f"{_path(field)} = ? AND {kind} = 'text'")
            params.append(value)
        else:
            clauses.append(f"{_path(field)} = ? AND {kind} IN ('integer', 'real')")
            params.append(value)
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _extension(content_type: str) -> str:
    """File extension for a content type, so blobs open with the right program."""
    base = content_type.split(";", 1)[0].strip().lower()
    ext = mimetypes.guess_extension(base) or ".bin"
    return ext if _EXT_RE.match(ext) else ".bin"


@contextmanager
def _sqlite_errors(where: Path) -> Iterator[None]:
    """Turn sqlite3 errors into StoreErrors that say which database failed."""
    try:
        yield
    except sqlite3.IntegrityError as exc:  # our only constraint that callers can hit: the id
        raise DuplicateIdError(f"SQLite store {where}: id already exists ({exc})") from exc
    except sqlite3.OperationalError as exc:
        raise StoreUnavailableError(f"SQLite store {where}: {exc}") from exc
    except sqlite3.Error as exc:
        raise StoreError(f"SQLite store {where}: {exc}") from exc


class EmbeddedStore(Store):
    """Documents in `<root>/xunjian.sqlite3`, blobs in `<root>/blobs/ab/<sha256>.<ext>`."""

    def __init__(self, root: str | os.PathLike[str], *, create: bool = True) -> None:
        self.root = Path(root).expanduser().resolve()
        if not create and not (self.root / DB_FILE).is_file():
            raise StoreNotFoundError(
                f"no store at {self.root} (no {DB_FILE} there); create one with "
                "`xunjian registry import FILE...` or `xunjian demo`, or name another with "
                "--store or XUNJIAN_STORE")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailableError(f"cannot create store folder {self.root}: {exc}") from exc
        self.path = self.root / DB_FILE
        self._lock = threading.RLock()  # one connection, shared by the threads of a process
        self._depth = 0
        self._tables: set[str] = set()
        self._conn = self._connect()
        with self._atomic():
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS _blobs (id TEXT PRIMARY KEY NOT NULL,"
                " content_type TEXT NOT NULL, size INTEGER NOT NULL, file TEXT NOT NULL)"
            )
            for collection in INDEXES:
                self._table(collection)

    def __repr__(self) -> str:
        return f"EmbeddedStore({str(self.root)!r})"

    @property
    def label(self) -> str:
        """The store as messages name it: its folder."""
        return str(self.root)

    # ----------------------------------------------------------------- connection
    def _connect(self) -> sqlite3.Connection:
        with _sqlite_errors(self.path):
            conn = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            # Switching a new file to WAL needs a moment alone; retry if another process races.
            deadline = time.monotonic() + BUSY_TIMEOUT_S
            while conn.execute("PRAGMA journal_mode = WAL").fetchone()[0].lower() != "wal":
                if time.monotonic() > deadline:
                    raise StoreUnavailableError(f"{self.path}: cannot enable WAL mode")
                time.sleep(0.05)
            conn.execute("PRAGMA synchronous = NORMAL")
        self._pid = os.getpid()
        return conn

    def _db(self) -> sqlite3.Connection:
        """The connection; a forked child must not reuse its parent's, so it opens its own."""
        if self._pid != os.getpid():
            self._conn = self._connect()
            self._depth = 0
        return self._conn

    def _in_transaction(self) -> bool:
        return self._depth > 0

    @contextmanager
    def _atomic(self) -> Iterator[None]:
        with self._lock, _sqlite_errors(self.path):
            conn = self._db()
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
                conn.execute("COMMIT")
            except BaseException:
                # SQLite may have rolled the transaction back itself (a full disk, SQLITE_FULL):
                # a ROLLBACK then fails with "no transaction is active" and must not replace the
                # write's own reason ("database or disk is full")
                if conn.in_transaction:
                    try:
                        conn.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass
                raise
            finally:
                self._depth = 0

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock, _sqlite_errors(self.path):
            yield self._db()

    def _table(self, collection: str) -> str:
        """Quoted table name, creating the table and its indexes on first use."""
        if collection not in self._tables:
            with self._atomic():
                self._conn.execute(
                    f'CREATE TABLE IF NOT EXISTS "{collection}"'
                    " (id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL)"
                )
                for field in index_fields(collection):
                    self._conn.execute(
                        f'CREATE INDEX IF NOT EXISTS "{collection}__{field}"'
                        f' ON "{collection}" ({_path(field)})'
                    )
            self._tables.add(collection)
        return f'"{collection}"'

    def _close(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                self._conn.close()

    # ----------------------------------------------------------------- documents
    def _insert_docs(self, collection: str, docs: list[Doc]) -> None:
        table = self._table(collection)
        rows = [(doc["id"], _dumps(doc)) for doc in docs]
        with self._atomic():
            self._conn.executemany(f"INSERT INTO {table} (id, doc) VALUES (?, ?)", rows)

    def _get_doc(self, collection: str, doc_id: str) -> Doc | None:
        table = self._table(collection)
        with self._reading() as conn:
            row = conn.execute(f"SELECT doc FROM {table} WHERE id = ?", (doc_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def _find_docs(
        self,
        collection: str,
        equals: dict[str, Scalar],
        sort: str | None,
        descending: bool,
        limit: int | None,
        each: Callable[[Doc], Doc] | None = None,
    ) -> list[Doc]:
        table = self._table(collection)
        where, params = _where(equals)
        direction = " DESC" if descending else ""
        order = f"{'id' if sort == 'id' else _path(sort)}{direction}, " if sort else ""
        sql = f"SELECT doc FROM {table}{where} ORDER BY {order}rowid{direction}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self._reading() as conn:
            rows = conn.execute(sql, params)
            if each is None:
                return [json.loads(row[0]) for row in rows]
            return [each(json.loads(row[0])) for row in rows]

    def _count_docs(self, collection: str, equals: dict[str, Scalar]) -> int:
        table = self._table(collection)
        where, params = _where(equals)
        with self._reading() as conn:
            return int(conn.execute(f"SELECT COUNT(*) FROM {table}{where}", params).fetchone()[0])

    def _update_doc(self, collection: str, doc_id: str, fields: Doc) -> bool:
        table = self._table(collection)
        with self._atomic():
            row = self._conn.execute(f"SELECT doc FROM {table} WHERE id = ?", (doc_id,)).fetchone()
            if row is None:
                return False
            doc = json.loads(row[0]) | fields
            self._conn.execute(f"UPDATE {table} SET doc = ? WHERE id = ?", (_dumps(doc), doc_id))
        return True

    def _replace_doc(self, collection: str, doc_id: str, doc: Doc) -> bool:
        table = self._table(collection)
        with self._atomic():
            cur = self._conn.execute(
                f"UPDATE {table} SET doc = ? WHERE id = ?", (_dumps(doc), doc_id)
            )
        return cur.rowcount > 0

    def _delete_docs(self, collection: str, equals: dict[str, Scalar]) -> int:
        table = self._table(collection)
        where, params = _where(equals)
        with self._atomic():
            return self._conn.execute(f"DELETE FROM {table}{where}", params).rowcount

    # ----------------------------------------------------------------- blobs
    def _blob_row(self, blob_id: str) -> tuple[str, int, str] | None:
        with self._reading() as conn:
            row: tuple[str, int, str] | None = conn.execute(
                "SELECT content_type, size, file FROM _blobs WHERE id = ?", (blob_id,)
            ).fetchone()
        return row

    def _put_blob(self, blob_id: str, data: bytes, content_type: str) -> None:
        if self._blob_row(blob_id) is not None:
            return
        relative = f"{BLOB_DIR}/{blob_id[:2]}/{blob_id}{_extension(content_type)}"
        target = self.root / relative
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                os.replace(temp, target)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StoreUnavailableError(f"cannot write blob {target}: {exc}") from exc
        with self._atomic():
            self._conn.execute(
                "INSERT OR IGNORE INTO _blobs (id, content_type, size, file) VALUES (?, ?, ?, ?)",
                (blob_id, content_type, len(data), relative),
            )

    def _get_blob(self, blob_id: str) -> bytes | None:
        row = self._blob_row(blob_id)
        if row is None:
            return None
        try:
            return (self.root / row[2]).read_bytes()
        except OSError as exc:
            raise StoreError(f"blob {blob_id} is recorded but unreadable: {exc}") from exc

    def _blob_info(self, blob_id: str) -> Doc | None:
        row = self._blob_row(blob_id)
        return {"id": blob_id, "content_type": row[0], "size": row[1]} if row else None

    def _blob_location(self, blob_id: str) -> str | None:
        row = self._blob_row(blob_id)
        return str(self.root / row[2]) if row else None

    def _count_blobs(self) -> int:
        with self._reading() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM _blobs").fetchone()[0])
