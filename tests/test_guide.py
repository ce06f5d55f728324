"""Service-guide element detector (inspectors/guide.py) on the labelled set in tests/data/guides."""

import json
from pathlib import Path

import pytest

from xunjian.inspectors.guide import CATEGORIES, guide_elements, inspect_guide

DATA = Path(__file__).parent / "data" / "guides"
LABELS = json.loads((DATA / "labels.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(LABELS))
def test_labelled_guide(name):
    found = inspect_guide((DATA / name).read_text(encoding="utf-8"))
    missing = [c for c, e in found["elements"].items() if not e["present"]]
    assert missing == LABELS[name]["missing"]
    assert [r["category"] for r in found["review"]] == LABELS[name]["review"]


def test_accuracy_on_labelled_set_is_total():
    right = total = 0
    for name, label in LABELS.items():
        got = guide_elements((DATA / name).read_text(encoding="utf-8"))
        for cat in CATEGORIES:
            total += 1
            right += got[cat] == (cat not in label["missing"])
    assert total == 8 * len(LABELS) and right == total


def test_empty_and_broken_pages_have_nothing():
    assert guide_elements("") == {c: False for c in CATEGORIES}
    assert guide_elements("<html><body>办理流程</body></html>")["办理流程"] is False


def test_label_must_stand_alone():
    html = "<p>办理时间安排如下</p><p>申请材料：</p><p>身份证</p>"
    got = guide_elements(html)
    assert got["办理时间"] is False and got["办理材料"] is True


def test_extract_reports_guide_elements():
    import json

    from click.testing import CliRunner

    from xunjian.commands_freshness import extract

    result = CliRunner().invoke(extract, [str(DATA / "divs.html"), "--json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)["guide_elements"]
    assert [c for c, ok in got.items() if not ok] == ["办理地点", "办理流程"]
    table = CliRunner().invoke(extract, [str(DATA / "table.html")])
    assert "办事指南要素 guide elements: 事项名称、设定依据" in table.output


def test_forms_mentioned_and_offered():
    from xunjian.inspectors.guide import guide_facts

    html = ("<table><tr><td>申请材料</td><td>1.食品经营许可申请表 <a href='/f/a.doc'>下载</a>；"
            "2.承诺书；3.<a href='/f/reg.xlsx'>户籍登记表</a></td></tr></table>"
            "<p>附件1：<a href='/f/x.pdf'>变更申请书</a></p>")
    facts = guide_facts(html, "http://127.0.0.1/g/1.html")
    assert {m["name"]: m["offered"] for m in facts["mentions"]} == {
        "食品经营许可申请表": "http://127.0.0.1/f/a.doc", "承诺书": None,
        "户籍登记表": "http://127.0.0.1/f/reg.xlsx", "附件1": "http://127.0.0.1/f/x.pdf",
        "变更申请书": "http://127.0.0.1/f/x.pdf"}
    assert [d["url"] for d in facts["downloads"]] == ["http://127.0.0.1/f/a.doc",
                                                      "http://127.0.0.1/f/reg.xlsx",
                                                      "http://127.0.0.1/f/x.pdf"]
