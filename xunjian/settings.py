"""Scrapy settings of the xunjian project (``scrapy.cfg`` points here).

The ``XUNJIAN_*`` settings are base/config.py's: the environment, with ``-s XUNJIAN_X=…`` over it,
so ``xunjian inspect`` and ``scrapy crawl site`` behave the same. The add-on ``CrawlSettings``
below makes a crawler's ``XUNJIAN_*`` settings the whole crawl process's (the finishing's link
checks, the browser's deadlines, the store's retries …) and sets the Scrapy settings that follow
from them, so ``-s XUNJIAN_PER_HOST=2`` reaches Scrapy's own concurrency as the environment does.
"""

import sys

from xunjian.base.config import Config, SettingError, current, install
from xunjian.browser import context_options, launch_options

try:
    _settings = current()
except SettingError as exc:  # one line for the operator, not a traceback
    sys.exit(f"Error: {exc}")


class CrawlSettings:
    """Scrapy add-on (``ADDONS``): the crawler's ``XUNJIAN_*`` settings (``-s`` over the
    environment) become this process's (base/config.py ``install``) and give the Scrapy
    settings that follow from them. Runs once the spider's and the command line's settings are
    in, before the engine, the download handlers and the finishing start."""

    def update_settings(self, settings) -> None:
        crawl = Config.from_scrapy(settings)
        install(crawl)
        derived = {
            # one context at a time serves the crawl; every XUNJIAN_CONTEXT_PAGES pages a fresh
            # one takes over and the old one closes with its last page (xunjian/browser_handler.py),
            # so memory stays flat on long crawls. No cap on contexts: a draining one must never
            # block its successor.
            "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": crawl.browser_pages,
            "PLAYWRIGHT_CONTEXTS": {"inspect": context_options()},
            "USER_AGENT": crawl.user_agent,
            # seconds a page may take to load (Chromium navigation and plain downloads alike); a
            # rendered page's download gets its navigation timeout plus XUNJIAN_STEP_TIMEOUT
            # (browser/deadline.py)
            "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": int(crawl.nav_timeout * 1000),
            "DOWNLOAD_TIMEOUT": max(1, int(crawl.nav_timeout)),
            "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.per_host,
            "DOWNLOAD_DELAY": crawl.host_delay,
        }
        for name, value in derived.items():
            settings.set(name, value, priority="addon")  # a -s of the Scrapy name still wins


ADDONS = {"xunjian.settings.CrawlSettings": 0}

BOT_NAME = "xunjian"
SPIDER_MODULES = ["xunjian.spiders"]
NEWSPIDER_MODULE = "xunjian.spiders"

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
# scrapy-playwright's handler, one instance for both schemes (one Chromium, not two)
DOWNLOAD_HANDLERS = {
    "http": "xunjian.browser_handler.SharedPlaywrightHandler",
    "https": "xunjian.browser_handler.SharedPlaywrightHandler",
}
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = launch_options() if not _settings.no_browser else {}
# `scrapy crawl site -a site=CODE` (the auditor's re-run) is a whole inspection with its card.
COMMANDS_MODULE = "xunjian.scrapy_commands"


# Inspections are official oversight of public sites; robots.txt does not apply, politeness does.
ROBOTSTXT_OBEY = False
CONCURRENT_REQUESTS = 16
# CONCURRENT_REQUESTS_PER_DOMAIN, DOWNLOAD_DELAY and DOWNLOAD_TIMEOUT: CrawlSettings above
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
RETRY_TIMES = 1
# A page that still fails after its retry is a finding of the site (stored with its error), not a
# fault of the tool: no ERROR line for it.
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"
# A rendered page about to be retried gives its browser page back first (else the crawl can hang).
# Every request's address is judged (browser/netpolicy.py), redirect hops included: before
# the redirect middleware (600) sees an answer, and before any request is sent.
DOWNLOADER_MIDDLEWARES = {"xunjian.browser_handler.ReleaseRetriedPages": 560,
                          "xunjian.browser.netpolicy.ScrapyAddressGuard": 650}
# Internal networks (beyond the site's own registered addresses) the inspection may fetch:
# XUNJIAN_ALLOW_NETWORKS (browser/netpolicy.py).
# A timeout is not tried again: the page waited XUNJIAN_LINK_TIMEOUT (plain pages) or
# XUNJIAN_NAV_TIMEOUT already, and its link is broken either way (the link check does not retry).
RETRY_EXCEPTIONS = [
    "scrapy.exceptions.CannotResolveHostError",
    "scrapy.exceptions.DownloadConnectionRefusedError",
    "scrapy.exceptions.DownloadFailedError",
    "scrapy.exceptions.ResponseDataLossError",
    "twisted.internet.error.ConnectionDone",
    "twisted.internet.error.ConnectError",
    "twisted.internet.error.ConnectionLost",
    OSError,  # the compression middleware on an empty body
]
REDIRECT_MAX_TIMES = 10
HTTPERROR_ALLOW_ALL = True  # a 404 page is a fact to store, not an exception to swallow
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
ITEM_PIPELINES = {"xunjian.spiders.blank.BlankScreenshotPipeline": 290,  # marks blank screenshots
                  "xunjian.spiders.pipelines.StorePipeline": 300}
# The finishing stage (inspection/extension.py): the site spider's inspection record, its crawl
# facts and, once the spider closes (after the pipelines above), the finishing in its browser.
EXTENSIONS = {"xunjian.inspection.extension.FinishInspection": 500}
# The spider counts clicks itself (spiders/frontier.py: a list's next pages are as deep as the
# list); Scrapy's depth middleware would overwrite that count with parent + 1.
SPIDER_MIDDLEWARES = {"scrapy.spidermiddlewares.depth.DepthMiddleware": None}
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = _settings.log_level
