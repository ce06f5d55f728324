"""复查 on a finding's page: re-check the finding now (fetch its URL again, photograph its
referring page) and show the result — 已整改 / 仍未整改 — with the new evidence and time; and the
整改通知 of a site (reports/rectify.py) to download, DOCX or XLSX.

The re-check is inspection/recheck.py's, the same as ``xunjian recheck FINDING_ID``; its record
joins the card (``finding["recheck"]``), so the finding page shows the latest one.
"""

from __future__ import annotations

import asyncio

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from xunjian.inspection.card import card_for
from xunjian.inspection.recheck import RecheckError, recheck_finding
from xunjian.inspection.rechecks import RECHECKABLE, RESULT_LABELS
from xunjian.reports.rectify import FORMATS, build_rectify_notice
from xunjian.reports.render import MIME, ReportError

from .. import data
from ..shared import FINDING_RE, inspection_of, rules_arg, site_or_404, state

bp = Blueprint("recheck", __name__)


def run_recheck(store, site: dict, inspection: dict, finding: dict, by: str) -> dict:
    """The re-check of one finding, in its own event loop and Chromium (the default)."""
    return asyncio.run(recheck_finding(store, site, inspection, finding, by=by))


@bp.post("/site/<code>/finding/<fid>/recheck")
def recheck(code, fid):
    store = state().store
    site = site_or_404(code)
    if not FINDING_RE.match(fid):
        abort(404)
    inspection = inspection_of(code, request.form.get("inspection"))
    rules = rules_arg(request.form)
    card = card_for(store, inspection["id"], rules=rules)
    item = data.find_in_card(card, fid)
    if item is None:
        abort(404)
    back = redirect(url_for("sites.finding", code=code, fid=fid, inspection=inspection["id"],
                            **({"rules": card["rules"]} if rules else {})))
    if item.get("kind") not in RECHECKABLE:
        flash("该类问题不能复查：只能复查" + "、".join(RECHECKABLE.values()) + "。")
        return back
    rechecker = current_app.extensions.get("xunjian_rechecker") or run_recheck
    try:
        record = rechecker(store, site, inspection, item, g.user["name"])
    except RecheckError as exc:
        flash(f"无法复查：{exc}")
        return back
    except Exception as exc:  # noqa: BLE001 - no browser, a store failure: said on the page
        flash(f"复查失败：{type(exc).__name__}: {str(exc)[:200]}")
        return back
    flash(f"复查完成：{RESULT_LABELS[record['result']]}。{record['detail']}")
    return back


@bp.get("/site/<code>/rectify.<fmt>")
def rectify(code, fmt):
    site_or_404(code)
    if fmt not in FORMATS:
        abort(404)
    inspection = inspection_of(code, request.args.get("inspection"))
    try:
        body = build_rectify_notice(state().store, code, fmt, inspection["id"],
                                    rules=rules_arg(),
                                    blob_link=lambda b: url_for("manual.blob", blob_id=b,
                                                                _external=True))
    except ReportError as exc:
        return render_template("error.html", message=str(exc)), 500
    name = f"rectify-{code}-{inspection.get('as_of') or 'latest'}.{fmt}"
    return Response(body, mimetype=MIME[fmt],
                    headers={"Content-Disposition": f"attachment; filename={name}"})
