"""What the whole suite shares: one inspection of the bundled demo site, and the tiers.

Tiers (markers declared in pyproject.toml, ``--strict-markers``):

* ``browser`` — the test launches Chromium (an inspection, a rendered page, a PDF);
* ``redis`` — it starts a ``redis-server`` (the queue tests);
* ``slow`` — it takes long without either.

The fast tier is ``.venv/bin/python -m pytest -m "not slow and not browser"``; the whole suite is
``.venv/bin/python -m pytest``. A test is marked where it is written (``pytestmark`` or a
decorator), except for the session fixtures below that launch Chromium: a test that uses one,
directly or through another fixture, is marked ``browser`` here (``BROWSER_FIXTURES``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cli_run import xunjian

from xunjian.demo.server import DemoServer

DEMO_CODE = "9999000001"
DEMO_AS_OF = "2026-11-20"
#: The demo command's own timings (``xunjian demo``): a 5 s link timeout, the slow link 8 s.
#: Generous on a loaded machine: no fast page of the demo site misses 5 s, the slow one always
#: does.
DEMO_ENV = {"XUNJIAN_LINK_TIMEOUT": "5"}
DEMO_SLOW_SECONDS = 8

#: Session fixtures that run an inspection in Chromium: their users are ``browser`` tests.
BROWSER_FIXTURES = {"demo_inspection", "demo_store_copy"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def demo_inspection(tmp_path_factory) -> dict:
    """The demo site (demo/server.py, on 127.0.0.1) registered and inspected once per session,
    as of 2026-11-20, for every test that only reads what was stored.

    Keys: ``server`` (still serving, for its URL and ports), ``card`` (the ``--json`` card),
    ``stdout`` (what ``xunjian inspect`` printed), ``store_dir``, ``tmp``, ``env``. Do not write
    to ``store_dir``: a test that adds reviews, findings or probes works on
    ``demo_store_copy``."""
    tmp = tmp_path_factory.mktemp("demo")
    store_dir = tmp / "store"
    with DemoServer(slow_seconds=DEMO_SLOW_SECONDS) as server:
        files = server.write_registry(tmp / "registry", DEMO_CODE)
        imported = xunjian("registry", "import", *map(str, files), store=store_dir)
        assert imported.returncode == 0, imported.stderr
        run = xunjian("inspect", DEMO_CODE, "--as-of", DEMO_AS_OF, "--json",
                      str(tmp / "card.json"), store=store_dir, env=DEMO_ENV)
        assert run.returncode == 0, run.stdout + run.stderr
        card = json.loads((tmp / "card.json").read_text("utf-8"))
        yield {"server": server, "card": card, "stdout": run.stdout, "store_dir": store_dir,
               "tmp": tmp, "env": dict(DEMO_ENV)}


@pytest.fixture(scope="session")
def demo_store_copy(demo_inspection):
    """``copy(folder) -> folder``: a private copy of the demo inspection's embedded store (the
    SQLite file and its blobs), for a test that writes to it."""
    source = Path(demo_inspection["store_dir"])

    def copy(folder: Path) -> Path:
        shutil.copytree(source, folder)
        return folder

    return copy
