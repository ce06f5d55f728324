"""The storage interface: a small generic document core plus typed conveniences.

Backends implement only the protected `_…` hooks (a handful of primitive operations on one
collection). Everything else — validation, id assignment, upsert, and the typed methods that
follow docs/CONTRACTS.md — lives here once, so both backends behave identically and a new
collection needs no backend change.

Documents are plain JSON values. They are validated before any write so that what one backend
accepts the other accepts too, and a document reads back exactly as it was written (plus `id`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

from xunjian.base import config
from xunjian.storage.errors import (
    DuplicateIdError,
    InvalidDocumentError,
    InvalidNameError,
    NotFoundError,
    StoreClosedError,
    StoreError,
    StoreUnavailableError,
)

Doc = dict[str, Any]
Scalar = str | int | float | bool | None

SITES = "sites"
COLUMNS = "columns"
INSPECTIONS = "inspections"
PAGES = "pages"
LINKS = "links"
FINDINGS = "findings"
REVIEWS = "reviews"

#: Top-level fields each backend indexes, per collection: the fields the typed methods filter on.
INDEXES: dict[str, tuple[str, ...]] = {
    SITES: ("code",),
    COLUMNS: ("site",),
    INSPECTIONS: ("site",),
    PAGES: ("inspection",),
    LINKS: ("inspection",),
    FINDINGS: ("inspection", "site", "finding"),
    REVIEWS: ("site", "finding"),
}
#: Indexed in collections not listed above (added later by other features).
DEFAULT_INDEXES: tuple[str, ...] = ("site", "inspection")

INSPECTION_STATUSES = ("running", "done", "failed", "interrupted")
REVIEW_VERDICTS = ("confirmed", "rejected")

# Lower-case identifiers: valid unquoted in SQLite and MongoDB, no clash with internal names.
_COLLECTION_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_INT64 = 2**63


def retry_policy() -> tuple[int, float]:
    """(retries, first pause in seconds) for a store operation whose backend is unavailable.

    ``XUNJIAN_STORE_RETRIES`` (default 5) more attempts after the first, pausing
    ``XUNJIAN_STORE_RETRY_PAUSE`` (default 1 s) and doubling each time, at most 10 s a pause: a
    MongoDB (or a locked SQLite file, a full disk) that comes back within about 25 s loses nothing.
    """
    settings = config.current()
    return max(0, settings.store_retries), max(0.0, settings.store_retry_pause)


_RETRY = threading.local()  # per thread: inside a retried operation, and which attempt


def _shared(shared: dict[Any, Doc], link: Any) -> Any:
    """The one copy of ``link`` kept in ``shared`` (itself when it is the first, or unhashable)."""
    if not isinstance(link, dict):
        return link
    try:
        return shared.setdefault(tuple(sorted(link.items())), link)
    except TypeError:  # a list or dict value: kept as it is
        return link


def retried(method):
    """Run a store operation again (bounded, with pauses) while the backend is unavailable.

    Only the outermost operation retries (a composite one such as ``upsert`` repeats as a
    whole), and never inside an open transaction (the transaction's owner repeats it). The final
    failure says how many attempts were made.
    """

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        if getattr(_RETRY, "depth", 0) or self._in_transaction():
            return method(self, *args, **kwargs)
        retries, pause = retry_policy()
        # a generator argument would be empty on the second attempt: read it once, up front
        args = tuple(list(a) if isinstance(a, Iterator) else a for a in args)
        kwargs = {k: list(v) if isinstance(v, Iterator) else v for k, v in kwargs.items()}
        _RETRY.depth, _RETRY.attempt = 1, 0
        try:
            while True:
                try:
                    return method(self, *args, **kwargs)
                except StoreUnavailableError as exc:
                    if _RETRY.attempt >= retries:
                        if _RETRY.attempt:
                            raise StoreUnavailableError(
                                f"{exc} (gave up after {_RETRY.attempt + 1} attempts)") from exc
                        raise
                    time.sleep(min(10.0, pause * 2**_RETRY.attempt))
                    _RETRY.attempt += 1
        finally:
            _RETRY.depth, _RETRY.attempt = 0, 0

    return wrapper


def _retrying() -> bool:
    """True in a repeated attempt (an earlier one may have written part of its work)."""
    return bool(getattr(_RETRY, "attempt", 0))


def utc_now() -> str:
    """Current time as ISO-8601 with a UTC offset, as the contracts require."""
    return datetime.now(UTC).isoformat()


def new_id() -> str:
    """A fresh document id (uuid4 hex: unique across processes without coordination)."""
    return uuid.uuid4().hex


def index_fields(collection: str) -> tuple[str, ...]:
    """Fields to index in `collection`; backends call this when they create a collection."""
    return INDEXES.get(collection, DEFAULT_INDEXES)


def check_collection(name: object) -> str:
    """Reject names that would be unsafe as an SQL table or odd as a Mongo collection."""
    if not isinstance(name, str) or not _COLLECTION_RE.match(name) or name.startswith("sqlite_"):
        raise InvalidNameError(
            f"bad collection name {name!r}: use lower-case letters, digits and '_'"
        )
    return name


def check_field(name: object) -> str:
    """Filter, sort and update field names must be plain identifiers.

    A dot would mean a nested path in MongoDB but a literal key in SQLite, and `_id` is Mongo's
    own key, so both are refused to keep the two backends equivalent.
    """
    if not isinstance(name, str) or not name.isidentifier() or name == "_id":
        raise InvalidNameError(f"bad field name {name!r}: use a top-level identifier")
    return name


def check_scalar(field: str, value: object) -> Scalar:
    """Equality filters compare scalars only; list/dict equality differs between backends."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, int) and -_INT64 <= value < _INT64:
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    raise InvalidDocumentError(f"filter {field}={value!r}: only str/int/float/bool/None")


def _check_json(value: object, where: str) -> None:
    """Raise unless `value` is JSON that both backends store and return unchanged."""
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, str):
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidDocumentError(f"{where}: string is not valid Unicode") from None
        return
    if isinstance(value, int):
        if not -_INT64 <= value < _INT64:
            raise InvalidDocumentError(f"{where}: integer {value} does not fit in 64 bits")
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidDocumentError(f"{where}: {value} is not valid JSON")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidDocumentError(f"{where}: key {key!r} is not a string")
            _check_json(key, f"{where}.<key>")
            _check_json(item, f"{where}.{key}")
        return
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_json(item, f"{where}[{i}]")
        return
    raise InvalidDocumentError(
        f"{where}: {type(value).__name__} is not JSON "
        "(store times as ISO strings and bytes with put_blob)"
    )


def check_doc(doc: object, collection: str) -> Doc:
    """Validate a document and return a shallow copy the store may modify."""
    if not isinstance(doc, Mapping):
        raise InvalidDocumentError(f"{collection}: a document must be a dict, not {type(doc)}")
    copy = dict(doc)
    if "_id" in copy:
        raise InvalidDocumentError(f"{collection}: '_id' is reserved; use 'id'")
    if "id" in copy and (not isinstance(copy["id"], str) or not copy["id"]):
        raise InvalidDocumentError(f"{collection}: id must be a non-empty string")
    _check_json(copy, collection)
    return copy


def _time_key(value: object) -> datetime:
    """Sort key for ISO times that is right across UTC offsets (string order is not)."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return datetime.min.replace(tzinfo=UTC)


def _by_time(docs: list[Doc], field: str, newest_first: bool) -> list[Doc]:
    """Order by a time field; ties keep insertion order (reversed when newest first)."""
    order = sorted(enumerate(docs), key=lambda p: (_time_key(p[1].get(field)), p[0]))
    if newest_first:
        order.reverse()
    return [doc for _, doc in order]


class Store(ABC):
    """A document store with content-addressed blobs; see docs/CONTRACTS.md for documents.

    Backends override the `_…` hooks only. Hooks receive validated input: checked collection
    and field names, JSON-safe copies of documents that always carry an `id`.
    """

    _closed = False
    #: how messages name the store (a folder, a MongoDB URL without its password)
    label: str = "the store"

    # ----------------------------------------------------------------- backend hooks
    @abstractmethod
    def _insert_docs(self, collection: str, docs: list[Doc]) -> None:
        """Insert all docs or none; raise DuplicateIdError if an id exists."""

    @abstractmethod
    def _get_doc(self, collection: str, doc_id: str) -> Doc | None:
        """The document with this id, or None."""

    @abstractmethod
    def _find_docs(
        self,
        collection: str,
        equals: dict[str, Scalar],
        sort: str | None,
        descending: bool,
        limit: int | None,
        each: Callable[[Doc], Doc] | None = None,
    ) -> list[Doc]:
        """Documents equal on all `equals` fields; insertion order breaks sort ties. `each`,
        when given, is applied to every document as it is read (before the next is read)."""

    @abstractmethod
    def _count_docs(self, collection: str, equals: dict[str, Scalar]) -> int:
        """How many documents `_find_docs` would return without a limit."""

    @abstractmethod
    def _update_doc(self, collection: str, doc_id: str, fields: Doc) -> bool:
        """Shallow-merge `fields` atomically; False if the id does not exist."""

    @abstractmethod
    def _replace_doc(self, collection: str, doc_id: str, doc: Doc) -> bool:
        """Replace the whole document, keeping its place; False if the id does not exist."""

    @abstractmethod
    def _delete_docs(self, collection: str, equals: dict[str, Scalar]) -> int:
        """Delete matching documents; return how many."""

    @abstractmethod
    def _atomic(self) -> AbstractContextManager[None]:
        """A scope whose operations commit together where the backend can (best effort)."""

    @abstractmethod
    def _put_blob(self, blob_id: str, data: bytes, content_type: str) -> None:
        """Store bytes under their sha256 unless already present."""

    @abstractmethod
    def _get_blob(self, blob_id: str) -> bytes | None:
        """The blob's bytes, or None."""

    @abstractmethod
    def _blob_info(self, blob_id: str) -> Doc | None:
        """{"id", "content_type", "size"}, or None."""

    @abstractmethod
    def _blob_location(self, blob_id: str) -> str | None:
        """Where a person can find the blob, or None if it does not exist."""

    @abstractmethod
    def _count_blobs(self) -> int:
        """Number of distinct blobs."""

    @abstractmethod
    def _close(self) -> None:
        """Release connections."""

    # ----------------------------------------------------------------- lifecycle
    def close(self) -> None:
        """Release the backend; later calls raise StoreClosedError. Safe to call twice."""
        if not self._closed:
            self._closed = True
            self._close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _in_transaction(self) -> bool:
        """True inside an open transaction (backends with transactions override this)."""
        return False

    def _open(self, collection: str | None = None) -> None:
        """Fail clearly instead of with a backend-specific error after close()."""
        if self._closed:
            raise StoreClosedError("the store is closed")
        if collection is not None:
            check_collection(collection)

    @staticmethod
    def _equals(equals: Mapping[str, object]) -> dict[str, Scalar]:
        return {check_field(k): check_scalar(k, v) for k, v in equals.items()}

    # ----------------------------------------------------------------- generic core
    def insert(self, collection: str, doc: Mapping[str, Any]) -> str:
        """Store a new document; assigns `id` (uuid4 hex) if absent and returns it."""
        return self.insert_many(collection, [doc])[0]

    @retried
    def insert_many(self, collection: str, docs: Iterable[Mapping[str, Any]]) -> list[str]:
        """Store new documents all-or-nothing (best effort on MongoDB); returns their ids."""
        self._open(collection)
        prepared = [check_doc(doc, collection) for doc in docs]
        prepared = [doc if "id" in doc else {"id": new_id(), **doc} for doc in prepared]
        ids = [doc["id"] for doc in prepared]
        if len(set(ids)) != len(ids):
            raise DuplicateIdError(f"{collection}: the same id appears twice in one insert")
        if prepared and _retrying():
            # an earlier attempt may have stored some of them before the backend went away
            prepared = [doc for doc in prepared if not self._stored_already(collection, doc)]
        if prepared:
            self._insert_docs(collection, prepared)
        return ids

    @retried
    def _stored_already(self, collection: str, doc: Doc) -> bool:
        """True if exactly this document is stored (a retried insert's earlier attempt went in)."""
        stored = self._get_doc(collection, doc["id"])
        return stored is not None and stored == json.loads(json.dumps(doc))

    def get(self, collection: str, id: str) -> Doc | None:
        """The document with this id, or None."""
        self._open(collection)
        if not isinstance(id, str):
            raise InvalidDocumentError(f"{collection}: id must be a string, not {id!r}")
        return self._get_doc(collection, id)

    @retried
    def find(
        self,
        collection: str,
        sort: str | None = None,
        descending: bool = False,
        limit: int | None = None,
        **equals: Any,
    ) -> list[Doc]:
        """Documents whose top-level fields equal `equals`, sorted by one top-level field.

        `None` matches a missing field too. Without `sort`, documents come in insertion order.
        """
        self._open(collection)
        if sort is not None:
            check_field(sort)
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or limit < 0
        ):
            raise StoreError(f"limit must be a non-negative int, not {limit!r}")
        if limit == 0:
            return []
        return self._find_docs(collection, self._equals(equals), sort, descending, limit)

    @retried
    def count(self, collection: str, **equals: Any) -> int:
        """How many documents match `equals`."""
        self._open(collection)
        return self._count_docs(collection, self._equals(equals))

    @retried
    def update(self, collection: str, id: str, fields: Mapping[str, Any]) -> None:
        """Shallow-merge top-level `fields` into a document; NotFoundError if it is missing."""
        self._open(collection)
        changes = check_doc(fields, collection)
        for name in changes:
            check_field(name)
        if changes.pop("id", id) != id:
            raise InvalidDocumentError(f"{collection}: update cannot change id {id!r}")
        if not self._update_doc(collection, id, changes):
            raise NotFoundError(f"{collection}: no document with id {id!r}")

    @retried
    def upsert(
        self, collection: str, key: Mapping[str, Any], doc: Mapping[str, Any]
    ) -> tuple[str, bool]:
        """Replace the document matching `key` (keeping its id) or insert one.

        Key fields are copied into the stored document. Returns (id, created).
        """
        self._open(collection)
        equals = self._equals(key)
        if not equals:
            raise StoreError(f"{collection}: upsert needs at least one key field")
        body = check_doc(doc, collection)
        for name, value in equals.items():
            if body.setdefault(name, value) != value:
                raise InvalidDocumentError(f"{collection}: doc {name}={body[name]!r} != key")
        with self._atomic():
            found = self._find_docs(collection, equals, None, False, 2)
            if len(found) > 1:
                raise StoreError(f"{collection}: key {equals} matches several documents")
            if not found:
                body.setdefault("id", new_id())
                self._insert_docs(collection, [body])
                return body["id"], True
            doc_id = found[0]["id"]
            if body.setdefault("id", doc_id) != doc_id:
                raise InvalidDocumentError(f"{collection}: doc id differs from stored {doc_id!r}")
            if not self._replace_doc(collection, doc_id, body):
                raise NotFoundError(f"{collection}: {doc_id!r} vanished during upsert")
            return doc_id, False

    @retried
    def delete(self, collection: str, **equals: Any) -> int:
        """Delete matching documents; at least one filter is required, to avoid accidents."""
        self._open(collection)
        if not equals:
            raise StoreError(f"{collection}: refusing to delete without a filter")
        return self._delete_docs(collection, self._equals(equals))

    # ----------------------------------------------------------------- blobs
    @retried
    def put_blob(self, data: bytes, content_type: str) -> str:
        """Store bytes once per content; returns the sha256 hex that names them."""
        self._open()
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise InvalidDocumentError(f"blob data must be bytes, not {type(data).__name__}")
        if not isinstance(content_type, str) or not content_type:
            raise InvalidDocumentError("blob content_type must be a non-empty string")
        payload = bytes(data)
        blob_id = hashlib.sha256(payload).hexdigest()
        self._put_blob(blob_id, payload, content_type)
        return blob_id

    @retried
    def get_blob(self, id: str) -> bytes | None:
        """The blob's bytes, or None if unknown."""
        self._open()
        return self._get_blob(id) if _is_blob_id(id) else None

    @retried
    def blob_info(self, id: str) -> Doc | None:
        """{"id", "content_type", "size"} of a blob, or None if unknown."""
        self._open()
        return self._blob_info(id) if _is_blob_id(id) else None

    @retried
    def blob_location(self, id: str) -> str:
        """Human-readable place of a blob (file path or gridfs:// URL) for reports."""
        self._open()
        where = self._blob_location(id) if _is_blob_id(id) else None
        if where is None:
            raise NotFoundError(f"no blob {id!r}")
        return where

    @retried
    def count_blobs(self) -> int:
        """Number of distinct blobs stored."""
        self._open()
        return self._count_blobs()

    # ----------------------------------------------------------------- sites and columns
    def upsert_site(self, site: Mapping[str, Any]) -> bool:
        """Insert or replace a site by its census `code`; True if it is new."""
        code = _required_str(site, "code", SITES)
        return self.upsert(SITES, {"code": code}, site)[1]

    def get_site(self, code: str) -> Doc | None:
        """The site with this census code, or None."""
        found = self.find(SITES, limit=1, code=code)
        return found[0] if found else None

    def list_sites(self) -> list[Doc]:
        """All sites, sorted by code."""
        return self.find(SITES, sort="code")

    def unknown_site(self, code: str) -> str:
        """The message for a site code this store does not have; it names the store and what it
        does have, so a command run against the wrong (or an empty) store says so."""
        total = self.count(SITES)
        if not total:
            have = "no sites are registered there"
        else:
            shown = [s["code"] for s in self.find(SITES, sort="code", limit=5)]
            have = f"{total} registered: {', '.join(shown)}{'…' if total > 5 else ''}"
        return (f"unknown site {code!r} in the store {self.label} ({have}); "
                "import it with `xunjian registry import FILE...`")

    @retried
    def replace_columns(self, site_code: str, columns: Iterable[Mapping[str, Any]]) -> int:
        """Replace a site's registry columns as a whole; discovered columns stay.

        `site` and `source` ("registry") are filled in, `position` defaults to list order.
        New columns are written before old ones are removed, so a failure never leaves a site
        with no columns. Returns how many were stored.
        """
        rows = []
        for position, column in enumerate(columns):
            row = check_doc(column, COLUMNS)
            _fill(row, "site", site_code, COLUMNS)
            _fill(row, "source", "registry", COLUMNS)
            row.setdefault("position", position)
            row.setdefault("id", new_id())  # a retry recognises rows an earlier attempt stored
            rows.append(row)
        new = {row["id"] for row in rows}
        with self._atomic():
            old = [c for c in self.find(COLUMNS, site=site_code, source="registry")
                   if c["id"] not in new]
            self.insert_many(COLUMNS, rows)
            for column in old:
                self.delete(COLUMNS, id=column["id"])
        return len(rows)

    def columns(self, site_code: str) -> list[Doc]:
        """A site's columns (registry and discovered), sorted by position."""
        return self.find(COLUMNS, sort="position", site=site_code)

    # ----------------------------------------------------------------- inspections
    def create_inspection(self, doc: Mapping[str, Any]) -> str:
        """Start an inspection record; status defaults to "running", started_at to now."""
        row = check_doc(doc, INSPECTIONS)
        _required_str(row, "site", INSPECTIONS)
        row.setdefault("status", "running")
        row.setdefault("started_at", utc_now())
        _check_choice(row, "status", INSPECTION_STATUSES, INSPECTIONS)
        return self.insert(INSPECTIONS, row)

    def update_inspection(self, id: str, **fields: Any) -> None:
        """Change fields of an inspection (status, finished_at, stats, …)."""
        _check_choice(fields, "status", INSPECTION_STATUSES, INSPECTIONS)
        self.update(INSPECTIONS, id, fields)

    def get_inspection(self, id: str) -> Doc | None:
        """The inspection with this id, or None (a dead ``running`` one reads ``interrupted``)."""
        found = self.get(INSPECTIONS, id)
        return presented_inspection(found) if found else None

    def inspections(self, site_code: str) -> list[Doc]:
        """A site's inspections, newest first by started_at (compared as times, not text)."""
        found = [presented_inspection(d) for d in self.find(INSPECTIONS, site=site_code)]
        return _by_time(found, "started_at", newest_first=True)

    def latest_inspection(self, site_code: str, status: str | None = "done") -> Doc | None:
        """The newest inspection of a site with this status (any status if None)."""
        where: dict[str, Any] = {} if status in (None, "interrupted") else {"status": status}
        found = [presented_inspection(d) for d in self.find(INSPECTIONS, site=site_code, **where)]
        if status is not None:
            found = [d for d in found if d.get("status") == status]
        ordered = _by_time(found, "started_at", newest_first=True)
        return ordered[0] if ordered else None

    # ----------------------------------------------------------------- pages and links
    def add_page(self, doc: Mapping[str, Any]) -> str:
        """Store one crawled page; it must name its inspection."""
        _required_str(doc, "inspection", PAGES)
        return self.insert(PAGES, doc)

    def pages(self, inspection_id: str, share_links: bool = False) -> list[Doc]:
        """An inspection's pages in the order they were stored (crawl order).

        ``share_links``: one dict per distinct link, shared by every page that carries it, made
        as the pages are read. A site's navigation repeats on each of its pages, so the
        finishing holds a 5,000-page crawl in well under half the memory (bench/README); the
        links are then read-only."""
        if not share_links:
            return self.find(PAGES, inspection=inspection_id)
        return self._pages_sharing_links(inspection_id)

    @retried
    def _pages_sharing_links(self, inspection_id: str) -> list[Doc]:
        self._open(PAGES)
        shared: dict[Any, Doc] = {}

        def share(page: Doc) -> Doc:
            links = page.get("links")
            if links:
                page["links"] = [_shared(shared, link) for link in links]
            return page

        return self._find_docs(PAGES, self._equals({"inspection": inspection_id}), None, False,
                               None, share)

    def count_pages(self, inspection_id: str) -> int:
        """How many pages an inspection stored."""
        return self.count(PAGES, inspection=inspection_id)

    def add_link_results(
        self, inspection_id: str, results: Iterable[Mapping[str, Any]]
    ) -> list[str]:
        """Store link-check results for an inspection (sets `inspection` on each)."""
        rows = [check_doc(result, LINKS) for result in results]
        for row in rows:
            _fill(row, "inspection", inspection_id, LINKS)
        return self.insert_many(LINKS, rows)

    def link_results(self, inspection_id: str) -> list[Doc]:
        """An inspection's link results in the order they were stored."""
        return self.find(LINKS, inspection=inspection_id)

    # ----------------------------------------------------------------- findings and reviews
    @retried
    def replace_findings(self, inspection_id: str, findings: Iterable[Mapping[str, Any]]) -> int:
        """Replace all findings of an inspection; returns how many were stored.

        A finding's `id` is a stable hash shared by the same problem across inspections, so it
        cannot be the storage key: rows are keyed "<inspection>:<id>" and keep the finding id in
        `finding` (the field reviews use). `findings()` gives the documents back unchanged.
        """
        rows = []
        for finding in findings:
            row = check_doc(finding, FINDINGS)
            finding_id = _required_str(row, "id", FINDINGS)
            _fill(row, "inspection", inspection_id, FINDINGS)
            if "finding" in row:
                raise InvalidDocumentError("findings: field 'finding' is reserved")
            row["finding"] = finding_id
            row["id"] = f"{inspection_id}:{finding_id}"
            rows.append(row)
        with self._atomic():
            self.delete(FINDINGS, inspection=inspection_id)
            self.insert_many(FINDINGS, rows)
        return len(rows)

    def findings(self, inspection_id: str) -> list[Doc]:
        """An inspection's findings as they were given to `replace_findings`."""
        rows = self.find(FINDINGS, inspection=inspection_id)
        for row in rows:
            row["id"] = row.pop("finding", row["id"])
        return rows

    def add_review(self, doc: Mapping[str, Any]) -> str:
        """Append a reviewer's verdict on a finding; `at` defaults to now."""
        row = check_doc(doc, REVIEWS)
        _required_str(row, "finding", REVIEWS)
        _required_str(row, "site", REVIEWS)
        _check_choice(row, "verdict", REVIEW_VERDICTS, REVIEWS, required=True)
        row.setdefault("at", utc_now())
        return self.insert(REVIEWS, row)

    def reviews(self, site_code: str) -> list[Doc]:
        """A site's reviews, oldest first by `at`, so the last verdict on a finding wins."""
        return _by_time(self.find(REVIEWS, site=site_code), "at", newest_first=False)


def stale_seconds() -> float:
    """A ``running`` inspection without a heartbeat for this long has lost its process
    (``XUNJIAN_STALE_SECONDS``, default 180; the heartbeat is written every 30 s)."""
    return config.current().stale_seconds


def presented_inspection(doc: Doc, now: datetime | None = None) -> Doc:
    """An inspection as readers should see it: ``running`` whose ``heartbeat`` is older than
    ``stale_seconds()`` is ``interrupted`` (its process died: SIGKILL, power, OOM). Records
    without a heartbeat (written before heartbeats, or by a standalone ``scrapy crawl``) are
    shown as stored."""
    last = doc.get("heartbeat")
    if doc.get("status") != "running" or last is None:  # no heartbeat: nothing to judge by
        return doc
    age = ((now or datetime.now(UTC)) - _time_key(last)).total_seconds()
    if age < stale_seconds():
        return doc
    return {**doc, "status": "interrupted",
            "error": doc.get("error") or f"no heartbeat since {last}: the inspecting process "
                                         "is gone (killed or crashed)"}


def _is_blob_id(value: object) -> bool:
    """Blob ids are sha256 hex; anything else cannot name a blob (and never a file path)."""
    return (
        isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)
    )


def _required_str(doc: Mapping[str, Any], field: str, collection: str) -> str:
    value = doc.get(field)
    if not isinstance(value, str) or not value:
        raise InvalidDocumentError(f"{collection}: '{field}' must be a non-empty string")
    return value


def _fill(row: Doc, field: str, value: str, collection: str) -> None:
    """Set a field the method owns, refusing a conflicting value instead of overwriting it."""
    if row.setdefault(field, value) != value:
        raise InvalidDocumentError(f"{collection}: {field}={row[field]!r}, expected {value!r}")


def _check_choice(
    doc: Mapping[str, Any],
    field: str,
    allowed: tuple[str, ...],
    collection: str,
    required: bool = False,
) -> None:
    value = doc.get(field)
    if (field in doc or required) and value not in allowed:
        raise InvalidDocumentError(f"{collection}: {field} must be one of {allowed}, not {value!r}")
