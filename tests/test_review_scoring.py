"""Reviews carry over to a re-inspection of the same finding unless its evidence changed."""

from __future__ import annotations

import copy

from xunjian.scoring import load_rules, score_card
from xunjian.scoring.card import evidence_digest

CHECKS = {entry.id: True for entry in load_rules().all}
SITE = {"code": "9900000001", "name": "示范网站", "url": "http://a.gov.cn/"}
FINDING = {"id": "f1", "indicator": "availability.links", "kind": "broken_link", "rule": "home",
           "url": "http://a.gov.cn/x.html", "page": "http://a.gov.cn/",
           "evidence": {"status": 404, "error": "http_404", "error_type": "域内链接不可用",
                        "screenshot": "a" * 64, "checked_at": "2026-11-20T01:00:00+00:00",
                        "pages": ["http://a.gov.cn/"]}}


def card(finding, reviews):
    return score_card(SITE, [finding], reviews, CHECKS, "2026-11-20")


def review(finding, verdict="rejected"):
    return {"finding": finding["id"], "site": SITE["code"], "verdict": verdict,
            "at": "2026-11-20T03:00:00+00:00", "evidence": evidence_digest(finding)}


def test_a_review_applies_to_the_same_evidence_in_a_later_inspection():
    later = copy.deepcopy(FINDING)
    later["evidence"].update(screenshot="b" * 64, checked_at="2026-12-01T00:00:00+00:00",
                             pages=["http://a.gov.cn/", "http://a.gov.cn/b"])
    assert evidence_digest(later) == evidence_digest(FINDING)
    result = card(later, [review(FINDING)])
    assert result["findings"][0]["review"] == "rejected" and result["score"] == 100
    assert result["final"] is True


def test_a_review_no_longer_applies_when_the_evidence_changed():
    later = copy.deepcopy(FINDING)
    later["evidence"].update(status=500, error="http_500")
    result = card(later, [review(FINDING)])
    assert result["findings"][0]["review"] == "pending" and result["score"] == 99
    assert result["final"] is False and result["awaiting_review"] == ["f1"]
    # a new verdict on the new evidence applies again
    newer = dict(review(later, "confirmed"), at="2026-12-02T00:00:00+00:00")
    assert card(later, [review(FINDING), newer])["findings"][0]["review"] == "confirmed"


def test_reviews_without_a_digest_always_apply():
    plain = {"finding": "f1", "site": SITE["code"], "verdict": "rejected",
             "at": "2026-11-20T03:00:00+00:00"}
    assert card(FINDING, [plain])["findings"][0]["review"] == "rejected"


def test_a_verdict_on_a_broken_link_holds_under_both_tables():
    """The census calls a broken link availability.links, checklist-2019 design.links (the same
    finding id): a reviewer who rejected it under one table is not asked again under the other."""
    c2019 = load_rules("checklist-2019")
    rejected = review(FINDING)  # given on the census card
    as_2019 = dict(FINDING, indicator="design.links")
    checks = {entry.id: True for entry in c2019.all}
    site = dict(SITE, type="门户网站")
    card_2019 = score_card(site, [as_2019], [rejected], checks, "2026-11-20", rules=c2019)
    assert card_2019["findings"][0]["review"] == "rejected"
    assert "f1" not in card_2019["awaiting_review"]
    # and the other way round: confirmed under 2019 counts on the census card
    confirmed = dict(review(as_2019, "confirmed"), at="2026-11-21T00:00:00+00:00")
    assert card(FINDING, [rejected, confirmed])["findings"][0]["review"] == "confirmed"


def test_a_review_stored_with_the_old_digest_still_applies():
    """Reviews stored before the indicator left the digest carry the digest with it."""
    from xunjian.scoring.card import judged_digests

    old = dict(review(FINDING), evidence=judged_digests(FINDING)[1])
    assert old["evidence"] != evidence_digest(FINDING)
    assert card(FINDING, [old])["findings"][0]["review"] == "rejected"
    changed = copy.deepcopy(FINDING)
    changed["evidence"].update(status=500, error="http_500")
    assert card(changed, [old])["findings"][0]["review"] == "pending"
