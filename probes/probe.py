"""Homepage availability probes: one attempt each, no retries, a hard deadline.

A probe asks for a site's homepage document over plain HTTP (aiohttp: cheap enough for tens of
thousands of sites × 20 a day on one machine). Redirects are followed inside the same deadline.
Any DNS/connect/TLS error, reset, timeout or status ≥ 400 is a failure; the failure class is the
same vocabulary as urlcheck's link results (``dns``, ``connect``, ``tls``, ``timeout``, ``reset``,
``http_503``…).

No retries: the connector opens a fresh connection per probe (``force_close``) and aiohttp's
silent re-send of an idempotent request after a dropped connection is switched off.

Failed probes get a screenshot of what a browser shows (error page, WAF page, blank page) from a
separate bounded worker: probes never wait for it, and when the browser is unavailable or busy
the probe is stored without one.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver

from xunjian.browser.blank import is_blank
from xunjian.browser.netpolicy import AddressPolicy, connector
from xunjian.probes.scoring import window_probes
from xunjian.scoring.time import as_of_instant
from xunjian.urlcheck.checker import error_reason
from xunjian.urlcheck.result import CheckConfig

log = logging.getLogger(__name__)

PROBES = "probes"


def load_probes(store: Any, site_code: str, as_of: Any) -> list[dict]:
    """The site's stored probes in the 7 days before as-of, oldest first (what a score card and
    a site report read; ``probes.scoring`` judges them)."""
    return sorted(window_probes(store.find(PROBES, site=site_code), as_of),
                  key=lambda p: as_of_instant(p["time"]))


@dataclass
class ProbeConfig:
    timeout: float = 15.0  # the table's 15 s for the homepage document
    total: int = 200  # probes in flight at once
    per_host: int = 1  # probes in flight per host (politeness)
    host_delay: float = 1.0  # seconds between two probes' starts on the same host
    max_body: int = 4 * 1024 * 1024  # the document is read (bounded) within the deadline
    screenshots: bool = True
    screenshot_concurrency: int = 2  # browser pages at once
    screenshot_queue: int = 50  # failures waiting for a picture; beyond that, none is taken
    screenshot_timeout: float | None = None  # a failure's picture; default: ``timeout``, 15 s
    user_agent: str = CheckConfig().user_agent


#: The address policy of the site being probed (the connector judges every hop by it).
_PROBED: contextvars.ContextVar = contextvars.ContextVar("probed_site_policy", default=None)


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _host(url: str) -> str:
    try:
        parts = urlsplit(url)
        return (parts.hostname or url).lower() + (f":{parts.port}" if parts.port else "")
    except ValueError:
        return url


def classify_status(status: int) -> tuple[str | None, str]:
    """A status ≥ 400 is a failure; its class is http_<status>."""
    if status >= 400:
        return f"http_{status}", f"首页返回HTTP {status}"
    return None, ""


#: Called with (probe id, url) for a failed probe; returns PNG bytes or None.
Screenshotter = Callable[[str], Awaitable[bytes | None]]


class Prober:
    """``async with Prober(store, config) as p: await p.probe_sites(sites)``.

    ``resolver`` replaces DNS (tests); ``screenshotter`` replaces the browser (tests, or None
    to use browser.Renderer lazily when config.screenshots is on).
    """

    def __init__(
        self,
        store: Any,
        config: ProbeConfig | None = None,
        *,
        resolver: AbstractResolver | None = None,
        screenshotter: Screenshotter | None = None,
        on_probe: Callable[[dict], None] | None = None,
    ) -> None:
        self.store = store
        self.config = config or ProbeConfig()
        self._resolver = resolver
        self._screenshotter = screenshotter
        self._on_probe = on_probe
        self._session: aiohttp.ClientSession | None = None
        self._slots = asyncio.Semaphore(max(1, self.config.total))
        self._hosts: dict[str, tuple[asyncio.Semaphore, list[float]]] = {}
        self._shots: asyncio.Queue[tuple[str, str]] | None = None
        self._workers: list[asyncio.Task] = []
        self._renderer: Any = None
        self._renderer_failed = False
        self._renderer_lock = asyncio.Lock()
        self.screenshots_taken = 0
        self.screenshots_skipped = 0
        # the screenshots' one browser: the probed sites' own addresses (browser/netpolicy.py)
        self._shot_policy = AddressPolicy()

    async def __aenter__(self) -> Prober:
        tcp = connector(
            # every hop judged by the probed site's address policy (browser/netpolicy.py)
            _PROBED.get,
            # no DNS cache: a name that stops resolving is a failed probe, the next time
            limit=0, force_close=True, resolver=self._resolver, use_dns_cache=False, ssl=True
        )
        self._session = aiohttp.ClientSession(
            connector=tcp,
            headers={"User-Agent": self.config.user_agent,
                     "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
                     "Accept-Language": "zh-CN,zh;q=0.9"},
            trust_env=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            max_line_size=65536,
            max_field_size=65536,
        )
        # aiohttp re-sends an idempotent request once when the server drops the connection
        # (ServerDisconnected/ClientOSError), even on a fresh one. A probe is one attempt: turn
        # that off (the attribute aiohttp's own test client uses; test_no_retries guards it).
        self._session._retry_connection = False  # type: ignore[attr-defined]
        if self.config.screenshots:
            self._shots = asyncio.Queue(maxsize=max(1, self.config.screenshot_queue))
            self._workers = [asyncio.ensure_future(self._shot_worker())
                             for _ in range(max(1, self.config.screenshot_concurrency))]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._shots is not None:
            if exc[0] is None:  # pictures of this run's failures (bounded), then stop
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._shots.join(), timeout=3 * self.shot_deadline)
            for worker in self._workers:
                worker.cancel()
            await asyncio.gather(*self._workers, return_exceptions=True)
        if self._renderer is not None:
            with contextlib.suppress(Exception):
                await self._renderer.__aexit__(None, None, None)
        if self._session is not None:
            await self._session.close()

    # -- probing -------------------------------------------------------------------------------

    async def probe_sites(self, sites: Iterable[Mapping[str, Any]]) -> list[dict]:
        """Probe every site once, concurrently; returns the stored probe documents."""
        tasks = [asyncio.ensure_future(self.probe(site)) for site in sites if site.get("url")]
        return list(await asyncio.gather(*tasks))

    async def probe(self, site: Mapping[str, Any]) -> dict:
        url = str(site["url"])
        slots, next_start = self._host_slot(url)
        async with slots:
            delay = next_start[0] - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            next_start[0] = time.monotonic() + self.config.host_delay
            async with self._slots:
                policy = self._policy_of(site)
                token = _PROBED.set(policy)
                try:
                    doc = await self.fetch(url)
                finally:
                    _PROBED.reset(token)
        doc["site"] = site.get("code")
        doc["id"] = self.store.insert(PROBES, doc) if self.store is not None else None
        if not doc["ok"]:
            self._want_screenshot(doc["id"], url)
        if self._on_probe is not None:
            self._on_probe(doc)
        return doc

    def _policy_of(self, site: Mapping[str, Any]) -> AddressPolicy:
        """The probed site's address policy; its own addresses may be photographed too."""
        urls = [str(site.get("url") or "")]
        if self.store is not None and site.get("code"):
            try:
                urls += [c.get("url") or "" for c in self.store.columns(site["code"])
                         if c.get("source") != "discovered"]
            except Exception:  # noqa: BLE001 - the homepage alone
                pass
        self._shot_policy.add_origins(urls)
        return AddressPolicy(urls)

    async def fetch(self, url: str) -> dict:
        """One GET of the homepage, redirects followed, within the deadline. Never raises."""
        assert self._session is not None, "use Prober as an async context manager"
        cfg = self.config
        doc: dict[str, Any] = {"url": url, "time": now_iso(), "ok": False, "status": None,
                               "final_url": None, "elapsed_ms": 0, "error": None, "detail": ""}
        started = time.monotonic()
        try:
            async with asyncio.timeout(cfg.timeout):
                async with self._session.get(url, allow_redirects=True, max_redirects=10) as resp:
                    doc["status"] = resp.status
                    doc["final_url"] = str(resp.url)
                    read = 0
                    while read < cfg.max_body:
                        chunk = await resp.content.read(65536)
                        if not chunk:
                            break
                        read += len(chunk)
                    doc["bytes"] = read
        except TimeoutError:
            doc["error"] = "timeout"
            doc["detail"] = f"超过{_seconds(cfg.timeout)}秒首页仍未打开"
        except asyncio.CancelledError:
            raise
        except aiohttp.TooManyRedirects:
            doc["error"], doc["detail"] = "too_many_redirects", "重定向次数过多"
        except Exception as exc:  # noqa: BLE001 - every error is a probe outcome
            reason, detail = error_reason(exc, CheckConfig(timeout=cfg.timeout))
            doc["error"], doc["detail"] = reason, detail
        doc["elapsed_ms"] = int((time.monotonic() - started) * 1000)
        if doc["error"] is None and doc["status"] is not None:
            doc["error"], doc["detail"] = classify_status(doc["status"])
        doc["ok"] = doc["error"] is None
        return doc

    def _host_slot(self, url: str) -> tuple[asyncio.Semaphore, list[float]]:
        key = _host(url)
        slot = self._hosts.get(key)
        if slot is None:
            slot = self._hosts[key] = (asyncio.Semaphore(max(1, self.config.per_host)), [0.0])
        return slot

    # -- screenshots of failures ---------------------------------------------------------------

    def _want_screenshot(self, probe_id: str | None, url: str) -> None:
        if self._shots is None or probe_id is None:
            return
        try:
            self._shots.put_nowait((probe_id, url))
        except asyncio.QueueFull:
            self.screenshots_skipped += 1  # the browser is behind: keep probing, no picture

    async def _shot_worker(self) -> None:
        assert self._shots is not None
        while True:
            probe_id, url = await self._shots.get()
            try:
                png = await self._take(url)  # bounded by the probe's own deadline
                if png:
                    blob = self.store.put_blob(png, "image/png")
                    self.store.update(PROBES, probe_id, {"screenshot": blob,
                                                         "screenshot_blank": is_blank(png)})
                    self.screenshots_taken += 1
                else:
                    self.screenshots_skipped += 1
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - no picture is not a probe failure
                log.debug("screenshot of %s failed", url, exc_info=True)
                self.screenshots_skipped += 1
            finally:
                self._shots.task_done()

    async def _take(self, url: str) -> bytes | None:
        deadline = self.shot_deadline
        self._shot_policy.add_origins([url])  # a registered homepage: its own address
        if self._screenshotter is not None:
            return await asyncio.wait_for(self._screenshotter(url), deadline)
        async with self._renderer_lock:
            if self._renderer is None and not self._renderer_failed:
                await self._open_renderer()
        if self._renderer is None:
            return None
        # The page, its settling and the picture end within the probe's deadline (the browser
        # starts once per run, outside it); a little is left for closing the page.
        budget = deadline - min(3.0, deadline * 0.25)
        rendered = await asyncio.wait_for(self._renderer.render(url, budget=budget), deadline)
        return rendered.screenshot

    @property
    def shot_deadline(self) -> float:
        """Seconds a failure's screenshot may take: the probe's own deadline (15 s)."""
        return self.config.screenshot_timeout or self.config.timeout

    async def _open_renderer(self) -> None:
        try:
            from xunjian.browser import Renderer

            renderer = Renderer(concurrency=self.config.screenshot_concurrency,
                                timeout=self.shot_deadline, policy=self._shot_policy)
            self._renderer = await asyncio.wait_for(renderer.__aenter__(), 60)
        except Exception:  # noqa: BLE001 - no browser here: probes go on without pictures
            log.warning("no browser for probe screenshots", exc_info=True)
            self._renderer_failed = True


def _seconds(value: float) -> str:
    return f"{value:g}"


async def probe_once(
    store: Any,
    sites: Iterable[Mapping[str, Any]],
    config: ProbeConfig | None = None,
    **kwargs: Any,
) -> list[dict]:
    """Probe every site once and store the results (convenience for CLI and scheduler)."""
    async with Prober(store, config, **kwargs) as prober:
        return await prober.probe_sites(sites)
