"""APScheduler's job store on our Store, for the scheduler (``xunjian schedule``).

``make_jobstore(store)``: on the MongoDB store, APScheduler's own MongoDBJobStore in the same
database; on the embedded store, ``StoreJobStore`` — a small JobStore over the Store API, one
document per job in ``scheduler_jobs``: ``{"id", "next_run_time": epoch|None, "job_state"}``
(the pickled job, base64). Jobs are pickled with a textual reference to their function, so a
restarted scheduler finds the plan it left.
"""

from __future__ import annotations

import base64
import pickle
from datetime import datetime
from typing import Any

from apscheduler.job import Job
from apscheduler.jobstores.base import BaseJobStore, ConflictingIdError, JobLookupError
from apscheduler.util import datetime_to_utc_timestamp, utc_timestamp_to_datetime

from xunjian.storage.errors import DuplicateIdError, NotFoundError

JOBS = "scheduler_jobs"


class StoreJobStore(BaseJobStore):
    """APScheduler jobs in a Store collection: {"id", "next_run_time": epoch|None, "job_state"}."""

    def __init__(self, store: Any, collection: str = JOBS, pickle_protocol: int = 5) -> None:
        super().__init__()
        self.store = store
        self.collection = collection
        self.pickle_protocol = pickle_protocol

    def start(self, scheduler: Any, alias: str) -> None:
        """Load the id → next run time index once: the scheduler lock makes us the only writer,
        so due jobs are found without reading every job's state at each wake-up."""
        super().start(scheduler, alias)
        self._index = {r["id"]: r["next_run_time"] for r in self._rows()}

    _index: dict[str, float | None] | None = None

    def _rows(self) -> list[dict]:
        return self.store.find(self.collection)

    def _restore(self, row: dict) -> Job | None:
        try:
            state = pickle.loads(base64.b64decode(row["job_state"]))
            job = Job.__new__(Job)
            job.__setstate__(state)
            job._scheduler = self._scheduler
            job._jobstore_alias = self._alias
            return job
        except Exception:  # noqa: BLE001 - a job whose function vanished: drop it, say so
            self._logger.exception("Unable to restore job %r -- removing it", row.get("id"))
            self.store.delete(self.collection, id=row["id"])
            if self._index is not None:
                self._index.pop(row["id"], None)
            return None

    def _restore_all(self, rows: list[dict]) -> list[Job]:
        rows.sort(key=lambda r: (r["next_run_time"] is None, r["next_run_time"] or 0, r["id"]))
        return [job for job in map(self._restore, rows) if job is not None]

    def _doc(self, job: Job) -> dict:
        state = base64.b64encode(pickle.dumps(job.__getstate__(), self.pickle_protocol))
        return {"next_run_time": datetime_to_utc_timestamp(job.next_run_time),
                "job_state": state.decode("ascii")}

    def lookup_job(self, job_id: str) -> Job | None:
        row = self.store.get(self.collection, job_id)
        return self._restore(row) if row else None

    def _times(self) -> dict[str, float | None]:
        if self._index is not None:
            return self._index
        return {r["id"]: r["next_run_time"] for r in self._rows()}

    def get_due_jobs(self, now: datetime) -> list[Job]:
        stamp = datetime_to_utc_timestamp(now)
        due_ids = [i for i, t in self._times().items() if t is not None and t <= stamp]
        rows = [row for row in (self.store.get(self.collection, i) for i in due_ids) if row]
        return self._restore_all(rows)

    def get_next_run_time(self) -> datetime | None:
        times = [t for t in self._times().values() if t is not None]
        return utc_timestamp_to_datetime(min(times)) if times else None

    def get_all_jobs(self) -> list[Job]:
        jobs = self._restore_all(self._rows())
        self._fix_paused_jobs_sorting(jobs)
        return jobs

    def add_job(self, job: Job) -> None:
        doc = self._doc(job)
        try:
            self.store.insert(self.collection, {"id": job.id, **doc})
        except DuplicateIdError:
            raise ConflictingIdError(job.id) from None
        if self._index is not None:
            self._index[job.id] = doc["next_run_time"]

    def update_job(self, job: Job) -> None:
        doc = self._doc(job)
        try:
            self.store.update(self.collection, job.id, doc)
        except NotFoundError:
            raise JobLookupError(job.id) from None
        if self._index is not None:
            self._index[job.id] = doc["next_run_time"]

    def remove_job(self, job_id: str) -> None:
        if self._index is not None:
            self._index.pop(job_id, None)
        if not self.store.delete(self.collection, id=job_id):
            raise JobLookupError(job_id)

    def remove_all_jobs(self) -> None:
        for row in self._rows():
            self.store.delete(self.collection, id=row["id"])
        if self._index is not None:
            self._index.clear()


def make_jobstore(store: Any) -> BaseJobStore:
    """MongoDB job store on the MongoDB store; our own StoreJobStore on the embedded one."""
    client = getattr(store, "_client", None)
    db_name = getattr(store, "db_name", None)
    if client is not None and db_name:
        from apscheduler.jobstores.mongodb import MongoDBJobStore  # imports pymongo: Mongo only

        return MongoDBJobStore(database=db_name, collection=JOBS, client=client)
    return StoreJobStore(store)
