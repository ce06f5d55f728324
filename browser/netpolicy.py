"""Which addresses the inspection may fetch: one policy, decided on every hop.

A hacked site can point the crawler at the network it runs in (a census server sits inside a
government network): a redirect, an iframe, a script's ``location=``, a link. So every request
made for an inspection — Scrapy's plain pages and their redirects, every request of the browser
(navigations, redirect hops, frames, pictures, scripts), the link check, the download check, the
probes, the evidence and review screenshots — is judged here on the address it will connect to:

* an address that is public (globally routable) is fetched;
* an *internal* address — loopback (127/8, ::1), private (RFC 1918, fc00::/7), link-local
  (169.254/16, fe80::/10, which holds the cloud metadata service 169.254.169.254), CGNAT
  (100.64/10), unspecified, multicast, reserved, fd00:ec2::254 and the name
  ``metadata.google.internal`` — is fetched only when it is one of the *exact* addresses a
  registered origin of the site resolves to (its 首页网址's host or a registered column's host),
  or lies in a network the operator allows (``XUNJIAN_ALLOW_NETWORKS=10.0.0.0/8,…``).

The exact address, not its network: a site served from 10.1.2.3 inside a government network
vouches for that machine, not for its neighbours (the database beside it in 10.1.2.0/24).

A name is resolved once and the connection goes to the address judged (aiohttp: ``connector``;
the browser: ``PolicyProxy``, a local forward proxy every browser request goes through, so a
redirect hop or a name that resolves again to another address — DNS rebinding — gains nothing;
Scrapy's plain pages: ``ScrapyAddressGuard`` judges before the request and checks the peer
actually connected before the answer is used).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from xunjian.base import config

#: What a refused address is called in findings and page errors.
INTRANET_REASON = "intranet"
METADATA_NAMES = frozenset({"metadata.google.internal", "metadata.goog", "metadata"})
METADATA_ADDRESSES = frozenset({ipaddress.ip_address("169.254.169.254"),
                                ipaddress.ip_address("fd00:ec2::254")})
_CGNAT = ipaddress.ip_network("100.64.0.0/10")



class AddressRefused(Exception):
    """An internal address the site has no claim to: not fetched. ``str()`` says why, for
    people (it becomes the page's or the link's error)."""

    def __init__(self, url: str, address: str | None, kind: str):
        self.url, self.address, self.kind = url, address, kind
        where = f"{address}（{kind}）" if address else kind
        super().__init__(f"打不开：内网地址，未访问（{where}不是本站登记的地址，公众无法访问）")


def address_kind(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Which internal class an address is in (Chinese, for people), or None when public."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES:
        return "云元数据地址"
    if ip.is_loopback:
        return "本机回环地址"
    if ip.is_unspecified:
        return "未指定地址"
    if ip.is_link_local:
        return "链路本地地址"
    if ip.is_multicast:
        return "组播地址"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "运营商级NAT地址"
    if ip.is_private:
        return "内网地址"
    if not ip.is_global or ip.is_reserved:
        return "保留地址"
    return None


def parse_networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """``10.0.0.0/8,192.168.1.5`` → networks; a bad entry is a one-line ValueError."""
    out = []
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            out.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"XUNJIAN_ALLOW_NETWORKS: {part!r} is not a network "
                             "(write e.g. 10.0.0.0/8,192.168.1.0/24)") from None
    return out


def _ip(text: str):
    try:
        return ipaddress.ip_address(text.split("%", 1)[0].strip("[]"))
    except ValueError:
        return None


def _resolve_now(host: str) -> set:
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return set()
    return {ip for ip in (_ip(info[4][0]) for info in infos) if ip is not None}


@dataclass
class Refusal:
    url: str
    address: str | None
    kind: str
    referrer: str | None = None  # the page (or frame) that asked for it, when the browser says
    at: float = field(default_factory=time.time)


class AddressPolicy:
    """The addresses one site's inspection may connect to (see the module's docstring).

    ``origins``: the site's registered URLs (首页网址, registered columns); their hosts are
    resolved once, here. ``allow``: networks the operator allows (default: the settings'
    ``XUNJIAN_ALLOW_NETWORKS``, base/config.py). ``refused`` keeps what was refused, to be
    recorded."""

    def __init__(self, origins: Iterable[str] = (), allow: str | None = None,
                 resolve=_resolve_now):
        if allow is None:
            allow = config.current().allow_networks
        self.networks = parse_networks(allow)
        self._own: set | None = None  # resolved once, when an internal address needs it
        self._resolver = resolve
        self.own_names: set[str] = set()
        self.add_origins(origins)
        self.refused: list[Refusal] = []
        self._resolved: dict[str, list[str]] = {}  # name → addresses, resolved once

    def add_origins(self, urls: Iterable[str]) -> None:
        """More registered URLs whose hosts' addresses are the site's own (the probes' one
        browser photographs many sites: each one's own addresses)."""
        for url in urls:
            host = (urlsplit((url or "").strip()).hostname or "").lower()
            if host and host not in self.own_names:
                self.own_names.add(host)
                self._own = None

    @property
    def own(self) -> set:
        """The addresses the site's registered hosts resolve to (resolved once)."""
        if self._own is None:
            own: set = set()
            for host in sorted(self.own_names):
                ip = _ip(host)
                own.update({ip} if ip is not None else self._resolver(host))
            self._own = own
        return self._own

    @classmethod
    def for_site(cls, store, site: dict, allow: str | None = None) -> AddressPolicy:
        """The policy of a stored site: its 首页网址 and its registered (not discovered)
        columns, online systems included."""
        urls = [site.get("url") or ""]
        try:
            urls += [c.get("url") or "" for c in store.columns(site["code"])
                     if c.get("source") != "discovered"]
        except Exception:  # noqa: BLE001 - no columns readable: the homepage alone
            pass
        return cls(urls, allow)

    def why_not(self, ip) -> str | None:
        """None when ``ip`` may be connected to, else the class that refuses it."""
        if isinstance(ip, str):
            ip = _ip(ip)
            if ip is None:
                return "无效地址"
        kind = address_kind(ip)
        if kind is None:
            return None
        plain = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped \
            else ip
        if plain in self.own or ip in self.own:
            return None
        if any(plain.version == n.version and plain in n for n in self.networks):
            return None
        return kind

    def check_literal(self, url: str) -> None:
        """Judge what can be judged without DNS (an address written in the URL, the metadata
        service's names); raises AddressRefused. The fetch itself judges the rest."""
        host = urlsplit(url).hostname or ""
        kind = self.name_refused(host)
        if kind:
            raise self.refuse(url, None, kind)
        if _ip(host) is not None:
            self.pick(url, [str(_ip(host))])

    def name_refused(self, host: str) -> str | None:
        """A name refused before it is resolved (the metadata service's names)."""
        host = (host or "").lower().rstrip(".")
        if host in METADATA_NAMES and host not in self.own_names:
            return "云元数据地址"
        return None

    def pick(self, url: str, addresses: Iterable[str]) -> list[str]:
        """The addresses of ``url``'s host that may be connected to, in order; raises
        AddressRefused (and records it) when none may."""
        host = urlsplit(url).hostname or ""
        kind = self.name_refused(host)
        if kind:
            raise self.refuse(url, None, kind)
        ok, first = [], None
        for address in addresses:
            why = self.why_not(address)
            if why is None:
                ok.append(address)
            elif first is None:
                first = (address, why)
        if not ok:
            address, why = first or (None, "无法解析")
            raise self.refuse(url, address, why)
        return ok

    def refuse(self, url: str, address: str | None, kind: str,
               referrer: str | None = None) -> AddressRefused:
        self.refused.append(Refusal(url, address, kind, referrer))
        return AddressRefused(url, address, kind)

    async def resolve(self, url: str, port: int | None = None,
                      referrer: str | None = None) -> list[str]:
        """Resolve ``url``'s host once (in a thread) and pick the addresses allowed."""
        try:
            return await self._resolve(url, port)
        except AddressRefused:
            if referrer:
                self.refused[-1].referrer = referrer
            raise

    async def _resolve(self, url: str, port: int | None) -> list[str]:
        parts = urlsplit(url)
        host = parts.hostname or ""
        kind = self.name_refused(host)
        if kind:
            raise self.refuse(url, None, kind)
        if _ip(host) is not None:
            return self.pick(url, [str(_ip(host))])
        port = port or parts.port or (443 if parts.scheme in ("https", "wss") else 80)
        found = self._resolved.get(host.lower())
        if found is None:  # a name is resolved once per inspection: its judged addresses stay
            loop = asyncio.get_running_loop()
            try:
                infos = await loop.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
            except (OSError, UnicodeError):
                return []  # not resolvable: the fetch fails on its own, as it would anyway
            found = self._resolved[host.lower()] = list(dict.fromkeys(i[4][0] for i in infos))
        return self.pick(url, found)

    def was_refused(self, url: str | None) -> Refusal | None:
        """The refusal recorded for ``url`` (a page whose navigation was refused), if any."""
        if not url:
            return None
        want = url.split("#", 1)[0].rstrip("/")
        for refusal in reversed(self.refused):
            if refusal.url.split("#", 1)[0].rstrip("/") == want:
                return refusal
        return None

    def refused_by(self, pages: Iterable[str], since: int = 0) -> list[dict]:
        """What the browser was refused for these pages (a page and its frames: the requests
        they sent, by their Referer — a whole URL, or only the origin for a request to another
        origin) since ``len(policy.refused) == since``, as facts to store with the page."""
        want = set()
        for u in pages:
            if u:
                parts = urlsplit(u)
                want.update({u.split("#", 1)[0], f"{parts.scheme}://{parts.netloc}/"})
        out, seen = [], set()
        for r in self.refused[since:]:
            if (r.referrer or "").split("#", 1)[0] in want and r.url not in seen:
                seen.add(r.url)
                out.append({"url": r.url, "address": r.address, "kind": r.kind,
                            "reason": INTRANET_REASON, "detail": str(AddressRefused(
                                r.url, r.address, r.kind))})
        return out

    def refused_after(self, mark: int) -> AddressRefused | None:
        """The first navigation refused after ``len(policy.refused) == mark`` (a redirect hop:
        no page asked for it), to say why a browser navigation was aborted."""
        for r in self.refused[mark:]:
            if not r.referrer:
                return AddressRefused(r.url, r.address, r.kind)
        return None


# -- aiohttp: resolve once, connect only to an address judged --------------------------------

def connector(policy, **kwargs):
    """An aiohttp TCPConnector that connects only to addresses ``policy`` allows (None: no
    policy, for callers that check no site's links; a callable: the policy of the request
    being made, e.g. a context variable's). IP literals are judged too (aiohttp does not ask a
    resolver for them)."""
    import aiohttp

    if policy is None:
        return aiohttp.TCPConnector(**kwargs)

    class _Guarded(aiohttp.TCPConnector):
        async def _resolve_host(self, host, port, traces=None):
            hosts = await super()._resolve_host(host, port, traces=traces)
            current = policy() if callable(policy) else policy
            if current is None:
                return hosts
            allowed = set(current.pick(f"http://{_bracket(host)}:{port}/",
                                      [h["host"] for h in hosts]))
            return [h for h in hosts if h["host"] in allowed]

    return _Guarded(**kwargs)


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


# -- the browser: a local forward proxy judging every request --------------------------------

class PolicyProxy:
    """A forward HTTP proxy on 127.0.0.1 for one browser context: every request the browser
    makes (redirect hops and frames included) comes here, its host is resolved once, judged by
    the policy and connected to that address; a refused one is answered 403 and recorded."""

    def __init__(self, policy, connect_timeout: float = 15.0):
        self._policy = policy  # an AddressPolicy, or a callable giving the current one
        self._strict = None
        self.connect_timeout = connect_timeout
        self._server: asyncio.base_events.Server | None = None
        self.port = 0
        self._tasks: set[asyncio.Task] = set()

    @property
    def policy(self) -> AddressPolicy:
        policy = self._policy() if callable(self._policy) else self._policy
        if policy is None:  # no site known yet: nothing internal at all
            self._strict = self._strict or AddressPolicy()
            policy = self._strict
        return policy

    @property
    def server(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def context_options(self) -> dict:
        """``proxy=`` for ``browser.new_context``: loopback too goes through the proxy."""
        return {"proxy": {"server": self.server, "bypass": "<-loopback>"}}

    async def start(self) -> PolicyProxy:
        if self._server is None:
            self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0,
                                                      limit=256 * 1024)
            self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for task in list(self._tasks):
            task.cancel()

    async def _serve(self, reader, writer) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await self._one(reader, writer)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            if task is not None:
                self._tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def _one(self, reader, writer) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ", 2)
        headers = [x for x in lines[1:] if x]
        referrer = next((h.split(":", 1)[1].strip() for h in headers
                         if h.lower().startswith("referer:")), None)
        if method.upper() == "CONNECT":
            host, _, port = target.rpartition(":")
            url = f"https://{host}:{port}/"
            port = int(port)
            path_line = None
        else:
            parts = urlsplit(target)
            if parts.scheme not in ("http", "ws") or not parts.hostname:
                raise ValueError("not a proxy request")
            url = target
            host, port = parts.hostname, parts.port or 80
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            path_line = f"{method} {path} {version}"
        try:
            addresses = await self.policy.resolve(url, port, referrer)
        except AddressRefused as refused:
            # 204: a navigation to it does not happen (the page stays where it was), a frame
            # or a picture stays empty; the refusal is recorded on the policy
            writer.write(b"HTTP/1.1 204 No Content\r\nX-Xunjian-Refused: intranet\r\n"
                         b"Content-Length: 0\r\nConnection: close\r\n\r\n")
            await writer.drain()
            return
        if not addresses:
            return await _net_error(writer, "ERR_NAME_NOT_RESOLVED")
        try:
            up_reader, up_writer = await asyncio.wait_for(
                asyncio.open_connection(addresses[0], port), self.connect_timeout)
        except (OSError, TimeoutError) as exc:
            return await _net_error(writer, _NET_ERRORS.get(type(exc), "ERR_CONNECTION_FAILED"))
        try:
            if path_line is None:
                writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                await writer.drain()
            else:
                keep = [h for h in headers if h.split(":", 1)[0].strip().lower() not in
                        ("proxy-connection", "proxy-authorization", "connection",
                         "keep-alive")]
                upgrade = any(h.lower().startswith("upgrade:") for h in headers)
                keep.append("Connection: upgrade" if upgrade else "Connection: close")
                up_writer.write(("\r\n".join([path_line, *keep]) + "\r\n\r\n").encode("latin-1"))
                await up_writer.drain()
            await _pipe_both(reader, writer, up_reader, up_writer)
        finally:
            with contextlib.suppress(Exception):
                up_writer.close()


#: Connection errors as Chromium names them: a page the proxy could not reach fails as it
#: would have without the proxy (``NET_ERROR_HEADER``, read by the spider and the Renderer).
_NET_ERRORS = {ConnectionRefusedError: "ERR_CONNECTION_REFUSED", TimeoutError:
               "ERR_CONNECTION_TIMED_OUT", ConnectionResetError: "ERR_CONNECTION_RESET"}
NET_ERROR_HEADER = "x-xunjian-net-error"


async def _net_error(writer, code: str) -> None:
    writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n"
                 + f"X-Xunjian-Net-Error: {code}\r\n\r\n".encode())
    await writer.drain()


def net_error(headers, url: str) -> str | None:
    """The browser's error for a page the proxy could not connect to (its 502 says which),
    worded as Chromium words it: ``net::ERR_CONNECTION_REFUSED at URL``."""
    code = None
    try:
        code = headers.get(NET_ERROR_HEADER) or headers.get(NET_ERROR_HEADER.encode())
    except Exception:  # noqa: BLE001 - no headers
        return None
    if isinstance(code, (bytes, bytearray)):
        code = code.decode("latin-1")
    if isinstance(code, list):
        code = code[0].decode("latin-1") if code and isinstance(code[0], bytes) else None
    return f"Page.goto: net::{code} at {url}" if code else None


async def _pipe(reader, writer, answer: bool = False) -> None:
    sent = 0
    try:
        while True:
            chunk = await reader.read(64 * 1024)
            if not chunk:
                break
            writer.write(chunk)
            sent += len(chunk)
            await writer.drain()
    except ConnectionResetError:
        if answer and not sent:  # the server reset the connection: the browser says so
            with contextlib.suppress(Exception):
                await _net_error(writer, "ERR_CONNECTION_RESET")
        elif answer:
            _reset(writer)
        return
    except (OSError, asyncio.CancelledError):
        pass
    with contextlib.suppress(Exception):
        if writer.can_write_eof():
            writer.write_eof()


def _reset(writer) -> None:
    """Close with a reset (SO_LINGER 0), as the server did."""
    with contextlib.suppress(Exception):
        import struct

        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()


async def _pipe_both(reader, writer, up_reader, up_writer) -> None:
    upstream = asyncio.ensure_future(_pipe(reader, up_writer))
    try:
        await _pipe(up_reader, writer, answer=True)  # the answer ends when the server closes
    finally:
        upstream.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await upstream


# -- Scrapy's plain requests -----------------------------------------------------------------

class ScrapyAddressGuard:
    """Downloader middleware: every Scrapy request (a redirect hop is a new request through
    here) is judged before it is sent — an IP literal as it is, a name as it resolves now —
    and every answer is checked against the peer actually connected (``response.ip_address``:
    a name that resolved again elsewhere gains nothing). Refused: the request fails with
    AddressRefused (IgnoreRequest), its errback stores why. The spider sets ``address_policy``;
    without one nothing is judged."""

    @staticmethod
    def _policy(spider) -> AddressPolicy | None:
        return getattr(spider, "address_policy", None)

    async def process_request(self, request, spider=None):
        policy = self._policy(spider or getattr(self, "spider", None))
        if policy is None or not request.url.startswith(("http://", "https://")):
            return None
        request.meta.setdefault("refused_mark", len(policy.refused))
        try:
            await policy.resolve(request.url)
        except AddressRefused as refused:
            raise _ignored(refused) from None
        return None

    def process_response(self, request, response, spider=None):
        policy = self._policy(spider or getattr(self, "spider", None))
        error = net_error(response.headers, request.url) if request.meta.get("playwright") \
            else None
        if error is not None:  # the browser's proxy could not connect: the page did not open
            from scrapy.exceptions import IgnoreRequest

            raise IgnoreRequest(f"Error: {error}")
        peer = getattr(response, "ip_address", None)
        if policy is None or peer is None or request.meta.get("playwright"):
            return response
        why = policy.why_not(str(peer))
        if why is not None:
            raise _ignored(policy.refuse(response.url, str(peer), why))
        return response

    @classmethod
    def from_crawler(cls, crawler):
        guard = cls()
        crawler.signals.connect(guard._opened, signal=_spider_opened())
        return guard

    def _opened(self, spider):
        self.spider = spider


def _spider_opened():
    from scrapy import signals

    return signals.spider_opened


def _ignored(refused: AddressRefused):
    from scrapy.exceptions import IgnoreRequest

    class Refused(IgnoreRequest):
        pass

    Refused.__name__ = Refused.__qualname__ = "AddressRefused"
    error = Refused(str(refused))
    error.refusal = refused
    return error
