"""``xunjian worker``, ``xunjian enqueue`` and ``xunjian queue status``."""

from __future__ import annotations

import json
import sys

import click

from xunjian.base.clock import ZONE_NOTE, beijing
from xunjian.base.config import current
from xunjian.base.safetext import clean, json_text

QUEUE_HELP = "The Redis queue, e.g. redis://127.0.0.1:6379/0 (or $XUNJIAN_QUEUE)."


def queue_option():
    return click.option("--queue", "queue_url", default=lambda: current().queue or None,
                        required=True, metavar="URL", help=QUEUE_HELP)


def _fail(exc: Exception):
    raise click.ClickException(str(exc)) from None


@click.command()
@queue_option()
@click.option("--concurrency", default=1, show_default=True, type=click.IntRange(min=1),
              help="Inspections this worker runs at once (each one Chromium; ~1 per core).")
@click.pass_obj
def worker(obj, queue_url, concurrency):
    """Take inspections off the queue and run them against --store (分布式巡检).

    Workers on several machines need a MongoDB store; the embedded store (a folder) is for
    workers of one machine only, and a queue on another host is refused with it. Stop with
    Ctrl-C or SIGTERM: running inspections are stored as interrupted and go back on the queue.
    """
    import logging

    from xunjian.workqueue.jobs import QueueError
    from xunjian.workqueue.worker import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("dramatiq").setLevel(logging.WARNING)
    # each job's outcome is logged by workqueue.worker; Dramatiq would add a traceback per retry
    logging.getLogger("dramatiq.worker.WorkerThread").setLevel(logging.CRITICAL)
    try:
        run_worker(queue_url, obj.url, concurrency, ready=lambda rt: click.echo(
            f"worker {rt.name} running {concurrency} at once; queue {queue_url}, store "
            f"{obj.label}; stop with Ctrl-C or SIGTERM", err=True))
    except QueueError as exc:
        _fail(exc)
    except Exception as exc:  # redis-py connection errors and the like
        if type(exc).__module__.startswith("redis"):
            _fail(QueueError(f"the queue at {queue_url} is not reachable: {exc}"))
        raise
    click.echo("worker stopped", err=True)


@click.command()
@click.argument("site_codes", nargs=-1)
@click.option("--all", "all_sites", is_flag=True, help="Every site in the registry.")
@queue_option()
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="监测时间点 for these inspections (default: the day each one runs).")
@click.pass_obj
def enqueue(obj, site_codes, all_sites, queue_url, as_of):
    """Put one inspection per site on the queue; a site already waiting or running keeps its
    one job."""
    from xunjian.workqueue.jobs import QueueError, check_topology, enqueue_sites
    from xunjian.base.asof import parse_as_of

    if bool(site_codes) == all_sites:
        raise click.UsageError("give SITE_CODE… or --all (not both)")
    as_of = parse_as_of(as_of) if as_of else None
    try:
        check_topology(queue_url, obj.url)
    except QueueError as exc:
        _fail(exc)
    store = obj.store
    if all_sites:
        codes = [s["code"] for s in store.list_sites() if s.get("url")]
        unknown: list[str] = []
    else:
        known = {s["code"] for s in store.list_sites()}
        codes = [c for c in dict.fromkeys(site_codes) if c in known]
        unknown = [c for c in site_codes if c not in known]
    try:
        result = enqueue_sites(queue_url, codes, as_of)
    except QueueError as exc:
        _fail(exc)
    for code, state in result.already:
        click.echo(f"{code}: already {state} on the queue; not enqueued again")
    unknown = list(dict.fromkeys(unknown))
    for code in result.requeued_lost:
        click.echo(f"{code}: its job was lost by the queue; enqueued again")
    click.echo(f"enqueued {len(result.enqueued) + len(result.requeued_lost)}, "
               f"already on the queue {len(result.already)}")
    if unknown:
        click.echo(f"Error: unknown site(s) {', '.join(unknown)} in the store {store.label}: "
                   "import them with `xunjian registry import FILE...`", err=True)
        sys.exit(1)


@click.group("queue")
def queue_group():
    """The inspection queue (Redis)."""


@queue_group.command("status")
@queue_option()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def queue_status_command(queue_url, as_json):
    """Waiting, running (which worker, since), done and failed (why), per site."""
    from xunjian.workqueue.jobs import QueueError, queue_status

    try:
        status = queue_status(queue_url)
    except QueueError as exc:
        _fail(exc)
    if as_json:
        click.echo(json_text(json.dumps(status, ensure_ascii=False, indent=2)))
        return
    counts = status["counts"]
    click.echo("  ".join(f"{k} {v}" for k, v in counts.items())
               + f"  (live workers {status['live_workers']}; {ZONE_NOTE})")
    for item in status["sites"]:
        line = f"{item['site']}  {item['state']:<8}"
        if item["state"] == "running":
            line += f"  on {item['worker']} since {beijing(item['since'], seconds=True)}"
            if item.get("worker_silent_s", 0) > 30:
                line += f" (worker silent {item['worker_silent_s']:g} s: redelivered if dead)"
        elif item["state"] in ("done", "failed"):
            line += f"  {beijing(item['finished_at'], seconds=True)} on {item['worker'] or '?'}"
        elif item["state"] == "waiting":
            line += f"  since {beijing(item['enqueued_at'], seconds=True)}"
        line += f"  attempts {item['attempts']}"
        if item["error"]:
            line += f"  — {item['error']}"
        click.echo(clean(line))


commands: list = [worker, enqueue, queue_group]
