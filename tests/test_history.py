"""scoring.history: a card's changes against the site's earlier inspections (pure)."""

from __future__ import annotations

from xunjian.scoring import score_card
from xunjian.scoring.history import Seen, apply_history, issue_key, seen_in

SITE = {"code": "4401000001", "name": "某某市人民政府", "url": "http://127.0.0.1:1/"}
CHECKED = {"availability.links": True}


def _link(fid: str, url: str) -> dict:
    return {"id": fid, "indicator": "availability.links", "kind": "broken_link", "rule": "other",
            "url": url, "detail": f"链接不可用：{url}", "evidence": {"status": 404}}


def _card(findings, reviews=(), checked=CHECKED, inspection="i2", partial=None):
    return score_card(SITE, findings, reviews, checked, "2026-12-01", inspection=inspection,
                      partial=partial)


def test_new_open_and_fixed_against_the_previous_inspection():
    first = Seen("i0", "2026-09-01", {"a": {"indicator": "availability.links"}})
    previous = seen_in(_card([_link("a", "/a"), _link("b", "/b")], inspection="i1")
                       | {"as_of": "2026-11-01"})
    card = apply_history(_card([_link("b", "/b"), _link("c", "/c")]), [first, previous])
    assert card["changes"]["since"] == "i1"
    assert (card["changes"]["new"], card["changes"]["open"]) == (["c"], ["b"])
    assert card["changes"]["fixed"] == ["a"]
    assert card["changes"]["fixed_findings"][0]["url"] == "/a"
    assert card["changes"]["fixed_findings"][0]["first_seen"] == "2026-09-01"
    by_id = {f["id"]: f for f in card["findings"]}
    assert (by_id["b"]["first_seen"], by_id["b"]["times_seen"]) == ("2026-11-01", 2)
    assert (by_id["c"]["first_seen"], by_id["c"]["times_seen"]) == ("2026-12-01", 1)


def test_a_site_first_inspection_has_everything_new():
    card = apply_history(_card([_link("a", "/a")]), [])
    assert card["changes"] == {"since": None, "since_as_of": None, "new": ["a"], "open": [],
                               "fixed": [], "unconfirmed": [], "fixed_findings": []}


def test_gone_from_an_unchecked_or_partial_indicator_is_not_fixed():
    previous = Seen("i1", "2026-11-01", {"a": {"indicator": "availability.links"}})
    unchecked = apply_history(_card([], checked={}), [previous])
    assert unchecked["changes"]["fixed"] == [] and unchecked["changes"]["unconfirmed"] == ["a"]
    cut = apply_history(_card([_link("b", "/b")], partial={"availability.links": "预算用尽"}),
                        [previous])
    assert cut["changes"]["fixed"] == [] and cut["changes"]["unconfirmed"] == ["a"]


def test_a_rejected_finding_is_neither_new_nor_open():
    review = {"finding": "a", "verdict": "rejected", "at": "2026-11-02T00:00:00+00:00",
              "reviewer": "王五", "inspection": "i1"}
    card = apply_history(_card([_link("a", "/a")], reviews=[review]), [])
    (finding,) = card["findings"]
    assert finding["change"] is None and card["changes"]["new"] == []
    assert finding["carried_verdict"] == {"verdict": "rejected", "by": "王五",
                                          "at": "2026-11-02T00:00:00+00:00",
                                          "from_inspection": "i1"}


def test_a_verdict_on_other_evidence_is_reset_and_says_so():
    from xunjian.scoring.card import evidence_digest

    old = _link("a", "/a")
    review = {"finding": "a", "verdict": "rejected", "at": "2026-11-02T00:00:00+00:00",
              "reviewer": "王五", "inspection": "i1", "evidence": evidence_digest(old)}
    now = _link("a", "/a") | {"evidence": {"status": 500}}
    (finding,) = _card([now], reviews=[review])["findings"]
    assert finding["review"] == "pending" and "carried_verdict" not in finding
    assert finding["review_reset"]["verdict"] == "rejected"
    assert "证据已变化" in finding["review_reset"]["reason"]


def test_issue_keys_are_ids_and_hand_made_findings_key_on_their_subject():
    assert issue_key(_link("abc", "/a")) == "abc"
    hand = {"site": "s", "indicator": "availability.links", "kind": "reviewer_added",
            "rule": "other", "url": "/x"}
    assert issue_key(hand | {"id": "manual-1"}) == issue_key(hand | {"id": "manual-2"})
    assert issue_key(hand | {"id": "manual-1"}) != issue_key(hand | {"id": "m", "url": "/y"})
