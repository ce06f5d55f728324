"""Click commands of this package; xunjian/cli.py adds every command listed in ``commands``."""

from __future__ import annotations

import asyncio
import time

import click

from xunjian.base.clock import ZONE_NOTE, beijing
from xunjian.base.config import current
from xunjian.base.safetext import clean


def _sites(store, site_code: str | None) -> list[dict]:
    if site_code:
        site = store.get_site(site_code)
        if site is None:
            raise click.ClickException(f"no site {site_code!r} in the registry")
        return [site]
    return [s for s in store.list_sites() if s.get("url")]


@click.command()
@click.option("--site", "site_code", metavar="SITE_CODE", help="Probe one site (default: all).")
@click.option("--count", default=1, show_default=True, type=click.IntRange(min=1),
              help="Rounds of probes.")
@click.option("--interval", default=60.0, show_default=True, type=click.FloatRange(min=0),
              help="Seconds between the starts of two rounds.")
@click.option("--timeout", default=15.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Deadline for the homepage document, seconds.")
@click.option("--concurrency", default=200, show_default=True, type=click.IntRange(min=1),
              help="Probes in flight at once.")
@click.option("--screenshots/--no-screenshots", default=True, show_default=True,
              help="Screenshot failed homepages in Chromium (when one is available).")
@click.pass_obj
def probe(obj, site_code, count, interval, timeout, concurrency, screenshots):
    """Homepage availability probes: one attempt each, no retries (首页可用性监测)."""
    from xunjian.probes.probe import ProbeConfig, Prober

    store = obj.store
    sites = _sites(store, site_code)
    if not sites:
        raise click.ClickException("no registered site has a URL; import the registry first")
    config = ProbeConfig(timeout=timeout, total=concurrency, screenshots=screenshots)
    totals = {"probes": 0, "failed": 0}

    def show(doc: dict) -> None:
        totals["probes"] += 1
        if not doc["ok"]:
            totals["failed"] += 1
            click.echo(clean(f"✗ {doc['site']}  {doc['url']}  {doc['error']}  "
                             f"{doc['elapsed_ms']} ms  {doc['detail']}"))

    async def run() -> None:
        async with Prober(store, config, on_probe=show) as prober:
            for round_no in range(count):
                started = time.monotonic()
                await prober.probe_sites(sites)
                if round_no + 1 < count:
                    await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))

    asyncio.run(run())
    click.echo(f"{totals['probes']} probes of {len(sites)} sites, {totals['failed']} failed")


@click.command("warnings")
@click.argument("site_code", required=False)
@click.option("--all", "show_all", is_flag=True, help="Include cleared warnings.")
@click.option("--check/--no-check", default=True, show_default=True,
              help="Re-evaluate the warning conditions (and notify) before listing.")
@click.pass_obj
def warnings_command(obj, site_code, show_all, check):
    """Early warnings (预警): conditions that come before a veto."""
    from xunjian.alerts.warnings import evaluate_and_notify, list_warnings, load_channels

    store = obj.store
    if check:
        codes = [s["code"] for s in _sites(store, site_code)] if site_code else None
        evaluate_and_notify(store, load_channels(), site_codes=codes)
    rows = list_warnings(store, site_code, include_cleared=show_all)
    if not rows:
        click.echo("no warnings" + (f" for {site_code}" if site_code else ""))
        return
    click.echo(ZONE_NOTE)
    for row in rows:
        state = "cleared " + beijing(row["cleared_at"]) if row.get("cleared_at") else "ACTIVE"
        click.echo(clean(f"{row['site']}  {row['kind']}  {state}  "
                         f"since {beijing(row['raised_at'])}  {row['detail']}"))


@click.command()
@click.option("--probes-per-day", default=22, show_default=True, type=click.IntRange(min=20),
              help="Minimum probes per site per day (the table wants at least 20).")
@click.option("--cadence-days", default=14.0, show_default=True, type=click.FloatRange(min=0.01),
              help="Days between two full inspections of a site.")
@click.option("--crawls", "crawl_concurrency", default=2, show_default=True,
              type=click.IntRange(min=1), help="Inspections running at once.")
@click.option("--screenshots/--no-screenshots", default=True, show_default=True,
              help="Screenshot homepages whose probe failed (when a Chromium is available).")
@click.option("--queue", "queue_url", default=lambda: current().queue or None, metavar="URL",
              help="Enqueue inspections on this Redis queue for `xunjian worker`s instead of "
                   "running them here (probes stay here).")
@click.pass_obj
def schedule(obj, probes_per_day, cadence_days, crawl_concurrency, screenshots, queue_url):
    """Run the scheduler until stopped: probes, inspections, daily summary (定时巡检)."""
    import logging

    from xunjian.scheduler import ScheduleConfig, SchedulerLocked, run_forever

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    config = ScheduleConfig(probes_per_day=probes_per_day, cadence_days=cadence_days,
                            crawl_concurrency=crawl_concurrency, probe_screenshots=screenshots,
                            queue=queue_url)
    if queue_url:
        from xunjian.workqueue.jobs import QueueError, check_topology

        try:
            check_topology(queue_url, obj.url)
        except QueueError as exc:
            raise click.ClickException(str(exc)) from None
    try:
        run_forever(obj.url, config,
                    ready=lambda counts: click.echo(f"scheduler running: {counts}; "
                                                    "stop with Ctrl-C or SIGTERM"))
    except SchedulerLocked as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("scheduler stopped")


commands: list = [probe, warnings_command, schedule]
