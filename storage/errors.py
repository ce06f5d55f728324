"""Errors raised by the store.

Every failure the store reports is a `StoreError`, so callers (the CLI, the spider pipeline) can
catch one type and show a clear message; the subclasses exist so tests and callers can tell
misuse (a bad document, an unknown id) from an unavailable backend.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class of everything the store raises on purpose."""


class StoreURLError(StoreError):
    """The store URL names a scheme we cannot open, or is malformed."""


class StoreUnavailableError(StoreError):
    """The backend cannot be reached (MongoDB down, database file unusable)."""


class StoreNotFoundError(StoreError):
    """A command that only reads was pointed at a store that does not exist (an embedded
    store's folder without its database): nothing is created, the message names the place."""


class StoreClosedError(StoreError):
    """The store was used after `close()`."""


class InvalidNameError(StoreError):
    """A collection or field name that is unsafe or ambiguous on some backend."""


class InvalidDocumentError(StoreError):
    """A document (or filter value) that cannot be stored identically on every backend."""


class DuplicateIdError(StoreError):
    """An insert reused an `id` that already exists in the collection."""


class NotFoundError(StoreError):
    """An update or lookup named a document or blob that does not exist."""
