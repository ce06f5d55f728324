"""The queue of inspections: Dramatiq's Redis broker, one actor, per-site job state.

Redis keys (besides Dramatiq's own under the ``xunjian-dramatiq`` namespace):

* ``xunjian:queue:site:<code>`` — a hash, the site's latest job: ``job`` (Dramatiq message id),
  ``state`` (waiting, running, retrying, done, failed), ``rid`` (the id under which the broker
  holds the message now; a retry or a delay gives it a new one), ``worker``, ``since``,
  ``attempts``, ``failures``, ``error``, ``enqueued_at``, ``finished_at``, ``as_of``.
* ``xunjian:queue:sites`` — the set of site codes that ever had a job.

A site whose job is waiting, running or retrying and whose message the broker still holds is
not enqueued again. A job whose message the broker lost (a Redis without persistence that
restarted, a crash between the two writes of an enqueue) shows as ``lost`` and is enqueued anew
by the scheduler's sweep (``scheduler.Runtime.requeue_lost``, every 10 minutes) or the next
``enqueue``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from ipaddress import ip_address
from typing import Any
from urllib.parse import urlsplit

import dramatiq
from dramatiq.brokers.redis import MAINTENANCE_SCALE, RedisBroker
from dramatiq.middleware import CurrentMessage, Middleware

from xunjian.base.config import DEFAULTS, current

QUEUE = "inspections"
NAMESPACE = "xunjian-dramatiq"
ACTOR = "xunjian_inspect"
SITE_KEY = "xunjian:queue:site:"
SITES_KEY = "xunjian:queue:sites"
#: Running workers: Dramatiq broker id -> "host:pid since …" (their liveness: Dramatiq heartbeats)
WORKERS_KEY = "xunjian:queue:workers"
LIVE = ("waiting", "running", "retrying")
#: An enqueue has claimed the site but not yet handed the message to the broker.
CLAIM_GRACE_MS = 60_000


class QueueError(RuntimeError):
    """The queue cannot be used as asked; the message says why and what to do."""


@dataclass
class QueueSettings:
    """Tunables, each an ``XUNJIAN_QUEUE_*`` setting (base/config.py; docs/QUEUE.md explains
    the defaults)."""

    #: A worker silent this long (ms) is dead: its unacknowledged jobs go back on the queue.
    heartbeat_ms: int = DEFAULTS.queue_heartbeat_ms
    #: Out of a million broker commands, how many also requeue the jobs of dead workers.
    maintenance_chance: int = DEFAULTS.queue_maintenance
    #: A failed inspection is retried this many times, then shown as failed with the reason.
    retries: int = DEFAULTS.queue_retries
    #: Backoff before a retry (doubling from min to max, ms).
    min_backoff_ms: int = DEFAULTS.queue_backoff_ms
    max_backoff_ms: int = DEFAULTS.queue_max_backoff_ms
    #: A site busy with another inspection is tried again at most this many times.
    busy_retries: int = DEFAULTS.queue_busy_retries
    #: One inspection may take this long (s) before its child process is killed.
    job_timeout: float = DEFAULTS.queue_job_timeout
    #: The command a job runs (tests, benchmarks): {code} {store} {as_of} are filled in.
    command: str | None = DEFAULTS.queue_command or None

    @classmethod
    def from_env(cls) -> QueueSettings:
        settings = current()
        return cls(
            heartbeat_ms=settings.queue_heartbeat_ms,
            maintenance_chance=min(MAINTENANCE_SCALE, settings.queue_maintenance),
            retries=settings.queue_retries,
            min_backoff_ms=settings.queue_backoff_ms,
            max_backoff_ms=settings.queue_max_backoff_ms,
            busy_retries=settings.queue_busy_retries,
            job_timeout=settings.queue_job_timeout,
            command=settings.queue_command or None,
        )


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# -- where the queue and the store may be -------------------------------------------------------

def queue_host(queue_url: str) -> str | None:
    """The Redis host of a queue URL (None for a unix socket)."""
    parts = urlsplit(queue_url)
    if parts.scheme not in ("redis", "rediss", "unix"):
        raise QueueError(f"{queue_url!r} is not a Redis URL; give one like "
                         "redis://127.0.0.1:6379/0 (--queue or XUNJIAN_QUEUE)")
    return None if parts.scheme == "unix" else (parts.hostname or "localhost")


def is_loopback(host: str | None) -> bool:
    if host is None or host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def check_topology(queue_url: str, store_url: str) -> None:
    """Refuse workers on several machines over the embedded store (it is a folder on one disk:
    SQLite over a network share loses writes). A queue on another host means exactly that."""
    host = queue_host(queue_url)
    if store_url.startswith("mongodb://") or store_url.startswith("mongodb+srv://"):
        return
    if not is_loopback(host):
        raise QueueError(
            f"the store {store_url} is the embedded store, a folder on this machine, but the "
            f"queue is on {host}: workers on other machines would write into a copy or a "
            "network share of that folder, which corrupts it. Use a MongoDB store "
            "(--store mongodb://HOST/xunjian) for workers on several machines, or a queue on "
            "127.0.0.1 for workers of this machine only.")


# -- the broker ---------------------------------------------------------------------------------

class JobTracker:
    """The per-site job state in Redis (see the module docstring)."""

    _CLAIM = """
    local state = redis.call('hget', KEYS[1], 'state')
    local lost = ''
    if state == 'waiting' or state == 'running' or state == 'retrying' then
      local job = redis.call('hget', KEYS[1], 'job')
      local rid = redis.call('hget', KEYS[1], 'rid')
      if not rid or rid == '' then
        local claimed = tonumber(redis.call('hget', KEYS[1], 'claimed_ms') or '0')
        if tonumber(ARGV[2]) - claimed < tonumber(ARGV[3]) then return {0, job, state} end
      elseif redis.call('hexists', KEYS[2], rid) == 1
          or redis.call('hexists', KEYS[3], rid) == 1 then
        return {0, job, state}
      end
      lost = job
    end
    redis.call('del', KEYS[1])
    redis.call('hset', KEYS[1], 'job', ARGV[1], 'state', 'waiting', 'claimed_ms', ARGV[2],
               'site', ARGV[4], 'as_of', ARGV[5], 'enqueued_at', ARGV[6],
               'attempts', 0, 'failures', 0)
    redis.call('sadd', KEYS[4], ARGV[4])
    return {1, ARGV[1], lost}
    """
    _UPDATE = """
    if redis.call('hget', KEYS[1], 'job') ~= ARGV[1] then return 0 end
    for i = 2, #ARGV, 2 do redis.call('hset', KEYS[1], ARGV[i], ARGV[i + 1]) end
    return 1
    """

    def __init__(self, client) -> None:
        self.client = client
        self._claim = client.register_script(self._CLAIM)
        self._update = client.register_script(self._UPDATE)

    @staticmethod
    def key(code: str) -> str:
        return SITE_KEY + code

    def claim(self, code: str, job: str, as_of: str | None) -> tuple[bool, str, str]:
        """(claimed, job, state-or-lost-job): False with the live job when the site has one."""
        keys = [self.key(code), f"{NAMESPACE}:{QUEUE}.msgs", f"{NAMESPACE}:{QUEUE}.DQ.msgs",
                SITES_KEY]
        ok, live_job, other = self._claim(keys=keys, args=[
            job, int(time.time() * 1000), CLAIM_GRACE_MS, code, as_of or "", now_iso()])
        return bool(ok), _text(live_job), _text(other)

    def update(self, code: str, job: str, **fields: Any) -> bool:
        """Set fields of the site's entry, only while ``job`` is still its job."""
        args: list[Any] = [job]
        for name, value in fields.items():
            args += [name, "" if value is None else value]
        return bool(self._update(keys=[self.key(code)], args=args))

    def release(self, code: str, job: str) -> None:
        """Forget a claim whose message never reached the broker."""
        self.update(code, job, state="lost", error="the enqueue did not reach the broker")

    def entry(self, code: str) -> dict[str, str]:
        return {_text(k): _text(v) for k, v in self.client.hgetall(self.key(code)).items()}

    def entries(self) -> list[dict[str, str]]:
        codes = sorted(_text(c) for c in self.client.smembers(SITES_KEY))
        pipe = self.client.pipeline(transaction=False)
        for code in codes:
            pipe.hgetall(self.key(code))
        rows = []
        for raw in pipe.execute():
            if raw:
                rows.append({_text(k): _text(v) for k, v in raw.items()})
        return rows

    def message_held(self, rid: str) -> bool:
        if not rid:
            return False
        return bool(self.client.hexists(f"{NAMESPACE}:{QUEUE}.msgs", rid)
                    or self.client.hexists(f"{NAMESPACE}:{QUEUE}.DQ.msgs", rid))


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class TrackEnqueues(Middleware):
    """Keeps ``rid`` (where the broker holds a job's message) current across retries and
    delays, so an enqueue can tell a live job from a lost one."""

    def __init__(self, tracker: JobTracker) -> None:
        self.tracker = tracker

    def after_enqueue(self, broker, message, delay):
        if message.actor_name == ACTOR and message.args:
            self.tracker.update(message.args[0], message.message_id,
                                rid=message.options.get("redis_message_id", ""))


class RetryLater(Exception):  # noqa: N818 (Dramatiq retries it; it is not an error to report)
    """The job is tried again later (a failure within the retry budget, a busy site, a stop)."""


#: An unexpected error in a job (not the inspection's failure: that is RetryLater) is retried
#: this many times.
UNEXPECTED_RETRIES = 5


def retry_when(retries: int, exc: BaseException) -> bool:
    return isinstance(exc, RetryLater) or retries < UNEXPECTED_RETRIES


def make_broker(queue_url: str, settings: QueueSettings | None = None,
                job=None) -> tuple[RedisBroker, JobTracker]:
    """The Redis broker with the one actor declared; ``job`` is what a worker runs for it."""
    settings = settings or QueueSettings.from_env()
    queue_host(queue_url)  # a clear error for a URL that is not Redis
    broker = RedisBroker(url=queue_url, namespace=NAMESPACE,
                         heartbeat_timeout=settings.heartbeat_ms,
                         maintenance_chance=settings.maintenance_chance)
    tracker = JobTracker(broker.client)
    broker.add_middleware(CurrentMessage())
    broker.add_middleware(TrackEnqueues(tracker))

    def not_a_worker(code: str, as_of: str | None = None) -> None:
        raise RuntimeError("this process only enqueues; run `xunjian worker`")

    dramatiq.Actor(job or not_a_worker, broker=broker, actor_name=ACTOR, queue_name=QUEUE,
                   priority=0, options={
                       "retry_when": retry_when,
                       "min_backoff": settings.min_backoff_ms,
                       "max_backoff": settings.max_backoff_ms,
                       # our own timeout kills the child; Dramatiq's would interrupt the thread
                       "time_limit": int((settings.job_timeout + 120) * 1000),
                   })
    return broker, tracker


# -- enqueue and status -------------------------------------------------------------------------

@dataclass
class Enqueued:
    enqueued: list[str]
    already: list[tuple[str, str]]  # (code, its live job's state)
    requeued_lost: list[str]


def enqueue_sites(queue_url: str, codes: list[str], as_of: str | None = None,
                  broker_and_tracker=None) -> Enqueued:
    """One inspection job per site; a site with a live job keeps it and gets no second one."""
    broker, tracker = broker_and_tracker or make_broker(queue_url)
    actor = broker.get_actor(ACTOR)
    result = Enqueued([], [], [])
    try:
        for code in codes:
            args = (code, as_of) if as_of else (code,)
            message = actor.message(*args)
            try:
                claimed, live_job, other = tracker.claim(code, message.message_id, as_of)
            except Exception as exc:  # redis-py's errors: say where the queue was looked for
                raise QueueError(f"the queue at {queue_url} is not reachable: {exc}") from exc
            if not claimed:
                result.already.append((code, other))
                continue
            try:
                broker.enqueue(message)
            except BaseException:
                tracker.release(code, message.message_id)
                raise
            (result.requeued_lost if other else result.enqueued).append(code)
    finally:
        if broker_and_tracker is None:
            broker.close()
    return result


def queue_status(queue_url: str, broker_and_tracker=None) -> dict:
    """Per site: state, worker and since, attempts, the reason of a failure; plus totals."""
    broker, tracker = broker_and_tracker or make_broker(queue_url)
    try:
        try:
            rows = tracker.entries()
        except Exception as exc:
            raise QueueError(f"the queue at {queue_url} is not reachable: {exc}") from exc
        beats = {_text(k): float(v) for k, v in broker.client.zrange(
            f"{NAMESPACE}:__heartbeats__", 0, -1, withscores=True)}
        now_ms = time.time() * 1000
        pipe = broker.client.pipeline(transaction=False)  # one round trip for every site
        for row in rows:
            pipe.hexists(f"{NAMESPACE}:{QUEUE}.msgs", row.get("rid") or "-")
            pipe.hexists(f"{NAMESPACE}:{QUEUE}.DQ.msgs", row.get("rid") or "-")
        found = pipe.execute()
        sites = []
        for n, row in enumerate(rows):
            state = row.get("state", "")
            held = bool(found[2 * n] or found[2 * n + 1])
            claimed = float(row.get("claimed_ms") or 0)
            if state in LIVE and not held and now_ms - claimed >= CLAIM_GRACE_MS:
                state = "lost"
            item = {"site": row.get("site"), "state": state, "job": row.get("job"),
                    "worker": row.get("worker") or None, "since": row.get("since") or None,
                    "attempts": int(row.get("attempts") or 0),
                    "failures": int(row.get("failures") or 0),
                    "error": row.get("error") or None,
                    "enqueued_at": row.get("enqueued_at") or None,
                    "finished_at": row.get("finished_at") or None,
                    "as_of": row.get("as_of") or None}
            beat = beats.get(row.get("broker_id", ""))
            if state == "running" and beat is not None:
                item["worker_silent_s"] = round(max(0.0, now_ms - beat) / 1000, 1)
            sites.append(item)
        counts = {s: 0 for s in ("waiting", "running", "retrying", "done", "failed", "lost")}
        for item in sites:
            counts[item["state"]] = counts.get(item["state"], 0) + 1
        workers = []
        for broker_id, name in broker.client.hgetall(WORKERS_KEY).items():
            beat = beats.get(_text(broker_id))
            alive = beat is not None and now_ms - beat < broker.heartbeat_timeout
            workers.append({"worker": _text(name), "alive": alive,
                            "silent_s": None if beat is None else round((now_ms - beat) / 1000)})
        return {"queue": QUEUE, "counts": counts,
                "live_workers": sum(w["alive"] for w in workers), "workers": workers,
                "waiting_messages": broker.client.llen(f"{NAMESPACE}:{QUEUE}"),
                "delayed_messages": broker.client.hlen(f"{NAMESPACE}:{QUEUE}.DQ.msgs"),
                "sites": sites}
    finally:
        if broker_and_tracker is None:
            broker.close()
