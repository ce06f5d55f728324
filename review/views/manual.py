"""Findings a reviewer adds by hand (with an uploaded screenshot or one taken on the spot, of
the site's own pages only: issue 24), and the screenshots every page shows, by blob id."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for

from xunjian.browser.outline import marked_crop

from .. import data
from ..shared import (
    BLOB_RE,
    IMAGE_TYPES,
    MAX_UPLOAD,
    image_type,
    inspection_of,
    rules_arg,
    site_or_404,
    state,
    web_url,
)

bp = Blueprint("manual", __name__)


@bp.post("/site/<code>/add-finding")
def add_finding(code):
    st = state()
    store = st.store
    site_or_404(code)
    inspection = inspection_of(code, request.form.get("inspection"))
    kind = request.form.get("kind", "")
    url = web_url(request.form.get("url", ""))
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
            shoot = st.screenshooter
            raw = shoot(url, policy=policy) if shoot is data.take_screenshot else shoot(url)
            if not raw or image_type(raw) is None:
                errors.append("无法打开该地址截图，请上传截图。")
            else:
                blob = store.put_blob(raw, image_type(raw))
    else:
        raw = upload.read(MAX_UPLOAD + 1)
        kind_of = image_type(raw)
        if len(raw) > MAX_UPLOAD or kind_of is None:
            errors.append("截图须为不超过 10 MB 的 PNG 或 JPEG 图片。")
        elif not errors:
            blob = store.put_blob(raw, kind_of)
    table = {"rules": rules_arg(request.form)} if rules_arg(request.form) else {}
    if errors:
        for message in errors:
            flash(message)
        return redirect(url_for("sites.site", code=code, inspection=inspection["id"], **table)
                        + "#add")
    fid = data.add_manual_finding(store, inspection, kind, url, detail, g.user["name"], blob)
    flash("已添加人工发现的问题，得分已重新计算。")
    return redirect(url_for("sites.finding", code=code, fid=fid, inspection=inspection["id"],
                            **table))


@bp.get("/blob/<blob_id>")
def blob(blob_id):
    store = state().store
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


@bp.get("/blob/<blob_id>/crop.png")
def crop(blob_id):
    """The part of screenshot ``blob_id`` around the box ``x``, ``y``, ``w``, ``h`` (pixels of the
    picture: a finding's ``element_box``), the box outlined in red; made when asked, not stored."""
    store = state().store
    if not BLOB_RE.match(blob_id):
        abort(404)
    box = {key: request.args.get(arg, type=int) for key, arg in
           (("x", "x"), ("y", "y"), ("width", "w"), ("height", "h"))}
    if any(v is None or v < 0 for v in box.values()):
        abort(400)
    info = store.blob_info(blob_id)
    body = store.get_blob(blob_id) if info else None
    if body is None or (info.get("content_type") or "") not in IMAGE_TYPES:
        abort(404)
    out = marked_crop(body, box)
    if out is None:
        abort(404)
    return Response(out, mimetype="image/png",
                    headers={"Cache-Control": "private, max-age=86400, immutable",
                             "Content-Security-Policy": "default-src 'none'; sandbox"})
