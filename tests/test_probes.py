"""Homepage probes against a local misbehaving site (127.0.0.1 only; DNS is simulated)."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from urlcheck_server import LocalSite, LoopbackResolver

from xunjian.probes.probe import PROBES, ProbeConfig, Prober, probe_once
from xunjian.storage import EmbeddedStore


@pytest.fixture(scope="module")
def site() -> Iterator[LocalSite]:
    server = LocalSite().start()
    yield server
    server.stop()


@pytest.fixture
def store(tmp_path):
    with EmbeddedStore(tmp_path / "store") as opened:
        yield opened


FAST = ProbeConfig(timeout=0.5, host_delay=0, screenshots=False)


def _probe(store, sites, config=FAST, **kwargs):
    return asyncio.run(probe_once(store, sites, config, resolver=LoopbackResolver(), **kwargs))


def test_failure_classes(site: LocalSite, store) -> None:
    site.reset_counters()
    port = site.base.rsplit(":", 1)[1]
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    cases = {
        "ok": (f"{site.base}/ok", None, 200),
        "503": (f"{site.base}/unavailable", "http_503", 503),
        "404": (f"{site.base}/missing", "http_404", 404),
        "slow": (f"{site.base}/slow", "timeout", None),
        "reset": (f"{site.base}/reset", "reset", None),
        "refused": (f"http://127.0.0.1:{closed_port}/", "connect", None),
        "dns": ("http://no-such-site.invalid/", "dns", None),
        "tls": (f"{site.tls_base}/ok", "tls", None),
        "named": (f"http://localhost:{port}/ok", None, 200),
    }
    sites = [{"code": code, "url": url} for code, (url, _, _) in cases.items()]
    docs = {d["site"]: d for d in _probe(store, sites)}
    for code, (_, error, status) in cases.items():
        doc = docs[code]
        assert doc["error"] == error, (code, doc)
        assert doc["status"] == status, (code, doc)
        assert doc["ok"] is (error is None)
        assert isinstance(doc["elapsed_ms"], int)
    assert docs["slow"]["elapsed_ms"] < 2500  # the configured deadline, not the server's 3 s
    assert "0.5秒" in docs["slow"]["detail"]
    # every probe is stored, with the contract's fields
    stored = store.find(PROBES)
    assert len(stored) == len(cases)
    for doc in stored:
        assert {"site", "time", "status", "elapsed_ms", "error", "ok", "url"} <= set(doc)


def test_no_retries(site: LocalSite, store) -> None:
    site.reset_counters()
    _probe(store, [{"code": "a", "url": f"{site.base}/reset"},
                   {"code": "b", "url": f"{site.base}/unavailable"},
                   {"code": "c", "url": f"{site.base}/slow"}])
    assert site.hits[("GET", "/reset")] == 1
    assert site.hits[("GET", "/unavailable")] == 1
    assert site.hits[("GET", "/slow")] == 1


def test_per_host_politeness(site: LocalSite, store, monkeypatch) -> None:
    """One host: each probe starts host_delay after the one before. Timed where the prober
    starts its requests (a loaded machine delays them, never brings them forward), not where the
    server happens to read them."""
    site.reset_counters()
    started: list[float] = []
    fetch = Prober.fetch

    async def timed_fetch(self, url: str) -> dict:
        started.append(time.monotonic())
        return await fetch(self, url)

    monkeypatch.setattr(Prober, "fetch", timed_fetch)
    config = ProbeConfig(timeout=5, host_delay=0.3, per_host=1, screenshots=False)
    docs = _probe(store, [{"code": str(n), "url": f"{site.base}/count/{n}"} for n in range(4)],
                  config)
    assert all(d["ok"] for d in docs) and len(started) == 4
    assert sum(n for (_, path), n in site.hits.items() if path.startswith("/count/")) == 4
    gaps = [b - a for a, b in zip(started, started[1:], strict=False)]
    assert min(gaps) >= 0.3 - 0.01  # a slower machine only widens the gaps


def test_failure_screenshot_does_not_block_probes(site: LocalSite, store) -> None:
    taken: list[str] = []

    async def run() -> list[dict]:
        gate = asyncio.Event()

        async def shooter(url: str) -> bytes:
            await gate.wait()  # a slow browser
            taken.append(url)
            return b"\x89PNG fake " + url.encode()

        config = ProbeConfig(timeout=0.5, host_delay=0, screenshot_concurrency=1)
        async with Prober(store, config, resolver=LoopbackResolver(),
                          screenshotter=shooter) as prober:
            first = await prober.probe_sites([{"code": "down", "url": f"{site.base}/missing"}])
            # the browser is still busy; other probes go on regardless
            more = await prober.probe_sites(
                [{"code": f"s{n}", "url": f"{site.base}/count/s{n}"} for n in range(5)])
            assert all(d["ok"] for d in more)
            gate.set()
        return first

    first = asyncio.run(run())
    assert taken == [f"{site.base}/missing"]
    stored = store.get(PROBES, first[0]["id"])
    assert stored["screenshot"] and store.get_blob(stored["screenshot"]).startswith(b"\x89PNG")


def test_screenshot_queue_is_bounded(site: LocalSite, store) -> None:
    async def never(url: str) -> bytes | None:
        return None

    config = ProbeConfig(timeout=0.5, host_delay=0, screenshot_queue=1, screenshot_concurrency=1)

    async def run() -> Prober:
        async with Prober(store, config, screenshotter=never) as prober:
            await prober.probe_sites(
                [{"code": f"f{n}", "url": f"{site.base}/missing?{n}"} for n in range(5)])
        return prober

    prober = asyncio.run(run())
    assert prober.screenshots_taken == 0
    assert prober.screenshots_skipped == 5


def test_probe_command(site: LocalSite, tmp_path) -> None:
    from xunjian.cli import main

    folder = tmp_path / "cli-store"
    with EmbeddedStore(folder) as opened:
        opened.upsert_site({"code": "4400000001", "name": "测试", "url": f"{site.base}/ok"})
        opened.upsert_site({"code": "4400000002", "name": "坏站", "url": f"{site.base}/missing"})
    result = CliRunner().invoke(
        main, ["--store", str(folder), "probe", "--count", "2", "--interval", "0",
               "--timeout", "1", "--no-screenshots"])
    assert result.exit_code == 0, result.output
    assert "4400000002" in result.output and "http_404" in result.output
    with EmbeddedStore(folder) as opened:
        assert opened.count(PROBES) == 4
        assert opened.count(PROBES, site="4400000002", ok=False) == 2
    result = CliRunner().invoke(
        main, ["--store", str(folder), "probe", "--site", "4400000001", "--timeout", "1",
               "--no-screenshots"])
    assert result.exit_code == 0, result.output
    with EmbeddedStore(folder) as opened:
        assert opened.count(PROBES, site="4400000001") == 3
    result = CliRunner().invoke(main, ["--store", str(folder), "probe", "--site", "nope"])
    assert result.exit_code != 0


@pytest.mark.browser
def test_failed_probe_keeps_a_browser_screenshot(site: LocalSite, store) -> None:
    from xunjian.browser import BrowserNotFound, find_browser

    try:
        find_browser()
    except BrowserNotFound:
        pytest.skip("no Chromium on this machine")
    config = ProbeConfig(timeout=2, host_delay=0, screenshot_concurrency=1,
                         screenshot_timeout=10)
    docs = _probe(store, [{"code": "down", "url": f"{site.base}/unavailable"},
                          {"code": "up", "url": f"{site.base}/ok"}], config)
    by_site = {d["site"]: d for d in docs}
    assert by_site["up"]["ok"] and not by_site["down"]["ok"]
    stored = store.get(PROBES, by_site["down"]["id"])
    assert stored["screenshot"], "the 503 page should have been photographed"
    assert store.get_blob(stored["screenshot"]).startswith(b"\x89PNG")
    assert "screenshot" not in store.get(PROBES, by_site["up"]["id"])
