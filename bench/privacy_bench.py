"""Attachments of one site: reading their text and finding personal data — time and memory.

    .venv/bin/python bench/privacy_bench.py [--mix real|dense] [--files 200] [--max-mib 2]

``--mix real`` (the default) makes attachments shaped like a government site's own: most are a
few-page PDF notice printed with its fonts embedded (50–300 KB), a 名单/公示 XLSX of a few hundred
rows, a DOCX of 1–10 pages with its images; about one in ten is a scanned PDF (page images only,
0.5–2 MiB) and a few are the odd 2 MiB dense table. ``--mix dense`` is the worst case:
generates ``--files`` attachments (a third each: PDF with a Chinese text layer, DOCX with a table,
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
import io
import json
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
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


def _notice_html(rng: random.Random, n: int) -> str:
    """A 公示 or 通知 as a county office publishes it: 红头, 文号, paragraphs, a table of a few
    to a few dozen rows (some with personal numbers, some masked), office phones, a signature."""
    rows = rng.choice([0, 0, 5, 12, 40, 90])
    table = "".join(
        f"<tr><td>{i + 1}</td><td>{rng.choice(NAMES)}某某</td>"
        f"<td>{r[2] if i % 3 else r[2][:6] + '*' * 8 + r[2][-4:]}</td><td>{r[3]}</td>"
        f"<td>{rng.randint(5, 50) * 100}</td></tr>"
        for i, r in enumerate(_row(rng, k) for k in range(rows)))
    paragraphs = rng.randint(4, 30)
    body = "".join("<p>" + "".join(rng.choice(_SENTENCES) for _ in range(3)) + "</p>"
                   for _ in range(paragraphs))
    return (f"<html><head><meta charset='utf-8'><style>body{{font-family:'仿宋_GB2312','宋体',serif;"
            f"font-size:16pt;line-height:1.7;margin:0 18mm}}.red{{color:#c00;text-align:center;"
            f"font-size:28pt;border-bottom:2px solid #c00}}table{{border-collapse:collapse;"
            f"font-size:11pt}}td{{border:1px solid #000;padding:2pt}}</style></head><body>"
            f"<div class=red>测试县人民政府办公室</div><p style='text-align:center'>测政办〔2024〕"
            f"{n}号</p><h1 style='text-align:center;font-size:20pt'>关于第{n}批项目的公示</h1>"
            f"{body}<table>{table}</table><p>联系电话：0578-68{rng.randint(10000, 99999)}</p>"
            f"<p style='text-align:right'>测试县人民政府办公室<br>2024年5月{rng.randint(1, 28)}日</p>"
            "</body></html>")


_SENTENCES = ["根据《中华人民共和国政府信息公开条例》有关规定，现将有关情况公示如下。",
              "各乡镇人民政府、街道办事处，县政府各部门、各直属单位：",
              "经研究，决定对全县重点项目实施情况开展专项检查，请各单位认真组织自查。",
              "公示期间，如有异议，请以书面形式向县发展和改革局反映。",
              "本次补助资金按照“先建后补、以奖代补”的原则，由县财政统一拨付。",
              "申请人应当如实提供家庭收入、财产状况等材料，并签署授权核查声明。",
              "对弄虚作假骗取补助资金的，一经查实，追回已发放资金，并依法追究责任。",
              "本通知自印发之日起施行，由县民政局负责解释。"]


def _scan_pdf(rng: random.Random, pages: int) -> bytes:
    """A scanned document: each page a greyscale photo of printed lines (JPEG, ~150 dpi), no
    text layer."""
    from PIL import Image, ImageDraw, ImageFilter

    font = _cjk_font(36)
    images = []
    for _ in range(pages):
        img = Image.new("L", (1240, 1754), 235)
        draw = ImageDraw.Draw(img)
        for y in range(120, 1650, 56):
            draw.text((110, y), rng.choice(_SENTENCES)[:26], fill=30, font=font)
        noise = Image.effect_noise((1240, 1754), 40).filter(ImageFilter.GaussianBlur(0.6))
        images.append(Image.blend(img, noise, 0.25))
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=150, save_all=True, append_images=images[1:],
                   quality=92)
    return out.getvalue()


def _cjk_font(size: int):
    from PIL import ImageFont

    for path in ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
                 "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"):
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default()


def _with_images(docx: bytes, rng: random.Random, kib: int) -> bytes:
    """A DOCX as Word saves one with a photo or a scanned seal: an image part of ``kib`` KiB."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name))
        dst.writestr("word/media/image1.jpeg", rng.randbytes(kib * 1024),
                     compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def make_real(count: int, max_bytes: int, seed: int = 23) -> dict[str, tuple[str, bytes]]:
    """Attachments in the proportions of a county site's: 45% printed PDF notices, 20% 名单
    XLSX, 20% DOCX, 10% scans, 5% dense tables of up to ``max_bytes``."""
    import asyncio as _asyncio

    rng = random.Random(seed)
    plan = [("notice", 45), ("xlsx", 20), ("docx", 20), ("scan", 10), ("dense", 5)]
    kinds = [k for k, share in plan for _ in range(count * share // 100)]
    kinds += ["notice"] * (count - len(kinds))
    rng.shuffle(kinds)
    files: dict[str, tuple[str, bytes]] = {}
    notices = [i for i, k in enumerate(kinds) if k == "notice"]
    printed = _asyncio.run(_print([_notice_html(rng, i) for i in notices]))
    for i, kind in enumerate(kinds):
        if kind == "notice":
            body, ext = printed[notices.index(i)], "pdf"
        elif kind == "xlsx":
            rows = [_row(rng, n) for n in range(rng.randint(80, 600))]
            body, ext = make.excel_xlsx([("名单", [["序号", "姓名", "身份证号", "手机", "备注",
                                                    "电话", "说明"], *rows])]), "xlsx"
        elif kind == "docx":
            paragraphs = [rng.choice(_SENTENCES) * 3 for _ in range(rng.randint(10, 120))]
            rows = [_row(rng, n) for n in range(rng.choice([0, 0, 10, 30]))]
            body = make.docx(paragraphs, [["序号", "姓名", "身份证号", "手机", "备注", "电话",
                                           "说明"], *rows] if rows else [])
            body, ext = _with_images(body, rng, rng.randint(20, 600)), "docx"
        elif kind == "scan":
            body = _scan_pdf(rng, rng.randint(1, 3))
            while len(body) > max_bytes:
                body = _scan_pdf(rng, 1)
            ext = "pdf"
        else:
            ext = ("pdf", "docx", "xlsx")[i % 3]
            target = max_bytes * rng.randint(75, 98) // 100
            rows = [_row(rng, n) for n in range(2000)]
            body = _render(ext, rows)
            while len(body) < target * 0.8 and len(rows) < 40_000:
                grow = max(200, int(len(rows) * (target / max(1, len(body)) - 1)))
                rows += [_row(rng, len(rows) + n) for n in range(grow)]
                body = _render(ext, rows)
        files[f"/files/{i:03d}-{kind}.{ext}"] = (kind, body)
    return files


async def _print(pages: list[str]) -> list[bytes]:
    """The notices printed by Chromium (fonts embedded as subsets, as Word and WPS export)."""
    from playwright.async_api import async_playwright

    from xunjian.browser.launch import launch_options

    out = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(**launch_options())
        page = await browser.new_page()
        for html in pages:
            await page.set_content(html)
            out.append(await page.pdf(format="A4"))
        await browser.close()
    return out


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
    parser.add_argument("--mix", choices=("real", "dense"), default="real")
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
        f"{args.max_mib:g}{'' if args.mix == 'dense' else '-' + args.mix}"
    if not cache.is_dir():
        t0 = time.perf_counter()
        make_them = make_real if args.mix == "real" else make_files
        files = make_them(args.files, int(args.max_mib * 1024 * 1024))
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
