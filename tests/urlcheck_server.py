"""A misbehaving local web site for the link checker tests (127.0.0.1 only, random ports).

Runs aiohttp.web plus two raw TCP servers in a background thread and records what it saw:
request counts per (method, path), the peak number of concurrent requests, bytes streamed.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import socket
import ssl
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

HTML = "text/html; charset=utf-8"
LONG_ARTICLE = (
    "<html><head><title>关于做好2024年政府网站年度报表工作的通知</title></head><body>"
    "<h1>关于做好2024年政府网站年度报表工作的通知</h1>"
    + "<p>各区人民政府、市政府各部门：为进一步加强政府网站建设管理，现将有关事项通知如下。</p>" * 80
    + "<p>检查中发现个别网站存在链接返回404的情况，请各单位及时整改。</p>"
    + "<p>请各单位高度重视，认真组织实施，确保各项工作落到实处。</p>" * 40
    + "</body></html>"
)
SOFT404 = ("<html><head><title>提示信息</title></head>"
           "<body><p>抱歉，您访问的页面不存在！</p></body></html>")
RUISHU = (
    "<html><head><meta id=\"9DhefwqGPrzGxEp9hPaoag\" content=\"x\">"
    "<script type=\"text/javascript\" r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={};"
    "$_ts.nsd=45871;$_ts.cd=\"qqrHr\";</script></head><body></body></html>"
)
SAFEDOG = (
    "<html><head><title>网站防火墙</title></head><body>"
    "<p>您的请求带有不合法参数，已被网站管理员设置拦截！</p>"
    "<p>可能原因：您提交的内容包含危险的攻击请求</p>"
    "<a href=\"http://www.safedog.cn\">safedog</a>"
    "</body></html>"
)


class LocalSite:
    def __init__(self) -> None:
        self.hits: Counter[tuple[str, str]] = Counter()
        self.inflight = 0
        self.max_inflight = 0
        self.starts: list[float] = []
        self.streamed = 0
        self.base = ""
        self.raw_base = ""
        self.tls_base = ""
        self.closed_port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self._raw: asyncio.AbstractServer | None = None
        self._tmp = tempfile.TemporaryDirectory()

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> LocalSite:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        with socket.socket() as sock:  # a port with nothing listening
            sock.bind(("127.0.0.1", 0))
            self.closed_port = sock.getsockname()[1]
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(15)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._tmp.cleanup()

    def reset_counters(self) -> None:
        self.hits.clear()
        self.max_inflight = 0
        self.starts.clear()
        self.streamed = 0

    async def _start(self) -> None:
        app = web.Application()
        app.middlewares.append(self._record)
        app.router.add_route("*", "/{path:.*}", self._dispatch)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1)
        await self._runner.setup()
        site = web.SockSite(self._runner, _listen())
        await site.start()
        self.base = f"http://127.0.0.1:{site._sock.getsockname()[1]}"  # type: ignore[attr-defined]
        tls_sock = _listen()
        await web.SockSite(self._runner, tls_sock, ssl_context=self._tls_context()).start()
        self.tls_base = f"https://127.0.0.1:{tls_sock.getsockname()[1]}"
        self._raw = await asyncio.start_server(self._raw_handler, sock=_listen())
        self.raw_base = f"http://127.0.0.1:{self._raw.sockets[0].getsockname()[1]}"

    async def _stop(self) -> None:
        if self._raw is not None:
            self._raw.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def _tls_context(self) -> ssl.SSLContext:
        cert, key = _self_signed(Path(self._tmp.name))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        return context

    # -- handlers ---------------------------------------------------------------------------

    @web.middleware
    async def _record(self, request: web.Request, handler):  # type: ignore[no-untyped-def]
        self.hits[(request.method, request.path)] += 1
        self.starts.append(time.monotonic())
        if not request.path.startswith("/concurrent/"):
            return await handler(request)
        # concurrency is measured on /concurrent/ only: other tests leave slow handlers behind
        self.inflight += 1
        self.max_inflight = max(self.max_inflight, self.inflight)
        try:
            return await handler(request)
        finally:
            self.inflight -= 1

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path, method = request.path, request.method
        if path == "/ok":
            return _html("<html><head><title>首页</title></head><body>欢迎访问</body></html>")
        if path == "/missing":
            return _html("<html><body>Not here</body></html>", 404)
        if path == "/error":
            return _html("<html><body>oops</body></html>", 500)
        if path == "/soft404":
            return _html(SOFT404)
        if path == "/article":
            return _html(LONG_ARTICLE)
        if path == "/gbk":
            body = SOFT404.replace("提示信息", "温馨提示").encode("gbk")
            return web.Response(body=body, headers={"Content-Type": "text/html"})
        if path == "/files/report.pdf":
            return _pdf()
        if path == "/files/head405.pdf":
            return web.Response(status=405) if method == "HEAD" else _pdf()
        if path == "/files/gone.pdf":
            return _html("<html><body>no file</body></html>", 404)
        if path == "/files/headreset.pdf":
            if method == "HEAD":
                return _abort(request)
            return _pdf()
        if path == "/files/html.pdf":
            return _html(SOFT404)
        if path.startswith("/chain/"):
            hops = int(path.rsplit("/", 1)[1])
            if hops == 0:
                return _html("<html><head><title>目标页</title></head><body>到达</body></html>")
            # one hop uses a relative Location
            location = str(hops - 1) if hops == 2 else f"/chain/{hops - 1}"
            raise web.HTTPFound(location)
        if path == "/loop/a":
            raise web.HTTPFound("/loop/b")
        if path == "/loop/b":
            raise web.HTTPFound("/loop/a")
        if path == "/to404":
            raise web.HTTPMovedPermanently("/missing")
        if path == "/cookie-check":
            if request.cookies.get("visited"):
                return _html("<html><body>有Cookie的正常页面</body></html>")
            response = web.HTTPFound("/cookie-check")
            response.set_cookie("visited", "1")
            raise response
        if path == "/slow":
            await asyncio.sleep(3)
            return _html("<html><body>late</body></html>")
        if path == "/reset":
            return _abort(request)
        if path == "/reset-mid":
            response = web.StreamResponse(
                headers={"Content-Type": HTML, "Content-Length": "100000"}
            )
            await response.prepare(request)
            await response.write(b"<html><body>" + b"x" * 1000)
            await asyncio.sleep(0.05)
            assert request.transport is not None
            request.transport.abort()
            return response
        if path in ("/huge", "/download"):
            return await self._stream(request, HTML if path == "/huge" else "application/zip")
        if path == "/ruishu":
            return _html(RUISHU, 412)
        if path == "/safedog":
            return _html(SAFEDOG, 403)
        if path == "/forbidden":
            return web.Response(status=403, text="Forbidden")
        if path == "/ratelimit":
            return web.Response(status=429, text="Too Many Requests")
        if path == "/unavailable":
            return _html("<html><body>Service Unavailable</body></html>", 503)
        if path == "/jsl":
            response = _html("<html><script>document.cookie='__jsl_clearance=1';</script></html>",
                             521)
            response.set_cookie("__jsluid_h", "abc")
            return response
        if path.startswith("/concurrent/") or path.startswith("/count/"):
            await asyncio.sleep(0.2 if path.startswith("/concurrent/") else 0.05)
            return _html("<html><body>ok</body></html>")
        return _html("<html><body>unknown</body></html>", 404)

    async def _stream(self, request: web.Request, content_type: str) -> web.StreamResponse:
        """200 MB, generated on the fly; stops when the client goes away."""
        response = web.StreamResponse(headers={"Content-Type": content_type})
        await response.prepare(request)
        chunk = b"<p>" + "很长的正文内容".encode() * 3000 + b"</p>"
        try:
            while self.streamed < 200 * 1024 * 1024:
                await response.write(chunk)
                self.streamed += len(chunk)
        except (ConnectionError, RuntimeError):
            pass
        return response

    async def _raw_handler(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Answers without any HTTP status line or headers, then hangs up."""
        await reader.readuntil(b"\r\n\r\n")
        self.hits[("RAW", "/")] += 1
        writer.write(b"hello, no headers here\n")
        await writer.drain()
        writer.close()


def _listen() -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(status=status, body=text.encode("utf-8"), headers={"Content-Type": HTML})


def _pdf() -> web.Response:
    body = b"%PDF-1.4\n" + b"0" * 2048
    return web.Response(body=body, headers={"Content-Type": "application/pdf"})


def _abort(request: web.Request) -> web.Response:
    assert request.transport is not None
    request.transport.abort()
    return web.Response(status=200)


def _self_signed(directory: Path) -> tuple[str, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ))
    return str(cert_path), str(key_path)


class LoopbackResolver(AbstractResolver):
    """Resolves "localhost" only; any other name fails as an unknown name would, so DNS
    failures are simulated and no query leaves the machine. ``asked`` lists the names seen."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        self.asked.append(host)
        if host != "localhost":
            raise OSError(socket.EAI_NONAME, "Name or service not known")
        return [ResolveResult(hostname=host, host="127.0.0.1", port=port,
                              family=socket.AF_INET, proto=0, flags=0)]

    async def close(self) -> None:
        return None
