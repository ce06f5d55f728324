"""Storage for everything an inspection produces: documents plus content-addressed blobs.

`open_store()` picks the backend from a URL: the embedded SQLite store by default (no server),
or MongoDB. Both implement `Store`; see docs/CONTRACTS.md for the documents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from xunjian.storage.base import Store
from xunjian.storage.embedded import EmbeddedStore
from xunjian.storage.errors import (
    DuplicateIdError,
    InvalidDocumentError,
    InvalidNameError,
    NotFoundError,
    StoreClosedError,
    StoreError,
    StoreNotFoundError,
    StoreUnavailableError,
    StoreURLError,
)
from xunjian.storage.urls import open_store, redact_url

if TYPE_CHECKING:
    from xunjian.storage.mongo import MongoStore

__all__ = [
    "DuplicateIdError",
    "EmbeddedStore",
    "InvalidDocumentError",
    "InvalidNameError",
    "MongoStore",
    "NotFoundError",
    "Store",
    "StoreClosedError",
    "StoreError",
    "StoreNotFoundError",
    "StoreURLError",
    "StoreUnavailableError",
    "open_store",
    "redact_url",
]


def __getattr__(name: str) -> Any:
    """Import the MongoDB backend (and pymongo) only when someone asks for it."""
    if name == "MongoStore":
        from xunjian.storage.mongo import MongoStore

        return MongoStore
    raise AttributeError(f"module 'storage' has no attribute {name!r}")
