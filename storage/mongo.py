"""MongoDB backend: one collection per collection, blobs in GridFS keyed by sha256.

Documents keep our own string `id` (unique index); Mongo's `_id` never leaves this module, so
callers see the same documents as with the embedded store. Blobs use `gridfs.GridFS` (not
GridFSBucket, which mongomock cannot run) with the sha256 as `_id`, so content is stored once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

import gridfs
from gridfs.errors import FileExists, NoFile
from pymongo import ASCENDING, DESCENDING
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import BulkWriteError, ConnectionFailure, DuplicateKeyError, PyMongoError

from xunjian.storage.base import INDEXES, Doc, Scalar, Store, index_fields
from xunjian.storage.errors import DuplicateIdError, StoreError, StoreUnavailableError

BLOB_BUCKET = "blobs"
_NO_ID = {"_id": 0}


class MongoStore(Store):
    """Store over a pymongo (or mongomock) client; `label` names it in errors without secrets."""

    def __init__(self, client: Any, db_name: str, *, label: str, owns_client: bool = True) -> None:
        self.label = label
        self.db_name = db_name
        self._client = client
        self._owns_client = owns_client
        self._ready: set[str] = set()
        try:
            with self._errors():
                self._db: Database[Any] = client[db_name]
                self._fs = gridfs.GridFS(self._db, collection=BLOB_BUCKET)
                for collection in INDEXES:  # first round trip: an unreachable server fails here
                    self._coll(collection)
        except StoreError:
            self._close()
            raise

    def __repr__(self) -> str:
        return f"MongoStore({self.label!r})"

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn pymongo errors into StoreErrors naming the (password-free) URL."""
        try:
            yield
        except ConnectionFailure as exc:
            reason = str(exc).split(",", 1)[0][:200]
            raise StoreUnavailableError(f"cannot reach MongoDB at {self.label}: {reason}") from exc
        except DuplicateKeyError as exc:
            raise DuplicateIdError(f"MongoDB {self.label}: id already exists") from exc
        except PyMongoError as exc:
            raise StoreError(f"MongoDB error at {self.label}: {str(exc)[:300]}") from exc

    def _coll(self, collection: str) -> Collection[Any]:
        """The collection, with its indexes ensured once per process."""
        coll = self._db[collection]
        if collection not in self._ready:
            coll.create_index("id", unique=True, name="id")
            for field in index_fields(collection):
                coll.create_index(field, name=field)
            self._ready.add(collection)
        return coll

    def _atomic(self) -> AbstractContextManager[None]:
        # Multi-document transactions need a replica set; single operations are atomic anyway.
        return nullcontext()

    def _close(self) -> None:
        if self._owns_client:
            self._client.close()

    # ----------------------------------------------------------------- documents
    def _insert_docs(self, collection: str, docs: list[Doc]) -> None:
        with self._errors():
            coll = self._coll(collection)
            try:
                coll.insert_many(docs, ordered=True)
            except BulkWriteError as exc:
                # Ordered: the documents before the failing one went in; take them out again.
                failed = exc.details["writeErrors"][0]["index"]
                coll.delete_many({"id": {"$in": [doc["id"] for doc in docs[:failed]]}})
                if exc.details["writeErrors"][0].get("code") == 11000:
                    raise DuplicateIdError(f"{collection}: id already exists") from exc
                raise

    def _get_doc(self, collection: str, doc_id: str) -> Doc | None:
        with self._errors():
            return self._coll(collection).find_one({"id": doc_id}, _NO_ID)

    def _find_docs(
        self,
        collection: str,
        equals: dict[str, Scalar],
        sort: str | None,
        descending: bool,
        limit: int | None,
        each: Callable[[Doc], Doc] | None = None,
    ) -> list[Doc]:
        direction = DESCENDING if descending else ASCENDING
        keys = ([(sort, direction)] if sort else []) + [("_id", direction)]
        with self._errors():
            cursor = self._coll(collection).find(equals, _NO_ID).sort(keys)
            if limit is not None:
                cursor = cursor.limit(limit)
            return list(cursor) if each is None else [each(doc) for doc in cursor]

    def _count_docs(self, collection: str, equals: dict[str, Scalar]) -> int:
        with self._errors():
            return self._coll(collection).count_documents(equals)

    def _update_doc(self, collection: str, doc_id: str, fields: Doc) -> bool:
        with self._errors():
            coll = self._coll(collection)
            if not fields:  # "$set": {} is an error in MongoDB
                return coll.count_documents({"id": doc_id}, limit=1) > 0
            return coll.update_one({"id": doc_id}, {"$set": fields}).matched_count > 0

    def _replace_doc(self, collection: str, doc_id: str, doc: Doc) -> bool:
        with self._errors():
            return self._coll(collection).replace_one({"id": doc_id}, doc).matched_count > 0

    def _delete_docs(self, collection: str, equals: dict[str, Scalar]) -> int:
        with self._errors():
            return self._coll(collection).delete_many(equals).deleted_count

    # ----------------------------------------------------------------- blobs
    def _files(self) -> Collection[Any]:
        return self._db[f"{BLOB_BUCKET}.files"]

    def _put_blob(self, blob_id: str, data: bytes, content_type: str) -> None:
        with self._errors():
            if self._fs.exists(blob_id):
                return
            try:
                self._fs.put(data, _id=blob_id, metadata={"content_type": content_type})
            except FileExists:  # another writer stored the same content first …
                if self._fs.exists(blob_id):
                    return
                # … or an earlier attempt was cut off mid-write and left chunks without a file
                self._db[f"{BLOB_BUCKET}.chunks"].delete_many({"files_id": blob_id})
                self._fs.put(data, _id=blob_id, metadata={"content_type": content_type})

    def _get_blob(self, blob_id: str) -> bytes | None:
        with self._errors():
            try:
                return self._fs.get(blob_id).read()
            except NoFile:
                return None

    def _blob_info(self, blob_id: str) -> Doc | None:
        with self._errors():
            meta = self._files().find_one({"_id": blob_id})
        if meta is None:
            return None
        content_type = (meta.get("metadata") or {}).get("content_type")
        return {"id": blob_id, "content_type": content_type, "size": meta["length"]}

    def _blob_location(self, blob_id: str) -> str | None:
        with self._errors():
            found = self._fs.exists(blob_id)
        return f"gridfs://{self.db_name}/{blob_id}" if found else None

    def _count_blobs(self) -> int:
        with self._errors():
            return self._files().count_documents({})
