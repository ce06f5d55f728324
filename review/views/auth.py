"""Signing in and out (throttled per name and address), and the user list (admin only)."""

from __future__ import annotations

import math
import time

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for

from ..shared import admin_only, safe_next, state
from ..users import (
    ROLES,
    UserError,
    add_user,
    authenticate,
    end_sessions,
    list_users,
    session_version,
    set_active,
)

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    nxt = safe_next(request.values.get("next", "")) or url_for("sites.sites")
    if request.method == "POST":
        throttle = state().throttle
        name = request.form.get("name", "").strip()[:40]
        pair = (name, request.remote_addr or "")
        wait = throttle.wait(*pair)
        if wait > 0:
            flash(f"登录失败次数过多，请 {math.ceil(wait / 60)} 分钟后再试。")
            return render_template("login.html", next=nxt), 429
        user = authenticate(state().store, name, request.form.get("password", ""))
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


@bp.post("/logout")
def logout():
    if g.user is not None:
        end_sessions(state().store, g.user["name"])
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/users", methods=["GET", "POST"])
@admin_only
def users():
    store = state().store
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
        return redirect(url_for("auth.users"))
    return render_template("users.html", users=list_users(store), roles=ROLES)
