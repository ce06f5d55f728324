"""inspectors/links.py: which broken links cost 1 point (homepage) and which 0.1 (other pages)."""

from xunjian.inspectors.links import is_splash, link_findings

SITE = {"code": "4401000001", "url": "http://www.qh.gov.cn/"}


def link(url, text="", kind="page", external=False, tag="a"):
    return {"url": url, "text": text, "tag": tag, "kind": kind, "external": external}


def page(url, depth, links, referrer=None, text_length=5000, **extra):
    return {"id": url, "url": url, "depth": depth, "is_home": depth == 0, "referrer": referrer,
            "links": links, "title": url, "text_length": text_length, "screenshot": f"shot:{url}",
            **extra}


def result(url, outcome="broken", reason="http_404", status=404):
    return {"url": url, "outcome": outcome, "reason": reason, "http_status": status,
            "checked_at": "2026-11-20T01:00:00+00:00", "detail": "HTTP 404"}


H = "http://www.qh.gov.cn/"


def portal(home_links, second_links):
    many = [link(f"{H}nav/{n}.html") for n in range(20)]  # a real portal: many links, much text
    return [page(H, 0, many + home_links),
            page(f"{H}nav/0.html", 1, second_links, referrer=H)]


def rules(findings):
    return {f["url"]: f["rule"] for f in findings}


def test_a_url_broken_on_home_and_elsewhere_costs_once_as_home():
    bad = f"{H}img/old.jpg"
    pages = portal([link(bad, "旧图", kind="image", tag="img")], [link(bad, kind="image")])
    found = link_findings(SITE, pages, {bad: result(bad)})
    assert len(found) == 1 and found[0]["rule"] == "home"
    assert found[0]["page"] == H and found[0]["evidence"]["referrer_count"] == 2
    assert found[0]["evidence"]["error_type"] == "图片不可用"
    assert found[0]["evidence"]["screenshot"] == f"shot:{H}"


def test_second_level_links_are_other_pages_on_a_normal_homepage():
    bad = f"{H}deep/missing.html"
    found = link_findings(SITE, portal([], [link(bad, "缺失")]), {bad: result(bad)})
    assert rules(found) == {bad: "other"}


def test_a_splash_homepage_makes_its_second_level_pages_count_as_home():
    bad = f"{H}deep/missing.html"
    splash = [page(H, 0, [link(f"{H}nav/0.html", "进入主站")], text_length=40),
              page(f"{H}nav/0.html", 1, [link(bad, "缺失")], referrer=H),
              page(f"{H}nav/0/x.html", 2, [link(f"{H}x404.html")], referrer=f"{H}nav/0.html")]
    assert is_splash(SITE, splash[0])
    found = link_findings(SITE, splash, {bad: result(bad), f"{H}x404.html": result("x")})
    assert rules(found) == {bad: "home", f"{H}x404.html": "other"}


def test_the_registry_can_declare_a_splash_homepage():
    pages = portal([], [link(f"{H}gone.html")])
    assert not is_splash(SITE, pages[0])
    declared = dict(SITE, splash=True)
    assert rules(link_findings(declared, pages, {f"{H}gone.html": result("g")})) == {
        f"{H}gone.html": "home"}


def test_ok_excluded_and_wall_blocked_links():
    ok, wall = f"{H}fine.html", f"{H}hudong/"
    pages = portal([link(ok), link(wall, "互动")], [])
    found = link_findings(SITE, pages, {ok: result(ok, "ok", "ok", 200),
                                        wall: result(wall, "blocked", "waf_challenge", 412)})
    assert [f["url"] for f in found] == [wall]
    assert found[0]["kind"] == "blocked_link" and found[0]["needs_review"] is True
    assert found[0]["evidence"]["status_text"] == "412（防护墙拦截）"


def test_finding_ids_are_stable_across_inspections_for_the_same_problem():
    bad = f"{H}gone.html"
    first = link_findings(SITE, portal([link(bad)], []), {bad: result(bad)})
    again = link_findings(SITE, portal([link(bad, "改名")], []), {bad: result(bad)})
    assert first[0]["id"] == again[0]["id"]
