"""Realistic review data built directly in a store: for tests, the benchmark and demos.

Each site gets one finished inspection (every indicator checked) whose findings are broken and
wall-blocked homepage links with evidence as inspectors/links.py writes it, sharing screenshots.
"""

from __future__ import annotations

import struct
import zlib
from datetime import datetime, timedelta

from xunjian.scoring import load_rules

REGIONS = ("北京市", "广东省广州市", "四川省成都市", "浙江省杭州市", "湖北省武汉市")


def tiny_png(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A valid solid-colour PNG, without any imaging library."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def site_code(n: int) -> str:
    return f"99{n:08d}"


def seed(store, sites: int = 2, findings_per_site: int = 3, screenshot: bytes | None = None,
         as_of: str = "2026-11-20", blocked_every: int = 3, probes: bool = True) -> list[str]:
    """Add ``sites`` sites with one finished inspection each; return their codes.

    With ``probes``, each site also gets a clean week of homepage probes (24 a day before
    as-of), so its availability indicators are checked and its card can become final.
    """
    checks = {entry.id: True for entry in load_rules().all}
    shot = store.put_blob(screenshot or tiny_png(), "image/png")
    codes = []
    for n in range(sites):
        code = site_code(n + 1)
        host = f"www.site{n + 1}.gov.cn"
        store.upsert_site({"code": code, "region": REGIONS[n % len(REGIONS)],
                           "name": f"第{n + 1}示范市人民政府网站", "type": "门户网站",
                           "url": f"http://{host}/"})
        inspection = store.create_inspection({
            "site": code, "as_of": as_of, "started_at": f"{as_of}T02:00:00+00:00",
            "status": "done", "checks": checks, "stats": {"findings": findings_per_site}})
        findings = []
        for k in range(findings_per_site):
            blocked = blocked_every and k % blocked_every == blocked_every - 1
            url = f"http://{host}/xxgk/page-{k}.html"
            findings.append({
                "id": f"f{n + 1}x{k}", "site": code, "indicator": "availability.links",
                "kind": "blocked_link" if blocked else "broken_link",
                "rule": "home" if k % 2 == 0 else "other", "url": url,
                "page": f"http://{host}/",
                "detail": ("首页" if k % 2 == 0 else "页面") + f"链接「政务公开第{k}条」不可用："
                          + ("疑似防护墙拦截，需人工复核" if blocked else "HTTP 404"),
                "needs_review": bool(blocked),
                "evidence": {"anchor_text": f"政务公开第{k}条", "tag": "a", "link_kind": "page",
                             "external": False, "error_type": "域内链接不可用",
                             "status": 412 if blocked else 404,
                             "status_text": "412" if blocked else "404",
                             "error": "waf_challenge" if blocked else "http_404",
                             "checked_at": f"{as_of}T02:10:00+00:00",
                             "page_title": f"第{n + 1}示范市人民政府", "pages": [f"http://{host}/"],
                             "screenshot": shot},
            })
        store.replace_findings(inspection, findings)
        if probes:
            end = datetime.fromisoformat(f"{as_of}T12:00:00+08:00")
            store.insert_many("probes", [
                {"site": code, "url": f"http://{host}/", "ok": True, "status": 200,
                 "elapsed_ms": 120, "error": None,
                 "time": (end - timedelta(hours=h)).isoformat()} for h in range(24 * 7)])
        codes.append(code)
    return codes
