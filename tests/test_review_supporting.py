"""A fired veto that rests on other findings (veto.columns_stale → the stale and blank columns)
shows, on the site page of the review app, exactly the columns it counts, each linking to its
finding — a reviewer must see what to reject to lift it."""

from __future__ import annotations

import re
import sys

import pytest

from xunjian.inspection import card as cards
from xunjian.inspectors.freshness import freshness_findings
from xunjian.review.app import create_app
from xunjian.review.sample import seed, site_code
from xunjian.review.users import add_user
from xunjian.scoring import score_card
from xunjian.storage import EmbeddedStore
from tests.test_columns_evidence import AS_OF, CHECKED, HOME, SITE, column_pages
from tests.test_review_app import PASSWORD, sign_in


def serve_card(monkeypatch, card: dict) -> None:
    """Every reader of ``card_for`` (the review app's pages and its site list among them) gets
    ``card``, wherever it imported the one name from."""
    real = cards.card_for
    for module in list(sys.modules.values()):
        if getattr(module, "card_for", None) is real:
            monkeypatch.setattr(module, "card_for",
                                lambda store, inspection_id, as_of=None, rules=None: card)


@pytest.fixture()
def client(tmp_path, monkeypatch):
    findings, _ = freshness_findings(SITE, [HOME], column_pages(), [], AS_OF)
    card = score_card(SITE, findings, [], CHECKED, AS_OF)
    serve_card(monkeypatch, card)
    with EmbeddedStore(tmp_path / "store") as store:
        seed(store, sites=1, findings_per_site=1)
        add_user(store, "alice", "reviewer", PASSWORD)
        app = create_app(store, secret_key="test-secret")
        app.config["TESTING"] = True
        c = app.test_client()
        assert sign_in(c).status_code == 302
        yield c, card


def test_the_fired_veto_lists_the_columns_it_counts(client):
    c, card = client
    html = c.get(f"/site/{site_code(1)}").get_data(as_text=True)
    row = re.search(r"veto\.columns_stale.*?</tr>", html, re.S).group(0)
    assert "否决" in row
    listed = re.findall(r'<li><a href="[^"]*/finding/([^"?]+)[^"]*">([^<]*)</a>', row)
    supporting = card["vetoes"][0]["supporting"]
    assert [fid for fid, _ in listed] == [f["id"] for f in card["findings"]
                                          if f["id"] in supporting]
    assert sorted(fid for fid, _ in listed) == sorted(supporting) and len(listed) == 5
    assert any("网上调查" in text for _, text in listed)
