"""The review queue: the pending findings of every site (or one region, site or indicator),
one after another."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from xunjian.inspection.card import card_for

from .. import data
from ..shared import CODE_RE, rules_arg, state

bp = Blueprint("queue", __name__)


@bp.get("/queue")
def queue():
    st = state()
    region = request.args.get("region", "").strip()[:50]
    only = request.args.get("site", "").strip()
    if only and not CODE_RE.match(only):
        abort(404)
    indicator = request.args.get("indicator", "").strip()[:60]  # e.g. veto.serious_error
    asked = rules_arg()  # ?rules=checklist-2019: the findings pending under the other table
    items = data.queue(st.summaries_for(asked), region=region, site=only, indicator=indicator)
    try:
        i = max(0, int(request.args.get("i", "0")))
    except ValueError:
        i = 0
    if not items:
        return render_template("queue_empty.html", region=region, site_code=only,
                               indicator=indicator, asked_rules=asked)
    i = min(i, len(items) - 1)
    code, fid = items[i]
    inspection = st.store.latest_inspection(code)
    card = card_for(st.store, inspection["id"], rules=asked)
    item = data.find_in_card(card, fid)
    if item is None:  # changed since the summary was computed
        return redirect(url_for("queue.queue", region=region or None, site=only or None,
                                indicator=indicator or None, rules=asked))
    upcoming = []
    for c, f in items[i + 1: i + 6]:
        upcoming.append((c, f))
    return render_template(
        "finding.html", site=st.store.get_site(code), card=card, f=item, inspection=inspection,
        history=data.history(st.store, code, fid), position=i, total=len(items),
        region=region, site_code=only, upcoming=upcoming, indicator=indicator,
        asked_rules=asked)
