"""Click commands of the freshness concern.

``xunjian extract URL_OR_FILE [--as-of] [--json]`` — what the freshness inspector sees on one
page: its own date, its list items (title, URL, date). ``xunjian registry discovered SITE_CODE
[--csv PATH]`` — columns the spider proposed from homepage navigation, exportable in the 附件4
layout so an operator can accept them with ``xunjian registry import``.

xunjian/cli.py registers them: ``main.add_command(c) for c in commands`` and
``registry.add_command(c) for c in registry_commands``.
"""

from __future__ import annotations

import asyncio
import csv
import json
import sys
from pathlib import Path

import click

from xunjian.base.safetext import clean, json_text


def _as_of(value: str | None):
    from xunjian.scoring.time import as_of_date

    try:
        return as_of_date(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-20",
                                 param_hint="--as-of") from None


def _load(target: str) -> tuple[str, str, list[tuple[str, str]]]:
    """(url, html, frames) of a saved file (read as is) or a URL (rendered in Chromium)."""
    path = Path(target)
    if "://" not in target or target.startswith("file://"):
        if target.startswith("file://"):
            path = Path(target[len("file://"):])
        if not path.is_file():
            raise click.ClickException(f"no such file: {path}")
        from xunjian.urlcheck import decode_body

        return path.resolve().as_uri(), decode_body(path.read_bytes(), None), []
    from xunjian.browser import Renderer

    async def render():
        async with Renderer(concurrency=1, timeout=30, take_screenshot=False) as renderer:
            return await renderer.render(target)

    rendered = asyncio.run(render())
    if rendered.error:
        raise click.ClickException(f"{target}: {rendered.error}")
    return rendered.final_url or target, rendered.html, rendered.frames


def extract_page(url: str, html: str, frames: list[tuple[str, str]], as_of) -> dict:
    """The ``xunjian extract`` document (DESIGN.md "Command line")."""
    from xunjian.inspectors.dates import page_date, resolve
    from xunjian.spiders.site import page_items

    found = page_date(html, url=url, latest=as_of)  # no page date after the as-of day
    items = []
    for item in page_items(html, url, frames):
        when = resolve(item.get("date"), as_of)
        items.append({"title": item["title"], "url": item["url"],
                      "date": when.isoformat() if when else None,
                      "date_text": (item.get("date") or {}).get("text")})
    return {"url": url, "as_of": as_of.isoformat(),
            "page_date": found["date"] if found else None,
            "page_date_text": found["text"] if found else None,
            "items": items, "guide_elements": _guide_elements(html)}


def _guide_elements(html: str) -> dict:
    """Guide element categories, when the service-guide inspector is installed (else {})."""
    try:
        from xunjian.inspectors.guide import guide_elements  # another concern's inspector
    except ImportError:
        return {}
    try:
        return dict(guide_elements(html))
    except Exception:  # noqa: BLE001 - extract is a diagnostic; never fail on a side facet
        return {}


@click.command()
@click.argument("target", metavar="URL_OR_FILE")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="Monitoring date that year-implied dates ([11-18]) are read against.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def extract(target, as_of, as_json):
    """What the inspectors see on one page: its date and its list items."""
    doc = extract_page(*_load(target), _as_of(as_of))
    if as_json:
        click.echo(json_text(json.dumps(doc, ensure_ascii=False, indent=2)))
        return
    click.echo(clean(f"{doc['url']}\n页面日期 page date: {doc['page_date'] or 'not found'}"
                     f"    (as-of {doc['as_of']})"))
    click.echo(f"列表条目 list items: {len(doc['items'])}")
    for item in doc["items"]:
        shown = item["date"] or "no date"
        if item["date_text"] and item["date_text"] != item["date"]:
            shown += f" ({item['date_text']})"
        click.echo(clean(f"  {shown:<24} {item['title']}\n  {'':<24} {item['url']}"))
    if doc["guide_elements"]:
        present = [k for k, v in doc["guide_elements"].items() if v]
        click.echo(clean("办事指南要素 guide elements: " + "、".join(present)))


COLUMNS_HEADER = ["网站标识码", "内容类别", "栏目类型", "栏目(系统)名称", "栏目(系统)地址"]


def discovered_rows(columns: list[dict], site_code: str) -> list[list[str]]:
    """附件4 rows: one per 栏目类型, several columns joined with ';' in the same order."""
    grouped: dict[tuple[str, str], list[dict]] = {}
    for column in columns:
        grouped.setdefault((column.get("category") or "其他", column.get("type") or "其他"),
                           []).append(column)
    return [[site_code, clean(category), clean(kind),
             ";".join(clean(c.get("name")) for c in group),
             ";".join(clean(c.get("url")) for c in group)]
            for (category, kind), group in grouped.items()]


def _write_csv(out, rows: list[list[str]]) -> None:
    writer = csv.writer(out)
    writer.writerow(COLUMNS_HEADER)
    writer.writerows(rows)


@click.command()
@click.argument("site_code")
@click.option("--csv", "csv_path", metavar="PATH",
              help="Write them in the 附件4 layout (UTF-8 with BOM); '-' for stdout.")
@click.pass_obj
def discovered(obj, site_code, csv_path):
    """Columns proposed from homepage navigation (source = discovered)."""
    store = obj.store
    if store.get_site(site_code) is None:
        raise click.ClickException(store.unknown_site(site_code))
    site = store.get_site(site_code)
    from xunjian.spiders.site import column_origins, left_behind

    everything = store.columns(site_code)
    # proposed from a 首页网址 the site has left: the next inspection drops them and discovers
    # the site's columns again (spiders/site.py), so they are not the site's any more
    left = left_behind(everything, site["url"], column_origins(site, everything))
    columns = [c for c in everything if c.get("source") == "discovered" and c not in left]
    rows = discovered_rows(columns, site_code)
    if csv_path == "-":
        _write_csv(sys.stdout, rows)
        return
    if csv_path:
        with open(csv_path, "w", encoding="utf-8-sig", newline="") as out:
            _write_csv(out, rows)
        click.echo(f"{len(rows)} rows (附件4 layout) → {csv_path}")
        return
    if left:
        homes = "、".join(dict.fromkeys(clean(c.get("home") or "?") for c in left))
        click.echo(f"{site_code}: {len(left)} discovered column(s) of the old address {homes} not "
                   f"listed: the site is now {clean(site['url'])}; the next inspection discovers "
                   "its columns again")
    if not columns:
        click.echo(f"{site_code}: no discovered columns (inspect with XUNJIAN_FRESHNESS=1 first)")
        return
    for column in columns:
        click.echo(clean(f"{column.get('type'):<10} {column.get('name'):<12} "
                         f"{column.get('url')}"))


commands = [extract]
registry_commands = [discovered]
