"""Downloads: a site's card (JSON, XLSX), its inspection report (reports.site) and the
statistics over every site (reports.census), as a page or a file."""

from __future__ import annotations

import json
import re

from flask import Blueprint, Response, abort, render_template, request, url_for

from xunjian.inspection.card import card_for
from xunjian.reports.census import GROUPINGS, census_html, census_xlsx
from xunjian.reports.render import MIME, ReportError, html_to_pdf
from xunjian.reports.site import FORMATS, build_site_report
from xunjian.reports.xlsx import card_workbook

from xunjian.scoring.rules import RULE_SETS

from ..shared import inspection_of, rules_arg, site_or_404, state

bp = Blueprint("downloads", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _card(code: str) -> dict:
    site_or_404(code)
    return card_for(state().store, inspection_of(code, request.args.get("inspection"))["id"],
                    rules=rules_arg())


@bp.get("/site/<code>/card.json")
def card_json(code):
    card = _card(code)
    body = json.dumps(card, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f"attachment; filename=card-{code}-{card['as_of']}.json"})


@bp.get("/site/<code>/card.xlsx")
def card_xlsx(code):
    card = _card(code)
    return Response(card_workbook(card), mimetype=XLSX, headers={
        "Content-Disposition": f"attachment; filename=card-{code}-{card['as_of']}.xlsx"})


@bp.get("/site/<code>/report.<fmt>")
def site_report(code, fmt):
    site_or_404(code)
    if fmt not in FORMATS:
        abort(404)
    inspection = inspection_of(code, request.args.get("inspection"))
    try:
        body = build_site_report(state().store, code, fmt, inspection["id"],
                                 blob_link=lambda b: url_for("manual.blob", blob_id=b,
                                                             _external=True),
                                 rules=rules_arg())
    except ReportError as exc:
        return render_template("error.html", message=str(exc)), 500
    name = f"report-{code}-{inspection.get('as_of') or 'latest'}.{fmt}"
    return Response(body, mimetype=MIME[fmt],
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.get("/statistics")
@bp.get("/statistics.<fmt>")
def statistics(fmt=None):
    as_of = request.args.get("as_of", "").strip() or None
    if as_of and not re.match(r"^\d{4}-\d{2}-\d{2}$", as_of):
        as_of = None
    by = tuple(b for b in request.args.getlist("by") if b in GROUPINGS) or None
    stats = state().census.stats(as_of, by or ("级别", "网站类型", "地区"), rules=rules_arg())
    if fmt is None:
        return render_template("statistics.html", s=stats, as_of=as_of or "",
                               groupings=GROUPINGS, by=by or (), rule_sets=RULE_SETS)
    if fmt not in ("xlsx", "pdf", "html"):
        abort(404)
    try:
        body = (census_xlsx(stats) if fmt == "xlsx" else html_to_pdf(census_html(stats))
                if fmt == "pdf" else census_html(stats).encode("utf-8"))
    except ReportError as exc:
        return render_template("error.html", message=str(exc)), 500
    return Response(body, mimetype=MIME[fmt], headers={
        "Content-Disposition": f"attachment; filename=census-{as_of or 'latest'}.{fmt}"})
