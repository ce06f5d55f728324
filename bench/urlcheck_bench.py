"""Benchmark: xunjian's urlcheck vs LinkChecker on a generated local site (127.0.0.1 only).

    .venv/bin/python bench/urlcheck_bench.py            # ~1-2 minutes, results in bench/out/

The site (served by aiohttp in its own process) has an index, hub pages and ≥ 5,000 distinct
target links: articles, attachments, images, redirect chains, ~5 % broken (404, soft 404, 500,
redirect to 404, redirect loops, missing attachments) and a few slow or hanging pages.
Both checkers get the same URLs (index + hubs + targets) and the same 3 s timeout; each runs in
its own process so its peak RSS can be measured.  Everything stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
LINKCHECKER = ROOT / ".venv" / "bin" / "linkchecker"
SERVER_LIFETIME = 600  # seconds; the server exits by itself even if the parent dies
HANG_SECONDS = 8
SLOW_SECONDS = 1.0

# ---------------------------------------------------------------------------------------------
# the site: target i → (path, broken by design?)

ARTICLE_BODY = (
    "<p>为深入贯彻落实党中央、国务院关于政府网站建设的决策部署，进一步提升政务公开水平。</p>" * 25
)


def target(i: int) -> tuple[str, bool]:
    """Path of target link i and whether a correct checker must call it broken."""
    if i % 1000 == 750:
        return f"/hang/{i}.html", True  # answers after 8 s: timeout
    if i % 500 == 250:
        return f"/slow/{i}.html", False  # answers after 1 s
    slot = i % 200
    if slot < 4:
        return f"/missing/{i}.html", True  # 404
    if slot < 6:
        return f"/gone/{i}.html", True  # soft 404
    if slot == 6:
        return f"/err/{i}.html", True  # 500
    if slot == 7:
        return f"/moved/{i}", True  # 301 → 404
    if slot == 8:
        return f"/loop/{i}/a", True  # a → b → a
    if slot == 9:
        return f"/nofile/{i}.pdf", True  # attachment 404
    if slot < 30:
        return f"/files/{i}.pdf", False
    if slot < 38:
        return f"/img/{i}.png", False
    if slot < 46:
        return f"/go/{i}", False  # 302 → 302 → article
    return f"/news/{i}.html", False


def page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head>"
            "<body><div class=\"nav\">首页 | 政务公开 | 政务服务 | 互动交流</div>"
            f"{body}</body></html>")


def serve(port_file: Path, hubs: int, per_hub: int) -> None:
    from aiohttp import web

    headers = {"LinkChecker": "allow"}  # lifts LinkChecker's default 10 requests/s per host
    pdf = b"%PDF-1.4\n" + b"0" * 20_000
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 2_000

    def html(text: str, status: int = 200) -> web.Response:
        return web.Response(text=text, status=status, content_type="text/html", charset="utf-8",
                            headers=headers)

    def redirect(location: str, status: int = 302) -> web.Response:
        return web.Response(status=status, headers={**headers, "Location": location})

    async def handle(request: web.Request) -> web.StreamResponse:
        path = request.path
        parts = path.strip("/").split("/")
        if path == "/":
            links = "".join(f'<li><a href="/hub/{h}.html">栏目{h}</a></li>' for h in range(hubs))
            return html(page("基准测试网站首页", f"<ul>{links}</ul>"))
        if parts[0] == "hub":
            h = int(parts[1].split(".")[0])
            items = range(h * per_hub, (h + 1) * per_hub)
            links = "".join(f'<li><a href="{target(i)[0]}">信息{i}</a></li>' for i in items)
            return html(page(f"栏目{h}", f"<ul>{links}</ul>"))
        if parts[0] == "news":
            n = parts[1].split(".")[0]
            # every tenth article mentions 404 in its text: it must stay "ok"
            trap = "<p>整改前该栏目曾有链接返回404错误。</p>" if n.endswith("7") else ""
            return html(page(f"新闻{n}", ARTICLE_BODY + trap))
        if parts[0] in ("files", "img"):
            body, mime = (pdf, "application/pdf") if parts[0] == "files" else (png, "image/png")
            return web.Response(body=body, content_type=mime, headers=headers)
        if parts[0] == "go":
            if len(parts) == 2:
                return redirect(f"/go/{parts[1]}/step")
            return redirect(f"/news/r{parts[1]}.html")
        if parts[0] == "gone":
            return html(page("提示", "<p>抱歉，您访问的页面不存在或已被删除！</p>"))
        if parts[0] == "err":
            return html(page("错误", "<p>Internal Server Error</p>"), 500)
        if parts[0] == "moved":
            return redirect(f"/missing/m{parts[1]}.html", 301)
        if parts[0] == "loop":
            return redirect(f"/loop/{parts[1]}/{'b' if parts[2] == 'a' else 'a'}")
        if parts[0] in ("slow", "hang"):
            await asyncio.sleep(SLOW_SECONDS if parts[0] == "slow" else HANG_SECONDS)
            return html(page("慢页面", ARTICLE_BODY))
        return html(page("404 Not Found", "<h1>404 Not Found</h1>"), 404)

    async def main() -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        port_file.write_text(str(runner.addresses[0][1]))
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        try:
            await asyncio.wait_for(stop.wait(), SERVER_LIFETIME)
        except TimeoutError:
            pass
        await runner.cleanup()

    asyncio.run(main())


# ---------------------------------------------------------------------------------------------
# our checker (child process)


def run_ours(url_file: Path, out_file: Path, per_host: int, total: int, timeout: float) -> None:
    from xunjian.urlcheck import CheckConfig, LinkChecker

    urls = url_file.read_text().split()
    config = CheckConfig(timeout=timeout, connect_timeout=timeout, per_host=per_host, total=total)

    async def check_all() -> dict[str, dict[str, Any]]:
        async with LinkChecker(config) as checker:
            results = await checker.check_many(urls)
        return {url: result.to_dict() for url, result in results.items()}

    started = time.monotonic()
    results = asyncio.run(check_all())
    wall = time.monotonic() - started
    out_file.write_text(json.dumps({"wall": wall, "results": results}, ensure_ascii=False))


# ---------------------------------------------------------------------------------------------
# driver


def clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(NO_PROXY="*", no_proxy="*", HOME=str(home), XDG_CONFIG_HOME=str(home),
               XDG_DATA_HOME=str(home), PYTHONDONTWRITEBYTECODE="1")
    return env


def run_measured(
    cmd: list[str], env: dict[str, str], limit: float, log: Path, stdout: Path | None = None
) -> tuple[float, int, int]:
    """Run a child to completion (killed after ``limit`` s): (wall s, peak RSS KiB, exit code)."""
    started = time.monotonic()
    with log.open("wb") as stderr, (stdout or Path(os.devnull)).open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=stderr)
        deadline = started + limit
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.monotonic() - started, usage.ru_maxrss, proc.returncode


def linkchecker_results(csv_path: Path) -> dict[str, bool]:
    """Link → valid, from LinkChecker's CSV output.

    Columns are read by position (its header lists columns that rows may omit; the ones used
    come first): 0 the link as written, 1 the referring page, 6 valid.  Column 7 is the URL
    after redirects, so the link is resolved against its parent instead.
    """
    lines = [ln for ln in csv_path.read_text(encoding="utf-8").splitlines(keepends=True)
             if not ln.startswith("#")]
    valid: dict[str, bool] = {}
    for row in list(csv.reader(lines, delimiter=";"))[1:]:
        if len(row) > 7:
            link = urljoin(row[1], row[0]) if row[1] else row[0]
            valid[link] = valid.get(link, True) and row[6] == "True"
    return valid


def write_linkcheckerrc() -> Path:
    path = OUT / "linkcheckerrc"
    path.write_text("[checking]\nmaxrequestspersecond=10000\nrobotstxt=0\n"
                    "[filtering]\ncheckextern=0\n")
    return path


def measure_ours(
    args: argparse.Namespace, per_host: int, total: int, url_file: Path,
    expected_broken: set[str], env: dict[str, str],
) -> dict[str, Any]:
    ours_out = OUT / f"ours-{per_host}.json"
    ours_out.unlink(missing_ok=True)
    cmd = [sys.executable, __file__, "--ours", str(url_file), str(ours_out),
           "--per-host", str(per_host), "--total", str(total), "--timeout", str(args.timeout)]
    wall, rss, code = run_measured(cmd, env, 300, OUT / "ours.stderr")
    data = json.loads(ours_out.read_text())
    results = data["results"]
    broken = {u for u, r in results.items() if r["outcome"] == "broken"}
    return {
        "config": f"per_host={per_host}, total={total}",
        # wall = the whole process (start-up included), like LinkChecker's; check_s = check_many
        "checked": len(results), "wall_s": round(wall, 2), "check_s": round(data["wall"], 2),
        "links_per_s": round(len(results) / wall, 1),
        "broken": len(broken), "peak_rss_mb": round(rss / 1024, 1), "exit": code,
        "reasons": dict(Counter(r["reason"] for r in results.values()).most_common()),
        "methods": dict(Counter(r["method"] for r in results.values())),
        "missed": sorted(expected_broken - broken)[:10],
        "false_broken": sorted(broken - expected_broken)[:10],
    }


def compare(args: argparse.Namespace, base: str, env: dict[str, str], per_hub: int) -> dict:
    targets = [target(i) for i in range(args.hubs * per_hub)]
    urls = [f"{base}/"] + [f"{base}/hub/{h}.html" for h in range(args.hubs)]
    urls += [base + path for path, _ in targets]
    expected_broken = {base + path for path, broken in targets if broken}
    url_file = OUT / "urls.txt"
    url_file.write_text("\n".join(urls))
    report: dict[str, Any] = {"links": len(urls), "expected_broken": len(expected_broken),
                              "timeout_s": args.timeout, "cpus": os.cpu_count()}

    report["ours"] = measure_ours(args, args.per_host, args.total, url_file, expected_broken, env)
    # the same run at the library's default politeness (4 concurrent requests per host)
    report["ours_default"] = measure_ours(args, 4, args.total, url_file, expected_broken, env)
    if args.skip_linkchecker:
        return report

    csv_path = OUT / "linkchecker.csv"
    csv_path.unlink(missing_ok=True)
    cmd = [str(LINKCHECKER), "--no-robots", "--no-status", "-r", "2", "-t", str(args.threads),
           "--timeout", str(max(1, round(args.timeout))), "--verbose", "-o", "csv/utf-8",
           "-f", str(write_linkcheckerrc()), f"{base}/"]
    # run as root, LinkChecker drops privileges to "nobody": its CSV goes to stdout, not a file
    wall, rss, code = run_measured(cmd, env, 600, OUT / "linkchecker.stderr", csv_path)
    valid = linkchecker_results(csv_path) if csv_path.exists() else {}
    lc_broken = {u for u, ok in valid.items() if not ok}
    report["linkchecker"] = {
        "config": f"threads={args.threads}, recursion level 2, maxrequestspersecond=10000",
        "checked": len(valid), "wall_s": round(wall, 2),
        "links_per_s": round(len(valid) / wall, 1) if wall else 0.0,
        "broken": len(lc_broken), "peak_rss_mb": round(rss / 1024, 1), "exit": code,
        "missed_by_kind": dict(Counter(u.split("/")[3] for u in expected_broken - lc_broken)),
        "false_broken": sorted(lc_broken - expected_broken)[:10],
        "not_checked": len(set(urls) - set(valid)),
    }
    return report


def print_table(report: dict) -> None:
    print(f"\n{report['links']} distinct links, {report['expected_broken']} broken by design, "
          f"timeout {report['timeout_s']} s, {report['cpus']} CPUs")
    print(f"{'checker':<14}{'checked':>8}{'wall s':>9}{'links/s':>9}{'broken':>8}"
          f"{'RSS MB':>8}  config")
    for name in ("ours", "ours_default", "linkchecker"):
        row = report.get(name)
        if row:
            print(f"{name:<14}{row['checked']:>8}{row['wall_s']:>9}{row['links_per_s']:>9}"
                  f"{row['broken']:>8}{row['peak_rss_mb']:>8}  {row['config']}")
    print(f"results: {OUT / 'results.json'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=5100, help="distinct target links")
    parser.add_argument("--hubs", type=int, default=10)
    parser.add_argument("--per-host", type=int, default=64)
    parser.add_argument("--total", type=int, default=64)
    parser.add_argument("--threads", type=int, default=32, help="LinkChecker threads")
    parser.add_argument("--timeout", type=float, default=3.0)
    parser.add_argument("--skip-linkchecker", action="store_true")
    parser.add_argument("--serve", nargs=3, metavar=("PORT_FILE", "HUBS", "PER_HUB"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--ours", nargs=2, metavar=("URL_FILE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.serve:
        serve(Path(args.serve[0]), int(args.serve[1]), int(args.serve[2]))
        return
    if args.ours:
        run_ours(Path(args.ours[0]), Path(args.ours[1]), args.per_host, args.total, args.timeout)
        return

    OUT.mkdir(parents=True, exist_ok=True)
    home = OUT / "home"
    home.mkdir(exist_ok=True)
    env = clean_env(home)
    per_hub = -(-args.links // args.hubs)
    port_file = OUT / "port"
    port_file.unlink(missing_ok=True)
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port_file),
                               str(args.hubs), str(per_hub)], env=env)
    try:
        for _ in range(200):
            if port_file.exists() and port_file.read_text():
                break
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port_file.read_text()}"
        report = compare(args, base, env, per_hub)
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
    (OUT / "results.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print_table(report)


if __name__ == "__main__":
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4096 if hard == resource.RLIM_INFINITY else min(4096, hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))
    main()
