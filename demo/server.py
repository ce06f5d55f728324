"""A small government website with known defects, served on 127.0.0.1.

It is the demo that ``xunjian demo`` inspects and the fixture the tests inspect. Besides the
static pages in ``demo/site`` it behaves the way real government sites misbehave:

- ``/gbk/…``            GBK bytes, ``Content-Type: text/html`` with no charset and no <meta>
- ``/xxgk/old-notice.html``  200 with an error page (a soft 404)
- ``/loop/a`` ↔ ``/loop/b``   a redirect loop
- ``/slow/…``           answers after ``slow_seconds`` (longer than the link timeout)
- ``/hudong/…``         an anti-bot wall: 412 and a challenge script that never lets you in
- ``/calendar?date=…``  an endless event calendar (a crawler trap)
- ``/status/502``       any status code asked for (a gateway in trouble, …)
- anything missing      a real 404 with a Chinese error page
Pages may use ``{{ALT_HOST}}`` (the same server under the name ``localhost``, i.e. an external
site that works) and ``{{CLOSED_PORT}}`` (a port where nothing listens).
"""

from __future__ import annotations

import mimetypes
import socket
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

ROOT = Path(__file__).parent / "site"

NOT_FOUND = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>404 页面不存在</title></head>
<body><h1>404</h1><p>抱歉，您访问的页面不存在或已被删除。</p>
<a href="/">返回首页</a></body></html>"""

SOFT_404 = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>提示信息</title></head>
<body><div style="margin:80px auto;width:420px;text-align:center"><h2>您访问的页面不存在</h2>
<p>该信息可能已被删除或已过期。</p><a href="/">返回首页</a></div></body></html>"""

CHALLENGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title></title>
<script>var $_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={};$_ts.nsd=81234;$_ts.cd="qEcdrAk";
</script><script>/* a challenge that never completes */</script></head><body></body></html>"""


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DemoHandler(BaseHTTPRequestHandler):
    server: DemoServer
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # keep test output clean; the server records hits
        pass

    def do_HEAD(self):
        self._serve(head=True)

    def do_GET(self):
        self._serve(head=False)

    def _send(self, status: int, body: bytes, content_type: str, head: bool,
              headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _serve(self, head: bool) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        self.server.hits.append((self.command, path))
        html = "text/html; charset=utf-8"
        if path.startswith("/loop/"):
            target = "/loop/b" if path == "/loop/a" else "/loop/a"
            return self._send(302, b"", html, head, {"Location": target})
        if path.startswith("/slow/"):
            time.sleep(self.server.slow_seconds)
            return self._send(200, b"<html><body>ok</body></html>", html, head)
        if path.startswith("/hudong/"):
            return self._send(412, CHALLENGE.encode(), html, head,
                              {"Set-Cookie": "FSSBBIl1UgzbN7N80S=abc; path=/"})
        if path.startswith("/status/") and path[8:].isdigit():  # a server answering any status
            code = int(path[8:])
            page = f"<html><head><title>{code}</title></head><body><h1>{code} 服务器错误</h1>"
            return self._send(code, (page + "</body></html>").encode(), html, head)
        if path == "/xxgk/old-notice.html":
            return self._send(200, SOFT_404.encode(), html, head)
        if path == "/calendar":
            day = date.fromisoformat(parse_qs(parts.query).get("date", ["2026-11-01"])[0])
            nxt, prev = day + timedelta(days=1), day - timedelta(days=1)
            body = (f'<html><head><meta charset="utf-8"><title>政务日历 {day}</title></head><body>'
                    f'<h2>{day} 无活动安排</h2><a href="/calendar?date={prev}">前一天</a> '
                    f'<a href="/calendar?date={nxt}">后一天</a></body></html>')
            return self._send(200, body.encode(), html, head)
        root = self.server.root
        file = (root / path.lstrip("/")).resolve()
        if file.is_dir():
            file = file / "index.html"
        if root.resolve() not in file.parents or not file.is_file():
            return self._send(404, NOT_FOUND.encode(), html, head)
        data = file.read_bytes()
        ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if file.suffix == ".html":
            text = data.decode("utf-8")
            text = text.replace("{{ALT_HOST}}", self.server.alt_host)
            text = text.replace("{{CLOSED_PORT}}", str(self.server.closed_port))
            if path.startswith("/gbk/"):  # GBK, no charset anywhere: the browser must guess
                return self._send(200, text.encode("gbk"), "text/html", head)
            data, ctype = text.encode("utf-8"), html
        elif ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
            ctype += "; charset=utf-8"
        return self._send(200, data, ctype, head)


class DemoServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host: str = "127.0.0.1", port: int = 0, slow_seconds: float = 8.0,
                 root: Path | None = None):
        super().__init__((host, port), DemoHandler)
        self.root = Path(root) if root is not None else ROOT  # tests serve their own sites
        self.slow_seconds = slow_seconds
        self.closed_port = free_port()
        self.hits: list[tuple[str, str]] = []
        self._thread: threading.Thread | None = None

    def handle_error(self, request, client_address):
        """A checker that hangs up early (HEAD, timeouts) is normal here, not an error."""

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def alt_host(self) -> str:
        return f"localhost:{self.port}"

    def start(self) -> DemoServer:
        self._thread = threading.Thread(target=self.serve_forever, name="demo-site", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def __enter__(self) -> DemoServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def registry_rows(self, code: str = "9999000001") -> tuple[str, str]:
        """The census forms (附件3, 附件4) for this demo site, as CSV text."""
        sites = (
            "网站标识码,部门/地区,网站名称,网站类型,ICP备案编号,首页网址,网站主管单位,办公地址,"
            "负责人姓名,负责人职务,负责人办公电话,负责人手机,负责人电子邮箱,"
            "联系人姓名,联系人办公电话,联系人手机,联系人电子邮箱\n"
            f"{code},演示省清河市,清河市人民政府门户网站,门户网站,京ICP备00000000号,{self.url},"
            "清河市人民政府办公室,清河市人民路1号,张三,副主任,010-12345678,13800000000,"
            "zhangsan@qinghe.gov.cn,李四,010-12345679,13900000000,lisi@qinghe.gov.cn\n"
        )
        base = self.url.rstrip("/")
        columns = (
            "网站标识码,内容类别,栏目类型,栏目(系统)名称,栏目(系统)地址\n"
            f"{code},信息公开类,通知公告,通知公告,{base}/xxgk/tzgg/index.html\n"
            f"{code},信息公开类,政策文件,政策文件,{base}/gbk/tzgg.html\n"
            f"{code},互动回应类,互动访谈类栏目,在线访谈,{base}/hudong/zxft.html\n"
        )
        return sites, columns

    def write_registry(self, folder: Path, code: str = "9999000001") -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        sites, columns = self.registry_rows(code)
        paths = [folder / "sites.csv", folder / "columns.csv"]
        paths[0].write_text(sites, encoding="utf-8-sig")
        paths[1].write_text(columns, encoding="utf-8-sig")
        return paths


def main() -> None:  # python -m demo.server [port]
    import sys

    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8000
    server = DemoServer(port=port)
    print(f"demo government site on {server.url} (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.server_close()


if __name__ == "__main__":
    main()
