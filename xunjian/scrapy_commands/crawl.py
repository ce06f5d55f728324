"""``scrapy crawl site -a site=CODE``: the auditor's re-run of one site, a whole inspection.

Scrapy's own ``crawl`` prints only its statistics and exits 0 whatever the crawl found. For the
site spider run by hand (no ``-a inspection=``: that is ``xunjian inspect``'s crawl subprocess)
this command does what ``xunjian inspect CODE`` does — the site lock, the heartbeat, the crawl,
the finishing in the crawl's browser — in this process, then prints the same score card and
exits with the same status (0 done, 3 homepage unreachable, 4 failed, 5 site busy, 143 stopped).
``-a as_of=YYYY-MM-DD`` is the monitoring date (default: today in Asia/Shanghai). Every other
spider, and the site spider under ``xunjian inspect``, runs as Scrapy's ``crawl`` always did.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from xunjian.base.config import Config, SettingError, install
from xunjian.base.safetext import markup
from xunjian.inspection import run
from xunjian.inspection.card import card_for
from xunjian.storage import StoreError, open_store


class Command(ScrapyCrawl):
    def short_desc(self) -> str:
        return "Run a spider; `crawl site -a site=CODE` inspects the site and prints its card"

    def run(self, args: list[str], opts) -> None:
        try:  # a bad -s XUNJIAN_X is one line, before anything starts
            install(Config.from_scrapy(self.settings))
        except SettingError as exc:
            print(f"Error: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        if len(args) != 1 or args[0] != "site" or "inspection" in opts.spargs:
            super().run(args, opts)
            return
        self.exitcode = self.audit(dict(opts.spargs))

    def audit(self, spargs: dict) -> int:
        # The CLI's terminal (click, rich) only for the auditor's run, imported here: Scrapy
        # imports this command module in every crawl, xunjian inspect's crawl subprocesses too.
        import click

        from xunjian.cli import _emit, err, parse_as_of, resolve_store_url

        code = spargs.pop("site", None)
        if not code:
            raise UsageError("usage: scrapy crawl site -a site=SITE_CODE [-a as_of=YYYY-MM-DD]")
        try:
            as_of = parse_as_of(spargs.pop("as_of", None))
        except click.BadParameter as exc:
            raise UsageError(str(exc)) from None
        store_url = resolve_store_url(Config.from_scrapy(self.settings).store)
        try:
            store = open_store(store_url, create=False)
            if store.get_site(code) is None:
                err.print(f"[red]Error: {markup(store.unknown_site(code))}[/]", highlight=False)
                return 1
            inspection_id = run.run_inspection(
                store, store_url, code, as_of,
                crawl=lambda *a, **k: self._crawl_here(spargs, *a, **k))
            card = card_for(store, inspection_id, as_of)
            _emit(card, None, store)
            status = run.exit_status(store.get_inspection(inspection_id))
        except run.SiteBusy as exc:
            err.print(f"[red]Error: {markup(exc)}[/]", highlight=False)
            return run.EXIT_BUSY
        except run.InspectionFailed as exc:
            err.print(f"[red]Error: inspection failed: {markup(exc)}[/]", highlight=False)
            return run.EXIT_FAILED
        except run.InspectionError as exc:
            err.print(f"[red]Error: {markup(exc)}[/]", highlight=False)
            return 1
        except KeyboardInterrupt:
            err.print("[yellow]inspection interrupted (stored as interrupted)[/]")
            return run.EXIT_TERMINATED
        except StoreError as exc:
            err.print(f"[red]Error: the store failed: {markup(exc)}[/]", highlight=False)
            return run.EXIT_FAILED
        if status == run.EXIT_HOMEPAGE_UNREACHABLE:
            err.print("[yellow]首页无法访问 (homepage unreachable): indicators that need it are "
                      "unchecked; exit status 3[/]")
        return status

    def _crawl_here(self, spargs: dict, store, store_url: str, code: str, inspection_id: str,
                    progress=None) -> Path | None:
        """The crawl of ``run_inspection``, run in this process; its finishing stage
        (inspection/extension.py) finishes the inspection in the crawl's browser."""
        failure = Path(tempfile.mkdtemp(prefix="xunjian-crawl-")) / "failed"
        crawler = self._create_crawler("site")
        crawler.settings.set("XUNJIAN_STORE", store_url, priority="cmdline")
        crawler.settings.set("XUNJIAN_FAILURE_FILE", str(failure), priority="cmdline")
        self.crawler_process.crawl(crawler, **spargs, site=code, inspection=inspection_id,
                                   finish="yes")
        self.crawler_process.start()
        if failure.exists():
            raise run.InspectionFailed(f"the crawl stopped: "
                                       f"{failure.read_text('utf-8', 'replace').strip()}")
        if self.crawler_process.bootstrap_failed:
            raise run.InspectionFailed("the crawl did not start (see the log above)")
        reason = crawler.stats.get_value("finish_reason")
        if reason == "shutdown":
            raise KeyboardInterrupt("the crawl was stopped")
        log = self.settings.get("LOG_FILE")
        return Path(log) if log else None
