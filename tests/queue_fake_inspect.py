"""A stand-in for ``xunjian inspect CODE`` in the queue tests: quick, and it writes down when it
ran. ``XUNJIAN_FAKE_LOG`` (a file) gets "start CODE PID" and "end CODE PID" lines;
``XUNJIAN_FAKE_SECONDS`` is how long it works (``CODE=S,…`` in ``XUNJIAN_FAKE_SLOW`` per site);
sites in ``XUNJIAN_FAKE_FAIL`` fail like a crawl that crashed (exit 4, a reason on stderr);
with ``XUNJIAN_FAKE_LOCK`` it holds the store's site lock like ``xunjian inspect`` (exit 5 when
another holds it). Called as ``queue_fake_inspect.py CODE STORE``."""

import os
import sys
import time

code = sys.argv[1]
log = os.environ["XUNJIAN_FAKE_LOG"]


def write(line: str) -> None:
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, f"{line} {code} {os.getpid()} {time.time():.3f}\n".encode())
    finally:
        os.close(fd)


if os.environ.get("XUNJIAN_FAKE_LOCK"):  # hold the store's real site lock, as inspect does
    from xunjian.storage import open_store
    from xunjian.inspection.runcontrol import SiteBusy, SiteLock

    lock = SiteLock(open_store(sys.argv[2]), code)
    try:
        lock.acquire()
    except SiteBusy as exc:
        write("busy")
        print(f"Error: {exc}", file=sys.stderr)
        sys.exit(5)

write("start")
slow = dict(x.split("=") for x in os.environ.get("XUNJIAN_FAKE_SLOW", "").split(",") if x)
time.sleep(float(slow.get(code, os.environ.get("XUNJIAN_FAKE_SECONDS", "0.2"))))
if code in os.environ.get("XUNJIAN_FAKE_FAIL", "").split(","):
    write("fail")
    print("Error: inspection failed: the crawl stopped: connection refused by 127.0.0.1",
          file=sys.stderr)
    sys.exit(4)
write("end")
if os.environ.get("XUNJIAN_FAKE_LOCK"):
    lock.release()
