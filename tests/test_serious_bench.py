"""The labelled serious-error set (tests/data/serious/labelled.toml) through
tests/support/serious_labelled.py (bench/serious_bench.py prints the same table): no clean case
raises a candidate (precision 1.0 in every category), and every planted case not marked ``hard``
is found except the one near-homophone the lists do not cover."""

from __future__ import annotations

from tests.support.serious_labelled import score_labelled


def test_labelled_set_precision_and_recall():
    scored = score_labelled()
    table = scored["table"]
    assert {c: row["fp"] for c, row in table.items()} == {
        "leader_name": 0, "prohibited": 0, "hidden_link": 0, "typo": 0}
    missed_easy = [w for w in scored["wrong"] if w[0] == "missed" and not w[2]]
    # 复心 for 复兴: xīn is not xīng; only same-reading homophones are generated
    assert missed_easy == [("missed", "typo", False, "<p>实现中华民族伟大复心的中国梦。</p>")]
    assert all(row["planted"] >= 10 for row in table.values())
