"""Attachments of one site: reading their text and finding personal data — time and memory.

    .venv/bin/python bench/privacy_bench.py [--files 200] [--max-mib 2]

Generates ``--files`` attachments (a third each: PDF with a Chinese text layer, DOCX with a table,
XLSX), sized evenly from ~50 KiB up to ``--max-mib`` MiB, each holding a 公示 table of names,
身份证号, mobiles and bank cards among look-alikes; serves them on 127.0.0.1 and runs what the
finishing stage runs for them (inspection/attachments.py ``content_findings`` on a stored
inspection linking them): fetch under the download budget, text (inspectors/attachment_text.py),
personal data (inspectors/privacy.py) and the serious-error detector over the text. Reports
seconds, the process's peak RSS above what it held before (the budget: 30 s and 100 MB for 200
attachments of up to 2 MiB), and how many were read and why the rest were not.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import attachments as make  # noqa: E402
from xunjian.inspection.attachments import content_findings  # noqa: E402
from xunjian.inspectors.privacy import id_check_digit  # noqa: E402
from xunjian.storage import EmbeddedStore  # noqa: E402

NAMES = "张王李赵钱孙周吴郑冯陈褚卫蒋沈韩杨朱秦许何吕施"


def _row(rng: random.Random, n: int) -> list[str]:
    first17 = f"330106{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}" \
              f"{rng.randint(0, 999):03d}"
    return [str(n), rng.choice(NAMES) + "某", first17 + id_check_digit(first17),
            f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}",
            f"订单号{rng.randint(10**15, 10**16 - 1)}", "0571-8" + f"{rng.randint(0, 9999999):07d}",
            "城乡低保，按月发放，测民〔2024〕15号"]


def make_files(count: int, max_bytes: int, seed: int = 23) -> dict[str, tuple[str, bytes]]:
    rng = random.Random(seed)
    files: dict[str, tuple[str, bytes]] = {}
    for i in range(count):
        target = 50 * 1024 + (max_bytes - 50 * 1024) * i // max(1, count - 1)
        kind = ("pdf", "docx", "xlsx")[i % 3]
        rows = [_row(rng, n) for n in range(200)]
        body = _render(kind, rows)
        # grow to the target size (the bytes per row differ by format; compressed formats need
        # many rows for a MiB), at most 40 000 rows
        while len(body) < target * 0.8 and len(rows) < 40_000:
            grow = max(200, int(len(rows) * (target / max(1, len(body)) - 1)))
            rows += [_row(rng, len(rows) + n) for n in range(min(grow, 40_000 - len(rows)))]
            body = _render(kind, rows)
        files[f"/files/{i:03d}.{kind}"] = (kind, body)
    return files


def _render(kind: str, rows: list[list[str]]) -> bytes:
    if kind == "pdf":
        return make.text_pdf(["  ".join(r) for r in rows])
    if kind == "docx":
        return make.docx(["关于低保对象的公示"], [["序号", "姓名", "身份证号", "手机", "备注",
                                                  "电话", "说明"], *rows])
    return make.xlsx([["序号", "姓名", "身份证号", "手机", "备注", "电话", "说明"], *rows])


def serve(folder: Path):
    """Serve the attachments of ``folder`` (read from disk per request: the measured process
    never holds them all)."""
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):
            pass

        def do_GET(self):
            file = folder / self.path.rsplit("/", 1)[-1]
            body = file.read_bytes() if self.path.startswith("/files/") and file.is_file() \
                else b""
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def rss_mb(field: str = "VmHWM") -> float:
    """This process's peak (VmHWM) or current (VmRSS) resident memory in MB — from /proc, as
    ru_maxrss of a forked child starts at its parent's."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(cache: Path, folder: Path) -> dict:
    """``inspection.attachments.content_findings`` on one stored inspection whose page links
    every attachment: what the finishing stage runs for them."""
    files = {f"/files/{f.name}": f.stat().st_size for f in sorted(cache.iterdir())}
    server = serve(cache)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    store = EmbeddedStore(folder / "store")
    site = {"code": "9999000023", "name": "测试", "url": base + "/", "region": "测试省"}
    store.upsert_site(site)
    inspection = store.create_inspection({"site": site["code"], "status": "running",
                                          "started_at": "2024-06-01T08:00:00+08:00"})
    html = store.put_blob("<html><body>附件</body></html>".encode(), "text/html")
    page = {"inspection": inspection, "url": base + "/", "status": 200, "html": html,
            "depth": 0, "links": [{"url": base + p, "text": p} for p in files]}
    store.add_page(page)
    gc.collect()
    before = rss_mb("VmRSS")
    started = time.perf_counter()
    findings, _checks = asyncio.run(content_findings(store, inspection, site,
                                                     store.pages(inspection)))
    total = time.perf_counter() - started
    figures = store.get_inspection(inspection)["attachments"]
    server.shutdown()
    store.close()
    return {"files": len(files), "mib": round(sum(files.values()) / 2**20, 1),
            "total_s": round(total, 2), "rss_before_mb": round(before, 1),
            "rss_peak_added_mb": round(rss_mb() - before, 1),
            "statuses": figures["statuses"], "read": figures["read"],
            "privacy_findings": sum(f["indicator"] == "content.privacy" for f in findings),
            "numbers": sum(f["evidence"].get("count", 0) for f in findings
                           if f["indicator"] == "content.privacy")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--max-mib", type=float, default=2.0)
    parser.add_argument("--cache", help="folder of generated attachments (made when missing)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # the measuring subprocess
    args = parser.parse_args(argv)
    if args.measure:
        with tempfile.TemporaryDirectory() as folder:
            result = run(Path(args.measure), Path(folder))
        print(json.dumps(result, ensure_ascii=False))
        return 0
    cache = Path(args.cache or tempfile.gettempdir()) / f"xunjian-privacy-{args.files}-" \
        f"{args.max_mib:g}"
    if not cache.is_dir():
        t0 = time.perf_counter()
        files = make_files(args.files, int(args.max_mib * 1024 * 1024))
        cache.mkdir(parents=True)
        for path, (_kind, body) in files.items():
            (cache / path.rsplit("/", 1)[-1]).write_bytes(body)
        print(f"generated {len(files)} attachments in {time.perf_counter() - t0:.1f} s")
        del files
    sizes = sorted(f.stat().st_size for f in cache.iterdir())
    print(f"{len(sizes)} attachments in {cache}: {sizes[0] // 1024}–{sizes[-1] // 1024} KiB, "
          f"{sum(sizes) / 2**20:.1f} MiB in all")
    # measured in a fresh process: its peak RSS is the reading's, not the generation's
    child = subprocess.run([sys.executable, __file__, "--measure", str(cache)],
                           capture_output=True, text=True, check=True)
    result = json.loads(child.stdout.strip().splitlines()[-1])
    for key, value in result.items():
        print(f"{key:>18}: {value}")
    within = result["total_s"] <= 30 and result["rss_peak_added_mb"] <= 100
    print("within the budget (30 s, 100 MB):", "yes" if within else "NO")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
