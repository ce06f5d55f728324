"""Issue 24, case 1: a hacked site cannot point the crawler at the intranet.

The "intranet" is a server bound to 127.0.0.2 (Linux routes all of 127/8 to lo) beside the site
registered at http://127.0.0.1:PORT/. The site is a 大汉 Hanweb-style county portal (GBK pages,
``/module/web/jpage/dataproxy.jsp`` links, ``/col/colNNN/index.html`` columns): its registered
column 政策文件 answers 302 to the intranet, its homepage shows an iframe of the intranet admin
page, links to the intranet (内部办公), and its script sends the visitor there after load. The
intranet server records every request: it must get none, and the findings must say 内网地址链接
with the referring page. With ``XUNJIAN_ALLOW_NETWORKS=127.0.0.2/32`` it is fetched.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cli_run import census_forms, xunjian

from xunjian.browser.netpolicy import AddressPolicy, AddressRefused
from xunjian.storage import open_store

CODE = "4306000024"
AS_OF = "2026-11-30"
ENV = {"XUNJIAN_LINK_TIMEOUT": "5", "XUNJIAN_ITEM_PAGES": "0", "XUNJIAN_HOME_RETRIES": "0",
       "XUNJIAN_MAX_GUIDES": "0"}


class Intranet(ThreadingHTTPServer):
    """The government network's census server: records every request it gets."""

    def __init__(self):
        self.seen: list[str] = []
        super().__init__(("127.0.0.2", 0), IntranetHandler)


class IntranetHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.seen.append(self.path)
        body = "<html><head><title>普查内网管理后台</title></head><body><h1>机密：内部普查数据</h1>" \
               "<table><tr><td>户籍</td><td>身份证号</td></tr></table></body></html>"
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def hanweb_site(intranet: str):
    """The hacked county portal, as 大汉 Hanweb JCMS serves it (GBK)."""

    home = f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN">
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>某某县人民政府门户网站</title>
<script type="text/javascript" src="/script/jquery.js"></script></head>
<body><div class="top"><a href="/index.html">首页</a>
<a href="/col/col1001/index.html">政策文件</a> <a href="/col/col1002/index.html">通知公告</a>
<a href="{intranet}/oa/login.jsp">内部办公</a></div>
<div class="main"><div class="bt-box">通知公告</div>
<ul><li><a href="/art/2026/11/18/art_1002_5001.html" target="_blank">关于开展2026年秋季森林防火工作的通知</a><span>[11-18]</span></li>
<li><a href="/art/2026/11/20/art_1002_5002.html" target="_blank">某某县2026年第三季度政府信息公开工作报告</a><span>[11-20]</span></li></ul>
<iframe src="{intranet}/admin" width="300" height="80" frameborder="0" scrolling="no"></iframe>
</div><div class="foot">主办：某某县人民政府办公室 网站标识码：{CODE}</div>
<script type="text/javascript">
window.onload = function () {{ setTimeout(function () {{ location = '{intranet}/after-load'; }}, 200); }};
</script></body></html>"""
    col = """<html><head><meta charset="gbk"><title>通知公告</title></head><body>
<ul class="list"><li><a href="/art/2026/11/18/art_1002_5001.html">关于开展2026年秋季森林防火工作的通知</a>
<span>2026-11-18</span></li><li><a href="/art/2026/11/20/art_1002_5002.html">某某县2026年第三季度政府信息公开工作报告</a>
<span>2026-11-20</span></li></ul></body></html>"""
    art = """<html><head><meta charset="gbk"><title>通知</title></head><body>
<div class="article">发布日期：2026-11-18 正文内容。</div></body></html>"""
    pages = {"/": home, "/index.html": home, "/col/col1002/index.html": col,
             "/art/2026/11/18/art_1002_5001.html": art, "/art/2026/11/20/art_1002_5002.html": art}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            path = self.path.split("?", 1)[0]
            if path == "/col/col1001/index.html":  # the registered column, sent away
                self.send_response(302)
                self.send_header("Location", f"{intranet}/secret")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if path == "/script/jquery.js":
                data, kind = b"/* jquery */", "application/javascript"
            elif path in pages:
                data, kind = pages[path].encode("gbk"), "text/html; charset=gb2312"
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    return ThreadingHTTPServer(("127.0.0.1", 0), Handler)


def serve(server):
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run_inspection(tmp: Path, allow: str | None) -> dict:
    intranet = serve(Intranet())
    inner = f"http://127.0.0.2:{intranet.server_address[1]}"
    site = serve(hanweb_site(inner))
    url = f"http://127.0.0.1:{site.server_address[1]}/"
    try:
        store = tmp / "store"
        files = census_forms(tmp / "forms", (CODE, "湖南省某某县", "某某县人民政府门户网站", "门户网站", url,
                                             "某某县人民政府办公室"),
                             [("信息公开类", "政策文件", "政策文件", url + "col/col1001/index.html"),
                              ("信息公开类", "通知公告", "通知公告", url + "col/col1002/index.html")])
        done = xunjian("registry", "import", *map(str, files), store=store)
        assert done.returncode == 0, done.stdout + done.stderr
        env = dict(ENV)
        if allow is not None:
            env["XUNJIAN_ALLOW_NETWORKS"] = allow
        run = xunjian("inspect", CODE, "--as-of", AS_OF, "--json", str(tmp / "card.json"),
                      store=store, env=env)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        card = json.loads((tmp / "card.json").read_text("utf-8"))
        data = open_store(str(store))
        inspection = card["inspection"]
        return {"seen": list(intranet.seen), "inner": inner, "url": url, "card": card,
                "pages": data.pages(inspection),
                "columns": data.find("column_pages", inspection=inspection),
                "findings": data.find("findings", inspection=inspection),
                "links": {r["url"]: r for r in data.find("links", inspection=inspection)}}
    finally:
        site.shutdown()
        intranet.shutdown()


@pytest.fixture(scope="module")
def refused(tmp_path_factory):
    return run_inspection(tmp_path_factory.mktemp("intranet"), allow=None)


@pytest.mark.browser
def test_the_intranet_server_gets_no_request_at_all(refused):
    # redirect of a registered column, iframe, link, script navigation: none reached it
    assert refused["seen"] == []


@pytest.mark.browser
def test_a_link_to_the_intranet_is_a_finding_with_its_referring_page(refused):
    inner = refused["inner"]
    link = refused["links"][f"{inner}/oa/login.jsp"]
    assert link["outcome"] == "broken" and link["reason"] == "intranet", link
    found = [f for f in refused["findings"] if f["url"] == f"{inner}/oa/login.jsp"]
    assert found, [f["url"] for f in refused["findings"]]
    finding = found[0]
    assert finding["kind"] == "intranet_link"
    assert finding["indicator"] == "availability.links"
    assert "内网地址链接" in finding["detail"] and "内部办公" in finding["detail"]
    assert finding["page"] == refused["url"]  # the homepage links to it


@pytest.mark.browser
def test_the_redirected_column_is_stored_refused_not_read(refused):
    column = next(c for c in refused["columns"] if c["url"].endswith("/col/col1001/index.html"))
    assert "内网地址" in (column.get("error") or ""), column
    assert not column.get("html_text") and "机密" not in json.dumps(column, ensure_ascii=False)


@pytest.mark.browser
def test_the_homepage_records_what_its_browser_was_refused(refused):
    home = next(p for p in refused["pages"] if p.get("is_home"))
    assert home["url"] == refused["url"] and not home.get("error")
    assert "机密" not in json.dumps(home, ensure_ascii=False, default=str)
    urls = {r["url"] for r in home.get("refused") or []}
    inner = refused["inner"]
    assert f"{inner}/admin" in urls  # the iframe
    assert f"{inner}/after-load" in urls  # the script's location=
    # the homepage's own news list is still read (the page stayed where it was)
    assert any(x["title"].startswith("关于开展2026年秋季森林防火") for x in home.get("items") or [])


@pytest.mark.browser
def test_an_allowed_network_is_fetched(tmp_path_factory):
    allowed = run_inspection(tmp_path_factory.mktemp("allowed"), allow="127.0.0.2/32")
    # the column's redirect, the iframe and the script's navigation all reach it now
    assert {"/secret", "/admin", "/after-load"} <= set(allowed["seen"]), allowed["seen"]
    assert not any(f["kind"] == "intranet_link" for f in allowed["findings"])


def test_the_site_own_address_is_allowed_exactly_not_its_network():
    policy = AddressPolicy(["http://127.0.0.1:8080/", "http://127.0.0.1:9090/col/"], allow="")
    assert policy.why_not("127.0.0.1") is None
    assert policy.why_not("127.0.0.2") == "本机回环地址"
    for address, kind in [("10.1.2.3", "内网地址"), ("192.168.0.1", "内网地址"),
                          ("169.254.169.254", "云元数据地址"), ("fd00:ec2::254", "云元数据地址"),
                          ("100.64.0.1", "运营商级NAT地址"), ("0.0.0.0", "未指定地址"),
                          ("fe80::1", "链路本地地址"), ("::ffff:127.0.0.2", "本机回环地址"),
                          ("224.0.0.1", "组播地址")]:
        assert policy.why_not(address) == kind, address
    assert policy.why_not("93.184.216.34") is None  # public
    with pytest.raises(AddressRefused):
        policy.pick("http://metadata.google.internal/computeMetadata/v1/", ["203.0.113.9"])
    assert AddressPolicy([], allow="10.0.0.0/8").why_not("10.9.9.9") is None
    with pytest.raises(ValueError, match="XUNJIAN_ALLOW_NETWORKS"):
        AddressPolicy([], allow="10.0.0.0/33")


def test_a_name_that_resolves_to_the_intranet_is_not_connected():
    # DNS rebinding: the connector judges the address the name resolves to now, and connects
    # only to an address it judged
    from xunjian.urlcheck import LinkChecker
    from xunjian.urlcheck.result import CheckConfig

    intranet = serve(Intranet())
    try:
        class Rebinding:
            async def resolve(self, host, port=0, family=0):
                return [{"hostname": host, "host": "127.0.0.2", "port": port, "family": 2,
                         "proto": 0, "flags": 0}]

            async def close(self):
                return None

        async def run():
            policy = AddressPolicy(["http://127.0.0.1:1/"], allow="")
            async with LinkChecker(CheckConfig(timeout=5, connect_timeout=3),
                                   resolver=Rebinding(), policy=policy) as checker:
                return await checker.check(
                    f"http://www.example.gov.cn:{intranet.server_address[1]}/")

        result = asyncio.run(run())
        assert result.reason == "intranet" and intranet.seen == []
    finally:
        intranet.shutdown()


# -- issue 24, case 10: a reviewer's 现场截图 is photographed only on the site's own origins ------

def test_a_reviewer_cannot_have_the_server_photograph_the_intranet(tmp_path):
    from xunjian.review.app import create_app
    from xunjian.review.data import MANUAL
    from xunjian.review.sample import seed, site_code, tiny_png
    from xunjian.review.users import add_user
    from xunjian.storage import EmbeddedStore

    intranet = serve(Intranet())
    inner = f"http://127.0.0.2:{intranet.server_address[1]}"
    site = serve(hanweb_site(inner))
    url = f"http://127.0.0.1:{site.server_address[1]}/"
    shots: list[str] = []
    try:
        with EmbeddedStore(tmp_path / "store") as store:
            seed(store, sites=1, findings_per_site=1)
            code = site_code(1)
            store.upsert_site({**store.get_site(code), "url": url})
            add_user(store, "alice", "reviewer", "correct-horse-9")
            app = create_app(store, secret_key="t", screenshooter=lambda u: shots.append(u)
                             or tiny_png(8, 8))
            client = app.test_client()
            page = client.get("/login").get_data(as_text=True)
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            client.post("/login", data={"name": "alice", "password": "correct-horse-9",
                                        "csrf_token": csrf})
            page = client.get(f"/site/{code}").get_data(as_text=True)
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            form = {"kind": "basic_info", "detail": "页面打不开", "shoot": "1", "csrf_token": csrf}
            for target in (f"{inner}/admin", "http://169.254.169.254/latest/meta-data/",
                           f"http://127.0.0.1:{intranet.server_address[1]}/x",
                           "http://metadata.google.internal/computeMetadata/v1/"):
                resp = client.post(f"/site/{code}/add-finding", data={**form, "url": target})
                assert resp.status_code == 400, target
                text = resp.get_data(as_text=True)
                assert "现场截图" in text and ("内网地址" in text or "不属于本网站" in text), text
            assert shots == [] and store.find(MANUAL) == []
            # the site's own page is photographed
            ok = client.post(f"/site/{code}/add-finding", data={**form, "url": url + "index.html"})
            assert ok.status_code == 302 and shots == [url + "index.html"]
            # with the server's real Chromium, a page of the site redirecting to the intranet
            # gives no picture, and the intranet gets no request
            real = create_app(store, secret_key="t")
            client = real.test_client()
            page = client.get("/login").get_data(as_text=True)
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            client.post("/login", data={"name": "alice", "password": "correct-horse-9",
                                        "csrf_token": csrf})
            page = client.get(f"/site/{code}").get_data(as_text=True)
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            client.post(f"/site/{code}/add-finding", data={
                **form, "csrf_token": csrf, "url": url + "col/col1001/index.html"})
            assert len(store.find(MANUAL)) == 1  # only the one of the site's own page
        assert intranet.seen == []
    finally:
        site.shutdown()
        intranet.shutdown()
