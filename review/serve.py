"""Serving the reviewers' web app with waitress, a production WSGI server (pure Python, so it
runs wherever xunjian runs, Windows included).

HTTPS is the reverse proxy's job (nginx, Caddy …): the app listens on 127.0.0.1 and, with
``behind_proxy``, trusts one proxy's ``X-Forwarded-For/-Proto/-Host/-Prefix`` headers
(werkzeug's ProxyFix) so that it sees the visitor's address (sign-in throttling), knows the
request came over HTTPS (secure cookies, redirects) and builds URLs under the proxy's prefix.
Never turn it on when the app is reachable without the proxy: anyone could then claim any address.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask


def wsgi_app(app: Flask, behind_proxy: bool = False) -> Callable:
    if not behind_proxy:
        return app
    from werkzeug.middleware.proxy_fix import ProxyFix

    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_prefix=1)
    return app


def make_server(app: Flask, host: str, port: int, threads: int = 8,
                behind_proxy: bool = False):
    """A waitress server, bound but not yet serving (``.run()`` serves until closed)."""
    from waitress.server import create_server

    return create_server(wsgi_app(app, behind_proxy), host=host, port=port, threads=threads,
                         ident="xunjian", clear_untrusted_proxy_headers=not behind_proxy,
                         max_request_body_size=app.config.get("MAX_CONTENT_LENGTH") or 1 << 30)
