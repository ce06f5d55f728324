"""Early warnings count undated columns (issue 19 §3: no date anywhere, awaiting a reviewer) as the
veto does: a column whose undated finding a reviewer confirmed is not updated and counts toward
``stale_columns``; one still awaiting review is named apart in the warning, never counted, and an
undated column is never a blank one. Read from a real store: the latest inspection's column
pages, the site's reviews, scored at the warning's time."""

from __future__ import annotations

from datetime import UTC, datetime

from xunjian.alerts import freshness as fw
from xunjian.inspection.card import freshness_for
from xunjian.storage import EmbeddedStore

SITE = {"code": "4127250020", "name": "某某县发展和改革委员会", "url": "http://www.xx.gov.cn/",
        "region": "某某省某某县", "type": "其他"}
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
HOME = {"url": SITE["url"], "is_home": True, "depth": 0, "status": 200, "error": None,
        "links": [], "items": [{"title": f"首页信息{i}", "url": f"http://www.xx.gov.cn/h/{i}.html",
                                "date": {"text": "2026-11-19", "date": "2026-11-19"}}
                               for i in range(12)]}


def column(name: str, status: str) -> dict:
    url = f"http://www.xx.gov.cn/{name}/index.html"
    page = {"column": {"type": "其他", "name": name, "url": url, "category": "信息公开类",
                       "source": "registry"}, "url": url, "final_url": url, "status": 200,
            "error": None, "title": name, "items": [], "undated_list": False}
    if status == "stale":
        page["items"] = [{"title": f"{name}旧文", "url": url.replace("index", "a1"),
                          "date": {"text": "2024-01-05", "date": "2024-01-05"}}]
    else:  # an article page without a date (undated), or with one of this year (fresh)
        page.update(content_page=True, page_date={"text": "2026-10-01", "date": "2026-10-01"}
                    if status == "fresh" else None)
    return page


def test_undated_columns_count_for_stale_columns_once_confirmed(tmp_path):
    with EmbeddedStore(tmp_path / "store") as store:
        store.upsert_site(SITE)
        inspection = store.create_inspection({"site": SITE["code"], "as_of": None,
                                              "status": "done", "freshness": True,
                                              "started_at": "2026-11-20T02:00:00+00:00"})
        store.add_page({**HOME, "inspection": inspection})
        kinds = ["stale"] * 5 + ["undated"] * 3 + ["fresh"]
        for n, kind in enumerate(kinds):
            store.insert("column_pages", {**column(f"栏目{n}", kind), "inspection": inspection})
        fw._cache.clear()
        fired, text, evidence = fw.stale_columns_check(store, SITE, NOW)
        assert (fired, evidence["count"], len(evidence["undated_awaiting_review"])) == (False, 5, 3)
        assert "另有3个栏目无日期，待人工复核：栏目5、栏目6、栏目7" in text
        assert fw.blank_columns_check(store, SITE, NOW)[2]["count"] == 0  # undated is not blank
        findings, _, _ = freshness_for(store, store.latest_inspection(SITE["code"]), SITE,
                                       NOW.isoformat())
        undated = [f for f in findings if f["kind"] == "undated_column"]
        for f in undated[:2]:
            store.add_review({"finding": f["id"], "site": SITE["code"], "verdict": "confirmed",
                              "reviewer": "alice", "at": "2026-11-20T08:00:00+00:00"})
        store.add_review({"finding": undated[2]["id"], "site": SITE["code"],
                          "verdict": "rejected", "reviewer": "alice",
                          "at": "2026-11-20T08:00:00+00:00"})
        fw._cache.clear()
        fired, text, evidence = fw.stale_columns_check(store, SITE, NOW)
        assert (fired, evidence["count"], evidence["undated_awaiting_review"]) == (True, 7, [])
        assert text == "未按时更新的栏目7个（超过6个）：栏目0、栏目1、栏目2、栏目3、栏目4、栏目5、栏目6"
