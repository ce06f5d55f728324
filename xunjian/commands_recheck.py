"""``xunjian recheck FINDING_ID`` — 复查: re-check one stored finding now and record the result.

FINDING_ID is the id the review app shows (``/site/CODE/finding/ID``, the card's
``findings[].id``). The finding's URL is fetched again (the inspection's own link rules), its
referring page rendered and photographed, and a record — 已整改 fixed / 仍未整改 open, with the
new evidence — is stored next to the finding (collection ``rechecks``, inspection/recheck.py).

xunjian/cli.py registers it: ``main.add_command(c) for c in commands``.
"""

from __future__ import annotations

import asyncio
import json
import sys

import click

from xunjian.base.clock import ZONE_SUFFIX, beijing
from xunjian.base.safetext import clean, json_text

#: Exit status when the finding is still open (0: fixed), for scripts re-checking a list.
EXIT_OPEN = 2


@click.command()
@click.argument("finding_id")
@click.option("--site", "site_code", metavar="SITE_CODE",
              help="The finding's site (faster: only its latest inspection is searched).")
@click.option("--inspection", "inspection_id", metavar="ID",
              help="A stored inspection whose finding to re-check (default: the site's latest "
                   "finished one).")
@click.option("--by", "by", default="cli", show_default=True, metavar="NAME",
              help="Who asked for the re-check (kept in the record).")
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
@click.pass_obj
def recheck(obj, finding_id, site_code, inspection_id, by, as_json):
    """Re-check one finding now (复查): fetch, render, screenshot; record fixed or still open.

    \b
    Exit status: 0 fixed (已整改), 2 still open (仍未整改), 1 errors (unknown id, a kind
    that cannot be re-checked, no browser).
    """
    from xunjian.browser import BrowserNotFound
    from xunjian.inspection.recheck import RecheckError, check_kind, locate, recheck_finding
    from xunjian.inspection.rechecks import RESULT_LABELS

    store = obj.store
    if site_code and store.get_site(site_code) is None:
        raise click.ClickException(store.unknown_site(site_code))
    try:
        site, inspection, finding = locate(store, finding_id, site_code, inspection_id)
        check_kind(finding)
    except RecheckError as exc:
        raise click.ClickException(f"{exc} (store: {obj.label})") from None
    try:
        record = asyncio.run(recheck_finding(store, site, inspection, finding, by=by))
    except BrowserNotFound as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json_text(json.dumps(record, ensure_ascii=False, indent=2)))
    else:
        _print(record, RESULT_LABELS, store)
    sys.exit(0 if record["result"] == "fixed" else EXIT_OPEN)


def _print(record: dict, labels: dict, store) -> None:
    ev = record["evidence"]
    lines = [
        f"{labels[record['result']]} ({record['result']}): {record['detail']}",
        f"  地址 URL: {record['url']}",
        f"  返回值 status: {ev.get('status_text') or ev.get('status') or '—'}  "
        f"({ev.get('error') or ''})",
        f"  入口页 page: {ev.get('page_url') or '—'}"
        + (f"  ({ev['page_error']})" if ev.get("page_error") else ""),
        f"  复查时间 checked: {beijing(record['at'])}{ZONE_SUFFIX}",
    ]
    if ev.get("screenshot"):
        lines.append(f"  截图 screenshot: {store.blob_location(ev['screenshot'])}")
        if ev.get("element_box"):
            b = ev["element_box"]
            lines.append(f"  链接位置 box: x={b['x']} y={b['y']} {b['width']}×{b['height']}")
        elif ev.get("element_missing"):
            lines.append(f"  链接位置 box: — ({ev['element_missing']})")
    lines.append(f"  记录 record: {record['id']} (finding {record['finding']}, "
                 f"inspection {record['inspection']})")
    click.echo(clean("\n".join(lines)))


commands = [recheck]
