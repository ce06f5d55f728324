"""Every ``XUNJIAN_*`` setting, its type, its one default and what it means — the only module that
reads them from the environment.

``Config`` is built once from the environment (``Config.from_env``) or, in a crawl, from Scrapy's
settings over the environment (``Config.from_scrapy``: ``scrapy crawl site -s XUNJIAN_X=…`` wins, as
scrapy-playwright's ``Config.from_settings`` reads its ``PLAYWRIGHT_*``). Readers take their value
from a ``Config`` passed in, or from ``current()`` — the process's settings: the crawl installs
its crawler's (``install``), elsewhere they come from the environment as it is now — and never
carry a default of their own. A bad value is a ``SettingError`` whose message is one line naming
the setting and what it wants.

Some settings are a protocol between ``xunjian inspect`` and its crawl subprocess (the failure
file, the progress file, the parent's pid): they travel in the environment like the others.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PREFIX = "XUNJIAN_"


class SettingError(ValueError):
    """A setting's value cannot be used; ``str()`` is one line for the operator."""


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")
_WANTS = {int: "a whole number", float: "a number", bool: "1 or 0 (true/false, yes/no, on/off)",
          str: "text"}


def _setting(default: Any, meaning: str, *, secret: bool = False,
             choices: tuple[str, ...] = ()) -> Any:
    return dataclasses.field(default=default, repr=not secret,
                             metadata={"meaning": meaning, "secret": secret,
                                       "choices": choices})


@dataclass(frozen=True)
class Config:
    """The settings of one xunjian process. Field ``link_timeout`` is ``XUNJIAN_LINK_TIMEOUT``."""

    # -- the store and the crawl subprocess's protocol with ``xunjian inspect``
    store: str = _setting("./xunjian-data", "store URL: a folder, file:///path or mongodb://…")
    failure_file: str = _setting("", "file the crawl writes a store failure to (set by xunjian "
                                     "inspect)")
    progress_file: str = _setting("", "file the crawl writes the finishing's progress to (set by "
                                      "xunjian inspect)")
    parent_pid: str = _setting("", "pid of the process that started the crawl; if it dies the "
                                   "crawl stops")
    store_retries: int = _setting(5, "more attempts of a store operation whose backend is "
                                     "unavailable")
    store_retry_pause: float = _setting(1.0, "seconds before the first store retry (doubling, "
                                             "at most 10)")
    heartbeat_seconds: float = _setting(30.0, "seconds between a running inspection's "
                                              "heartbeats")
    stale_seconds: float = _setting(180.0, "seconds without a heartbeat after which a running "
                                           "inspection is interrupted")
    # -- the crawl
    max_pages: int = _setting(5000, "pages walked per site")
    max_depth: int = _setting(5, "clicks from the homepage")
    render_depth: int = _setting(0, "clicks deep every page is rendered in Chromium (0: the "
                                    "homepage)")
    max_rendered: int = _setting(100, "plain pages rendered because their HTML does not show "
                                      "their navigation")
    freshness: bool = _setting(True, "read column pages, list dates, guides and letters (0: "
                                     "links only)")
    item_pages: int = _setting(5, "undated list items whose own page is opened, per list page")
    max_guides: int = _setting(50, "service guides opened per site")
    max_letters: int = _setting(30, "letters opened per consultation column")
    max_list_pages: int = _setting(20, "pages read of one guide, letter, survey or interview "
                                       "list")
    home_retries: int = _setting(2, "more tries of an unreachable homepage")
    home_retry_pause: float = _setting(5.0, "seconds between the homepage's tries")
    link_timeout: float = _setting(15.0, "seconds a link check (and a plain page of the crawl) "
                                         "waits for an answer")
    per_host: int = _setting(4, "requests at once per host (crawl and link checks)")
    host_delay: float = _setting(0.0, "seconds between requests to one host")
    log_level: str = _setting("INFO", "the crawl's log level")
    log_dir: str = _setting("", "folder of crawl logs (default: beside the store)")
    log_keep: int = _setting(50, "crawl logs kept")
    log_max_mb: int = _setting(200, "megabytes of crawl logs kept")
    # -- scoring
    rules: str = _setting("census-2015", "the table score cards are scored by: census-2015 "
                                         "(国办发〔2015〕15号) or checklist-2019 (国办秘函〔2019〕19号); "
                                         "--rules wins",
                          choices=("census-2015", "checklist-2019"))
    # -- the browser
    browser: str = _setting("", "Chromium/Chrome executable (default: a system Chromium, else "
                                "Playwright's)")
    no_browser: bool = _setting(False, "launch no Chromium in the crawl (tests of plain pages)")
    user_agent: str = _setting("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                               "(KHTML, like Gecko) Chrome/126.0 Safari/537.36 xunjian/0.1",
                               "the browser's user agent")
    browser_pages: int = _setting(2, "Chromium pages open at once in the crawl")
    context_pages: int = _setting(200, "pages one browser context serves before a fresh one")
    nav_timeout: float = _setting(30.0, "seconds a page may take to load")
    step_timeout: float = _setting(30.0, "seconds one browser step on a loaded page may take")
    paint_retry_ms: int = _setting(5000, "milliseconds a blank screenshot waits for the page to "
                                         "draw before its retry")
    allow_networks: str = _setting("", "internal networks the inspection may fetch, e.g. "
                                       "10.0.0.0/8,192.168.1.0/24")
    # -- the finishing
    max_rechecks: int = _setting(30, "wall-blocked links re-opened in the browser per "
                                     "inspection")
    max_evidence_shots: int = _setting(40, "referring pages of bad links pictured per inspection")
    max_downloads: int = _setting(100, "guide download links checked per inspection")
    max_download_bytes: int = _setting(2 * 1024 * 1024, "bytes read of one download")
    max_attachments: int = _setting(200, "attachments (PDF, DOCX, XLSX …) read per site for "
                                         "personal data and serious errors")
    privacy_shots: int = _setting(20, "pages pictured again with their personal numbers masked "
                                      "for personal-data findings per inspection")
    ocr_pages: int = _setting(0, "scanned PDF pages read by OCR per site (tesseract with chi_sim, "
                                 "~5-10 s a page; 0: off)")
    serious_shots: int = _setting(20, "pages pictured again with a serious-error candidate "
                                      "framed")
    search_timeout: float = _setting(20.0, "seconds one site search (submit and results page) may "
                                           "take")
    # -- the queue
    queue: str = _setting("", "the Redis queue URL, e.g. redis://127.0.0.1:6379/0")
    queue_heartbeat_ms: int = _setting(60_000, "milliseconds a silent worker counts as alive")
    queue_maintenance: int = _setting(20_000, "broker calls in a million that also requeue "
                                              "dead workers' jobs")
    queue_retries: int = _setting(2, "retries of a failed queued inspection")
    queue_backoff_ms: int = _setting(60_000, "milliseconds before the first retry (doubling)")
    queue_max_backoff_ms: int = _setting(3_600_000, "longest backoff between retries (ms)")
    queue_busy_retries: int = _setting(50, "tries of a site busy with another inspection")
    queue_job_timeout: float = _setting(6 * 3600.0, "seconds one queued inspection may take")
    queue_command: str = _setting("", "command a job runs instead of xunjian inspect (tests; "
                                      "{code} {store} {as_of})")
    # -- warnings and the review app
    webhook_url: str = _setting("", "URL warnings are POSTed to as JSON")
    smtp_host: str = _setting("", "SMTP server warnings are mailed through")
    smtp_port: int = _setting(25, "the SMTP server's port")
    smtp_from: str = _setting("xunjian@localhost", "sender of warning mails")
    smtp_to: str = _setting("", "recipients of warning mails, comma-separated")
    smtp_user: str = _setting("", "SMTP login")
    smtp_password: str = _setting("", "SMTP password", secret=True)
    smtp_starttls: bool = _setting(False, "STARTTLS before the SMTP login")
    review_secret: str = _setting("", "the review app's session secret (default: a 0600 file "
                                      "beside the store)", secret=True)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        """The settings in ``environ`` (default ``os.environ``); an unset or empty one is its
        default."""
        environ = os.environ if environ is None else environ
        return cls(**_parsed(lambda name: environ.get(name)))

    @classmethod
    def from_scrapy(cls, settings, environ: Mapping[str, str] | None = None) -> Config:
        """Scrapy's settings (``-s``, a spider's ``custom_settings``, the crawl command's own)
        over the environment: a setting Scrapy holds wins."""
        environ = os.environ if environ is None else environ

        def raw(name: str):
            value = settings.get(name) if name in settings else None
            return environ.get(name) if value is None or value == "" else value

        return cls(**_parsed(raw))

    def as_env(self) -> dict[str, str]:
        """These settings as environment variables (for a subprocess): only those off their
        default."""
        out = {}
        for spec in dataclasses.fields(self):
            value = getattr(self, spec.name)
            if value != spec.default:
                out[env_name(spec.name)] = ("1" if value else "0") if isinstance(value, bool) \
                    else f"{value}"
        return out


def env_name(field: str) -> str:
    """``link_timeout`` → ``XUNJIAN_LINK_TIMEOUT``."""
    return PREFIX + field.upper()


def describe() -> list[tuple[str, str, Any, str]]:
    """(variable, type, default, meaning) of every setting, in order (the README's table)."""
    return [(env_name(s.name), _type(s).__name__, s.default, s.metadata["meaning"])
            for s in dataclasses.fields(Config)]


def markdown_table() -> str:
    """The README's settings table (tests/test_settings.py checks the README holds it)."""
    rows = ["| variable | type | default | meaning |", "| --- | --- | --- | --- |"]
    for name, kind, default, meaning in describe():
        shown = ("1" if default else "0") if kind == "bool" else \
            f"{default:g}" if kind == "float" else f"{default}"
        rows.append(f"| `{name}` | {kind} | {f'`{shown}`' if shown else '(none)'} | {meaning} |")
    return "\n".join(rows)


def _type(spec: dataclasses.Field) -> type:
    return {"int": int, "float": float, "bool": bool, "str": str}[str(spec.type)]


def _parsed(raw) -> dict[str, Any]:
    values = {}
    for spec in dataclasses.fields(Config):
        value = raw(env_name(spec.name))
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        values[spec.name] = _parse(spec, value)
    return values


def _parse(spec: dataclasses.Field, value: Any) -> Any:
    kind = _type(spec)
    if kind is bool and isinstance(value, bool):
        return value
    if kind in (int, float) and isinstance(value, (int, float)) and not isinstance(value, bool) \
            and (kind is float or float(value).is_integer()):
        return kind(value)
    text = str(value).strip()
    choices = spec.metadata.get("choices") or ()
    if choices and text not in choices:
        raise SettingError(f"{env_name(spec.name)}={str(value)!r} is not one of "
                           f"{', '.join(choices)}: {spec.metadata['meaning']}, "
                           f"default {spec.default}")
    try:
        if kind is bool:
            if text.lower() in _TRUE:
                return True
            if text.lower() in _FALSE:
                return False
            raise ValueError(text)
        return kind(text)
    except ValueError:
        shown = "***" if spec.metadata["secret"] else repr(str(value))
        default = ("1" if spec.default else "0") if kind is bool else \
            f"{spec.default:g}" if kind is float else f"{spec.default}"
        raise SettingError(f"{env_name(spec.name)}={shown} is not {_WANTS[kind]}: "
                           f"{spec.metadata['meaning']}, default {default}") from None


#: Every setting at its default.
DEFAULTS = Config()

_installed: Config | None = None
_from_env: tuple[tuple[tuple[str, str], ...], Config] | None = None


def current() -> Config:
    """This process's settings: the installed ones (the crawl's, from its crawler's settings),
    else the environment's as it is now (parsed again only when an ``XUNJIAN_*`` changed)."""
    global _from_env
    if _installed is not None:
        return _installed
    snapshot = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(PREFIX)))
    cached = _from_env
    if cached is None or cached[0] != snapshot:
        cached = (snapshot, Config.from_env(dict(snapshot)))
        _from_env = cached
    return cached[1]


def install(config: Config | None) -> Config | None:
    """Make ``config`` this process's settings (``None``: the environment's again); returns
    the settings installed before."""
    global _installed
    previous, _installed = _installed, config
    return previous


def prefer(name: str, value: str) -> None:
    """Set ``XUNJIAN_<name>`` in the environment (for this process and its crawl subprocesses)
    unless the operator set it."""
    variable = env_name(name)
    if not os.environ.get(variable):
        os.environ[variable] = value


if __name__ == "__main__":  # python -m xunjian.base.config: the README's table
    print(markdown_table())
