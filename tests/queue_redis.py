"""A real redis-server for the queue tests: a free 127.0.0.1 port, its own folder, AOF on."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """``redis-server`` with append-only persistence fsynced on every write (docs/QUEUE.md)."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        if not os.path.exists(REDIS):
            pytest.skip("redis-server is not installed (scripts/setup.sh installs it)")
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen(
            [REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--appendonly", "yes", "--appendfsync", "always", "--save", "",
             "--daemonize", "no", "--logfile", str(self.folder / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(64).startswith(b"+PONG"):
                        return self
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError((self.folder / "redis.log").read_text("utf-8", "replace"))
            time.sleep(0.1)
        raise RuntimeError("redis-server did not answer within 20 s")

    def kill(self) -> None:
        """SIGKILL: no chance to save anything beyond what the AOF already holds."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.kill()


class Workers:
    """``xunjian worker`` processes, stopped (SIGTERM, then SIGKILL) on exit."""

    def __init__(self, queue: str, store: Path, env: dict, log_dir: Path) -> None:
        self.queue, self.store, self.env, self.log_dir = queue, store, env, log_dir
        self.procs: list[subprocess.Popen] = []

    def start(self, concurrency: int = 1) -> subprocess.Popen:
        log = open(self.log_dir / f"worker{len(self.procs)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-m", "xunjian.cli", "worker", "--queue", self.queue,
             "--store", str(self.store), "--concurrency", str(concurrency)],
            cwd=ROOT, env=dict(os.environ, **self.env), stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def explain(self, what: str, redis_url: str):
        """A wait's description for ``wait_for``, read only when the wait fails: the workers'
        logs and the queue's Redis keys as they are then."""
        return lambda: f"{what}\n{self.logs()}\n{redis_state(redis_url)}"

    def logs(self) -> str:
        return "\n".join(p.read_text("utf-8", "replace")
                         for p in sorted(self.log_dir.glob("worker*.log")))


def wait_for(predicate, timeout: float, what, every: float = 0.3):
    """Poll ``predicate`` until it is truthy; ``what`` (a string, or a callable giving one, read
    when the wait fails, so that logs show what happened during the wait) says what was awaited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"not within {timeout:g} s: {what() if callable(what) else what}")


def redis_state(url: str) -> str:
    """The queue's keys and values in Redis (heartbeat ages, unacknowledged messages per worker,
    queue lengths, site entries), for a failing queue test to show."""
    import redis

    client = redis.Redis.from_url(url)
    now_ms = time.time() * 1000
    lines = []
    try:
        for key in sorted(k.decode() for k in client.keys("*")):
            kind = client.type(key).decode()
            if kind == "zset":
                value = {m.decode(): round((now_ms - s) / 1000, 1)
                         for m, s in client.zrange(key, 0, -1, withscores=True)}
                value = f"seconds since: {value}" if key.endswith("__heartbeats__") else value
            elif kind == "set":
                value = sorted(m.decode() for m in client.smembers(key))
            elif kind == "list":
                value = [m.decode() for m in client.lrange(key, 0, -1)]
            elif kind == "hash":
                value = {k.decode(): v.decode("utf-8", "replace")[:160]
                         for k, v in client.hgetall(key).items()}
            else:
                value = kind
            lines.append(f"  {key}: {value}")
    except Exception as exc:  # noqa: BLE001 (a diagnostic must not hide the failure)
        lines.append(f"  (redis not readable: {exc})")
    finally:
        client.close()
    return "redis state:\n" + "\n".join(lines)
