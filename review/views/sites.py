"""The site list, a site's page, one finding and the reviewer's verdict on it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from xunjian.inspection.card import card_for
from xunjian.reports.text import score_parts
from xunjian.scoring.rules import RULE_SETS

from .. import data
from ..shared import FINDING_RE, MAX_REASON, inspection_of, rules_arg, site_or_404, state

VERDICT_DONE = {"confirmed": "已确认", "rejected": "已驳回"}

bp = Blueprint("sites", __name__)
PER_PAGE = 100


@bp.get("/")
def sites():
    region = request.args.get("region", "").strip()[:50]
    verdict = request.args.get("verdict", "")
    pending = request.args.get("pending", "")
    q = request.args.get("q", "").strip()[:50]
    if verdict not in ("", "合格", "不合格", "未评分", "none"):
        verdict = ""
    if pending not in ("", "yes", "no"):
        pending = ""
    asked = rules_arg()  # ?rules=checklist-2019: every site's latest card under the other table
    rows = state().summaries_for(asked).all(region=region, verdict=verdict, pending=pending, q=q)
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    per = PER_PAGE
    pages = max(1, (len(rows) + per - 1) // per)
    page = min(page, pages)
    return render_template(
        "sites.html", rows=rows[(page - 1) * per: page * per], total=len(rows),
        page=page, pages=pages, region=region, verdict=verdict, pending=pending, q=q,
        asked_rules=asked, rule_sets=RULE_SETS,
        pending_total=sum(len(r["pending"]) for r in rows))


@bp.get("/site/<code>")
def site(code):
    store = state().store
    site_doc = site_or_404(code)
    inspections = store.inspections(code)
    inspection = None
    card = None
    wanted = request.args.get("inspection")
    asked = rules_arg()  # ?rules=checklist-2019: the same inspection under the other table
    if wanted or store.latest_inspection(code):
        inspection = inspection_of(code, wanted)
        card = card_for(store, inspection["id"], rules=asked)
    table = data.rules(card["rules"] if card else asked)
    return render_template("site.html", site=site_doc, card=card, inspection=inspection,
                           inspections=inspections, kinds=data.manual_kinds(table),
                           fired={v["id"]: v for v in (card or {}).get("vetoes", [])},
                           rules=table, rule_sets=RULE_SETS, score_parts=score_parts)


@bp.get("/site/<code>/finding/<fid>")
def finding(code, fid):
    store = state().store
    site_doc = site_or_404(code)
    if not FINDING_RE.match(fid):
        abort(404)
    inspection = inspection_of(code, request.args.get("inspection"))
    card = card_for(store, inspection["id"], rules=rules_arg())
    item = data.find_in_card(card, fid)
    if item is None:
        abort(404)
    return render_template("finding.html", site=site_doc, card=card, f=item,
                           inspection=inspection, history=data.history(store, code, fid),
                           position=None, total=None)


@bp.post("/site/<code>/finding/<fid>/verdict")
def verdict(code, fid):
    store = state().store
    site_or_404(code)
    if not FINDING_RE.match(fid):
        abort(404)
    inspection = inspection_of(code, request.form.get("inspection"))
    card = card_for(store, inspection["id"], rules=rules_arg(request.form))
    item = data.find_in_card(card, fid)
    if item is None:
        abort(404)
    choice = request.form.get("verdict", "")
    reason = request.form.get("reason", "").strip()
    if choice not in ("confirmed", "rejected") or len(reason) > MAX_REASON:
        abort(400)
    data.record_verdict(store, card, item, choice, g.user["name"], reason)
    here = url_for("sites.finding", code=code, fid=fid, inspection=inspection["id"],
                   **({"rules": card["rules"]} if rules_arg(request.form) else {}))
    # said on the next page (the queue's next finding): what was recorded, and a way back to it
    title = (item.get("detail") or item.get("kind") or fid)[:80]
    flash({"text": f"{VERDICT_DONE[choice]}：{title}", "href": here, "link": "查看 / 更改"})
    if request.form.get("next") == "queue":
        args = {k: request.form.get(k, "") for k in ("region", "site", "i", "indicator")}
        args["rules"] = rules_arg(request.form) or ""
        return redirect(url_for("queue.queue", **{k: v for k, v in args.items() if v}))
    return redirect(here)
