"""``xunjian`` — the command line. It parses, calls the library, and formats; nothing more."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.text import Text

from xunjian.base.config import SettingError, current, prefer
from xunjian.base.safetext import clean, json_text, markup
from xunjian.base.asof import parse_as_of, today  # noqa: F401 - today: for callers
from xunjian.storage import StoreError, open_store, redact_url

console = Console()
err = Console(stderr=True)
SHANGHAI = ZoneInfo("Asia/Shanghai")
STAGES = {"crawl": "抓取页面 crawl", "links": "检查链接 links", "browser": "浏览器复查 browser"}


def resolve_store_url(url: str | None) -> str:
    """The store URL, with an embedded store's folder made absolute (subprocesses share it)."""
    url = url or current().store
    if "://" not in url:
        return str(Path(url).expanduser().resolve())
    return url


def check_output(path: str | None) -> None:
    """Before any work: an output file ('-' is standard output) can be written where asked,
    so that a long inspection or report never ends in a traceback at its last step."""
    if not path or path == "-":
        return
    target = Path(path).expanduser()
    folder = target.parent
    if target.is_dir():
        problem = "is a directory, not a file"
    elif not folder.exists():
        problem = "directory does not exist"
    elif not folder.is_dir():
        problem = f"{folder} is not a directory"
    elif not os.access(folder, os.W_OK | os.X_OK):
        problem = "directory is not writable"
    elif target.exists() and not os.access(target, os.W_OK):
        problem = "file is not writable"
    else:
        return
    raise click.ClickException(f"{path}: {problem}")


def write_output(path: str, body: bytes) -> None:
    try:
        Path(path).expanduser().write_bytes(body)
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot write: {exc.strerror or exc}") from None


class StoreContext:
    def __init__(self, url: str | None):
        self.url = resolve_store_url(url)
        self._store = None

    @property
    def label(self) -> str:
        """The store URL as messages show it (a MongoDB password replaced by ***)."""
        return redact_url(self.url)

    def use(self, url: str) -> None:
        """A --store given after the subcommand wins over the one before it (and the env)."""
        if self._store is None:
            self.url = resolve_store_url(url)

    @property
    def store(self):
        """The store, for commands that read it: a store that does not exist is an error that
        names it (nothing is created: a mistyped folder does not become an empty store)."""
        return self.open(create=False)

    def open(self, *, create: bool):
        """The store; ``create`` for the commands that may start a new one (registry import,
        demo, review user add)."""
        if self._store is None:
            try:
                self._store = open_store(self.url, create=create)
            except StoreError as exc:
                raise click.ClickException(str(exc)) from None
        return self._store


STORE_HELP = ("mongodb://… for MongoDB + GridFS; a folder for the embedded store "
              "(default ./xunjian-data, or $XUNJIAN_STORE).")


def _store_after_subcommand(ctx, _param, value):
    if value is not None:
        root = ctx.find_root()
        if root.obj is None:
            root.obj = StoreContext(value)
        else:
            root.obj.use(value)
        ctx.obj = root.obj
    return value


def store_option() -> click.Option:
    """``--store`` as an option of a subcommand: ``xunjian inspect X --store Y`` works too."""
    return click.Option(["--store"], metavar="URL", expose_value=False, is_eager=True,
                        callback=_store_after_subcommand, help=STORE_HELP)


#: Commands that never open a store (no --store of their own).
STORELESS = {"extract"}


def add_store_options(group: click.Group) -> None:
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            add_store_options(command)
        elif name not in STORELESS and not any(p.name == "store" for p in command.params):
            command.params.append(store_option())


class Commands(click.Group):
    """A command group whose commands from other packages (probes, review, queue, freshness) are
    imported only when one of them is asked for or listed: ``xunjian inspect`` waits beside its
    crawl and Chromium for the whole inspection, and should not carry their modules meanwhile."""

    def get_command(self, ctx, name):
        found = super().get_command(ctx, name)
        if found is None and _add_package_commands():
            found = super().get_command(ctx, name)
        return found

    def list_commands(self, ctx):
        _add_package_commands()
        return super().list_commands(ctx)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--store", "store_url", metavar="URL", help=STORE_HELP)  # else XUNJIAN_STORE
@click.version_option(package_name="xunjian", prog_name="xunjian",
                      message="%(prog)s %(version)s", help="Show the version and exit.")
@click.pass_context
def main(ctx, store_url):
    """巡检 xunjian: inspect government websites against the census scoring table.

    Messages are English sentences with the census's own Chinese terms (网站标识码, 首页网址,
    单项否决 …). Every command that uses a store also takes --store after its name.
    """
    try:
        current()  # every XUNJIAN_* setting, checked before any command: a bad one is one line
    except SettingError as exc:
        raise click.ClickException(str(exc)) from None
    ctx.obj = StoreContext(store_url)


# -- registry ------------------------------------------------------------------------------------

@main.group(cls=Commands)
def registry():
    """The site registry (附件3 sites, 附件4 columns)."""


@registry.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.pass_obj
def registry_import(obj: StoreContext, files):
    """Import census forms (CSV in UTF-8/GBK, or XLSX). Re-importing updates, never duplicates."""
    from xunjian.registry import import_into, parse_files

    missing = [f for f in files if not Path(f).is_file()]
    if missing:
        raise click.ClickException(f"no such file: {', '.join(missing)}")
    result = parse_files([Path(f) for f in files])
    summary = import_into(obj.open(create=True), result)
    for error in summary.errors:
        style = "yellow" if getattr(error, "severity", "error") == "warning" else "red"
        err.print(Text(clean(error), style=style), highlight=False, soft_wrap=True)
    for change in summary.changes:
        console.print(markup(change), highlight=False, soft_wrap=True)
    console.print(markup(summary.describe()), highlight=False, soft_wrap=True)
    if any(getattr(e, "severity", "error") == "error" for e in summary.errors):
        sys.exit(1)


# -- inspect --------------------------------------------------------------------------------------

def _progress_display():
    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                        MofNCompleteColumn(), console=err, transient=False)
    tasks: dict[str, int] = {}

    def update(stage: str, done: int, total):
        if stage not in tasks:
            tasks[stage] = progress.add_task(STAGES.get(stage, stage), total=total)
        progress.update(tasks[stage], completed=done, total=total)

    return progress, update


RULES_HELP = ("The table to score by: census-2015 (国办发〔2015〕15号) or checklist-2019 "
              "(国办秘函〔2019〕19号); default the XUNJIAN_RULES setting (census-2015).")


def rules_option(command):
    """``--rules census-2015|checklist-2019``: which table the card is scored by."""
    return click.option("--rules", "rules", metavar="NAME", callback=_check_rules,
                        help=RULES_HELP)(command)


def _check_rules(_ctx, _param, value):
    """The rules name (the setting's when not given), one line when unknown."""
    from xunjian.base import config
    from xunjian.scoring.rules import RulesError, score_rules

    name = value or config.current().rules
    try:
        score_rules(name)
    except RulesError as exc:
        where = "--rules" if value else "XUNJIAN_RULES"
        raise click.ClickException(f"{where}: {exc}") from None
    return name


@main.command()
@click.argument("site_code")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="监测时间点, the monitoring date (default: today in Asia/Shanghai).")
@click.option("--json", "json_path", type=click.Path(), metavar="PATH",
              help="Write the score card as JSON ('-' for standard output).")
@rules_option
@click.pass_obj
def inspect(obj: StoreContext, site_code, as_of, json_path, rules):
    """Re-run one site's full inspection, store everything, print the score card.

    \b
    Exit status:
      0    done, score card printed
      3    done, but the homepage was unreachable (首页无法访问): the card
           says so and leaves what needed the homepage unchecked (未评分
           when nothing but the probes could be checked)
      4    inspection failed (crawl crashed, a store write failed for good);
           stored as failed with the reason, no score card
      5    site busy: another inspection of this site is running (holder named)
      130  interrupted by Ctrl-C (SIGINT); 143 by SIGTERM (stored as interrupted)
      1    other errors (unknown site, no browser, store unavailable)
    """
    from xunjian.browser import BrowserNotFound
    from xunjian.inspection import run as run  # small: it waits beside the crawl and its Chromium
    from xunjian.inspection.run import InspectionError, run_inspection

    check_output(json_path)
    as_of = parse_as_of(as_of)
    store = obj.store
    if store.get_site(site_code) is None:
        raise click.ClickException(store.unknown_site(site_code))
    progress, update = _progress_display()
    try:
        with progress:
            inspection_id = run_inspection(store, obj.url, site_code, as_of, progress=update)
    except BrowserNotFound as exc:
        raise click.ClickException(str(exc)) from None
    except run.SiteBusy as exc:
        err.print(f"[red]Error: {markup(exc)}[/]", highlight=False)
        sys.exit(run.EXIT_BUSY)
    except run.InspectionFailed as exc:
        err.print(f"[red]Error: inspection failed: {markup(exc)}[/]", highlight=False)
        sys.exit(run.EXIT_FAILED)
    except InspectionError as exc:
        raise click.ClickException(str(exc)) from None
    except run.Terminated:
        err.print("[yellow]inspection interrupted by SIGTERM (stored as interrupted)[/]")
        sys.exit(run.EXIT_TERMINATED)
    except KeyboardInterrupt:
        err.print("[yellow]inspection interrupted (stored as interrupted)[/]")
        sys.exit(run.EXIT_INTERRUPTED)
    except StoreError as exc:
        err.print(f"[red]Error: the store failed: {markup(exc)}[/]", highlight=False)
        sys.exit(run.EXIT_FAILED)
    from xunjian.inspection.card import card_for  # the score card's modules: once the crawl is over

    card = card_for(store, inspection_id, as_of, rules=rules)
    _emit(card, json_path, store)
    status = run.exit_status(store.get_inspection(inspection_id))
    if status == run.EXIT_HOMEPAGE_UNREACHABLE:
        err.print("[yellow]首页无法访问 (homepage unreachable): indicators that need it are "
                  "unchecked; exit status 3[/]")
    if status:
        sys.exit(status)


def _emit(card: dict, json_path: str | None, store) -> None:
    from xunjian.reports.text import incomplete_notice, print_card
    from xunjian.scoring import validate_card

    validate_card(card)
    inspection = store.get_inspection(card["inspection"]) if card.get("inspection") else None
    text = json_text(json.dumps(card, ensure_ascii=False, indent=2))
    if json_path == "-":
        notice = incomplete_notice(inspection)
        if notice:
            err.print(markup(notice), style="bold red", highlight=False, soft_wrap=True)
        click.echo(text)
        return
    print_card(card, console, blob_location=store.blob_location, inspection=inspection)
    if json_path:
        write_output(json_path, (text + "\n").encode("utf-8"))
        console.print(f"score card written to {json_path}", highlight=False, soft_wrap=True)


# -- report ---------------------------------------------------------------------------------------

@main.group()
def report():
    """Score cards from stored inspections (no re-crawl)."""


@report.command("card")
@click.argument("site_code")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="监测时间点 to score at (default: the inspection's own).")
@click.option("--inspection", "inspection_id", metavar="ID",
              help="A stored inspection of this site (default: its latest finished one).")
@click.option("--json", "json_path", type=click.Path(), metavar="PATH",
              help="Write the score card as JSON ('-' for standard output).")
@rules_option
@click.pass_obj
def report_card(obj: StoreContext, site_code, as_of, inspection_id, json_path, rules):
    """Re-score a stored inspection, e.g. with another --as-of."""
    from xunjian.inspection.card import card_for

    check_output(json_path)
    as_of = parse_as_of(as_of) if as_of else None
    store = obj.store
    if inspection_id:
        inspection = store.get_inspection(inspection_id)
        if inspection is None:
            raise click.ClickException(f"no inspection {inspection_id!r} in the store "
                                       f"{store.label}")
        if inspection.get("site") != site_code:
            raise click.ClickException(f"inspection {inspection_id!r} is of site "
                                       f"{inspection.get('site')!r}, not {site_code!r}")
    elif store.get_site(site_code) is None:
        raise click.ClickException(store.unknown_site(site_code))
    else:
        inspection = store.latest_inspection(site_code)
    if inspection is None:
        raise click.ClickException(f"no finished inspection of site {site_code!r}; "
                                   f"run `xunjian inspect {site_code}` first")
    card = card_for(store, inspection["id"], as_of, rules=rules)
    _emit(card, json_path, store)


@report.command("site")
@click.argument("site_code")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="Use the latest finished inspection at or before this date.")
@click.option("--inspection", "inspection_id", metavar="ID", help="A stored inspection of it.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "docx", "html", "xlsx"]),
              required=True, help="Report format (the PDF is the HTML printed by Chromium).")
@click.option("--output", "output", type=click.Path(), required=True,
              metavar="PATH", help="Where to write the report.")
@rules_option
@click.pass_obj
def report_site(obj: StoreContext, site_code, as_of, inspection_id, fmt, output, rules):
    """The per-site inspection report (网站检查报告) from a stored inspection."""
    from xunjian.reports.render import ReportError
    from xunjian.reports.site import build_site_report

    check_output(output)
    as_of = parse_as_of(as_of) if as_of else None
    try:
        body = build_site_report(obj.store, site_code, fmt, inspection_id, as_of, rules=rules)
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None
    write_output(output, body)
    console.print(f"site report written to {output} ({len(body):,} bytes)", highlight=False,
                  soft_wrap=True)


@report.command("rectify")
@click.argument("site_code")
@click.option("--inspection", "inspection_id", metavar="ID",
              help="A stored inspection of it (default: its latest finished one).")
@click.option("--format", "fmt", type=click.Choice(["docx", "xlsx"]), required=True,
              help="Notice format.")
@click.option("--output", "--out", "output", type=click.Path(), required=True,
              metavar="PATH", help="Where to write the notice.")
@rules_option
@click.pass_obj
def report_rectify(obj: StoreContext, site_code, inspection_id, fmt, output, rules):
    """整改通知 for the site's owner: its open findings (not rejected, not fixed by a recheck)
    with first-seen date, times seen, evidence and screenshot."""
    from xunjian.reports.rectify import build_rectify_notice
    from xunjian.reports.render import ReportError

    check_output(output)
    try:
        body = build_rectify_notice(obj.store, site_code, fmt, inspection_id, rules=rules)
    except ReportError as exc:
        raise click.ClickException(f"{exc} (store: {obj.label})") from None
    write_output(output, body)
    console.print(f"整改通知 written to {output} ({len(body):,} bytes)", highlight=False,
                  soft_wrap=True)


@report.command("census")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="Count each site's latest finished inspection at or before this date.")
@click.option("--by", "by", multiple=True,
              type=click.Choice(["地区", "级别", "网站类型", "主办单位"]),
              help="Group by (repeatable; default 级别, 网站类型 and 地区).")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "html", "pdf"]), required=True,
              help="Report format.")
@click.option("--output", "output", type=click.Path(), required=True,
              metavar="PATH", help="Where to write the report.")
@rules_option
@click.pass_obj
def report_census(obj: StoreContext, as_of, by, fmt, output, rules):
    """Census statistics (通报): 合格率 overall and by group, causes, lists."""
    from xunjian.reports.census import DEFAULT_GROUPINGS, build_census_report
    from xunjian.reports.render import ReportError

    check_output(output)
    as_of = parse_as_of(as_of) if as_of else None
    store = obj.store
    try:
        body = build_census_report(store, fmt, as_of, tuple(by) or DEFAULT_GROUPINGS,
                                   rules=rules)
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None
    write_output(output, body)
    if not store.count("sites"):
        err.print(f"note: the store {store.label} has no registered sites (登记网站 0); "
                  "import them with `xunjian registry import FILE...`", highlight=False,
                  soft_wrap=True)
    console.print(f"census report written to {output} ({len(body):,} bytes)", highlight=False,
                  soft_wrap=True)


# -- demo -----------------------------------------------------------------------------------------

@main.command()
@click.option("--json", "json_path", type=click.Path(), metavar="PATH",
              help="Write the score card as JSON ('-' for standard output).")
@click.pass_obj
def demo(obj: StoreContext, json_path):
    """Serve the bundled demo government site on 127.0.0.1 and inspect it."""
    import tempfile

    from xunjian.demo.server import DemoServer

    check_output(json_path)
    prefer("link_timeout", "5")  # the demo's slow link takes 8 s
    with DemoServer(slow_seconds=8) as server:
        console.print(f"demo site: {server.url}  (store: {obj.label})", soft_wrap=True)
        folder = Path(tempfile.mkdtemp(prefix="xunjian-demo-"))
        files = server.write_registry(folder)
        ctx = click.get_current_context()
        ctx.invoke(registry_import, files=[str(f) for f in files])
        ctx.invoke(inspect, site_code="9999000001", as_of=None, json_path=json_path)


# -- commands that live with their own concern ----------------------------------------------------

_packages_added = False


def _add_package_commands() -> bool:
    """Add the other packages' commands (once); True if this call added them."""
    global _packages_added
    if _packages_added:
        return False
    _packages_added = True
    from xunjian.commands_freshness import commands as freshness_commands
    from xunjian.commands_freshness import registry_commands
    from xunjian.commands_probes import commands as probe_commands
    from xunjian.commands_recheck import commands as recheck_commands
    from xunjian.review.commands import commands as review_commands
    from xunjian.workqueue.commands import commands as queue_commands

    for command in (*probe_commands, *review_commands, *freshness_commands, *queue_commands,
                    *recheck_commands):
        main.add_command(command)
    for command in registry_commands:
        registry.add_command(command)
    add_store_options(main)
    return True


add_store_options(main)

if __name__ == "__main__":
    main()
