"""Is the homepage reachable over IPv6 (IPv6改造, checklist-2019 ``design.ipv6``)?

The homepage's host is looked up for IPv6 addresses (AAAA records, ``getaddrinfo`` with
``AF_INET6``); the first address the inspection's address policy allows (browser/netpolicy.py:
no intranet address the site has no claim to) is connected to over TCP and asked for the page
with a plain HTTP GET. Ready: an HTTP answer came back over IPv6 (any status: the server
answered). Not ready: no AAAA record, or no connection, or no answer. A host written as an IPv4
address cannot be looked up at all: unchecked, with the reason. An IPv6 literal (``[::1]``) is
checked by connecting to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from xunjian.base import config

#: The reason an IPv4-literal host leaves ``design.ipv6`` unchecked (DESIGN: IP-literal hosts).
IP_LITERAL = "IP地址访问，无法检查IPv6"


def _literal(host: str):
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def _result(result: str, detail: str, url: str, **evidence) -> dict:
    return {"result": result, "detail": detail, "url": url, "evidence": evidence}


async def _aaaa(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, family=socket.AF_INET6,
                                       type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    found = [info[4][0] for info in infos]
    # an IPv4-mapped answer (::ffff:a.b.c.d) is IPv4 underneath: not an IPv6 address
    return [a for a in dict.fromkeys(found) if not getattr(_literal(a), "ipv4_mapped", None)]


async def _http_get(address: str, port: int, host: str, path: str, secure: bool,
                    timeout: float) -> tuple[bool, int | None, str | None]:
    """(connected, HTTP status, error) of one GET to ``address`` over IPv6."""
    context = None
    if secure:  # reachability, not the certificate (a bad certificate is another finding)
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(
            address, port, family=socket.AF_INET6, ssl=context,
            server_hostname=host if secure else None), timeout)
    except (OSError, TimeoutError, ssl.SSLError) as exc:
        return False, None, f"{type(exc).__name__}: {exc}"[:300]
    try:
        netloc = f"[{host}]" if ":" in host else host
        default = 443 if secure else 80
        netloc += "" if port == default else f":{port}"
        writer.write((f"GET {path} HTTP/1.1\r\nHost: {netloc}\r\n"
                      f"User-Agent: {config.current().user_agent}\r\nAccept: text/html,*/*\r\n"
                      "Connection: close\r\n\r\n").encode("latin-1", "replace"))
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), timeout)
    except (OSError, TimeoutError, ssl.SSLError) as exc:
        return True, None, f"{type(exc).__name__}: {exc}"[:300]
    finally:
        with contextlib.suppress(Exception):
            writer.close()
    parts = line.decode("latin-1", "replace").split()
    if len(parts) >= 2 and parts[0].startswith("HTTP/") and parts[1].isdigit():
        return True, int(parts[1]), None
    return True, None, "没有HTTP应答"


async def ipv6_check(url: str, policy=None, timeout: float | None = None) -> dict:
    """``{"result": "ready" | "not_ready" | "unchecked", "detail", "url", "evidence"}`` for the
    host of ``url``. ``policy``: the inspection's AddressPolicy (None: nothing judged)."""
    timeout = config.current().link_timeout if timeout is None else timeout
    parts = urlsplit(url)
    host = parts.hostname or ""
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    literal = _literal(host)
    if literal is not None and literal.version == 4:
        return _result("unchecked", IP_LITERAL, url, host=host)
    addresses = [str(literal)] if literal is not None else await _aaaa(host, port)
    if not addresses:
        return _result("not_ready", f"网站域名{host}没有IPv6地址（AAAA记录），不支持IPv6访问", url,
                       host=host, addresses=[], connected=False, http_status=None, error=None)
    allowed = addresses
    if policy is not None:
        try:
            allowed = policy.pick(url, addresses)
        except Exception as exc:  # noqa: BLE001 - AddressRefused: the public cannot reach it
            return _result("not_ready", f"网站域名{host}的IPv6地址为内网地址，公众无法通过IPv6访问",
                           url, host=host, addresses=addresses, connected=False,
                           http_status=None, error=str(exc))
    connected, status, error = await _http_get(allowed[0], port, host, path, secure, timeout)
    facts = {"host": host, "addresses": addresses, "address": allowed[0],
             "connected": connected, "http_status": status, "error": error}
    if status is not None:
        return _result("ready", f"首页可通过IPv6访问（{allowed[0]}，HTTP {status}）", url, **facts)
    if not connected:
        return _result("not_ready", f"网站有IPv6地址{allowed[0]}，但无法通过IPv6连接（{error}）",
                       url, **facts)
    return _result("not_ready", f"通过IPv6连接到{allowed[0]}后首页没有应答（{error}）", url,
                   **facts)
