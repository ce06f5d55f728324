"""Attachments of one site: reading their text and finding personal data — time and memory.

    .venv/bin/python bench/privacy_bench.py [--files 200] [--max-mib 2]

Generates ``--files`` attachments (a third each: PDF with a Chinese text layer, DOCX with a table,
XLSX), sized evenly from ~50 KiB up to ``--max-mib`` MiB, each holding a 公示 table of names,
身份证号, mobiles and bank cards among look-alikes; serves them on 127.0.0.1 and runs what the
finishing stage runs for them: fetch (urlcheck.download.fetch_files under the download budget),
text (inspectors/attachment_text.py), personal data (inspectors/privacy.py) and the serious-error
detector over the text. Reports seconds (fetch, read, detect) and the process's peak RSS above
what it held before (the budget: 30 s and 100 MB for 200 attachments of up to 2 MiB).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import resource
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import attachments as make  # noqa: E402
from xunjian.inspectors.attachment_text import attachment_text  # noqa: E402
from xunjian.inspectors.privacy import id_check_digit, privacy_finding  # noqa: E402
from xunjian.inspectors.serious import load_serious_rules, serious_findings  # noqa: E402
from xunjian.urlcheck import CheckConfig  # noqa: E402
from xunjian.urlcheck.download import fetch_files  # noqa: E402

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


def serve(files: dict[str, tuple[str, bytes]]):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):
            pass

        def do_GET(self):
            kind, body = files.get(self.path, ("", b""))
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(files: dict[str, tuple[str, bytes]], max_bytes: int) -> dict:
    server = serve(files)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    rules = load_serious_rules()
    site = {"code": "9999000023", "url": base + "/"}
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    fetched = asyncio.run(fetch_files([base + p for p in files], CheckConfig(timeout=30),
                                      max_bytes=max_bytes, concurrency=4))
    fetch_s = time.perf_counter() - started
    read_s = detect_s = 0.0
    statuses: dict[str, int] = {}
    found = numbers = 0
    for url, got in fetched.items():
        t0 = time.perf_counter()
        text = attachment_text(got.pop("body"), url.rsplit(".", 1)[-1], got["truncated"])
        t1 = time.perf_counter()
        statuses[text.status] = statuses.get(text.status, 0) + 1
        finding = privacy_finding(site, text.text, base + "/", where="attachment",
                                  attachment_url=url)
        serious_findings(site, [{"url": url, "title": "", "blocks": [(text.text, False)],
                                 "alts": [], "frames": [], "hidden_links": [], "date": None}],
                         rules)
        detect_s += time.perf_counter() - t1
        read_s += t1 - t0
        if finding:
            found += 1
            numbers += finding["evidence"]["count"]
    total = time.perf_counter() - started
    server.shutdown()
    return {"files": len(files), "bytes": sum(len(b) for _k, b in files.values()),
            "fetch_s": round(fetch_s, 2), "read_s": round(read_s, 2),
            "detect_s": round(detect_s, 2), "total_s": round(total, 2),
            "rss_before_mb": round(before, 1), "rss_peak_added_mb": round(rss_mb() - before, 1),
            "statuses": statuses, "findings": found, "numbers": numbers}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--max-mib", type=float, default=2.0)
    args = parser.parse_args(argv)
    max_bytes = int(args.max_mib * 1024 * 1024)
    t0 = time.perf_counter()
    files = make_files(args.files, max_bytes)
    made = time.perf_counter() - t0
    sizes = sorted(len(b) for _k, b in files.values())
    print(f"generated {len(files)} attachments in {made:.1f} s: "
          f"{sizes[0] // 1024}–{sizes[-1] // 1024} KiB, {sum(sizes) / 2**20:.1f} MiB in all")
    # the files are held by the server (as on a real site, not by the inspection): the peak RSS
    # that counts is what the reading adds above the process holding them
    result = run(files, max_bytes)
    for key, value in result.items():
        print(f"{key:>18}: {value}")
    within = result["total_s"] <= 30 and result["rss_peak_added_mb"] <= 100
    print("within the budget (30 s, 100 MB):", "yes" if within else "NO")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
