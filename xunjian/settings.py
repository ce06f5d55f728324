"""Scrapy settings of the xunjian project (``scrapy.cfg`` points here).

Every knob an operator may turn is read from the environment as well, so ``xunjian inspect``
and ``scrapy crawl site`` behave the same.
"""

import os

from xunjian.browser import CONTEXT_OPTIONS, USER_AGENT, launch_options  # noqa: F401 (USER_AGENT is a setting)
from xunjian.browser.netpolicy import ALLOW_NETWORKS_DEFAULT
from xunjian.spiders.render_need import DEFAULT_MAX_RENDERED

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
PLAYWRIGHT_LAUNCH_OPTIONS = launch_options() if os.environ.get("XUNJIAN_NO_BROWSER") != "1" else {}
PLAYWRIGHT_CONTEXTS = {"inspect": dict(CONTEXT_OPTIONS)}
# One context at a time serves the crawl; every XUNJIAN_CONTEXT_PAGES pages a fresh one takes
# over and the old one closes with its last page (xunjian/browser_handler.py), so memory stays
# flat on long crawls. No cap on contexts: a draining one must never block its successor.
XUNJIAN_CONTEXT_PAGES = int(os.environ.get("XUNJIAN_CONTEXT_PAGES", "200"))
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = int(os.environ.get("XUNJIAN_BROWSER_PAGES", "2"))
# Seconds a page may take to load (Chromium navigation and plain downloads alike).
XUNJIAN_NAV_TIMEOUT = float(os.environ.get("XUNJIAN_NAV_TIMEOUT", "30"))
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = int(XUNJIAN_NAV_TIMEOUT * 1000)
# Seconds any one browser step on a loaded page (reading it, its title, a screenshot, closing
# it) may take: past it the page's script is taken to hang, the page is abandoned and stored as
# 页面脚本无响应 (browser/deadline.py). A rendered page's download gets its navigation timeout
# plus this.
XUNJIAN_STEP_TIMEOUT = float(os.environ.get("XUNJIAN_STEP_TIMEOUT", "30"))

XUNJIAN_STORE = os.environ.get("XUNJIAN_STORE", "")
# Crawl budget: the whole site (see spiders/frontier.py for why 5,000 pages and 5 clicks).
XUNJIAN_MAX_PAGES = int(os.environ.get("XUNJIAN_MAX_PAGES", "5000"))
XUNJIAN_MAX_DEPTH = int(os.environ.get("XUNJIAN_MAX_DEPTH", "5"))
XUNJIAN_RENDER_DEPTH = int(os.environ.get("XUNJIAN_RENDER_DEPTH", "0"))
# Pages below the homepage rendered in Chromium because their plain HTML does not show their
# whole navigation (lists drawn by script; spiders/render_need.py); what the bound leaves is reported.
XUNJIAN_MAX_RENDERED = int(os.environ.get("XUNJIAN_MAX_RENDERED", str(DEFAULT_MAX_RENDERED)))
# Column pages and list dates (the freshness indicators); 0 turns it off for link-only runs.
XUNJIAN_FRESHNESS = os.environ.get("XUNJIAN_FRESHNESS", "1") == "1"
XUNJIAN_ITEM_PAGES = int(os.environ.get("XUNJIAN_ITEM_PAGES", "5"))  # undated items opened per list
# Service and interaction: guides opened per site, letters opened per consultation column.
XUNJIAN_MAX_GUIDES = int(os.environ.get("XUNJIAN_MAX_GUIDES", "50"))
XUNJIAN_MAX_LETTERS = int(os.environ.get("XUNJIAN_MAX_LETTERS", "30"))
# Pages of one guide/letter/survey/interview list read (those lists are read whole); the rest is
# reported on the column page as ``pages_unread``.
XUNJIAN_MAX_LIST_PAGES = int(os.environ.get("XUNJIAN_MAX_LIST_PAGES", "20"))
# An unreachable homepage is tried again this many times, this many seconds apart.
XUNJIAN_HOME_RETRIES = int(os.environ.get("XUNJIAN_HOME_RETRIES", "2"))
XUNJIAN_HOME_RETRY_PAUSE = float(os.environ.get("XUNJIAN_HOME_RETRY_PAUSE", "5"))
# Where the crawl reports a store write that failed for good (set by xunjian inspect).
XUNJIAN_FAILURE_FILE = os.environ.get("XUNJIAN_FAILURE_FILE", "")
# Where the crawl writes the finishing's progress (link checks, browser) for xunjian inspect.
XUNJIAN_PROGRESS_FILE = os.environ.get("XUNJIAN_PROGRESS_FILE", "")
# The process that started the crawl (xunjian inspect): if it dies, the crawl stops too.
XUNJIAN_PARENT_PID = os.environ.get("XUNJIAN_PARENT_PID", "")
# `scrapy crawl site -a site=CODE` (the auditor's re-run) is a whole inspection with its card.
COMMANDS_MODULE = "xunjian.scrapy_commands"


# Inspections are official oversight of public sites; robots.txt does not apply, politeness does.
ROBOTSTXT_OBEY = False
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = int(os.environ.get("XUNJIAN_PER_HOST", "4"))
DOWNLOAD_DELAY = float(os.environ.get("XUNJIAN_HOST_DELAY", "0"))
DOWNLOAD_TIMEOUT = max(1, int(XUNJIAN_NAV_TIMEOUT))
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
# ``10.0.0.0/8,192.168.1.0/24``; browser/netpolicy.py reads it from the environment.
XUNJIAN_ALLOW_NETWORKS = os.environ.get("XUNJIAN_ALLOW_NETWORKS", ALLOW_NETWORKS_DEFAULT)
# A timeout is not tried again: the page waited XUNJIAN_LINK_TIMEOUT (plain pages) or
# XUNJIAN_NAV_TIMEOUT already, and its link is broken either way (the link check does not retry).
XUNJIAN_LINK_TIMEOUT = float(os.environ.get("XUNJIAN_LINK_TIMEOUT", "15"))
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
LOG_LEVEL = os.environ.get("XUNJIAN_LOG_LEVEL", "INFO")
