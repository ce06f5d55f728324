"""A reviewer-added finding stays on the card whatever the machines re-derive at scoring time for
the same indicator: `xunjian report card`, the review app and the reports show the same score."""

from __future__ import annotations

from xunjian.review.data import Summaries, add_manual_finding
from xunjian.storage import EmbeddedStore
from tests.test_columns_evidence import AS_OF, HOME, SITE, column_pages
from xunjian.inspection.card import card_for


def test_a_reviewers_basic_info_finding_survives_the_freshness_rescoring(tmp_path):
    with EmbeddedStore(tmp_path / "store") as store:
        store.upsert_site({**SITE, "region": "某某省某某县", "type": "门户网站"})
        inspection_id = store.create_inspection({
            "site": SITE["code"], "as_of": AS_OF, "status": "done", "freshness": True,
            "started_at": f"{AS_OF}T02:00:00+00:00"})
        store.add_page({**HOME, "inspection": inspection_id})
        for page in column_pages():
            store.insert("column_pages", {**page, "inspection": inspection_id})
        before = card_for(store, inspection_id)
        inspection = store.get_inspection(inspection_id)
        added = add_manual_finding(store, inspection, "basic_info",
                                   "http://www.xx.gov.cn/jgzn/index.html",
                                   "领导信息与实际不符", "审核员", None)
        after = card_for(store, inspection_id)
        mine = [f for f in after["findings"] if f["id"] == added]
        assert len(mine) == 1 and mine[0]["indicator"] == "updates.basic_info"
        machine = [f for f in before["findings"] if f["indicator"] == "updates.basic_info"]
        assert len([f for f in after["findings"] if f["indicator"] == "updates.basic_info"]) \
            == len(machine) + 1
        shown = Summaries(store).of(store.get_site(SITE["code"]))  # the review app's site list
        assert (shown["verdict"], shown["score"], shown["total_deduction"]) == (
            after["verdict"], after["score"], after["total_deduction"])
