"""Page response times of the reviewers' web app on a large embedded store.

Builds (or reuses, with --store) an embedded store of N sites × M findings with review.sample,
then times requests through Flask's test client (in process: rendering + store reads, no
network). Prints p50/p95 per page and writes bench/out/review_bench.json.

    .venv/bin/python bench/review_bench.py                      # 1,000 sites × 100 findings
    .venv/bin/python bench/review_bench.py --sites 50 --findings 20 --requests 10
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xunjian.review.app import create_app  # noqa: E402
from xunjian.review.sample import seed, site_code  # noqa: E402
from xunjian.review.users import add_user  # noqa: E402
from xunjian.storage import EmbeddedStore  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed(client, method: str, path: str, **kwargs) -> tuple[float, int]:
    start = time.perf_counter()
    resp = getattr(client, method)(path, **kwargs)
    resp.get_data()
    return (time.perf_counter() - start) * 1000, resp.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--findings", type=int, default=100, help="findings per site")
    parser.add_argument("--requests", type=int, default=40, help="timed requests per page")
    parser.add_argument("--store", help="store folder (reused when it already has the sites)")
    args = parser.parse_args()

    folder = Path(args.store) if args.store else Path(tempfile.mkdtemp(prefix="review-bench-"))
    store = EmbeddedStore(folder)
    started = time.perf_counter()
    if len(store.list_sites()) < args.sites:
        seed(store, sites=args.sites, findings_per_site=args.findings, probes=False)
    seeded = time.perf_counter() - started
    total_findings = store.count("findings")
    add_user(store, "bench", "reviewer", "bench-password")
    app = create_app(store, secret_key="bench")
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"name": "bench", "password": "bench-password",
                                "csrf_token": csrf})
    # a new session has a new token; the site page computes one card only
    page = client.get(f"/site/{site_code(1)}").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]

    results: dict[str, dict] = {}
    cold_ms, status = timed(client, "get", "/")
    assert status == 200, status
    results["site list, first visit ever (computes every site's card)"] = {
        "ms": round(cold_ms, 1)}
    restarted = create_app(store, secret_key="bench").test_client()
    with restarted.session_transaction() as sess:
        sess.update(user="bench", since=time.time())
    restart_ms, status = timed(restarted, "get", "/")
    assert status == 200, status
    results["site list, first visit after a restart"] = {"ms": round(restart_ms, 1)}

    codes = [site_code(n + 1) for n in range(args.sites)]
    shot = store.findings(store.latest_inspection(codes[0])["id"])[0]["evidence"]["screenshot"]
    n = args.requests

    def finding_path(i: int) -> str:
        k = i % len(codes)
        return f"/site/{codes[k]}/finding/f{k + 1}x{i % args.findings}"

    pages = {
        "site list": lambda i: ("get", "/", {}),
        "site list, filtered (region + pending)": lambda i: (
            "get", "/?region=广东&pending=yes", {}),
        "site page": lambda i: ("get", f"/site/{codes[i * 7 % len(codes)]}", {}),
        "review queue": lambda i: ("get", f"/queue?i={i}", {}),
        "finding page": lambda i: ("get", finding_path(i), {}),
        "card.json": lambda i: ("get", f"/site/{codes[i * 3 % len(codes)]}/card.json", {}),
        "card.xlsx": lambda i: ("get", f"/site/{codes[i * 5 % len(codes)]}/card.xlsx", {}),
        "screenshot": lambda i: ("get", f"/blob/{shot}", {}),
        "verdict (POST + redirect)": lambda i: (
            "post", f"/site/{codes[i % len(codes)]}/finding/f{i % len(codes) + 1}x0/verdict",
            {"data": {"verdict": "confirmed", "csrf_token": csrf}}),
        "review queue after verdicts": lambda i: ("get", f"/queue?i={i}", {}),
    }
    for name, make in pages.items():
        times = []
        for i in range(n):
            method, path, kwargs = make(i)
            ms, status = timed(client, method, path, **kwargs)
            assert status in (200, 302), (path, status)
            times.append(ms)
        results[name] = {"p50_ms": round(statistics.median(times), 1),
                         "p95_ms": round(pct(times, 0.95), 1), "requests": n}

    report = {"sites": args.sites, "findings": total_findings, "seed_seconds": round(seeded, 1),
              "store": str(folder), "pages": results}
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "review_bench.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"{args.sites} sites, {total_findings} findings (seeded in {seeded:.0f} s)")
    for name, r in results.items():
        figures = (f"{r['ms']} ms" if "ms" in r
                   else f"p50 {r['p50_ms']} ms   p95 {r['p95_ms']} ms")
        print(f"  {name:58s} {figures}")
    store.close()


if __name__ == "__main__":
    main()
