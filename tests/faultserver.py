"""A homepage that fails on purpose, on 127.0.0.1: hang, redirect loop, connection reset, 500,
503, a self-signed certificate, or a page that streams forever (``stream``). Every other path
answers 404 (the site's columns live on a healthy server of their own, as a registered column
would). Mode ``huge`` serves a healthy homepage whose links lead to a 50 MB page
(``/big.html``) and to a page that never ends (``/endless.html``).

    with FaultServer("reset") as server:
        server.url        # http://127.0.0.1:PORT/
        server.home_hits  # how many times the homepage was asked for

Plain sockets, one thread per connection, so a fault is exactly what the browser meets: no
answer at all, an RST, an endless chain of 302s, an error page, a TLS handshake it must refuse.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import struct
import threading
from pathlib import Path

MODES = ("hang", "loop", "reset", "500", "503", "tls", "stream", "huge")
BIG = 50 * 1024 * 1024

ERROR_PAGE = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>{code} 服务暂时不可用"
              "</title></head><body style='font-family:sans-serif'><h1>{code}</h1>"
              "<p>服务器繁忙，请稍后再试。Service Unavailable</p></body></html>")
HOME_PAGE = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>测试县人民政府</title>"
             "</head><body><h1>测试县人民政府</h1><div class='list-item'><a href='/a.html'>"
             "工作动态</a><span>2026-11-18</span></div></body></html>")


def self_signed(folder: Path) -> tuple[Path, Path] | None:
    """A throwaway self-signed certificate for 127.0.0.1 (None without `cryptography`)."""
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        return None
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class FaultServer:
    def __init__(self, mode: str, cert: tuple[Path, Path] | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        if mode == "tls" and cert is None:
            raise ValueError("tls needs a certificate (self_signed())")
        self.mode = mode
        self.home_hits = 0
        self._stop = threading.Event()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._sock.settimeout(0.2)
        self._tls = None
        if mode == "tls":
            self._tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._tls.load_cert_chain(*map(str, cert))
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        scheme = "https" if self.mode == "tls" else "http"
        return f"{scheme}://127.0.0.1:{self._sock.getsockname()[1]}/"

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(10)
            if self._tls is not None:
                try:
                    conn = self._tls.wrap_socket(conn, server_side=True)
                except (ssl.SSLError, OSError):
                    return  # the browser refused the certificate, as it should
            data = b""
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                data += chunk
            path = data.split(b" ", 2)[1].decode("latin-1") if data.count(b" ") >= 2 else "/"
            if self.mode == "huge" and path in ("/big.html", "/endless.html"):
                self._big(conn, endless=path == "/endless.html", head=data.startswith(b"HEAD"))
                return
            if path.split("?")[0] not in ("/", "/index.html"):
                self._send(conn, 404, "<h1>404</h1>")
                return
            with self._lock:
                self.home_hits += 1
                hit = self.home_hits
            self._fault(conn, hit)
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def _fault(self, conn: socket.socket, hit: int) -> None:
        if self.mode == "hang":
            self._stop.wait(120)  # read the request, never answer
        elif self.mode == "reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif self.mode == "loop":
            conn.sendall(f"HTTP/1.1 302 Found\r\nLocation: /?r={hit}\r\nContent-Length: 0\r\n"
                         "Connection: close\r\n\r\n".encode())
        elif self.mode in ("500", "503"):
            self._send(conn, int(self.mode), ERROR_PAGE.format(code=self.mode))
        elif self.mode == "stream":
            self._big(conn, endless=True)
        elif self.mode == "huge":
            self._send(conn, 200, HOME_PAGE.replace(
                "</body>", "<p><a href='/big.html'>统计年鉴全文</a> "
                           "<a href='/endless.html'>实时公告</a></p></body>"))
        else:
            self._send(conn, 200, HOME_PAGE)

    def _big(self, conn: socket.socket, endless: bool, head: bool = False) -> None:
        """A 50 MB page sent as fast as the reader takes it, or a page that never ends."""
        start = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>公告</title></head>"
                 "<body>").encode()
        length = "" if endless else f"Content-Length: {BIG}\r\n"
        conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n{length}"
                     "Connection: close\r\n\r\n".encode())
        if head:
            return
        conn.sendall(start)
        line = b"<p>" + b"x" * 1017 + b"</p>\n"  # 1 KiB
        sent = len(start)
        while not self._stop.is_set() and (endless or sent < BIG):
            chunk = line * (1 if endless else 1024)
            if not endless:
                chunk = chunk[: BIG - sent]
            conn.sendall(chunk)
            sent += len(chunk)
            if endless:
                self._stop.wait(0.2)

    @staticmethod
    def _send(conn: socket.socket, status: int, html: str) -> None:
        body = html.encode("utf-8")
        conn.sendall(f"HTTP/1.1 {status} X\r\nContent-Type: text/html; charset=utf-8\r\n"
                     f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
