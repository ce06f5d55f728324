"""The reviewers' web app: Flask, server-rendered Jinja2 pages, no front-end build step.

Everything needs a signed-in user; admin pages need the admin role. Every form carries a CSRF
token (Flask-WTF). Sessions are signed cookies that expire after ``session_minutes`` idle and
``max_session_hours`` in all, and carry the user's session version: signing out, a new password
or role, or disabling the account bumps it, which voids every cookie issued before. The signing
secret is kept outside the store (``session_secret``). Screenshots are served by blob id (sha256
hex only).

``create_app`` only builds the app: its configuration, the shared state (``shared.Review``), the
security headers and error pages, and one blueprint per feature (``review/views/``); what the
pages share (the signed-in user, throttling, safe redirects, the session secret) is
``review/shared.py``.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from flask import Flask, Response, g, render_template
from flask_wtf.csrf import CSRFError, CSRFProtect

from xunjian.base.clock import ZONE_NOTE, beijing
from xunjian.inspection.rechecks import RECHECKABLE, RESULT_LABELS
from xunjian.inspectors.attachment_text import figures_text
from xunjian.reports.census import CensusCache
from xunjian.reports.text import score_text, verdict_text
from xunjian.scoring.history import LABELS as CHANGE_LABELS
from xunjian.scoring.history import carried_text, change_text, changes_summary
from xunjian.scoring.review import awaiting_text

from . import data
from .evidence import evidence_rows
from .shared import (
    MAX_UPLOAD,
    Review,
    SecretError,  # noqa: F401 - what `xunjian review serve` reports
    load_user,
    session_secret,
    web_url,
)
from .users import ROLE_NAMES
from .views import BLUEPRINTS

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
ERROR_MESSAGES = {400: "请求有误。", 401: "请先登录。", 403: "没有权限。",
                  404: "找不到该页面或记录。", 413: "上传的文件过大（最大 10 MB）。"}


def create_app(store, session_minutes: int = 120, max_session_hours: int = 12,
               secret_key: str | None = None, secure_cookies: bool = False,
               screenshooter=data.take_screenshot, warm_up: bool = False,
               rechecker=None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key or session_secret(store),
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=session_minutes),
        SESSION_REFRESH_EACH_REQUEST=True,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies,
        SESSION_COOKIE_NAME="xunjian_review",
        MAX_CONTENT_LENGTH=MAX_UPLOAD + 64 * 1024,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session, which expires
        WTF_CSRF_SSL_STRICT=False,
    )
    CSRFProtect(app)
    summaries = data.Summaries(store)
    app.extensions["xunjian_review"] = Review(
        store=store, summaries=summaries, census=CensusCache(store),
        screenshooter=screenshooter, max_age=max_session_hours * 3600)
    app.extensions["xunjian_store"] = store
    app.extensions["xunjian_summaries"] = summaries
    # 复查 (review/views/recheck.py): None runs inspection/recheck.py; tests may pass their own
    app.extensions["xunjian_rechecker"] = rechecker
    if warm_up:  # compute site summaries now rather than on the first visit to the site list
        threading.Thread(target=summaries.all, name="review-warm-up", daemon=True).start()

    app.add_template_filter(pts, "pts")
    app.add_template_filter(beijing, "bj")
    app.context_processor(helpers)
    app.before_request(load_user)
    app.after_request(headers)
    app.register_error_handler(CSRFError, csrf_error)
    for code in ERROR_MESSAGES:
        app.register_error_handler(code, http_error)
    app.add_url_rule("/favicon.ico", "favicon", favicon, methods=["GET"])
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    return app


def pts(value):
    return "—" if value is None else f"{value:g}"


def helpers():
    return {"user": g.get("user"), "REVIEW": data.REVIEW_LABELS, "ROLE_NAMES": ROLE_NAMES,
            "RECHECKABLE": RECHECKABLE, "RECHECK": RESULT_LABELS,
            "indicator_name": data.indicator_name, "rule_text": data.rule_text,
            "web_url": web_url, "verdict_text": verdict_text, "score_text": score_text,
            "change_text": change_text, "carried_text": carried_text,
            "changes_summary": changes_summary, "ZONE_NOTE": ZONE_NOTE,
            "awaiting_text": awaiting_text, "evidence_rows": evidence_rows,
            "CHANGE_LABELS": CHANGE_LABELS,
            # the table the app scores by (XUNJIAN_RULES); a page may ask for the other one
            "default_rules": data.rules().name, "rules_title": lambda n: data.rules(n).title,
            "attachments_text": figures_text}


def headers(resp: Response) -> Response:
    resp.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["X-Frame-Options"] = "DENY"
    resp.headers["Referrer-Policy"] = "no-referrer"
    if "Cache-Control" not in resp.headers:
        resp.headers["Cache-Control"] = "no-store"
    return resp


def csrf_error(exc):
    message = "表单已失效（CSRF 校验失败），请刷新页面后重试。"
    return render_template("error.html", message=message), 400


def http_error(exc):
    message = ERROR_MESSAGES.get(exc.code, "出错了。")
    return render_template("error.html", message=message), exc.code


def favicon():
    return Response(status=204)
