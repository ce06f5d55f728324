"""A blank screenshot (the browser showed nothing) is marked on every finding that shows it, not
only on link findings: a stale or blank column whose stored column page was captured blank says
so on the card, and a column captured with content does not."""

from __future__ import annotations

from xunjian.storage import EmbeddedStore
from tests.test_columns_evidence import AS_OF, HOME, SITE, column_pages
from xunjian.inspection.card import card_for


def test_freshness_findings_carry_the_blank_mark_of_their_column_page(tmp_path):
    with EmbeddedStore(tmp_path / "store") as store:
        store.upsert_site({**SITE, "region": "某某省某某县", "type": "门户网站"})
        inspection = store.create_inspection({
            "site": SITE["code"], "as_of": AS_OF, "status": "done", "freshness": True,
            "started_at": f"{AS_OF}T02:00:00+00:00"})
        store.add_page({**HOME, "inspection": inspection})
        blank = {"网上调查", "发展规划"}  # two of the blank columns were captured as empty pictures
        for page in column_pages():
            name = page["column"]["name"]
            page["screenshot"] = store.put_blob(f"png of {name}".encode(), "image/png")
            store.insert("column_pages", {**page, "inspection": inspection,
                                          "screenshot_blank": name in blank})
        card = card_for(store, inspection)
        columns = {f["evidence"]["column_name"]: f["evidence"] for f in card["findings"]
                   if f["indicator"] == "updates.basic_info"}
        assert len(columns) == 10
        marked = {name for name, ev in columns.items() if ev.get("screenshot_blank")}
        assert marked == blank
        assert all(ev["screenshot"] for ev in columns.values())
