"""Inspections on many workers, fed through Dramatiq over Redis (docs/QUEUE.md says why).

* ``workqueue.jobs`` — the broker, the one actor (``xunjian_inspect``: one site's inspection),
  enqueueing with per-site de-duplication, and the per-site job state ``queue status`` shows.
* ``workqueue.worker`` — ``xunjian worker``: Dramatiq worker threads, each running
  ``xunjian inspect CODE`` as a child process (a crash, Chromium and Twisted stay in the child).
* ``workqueue.commands`` — the ``worker``, ``enqueue`` and ``queue status`` commands.

Delivery is Dramatiq's: a message stays in Redis until the worker acknowledges it after the job
returned; the messages of a worker whose heartbeat stops are put back on the queue by the other
workers. Around it, xunjian adds only what the engine cannot know: one live job per site, a job
that already finished is not run again when it is redelivered, and the store's site lock
(storage/locks.py) so that two workers never inspect one site at once.
"""

from xunjian.workqueue.jobs import (
    QueueError,
    QueueSettings,
    check_topology,
    enqueue_sites,
    queue_status,
)

__all__ = ["QueueError", "QueueSettings", "check_topology", "enqueue_sites", "queue_status"]
