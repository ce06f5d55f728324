"""The reviewers' web app: Flask, server-rendered Jinja2 pages, no front-end build step.

Everything needs a signed-in user; admin pages need the admin role. Every form carries a CSRF
token (Flask-WTF). Sessions are signed cookies that expire after ``session_minutes`` idle and
``max_session_hours`` in all, and carry the user's session version: signing out, a new password
or role, or disabling the account bumps it, which voids every cookie issued before. The signing
secret is kept outside the store (``session_secret``). Screenshots are served by blob id (sha256
hex only).
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import threading
import time
import unicodedata
from datetime import datetime, timedelta
from functools import wraps
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import (
    Flask,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError, CSRFProtect

from xunjian.base.config import current
from xunjian.reports.census import CensusCache
from xunjian.reports.text import score_text, verdict_text
from xunjian.reports.xlsx import card_workbook
from xunjian.scoring import SHANGHAI

from . import data
from .users import (
    ROLE_NAMES,
    ROLES,
    UserError,
    add_user,
    authenticate,
    end_sessions,
    get_user,
    list_users,
    session_version,
    set_active,
)

CONFIG = "review_config"
BLOB_RE = re.compile(r"^[0-9a-f]{64}$")
CODE_RE = re.compile(r"^[\w.-]{1,64}$")
FINDING_RE = re.compile(r"^[\w.:-]{1,128}$")
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
MAX_UPLOAD = 10 * 1024 * 1024
MAX_REASON = 500
#: Sign-in throttling, per (user name, client address) pair: the first THROTTLE_FREE failures
#: cost nothing, then each further one makes that pair wait THROTTLE_FIRST_DELAY seconds,
#: doubling, at most THROTTLE_MAX_DELAY. Nobody can keep a user out from another address.
THROTTLE_FREE = 5
THROTTLE_FIRST_DELAY = 30.0
THROTTLE_MAX_DELAY = 900.0
THROTTLE_PAIRS = 100_000  # pairs remembered at most (the oldest are forgotten first)


class Throttle:
    """Failed sign-ins per (name, address) pair, in memory: growing delays, never a lock."""

    def __init__(self) -> None:
        self._failures: dict[tuple[str, str], tuple[int, float]] = {}  # → (count, last failure)
        self._lock = threading.Lock()

    @staticmethod
    def _delay(count: int) -> float:
        if count < THROTTLE_FREE:
            return 0.0
        return min(THROTTLE_MAX_DELAY, THROTTLE_FIRST_DELAY * 2 ** (count - THROTTLE_FREE))

    def wait(self, name: str, addr: str) -> float:
        """Seconds this pair must wait before its next try (0: it may try now)."""
        with self._lock:
            count, last = self._failures.get((name, addr), (0, 0.0))
        return max(0.0, last + self._delay(count) - time.time())

    def fail(self, name: str, addr: str) -> None:
        now = time.time()
        with self._lock:
            count, last = self._failures.pop((name, addr), (0, 0.0))
            if now - last > 2 * THROTTLE_MAX_DELAY:
                count = 0  # a long-quiet pair starts over
            self._failures[(name, addr)] = (count + 1, now)
            while len(self._failures) > THROTTLE_PAIRS:
                del self._failures[next(iter(self._failures))]

    def clear(self, name: str, addr: str) -> None:
        with self._lock:
            self._failures.pop((name, addr), None)


def safe_next(value: str | None) -> str | None:
    """``value`` when it is a path of this site, else None: after decoding it starts with one
    ``/`` not followed by ``/`` or ``\\``, has no scheme or host, and no whitespace, control or
    format character anywhere (a browser drops those, so ``/\t/evil`` would become ``//evil``)."""
    if not value or len(value) > 2000:
        return None
    decoded = unquote(value)
    for text in (value, decoded):
        if any(unicodedata.category(ch)[0] in "CZ" for ch in text):  # controls, spaces
            return None
        if not text.startswith("/") or text[1:2] in ("/", "\\") or "\\" in text:
            return None
        parts = urlsplit(text)
        if parts.scheme or parts.netloc:
            return None
    return value


#: The session signing secret's file: beside an embedded store's folder (never inside it: who
#: can read the store must not be able to sign an admin session), else in the user's config.
SECRET_FILE = "review-secret"


class SecretError(RuntimeError):
    """The session secret can be neither read nor made; the message says where and what to do."""


def _secret_path(store) -> Path:
    root = getattr(store, "root", None)
    if root is not None:
        root = Path(root)
        return root.parent / f"{root.name}.{SECRET_FILE}"
    config = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(config) / "xunjian" / SECRET_FILE


def session_secret(store) -> str:
    """XUNJIAN_REVIEW_SECRET, else the 0600 file of ``_secret_path`` (made on first use, so
    sessions survive a restart). A secret an older version kept in the store is dropped."""
    try:
        if store.get(CONFIG, "secret") is not None:
            store.delete(CONFIG, id="secret")
    except Exception:  # noqa: BLE001 - only tidying: it is never read again either way
        pass
    configured = current().review_secret
    if configured:
        return configured
    path = _secret_path(store)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32) + "\n")
        secret = path.read_text("utf-8").strip()
    except OSError as exc:
        raise SecretError(f"cannot keep the review app's session secret in {path}: "
                           f"{exc.strerror or exc}; set XUNJIAN_REVIEW_SECRET instead") from None
    if len(secret) < 32:
        raise SecretError(f"the session secret in {path} is too short (at least 32 characters)")
    return secret


def _image_type(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def _web_url(value: str) -> str | None:
    value = (value or "").strip()
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.netloc and len(value) <= 2000:
        return value
    return None


def create_app(store, session_minutes: int = 120, max_session_hours: int = 12,
               secret_key: str | None = None, secure_cookies: bool = False,
               screenshooter=data.take_screenshot, warm_up: bool = False) -> Flask:
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
    census = CensusCache(store)
    throttle = Throttle()
    app.extensions["xunjian_store"] = store
    app.extensions["xunjian_summaries"] = summaries
    max_age = max_session_hours * 3600
    if warm_up:  # compute site summaries now rather than on the first visit to the site list
        threading.Thread(target=summaries.all, name="review-warm-up", daemon=True).start()

    @app.template_filter("pts")
    def pts(value):
        return "—" if value is None else f"{value:g}"

    @app.template_filter("bj")
    def beijing_time(value):
        """An ISO time as Beijing time, e.g. 2026-11-20 10:10 (what reviewers read)."""
        try:
            when = datetime.fromisoformat(str(value))
        except ValueError:
            return value or ""
        if when.tzinfo is None:
            return when.strftime("%Y-%m-%d %H:%M")
        return when.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")

    @app.context_processor
    def helpers():
        return {"user": g.get("user"), "REVIEW": data.REVIEW_LABELS, "ROLE_NAMES": ROLE_NAMES,
                "indicator_name": data.indicator_name, "rule_text": data.rule_text,
                "web_url": _web_url, "verdict_text": verdict_text, "score_text": score_text}

    @app.before_request
    def load_user():
        g.user = None
        name = session.get("user")
        if name:
            started = session.get("since", 0)
            user = get_user(store, name)
            if (user is None or time.time() - started > max_age
                    or session.get("sv") != session_version(user)):
                session.clear()
            else:
                g.user = user
                session.permanent = True
        if request.endpoint in ("login", "static", "favicon"):
            return None
        if g.user is None:
            if request.method == "GET":
                return redirect(url_for("login", next=request.full_path.rstrip("?")))
            abort(401)
        return None

    @app.after_request
    def headers(resp: Response) -> Response:
        resp.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
            "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Referrer-Policy"] = "no-referrer"
        if "Cache-Control" not in resp.headers:
            resp.headers["Cache-Control"] = "no-store"
        return resp

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        message = "表单已失效（CSRF 校验失败），请刷新页面后重试。"
        return render_template("error.html", message=message), 400

    @app.errorhandler(400)
    @app.errorhandler(401)
    @app.errorhandler(403)
    @app.errorhandler(404)
    @app.errorhandler(413)
    def http_error(exc):
        messages = {400: "请求有误。", 401: "请先登录。", 403: "没有权限。",
                    404: "找不到该页面或记录。", 413: "上传的文件过大（最大 10 MB）。"}
        return render_template("error.html", message=messages.get(exc.code, "出错了。")), exc.code

    def admin_only(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if g.user is None or g.user.get("role") != "admin":
                abort(403)
            return view(*args, **kwargs)
        return wrapped

    def site_or_404(code: str) -> dict:
        if not CODE_RE.match(code):
            abort(404)
        site = store.get_site(code)
        if site is None:
            abort(404)
        return site

    def inspection_of(code: str, inspection_id: str | None) -> dict:
        if inspection_id:
            if not FINDING_RE.match(inspection_id):
                abort(404)
            inspection = store.get_inspection(inspection_id)
            if inspection is None or inspection.get("site") != code:
                abort(404)
            return inspection
        inspection = store.latest_inspection(code)
        if inspection is None:
            abort(404)
        return inspection

    @app.get("/favicon.ico")
    def favicon():
        return Response(status=204)

    # ------------------------------------------------------------------ sign in / out
    @app.route("/login", methods=["GET", "POST"])
    def login():
        nxt = safe_next(request.values.get("next", "")) or url_for("sites")
        if request.method == "POST":
            name = request.form.get("name", "").strip()[:40]
            pair = (name, request.remote_addr or "")
            wait = throttle.wait(*pair)
            if wait > 0:
                flash(f"登录失败次数过多，请 {math.ceil(wait / 60)} 分钟后再试。")
                return render_template("login.html", next=nxt), 429
            user = authenticate(store, name, request.form.get("password", ""))
            if user is None:
                throttle.fail(*pair)
            else:
                throttle.clear(*pair)
            if user:
                session.clear()
                session.permanent = True
                session.update(user=user["name"], since=time.time(),
                               sv=session_version(user))
                return redirect(nxt)
            flash("用户名或密码错误。")
            return render_template("login.html", next=nxt), 401
        return render_template("login.html", next=nxt)

    @app.post("/logout")
    def logout():
        if g.user is not None:
            end_sessions(store, g.user["name"])
        session.clear()
        return redirect(url_for("login"))

    # ------------------------------------------------------------------ site list
    @app.get("/")
    def sites():
        region = request.args.get("region", "").strip()[:50]
        verdict = request.args.get("verdict", "")
        pending = request.args.get("pending", "")
        q = request.args.get("q", "").strip()[:50]
        if verdict not in ("", "合格", "不合格", "未评分", "none"):
            verdict = ""
        if pending not in ("", "yes", "no"):
            pending = ""
        rows = summaries.all(region=region, verdict=verdict, pending=pending, q=q)
        try:
            page = max(1, int(request.args.get("page", "1")))
        except ValueError:
            page = 1
        per = 100
        pages = max(1, (len(rows) + per - 1) // per)
        page = min(page, pages)
        return render_template(
            "sites.html", rows=rows[(page - 1) * per: page * per], total=len(rows),
            page=page, pages=pages, region=region, verdict=verdict, pending=pending, q=q,
            pending_total=sum(len(r["pending"]) for r in rows))

    # ------------------------------------------------------------------ site page + exports
    @app.get("/site/<code>")
    def site(code):
        site_doc = site_or_404(code)
        inspections = store.inspections(code)
        inspection = None
        card = None
        wanted = request.args.get("inspection")
        if wanted or store.latest_inspection(code):
            inspection = inspection_of(code, wanted)
            card = data.card_of(store, inspection)
        return render_template("site.html", site=site_doc, card=card, inspection=inspection,
                               inspections=inspections, kinds=data.MANUAL_KINDS,
                               fired={v["id"]: v for v in (card or {}).get("vetoes", [])},
                               rules=data.rules())

    @app.get("/site/<code>/card.json")
    def card_json(code):
        site_or_404(code)
        card = data.card_of(store, inspection_of(code, request.args.get("inspection")))
        body = json.dumps(card, ensure_ascii=False, indent=2)
        return Response(body, mimetype="application/json", headers={
            "Content-Disposition": f"attachment; filename=card-{code}-{card['as_of']}.json"})

    @app.get("/site/<code>/card.xlsx")
    def card_xlsx(code):
        site_or_404(code)
        card = data.card_of(store, inspection_of(code, request.args.get("inspection")))
        return Response(card_workbook(card), mimetype=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), headers={
            "Content-Disposition": f"attachment; filename=card-{code}-{card['as_of']}.xlsx"})

    @app.get("/site/<code>/report.<fmt>")
    def site_report(code, fmt):
        from xunjian.reports.render import MIME, ReportError
        from xunjian.reports.site import FORMATS, build_site_report

        site_or_404(code)
        if fmt not in FORMATS:
            abort(404)
        inspection = inspection_of(code, request.args.get("inspection"))
        try:
            body = build_site_report(store, code, fmt, inspection["id"],
                                     blob_link=lambda b: url_for("blob", blob_id=b,
                                                                 _external=True))
        except ReportError as exc:
            return render_template("error.html", message=str(exc)), 500
        name = f"report-{code}-{inspection.get('as_of') or 'latest'}.{fmt}"
        return Response(body, mimetype=MIME[fmt],
                        headers={"Content-Disposition": f"attachment; filename={name}"})

    @app.get("/statistics")
    @app.get("/statistics.<fmt>")
    def statistics(fmt=None):
        from xunjian.reports.census import GROUPINGS, census_html, census_xlsx
        from xunjian.reports.render import MIME, ReportError, html_to_pdf

        as_of = request.args.get("as_of", "").strip() or None
        if as_of and not re.match(r"^\d{4}-\d{2}-\d{2}$", as_of):
            as_of = None
        by = tuple(b for b in request.args.getlist("by") if b in GROUPINGS) or None
        stats = census.stats(as_of, by or ("级别", "网站类型", "地区"))
        if fmt is None:
            return render_template("statistics.html", s=stats, as_of=as_of or "",
                                   groupings=GROUPINGS, by=by or ())
        if fmt not in ("xlsx", "pdf", "html"):
            abort(404)
        try:
            body = (census_xlsx(stats) if fmt == "xlsx" else html_to_pdf(census_html(stats))
                    if fmt == "pdf" else census_html(stats).encode("utf-8"))
        except ReportError as exc:
            return render_template("error.html", message=str(exc)), 500
        return Response(body, mimetype=MIME[fmt], headers={
            "Content-Disposition": f"attachment; filename=census-{as_of or 'latest'}.{fmt}"})

    @app.post("/site/<code>/add-finding")
    def add_finding(code):
        site_or_404(code)
        inspection = inspection_of(code, request.form.get("inspection"))
        kind = request.form.get("kind", "")
        url = _web_url(request.form.get("url", ""))
        detail = request.form.get("detail", "").strip()
        upload = request.files.get("screenshot")
        errors = []
        if kind not in data.MANUAL_KINDS:
            errors.append("请选择问题类型。")
        if url is None:
            errors.append("请填写以 http:// 或 https:// 开头的页面地址。")
        if not detail or len(detail) > 1000:
            errors.append("请填写问题说明（不超过 1000 字）。")
        blob = None
        if upload is None or not upload.filename:
            if request.form.get("shoot") != "1":
                errors.append("请上传问题页面截图（PNG 或 JPEG），或勾选“现场截图”。")
            elif not errors:
                # only the site's own pages, only addresses its policy allows (issue 24)
                refusal, policy = data.capture_refusal(store, site_or_404(code), url)
                if refusal:
                    return render_template("error.html", message=refusal), 400
                raw = screenshooter(url, policy=policy) \
                    if screenshooter is data.take_screenshot else screenshooter(url)
                if not raw or _image_type(raw) is None:
                    errors.append("无法打开该地址截图，请上传截图。")
                else:
                    blob = store.put_blob(raw, _image_type(raw))
        else:
            raw = upload.read(MAX_UPLOAD + 1)
            kind_of = _image_type(raw)
            if len(raw) > MAX_UPLOAD or kind_of is None:
                errors.append("截图须为不超过 10 MB 的 PNG 或 JPEG 图片。")
            elif not errors:
                blob = store.put_blob(raw, kind_of)
        if errors:
            for message in errors:
                flash(message)
            return redirect(url_for("site", code=code, inspection=inspection["id"]) + "#add")
        fid = data.add_manual_finding(store, inspection, kind, url, detail, g.user["name"], blob)
        flash("已添加人工发现的问题，得分已重新计算。")
        return redirect(url_for("finding", code=code, fid=fid, inspection=inspection["id"]))

    # ------------------------------------------------------------------ findings and verdicts
    @app.get("/site/<code>/finding/<fid>")
    def finding(code, fid):
        site_doc = site_or_404(code)
        if not FINDING_RE.match(fid):
            abort(404)
        inspection = inspection_of(code, request.args.get("inspection"))
        card = data.card_of(store, inspection)
        item = data.find_in_card(card, fid)
        if item is None:
            abort(404)
        return render_template("finding.html", site=site_doc, card=card, f=item,
                               inspection=inspection, history=data.history(store, code, fid),
                               position=None, total=None)

    @app.post("/site/<code>/finding/<fid>/verdict")
    def verdict(code, fid):
        site_or_404(code)
        if not FINDING_RE.match(fid):
            abort(404)
        inspection = inspection_of(code, request.form.get("inspection"))
        card = data.card_of(store, inspection)
        item = data.find_in_card(card, fid)
        if item is None:
            abort(404)
        choice = request.form.get("verdict", "")
        reason = request.form.get("reason", "").strip()
        if choice not in ("confirmed", "rejected") or len(reason) > MAX_REASON:
            abort(400)
        data.record_verdict(store, card, item, choice, g.user["name"], reason)
        if request.form.get("next") == "queue":
            args = {k: request.form.get(k, "") for k in ("region", "site", "i", "indicator")}
            return redirect(url_for("queue", **{k: v for k, v in args.items() if v}))
        flash(f"已记录：{data.REVIEW_LABELS[choice]}。")
        return redirect(url_for("finding", code=code, fid=fid, inspection=inspection["id"]))

    @app.get("/queue")
    def queue():
        region = request.args.get("region", "").strip()[:50]
        only = request.args.get("site", "").strip()
        if only and not CODE_RE.match(only):
            abort(404)
        indicator = request.args.get("indicator", "").strip()[:60]  # e.g. veto.serious_error
        items = data.queue(summaries, region=region, site=only, indicator=indicator)
        try:
            i = max(0, int(request.args.get("i", "0")))
        except ValueError:
            i = 0
        if not items:
            return render_template("queue_empty.html", region=region, site_code=only,
                                   indicator=indicator)
        i = min(i, len(items) - 1)
        code, fid = items[i]
        inspection = store.latest_inspection(code)
        card = data.card_of(store, inspection)
        item = data.find_in_card(card, fid)
        if item is None:  # changed since the summary was computed
            return redirect(url_for("queue", region=region or None, site=only or None,
                                    indicator=indicator or None))
        upcoming = []
        for c, f in items[i + 1: i + 6]:
            upcoming.append((c, f))
        return render_template(
            "finding.html", site=store.get_site(code), card=card, f=item, inspection=inspection,
            history=data.history(store, code, fid), position=i, total=len(items),
            region=region, site_code=only, upcoming=upcoming, indicator=indicator)

    # ------------------------------------------------------------------ screenshots
    @app.get("/blob/<blob_id>")
    def blob(blob_id):
        if not BLOB_RE.match(blob_id):
            abort(404)
        info = store.blob_info(blob_id)
        body = store.get_blob(blob_id) if info else None
        if body is None:
            abort(404)
        ctype = info.get("content_type") or "application/octet-stream"
        headers = {"Cache-Control": "private, max-age=86400, immutable",
                   "Content-Security-Policy": "default-src 'none'; sandbox"}
        if ctype not in IMAGE_TYPES:
            ctype = "application/octet-stream"
            headers["Content-Disposition"] = f"attachment; filename={blob_id}"
        return Response(body, mimetype=ctype, headers=headers)

    # ------------------------------------------------------------------ users (admin)
    @app.route("/users", methods=["GET", "POST"])
    @admin_only
    def users():
        if request.method == "POST":
            action = request.form.get("action", "add")
            name = request.form.get("name", "")
            try:
                if action == "add":
                    role = request.form.get("role", "")
                    created = add_user(store, name, role, request.form.get("password", ""))
                    flash(("已创建用户 " if created else "已更新用户 ") + name.strip())
                elif action in ("disable", "enable"):
                    if name == g.user["name"]:
                        raise UserError("不能停用自己的账号")
                    set_active(store, name, action == "enable")
                    flash(("已启用 " if action == "enable" else "已停用 ") + name)
                else:
                    abort(400)
            except UserError as exc:
                flash(str(exc))
            return redirect(url_for("users"))
        return render_template("users.html", users=list_users(store), roles=ROLES)

    return app
