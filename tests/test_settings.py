"""Every XUNJIAN_* setting is defaulted once (base/config.py) and read nowhere else; -s reaches
the whole crawl (the finishing's link checks too); a bad value is one line; the README's table
is base/config.py's."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from scrapy.crawler import Crawler
from scrapy.settings import Settings

from xunjian.base import config
from xunjian.base.config import DEFAULTS, Config, SettingError

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("spiders", "inspectors", "scoring", "storage", "registry", "urlcheck", "browser",
            "reports", "probes", "review", "workqueue", "base", "inspection", "alerts", "xunjian",
            "demo")
NAME = re.compile(r"^XUNJIAN_[A-Z0-9_]+$")


@pytest.fixture(autouse=True)
def _nothing_installed():
    previous = config.install(None)
    yield
    config.install(previous)


def test_no_module_but_base_config_reads_a_xunjian_setting():
    reads = []
    for folder in PACKAGES:
        for path in (ROOT / folder).rglob("*.py"):
            if path == ROOT / "base" / "config.py":
                continue
            for node in ast.walk(ast.parse(path.read_text("utf-8"))):
                if isinstance(node, ast.Call):
                    is_write = isinstance(node.func, ast.Attribute) and node.func.attr == "set"
                    args = [] if is_write else list(node.args)
                    args += [k.value for k in node.keywords if k.arg == "envvar"]
                elif isinstance(node, ast.Subscript):
                    args = [node.slice]
                else:
                    continue
                reads += [f"{path.relative_to(ROOT)}:{node.lineno}" for a in args
                          if isinstance(a, ast.Constant) and isinstance(a.value, str)
                          and NAME.match(a.value)]
    assert reads == []


def test_each_setting_from_the_environment_reaches_the_config(monkeypatch):
    for spec in Config.__dataclass_fields__.values():
        kind = type(spec.default)
        value = {bool: "0" if spec.default else "1", int: "7", float: "7.5"}.get(kind, "x-7")
        choices = [c for c in spec.metadata.get("choices") or () if c != spec.default]
        value = choices[0] if choices else value  # a setting of named values: another one
        monkeypatch.setenv(config.env_name(spec.name), value)
        seen = getattr(config.current(), spec.name)
        assert seen != spec.default, spec.name


def test_readers_take_the_current_settings(monkeypatch, tmp_path):
    from xunjian.browser import context_options, deadline
    from xunjian.browser.netpolicy import AddressPolicy
    from xunjian.inspection import logs, runcontrol
    from xunjian.inspection.finish import link_check_config
    from xunjian.storage.base import retry_policy, stale_seconds
    from xunjian.workqueue.jobs import QueueSettings

    for name, value in {"STEP_TIMEOUT": "3", "STALE_SECONDS": "9", "HEARTBEAT_SECONDS": "4",
                        "STORE_RETRIES": "2", "STORE_RETRY_PAUSE": "0.5", "LINK_TIMEOUT": "6",
                        "PER_HOST": "3", "HOST_DELAY": "0.25", "USER_AGENT": "ua-7",
                        "ALLOW_NETWORKS": "10.0.0.0/8", "LOG_DIR": str(tmp_path),
                        "QUEUE_RETRIES": "9"}.items():
        monkeypatch.setenv("XUNJIAN_" + name, value)
    assert deadline.step_timeout() == 3 and stale_seconds() == 9
    assert runcontrol.heartbeat_seconds() == 4 and retry_policy() == (2, 0.5)
    checks = link_check_config()
    assert (checks.timeout, checks.per_host, checks.host_delay) == (6, 3, 0.25)
    assert context_options()["user_agent"] == "ua-7"
    assert [str(n) for n in AddressPolicy().networks] == ["10.0.0.0/8"]
    assert logs.log_folder("mongodb://x/y") == tmp_path
    assert QueueSettings.from_env().retries == 9


def test_scrapy_s_link_timeout_reaches_the_spider_and_the_link_checker(monkeypatch, tmp_path):
    """`scrapy crawl site -s XUNJIAN_LINK_TIMEOUT=5`: 5 s for the spider and the link checker,
    whatever the environment says."""
    from xunjian.inspection.finish import link_check_config
    from xunjian.spiders.site import SiteSpider

    monkeypatch.setenv("XUNJIAN_LINK_TIMEOUT", "9")
    settings = Settings()
    settings.setmodule("xunjian.settings", priority="project")
    settings.set("XUNJIAN_LINK_TIMEOUT", "5", priority="cmdline")
    settings.set("XUNJIAN_PER_HOST", "3", priority="cmdline")
    settings.set("XUNJIAN_STORE", str(tmp_path / "store"), priority="cmdline")
    crawler = Crawler(SiteSpider, settings)
    spider = SiteSpider.from_crawler(crawler, site="1", inspection="i")
    crawler.addons.load_settings(crawler.settings)  # the crawl's add-on, as Scrapy runs it
    assert spider.link_timeout == 5
    assert link_check_config().timeout == 5
    assert link_check_config(Config.from_scrapy(crawler.settings)).timeout == 5
    assert crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 3
    config.install(None)
    assert link_check_config().timeout == 9  # outside the crawl: the environment


def test_a_bad_value_is_one_line(monkeypatch):
    with pytest.raises(SettingError) as caught:
        Config.from_env({"XUNJIAN_LINK_TIMEOUT": "abc"})
    assert str(caught.value).startswith("XUNJIAN_LINK_TIMEOUT='abc' is not a number")
    from xunjian.cli import main

    done = CliRunner().invoke(main, ["registry", "list"], env={"XUNJIAN_LINK_TIMEOUT": "abc"})
    assert done.exit_code == 1
    assert done.output.strip().splitlines() == [f"Error: {caught.value}"]
    run = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "site", "-a", "site=1"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, XUNJIAN_PER_HOST="x"))
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines()[-1].startswith("Error: XUNJIAN_PER_HOST='x'")
    run = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "site", "-a", "site=1", "-s",
                          "XUNJIAN_LINK_TIMEOUT=abc"], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines()[-1] == f"Error: {caught.value}"


def test_the_readme_table_is_base_configs():
    readme = (ROOT / "README.md").read_text("utf-8")
    assert config.markdown_table() in readme
    for name, *_ in config.describe():
        assert f"`{name}`" in readme, name
    assert DEFAULTS.link_timeout == 15


def _reads_of_the_settings() -> dict[str, list[str]]:
    """field → the places outside base/config.py that read it (``….field`` on a settings object:
    ``config.current().field``, ``cfg.field``, ``settings.field`` …)."""
    fields = set(Config.__dataclass_fields__)
    reads: dict[str, list[str]] = {name: [] for name in fields}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == ROOT / "base" / "config.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Attribute) and node.attr in fields:
                    reads[node.attr].append(f"{path.relative_to(ROOT)}:{node.lineno}")
                elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                      and node.func.id == "getattr" and len(node.args) > 2):
                    name = node.args[1]
                    assert not (isinstance(name, ast.Constant) and name.value in fields), \
                        f"{path.relative_to(ROOT)}:{node.lineno}: a default of its own for " \
                        f"setting {name.value!r} (getattr with a fallback)"
    return reads


def test_every_setting_has_a_reader_and_no_reader_a_default_of_its_own():
    """A setting nobody reads is a lie in the README's table; a reader with its own fallback
    (``config.current().link_timeout or 15``) is a second default that drifts from the first."""
    reads = _reads_of_the_settings()
    unread = sorted(config.env_name(name) for name, places in reads.items() if not places)
    assert not unread, f"settings that nothing reads: {unread}"
    second = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
                    first = node.values[0]
                    if (isinstance(first, ast.Attribute) and isinstance(first.value, ast.Call)
                            and getattr(first.value.func, "attr", "") == "current"
                            and isinstance(node.values[-1], ast.Constant)
                            and node.values[-1].value not in (None, "", 0)):
                        second.append(f"{path.relative_to(ROOT)}:{node.lineno} {first.attr}")
    assert not second, f"settings given a second default where they are read: {second}"
