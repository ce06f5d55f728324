"""A county portal whose site search, message form and address family vary, served locally.

The pages are written the way real Chinese government sites are (GBK tables in 宋体 with inline
styles, TRS WAS5 search forms that open in a new window, 集约化平台 search boxes that submit by
script, Tomcat error pages), one variant per test:

``search``:
* ``was5``   — a GET form ``/was5/web/search`` (``searchword`` prefilled with 请输入关键字,
  ``onsubmit`` check, ``target=_blank``, an ``<input type=image>`` button); results list every
  title containing the words, first words highlighted in ``<font color=red>``, under
  全部 | 信息公开 | 办事服务 | 互动交流 tabs;
* ``none``   — a box outside any form, ``<a onclick>`` calling ``window.open`` on
  ``/jsearch/search.html?q=``; the results page says 没有找到与“…”相关的结果;
* ``error``  — a GET form to ``/search/index.jsp`` that answers 500 (a Tomcat page);
* ``js``     — only a 站内搜索 link to ``/so.htm``, whose form reloads ``/so.htm?keyword=…`` and
  draws the results by script from ``/api/so?keyword=…`` (titles cut at 24 characters + …);
* ``intranet`` — a GET form whose action is an intranet address (10.255.0.9), never fetched;
* ``absent`` — no search at all.

``letters`` (the 县长信箱 column, ``/hdjl/xzxx/index.html``):
* ``form``   — 我要写信 → ``write.html``: a POST form with a textarea and a 提 交 button;
* ``noform`` — the list only, its 我要写信 leads to a 404;
* ``login``  — 我要写信 → a page whose script sends the visitor to ``/sso/login.html``;
* ``absent`` — no consultation column at all.

``server.hits`` records every request as ``(method, path)``: no test may see a POST.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

#: (column path, name, [(title, date)…]) — four columns, the newest item of each first.
COLUMNS = [
    ("/xwzx/gzdt/", "工作动态", [("县政府召开第十二次常务会议研究部署冬季供暖工作", "2026-11-18"),
                              ("副县长王建国到城关镇调研农村人居环境整治", "2026-11-12"),
                              ("全县秋冬季森林防火工作会议召开", "2026-11-02")]),
    ("/xxgk/tzgg/", "通知公告", [("关于2026年度县级储备粮轮换竞价销售的公告", "2026-11-16"),
                              ("关于开展第四次全国文物普查的通告", "2026-10-28")]),
    ("/xxgk/zcwj/", "政策文件", [("某某县人民政府办公室关于印发某某县城镇老旧小区改造实施方案的通知",
                               "2026-11-10"),
                              ("某某县农村集体经济组织成员资格认定办法", "2026-09-30")]),
    ("/xxgk/zcjd/", "政策解读", [("图解：某某县城镇老旧小区改造实施方案", "2026-11-11"),
                              ("一图读懂2026年县政府工作报告", "2026-03-01")]),
]
NEWEST = [items[0][0] for _, _, items in COLUMNS]

_STYLE = 'style="font-size:12px;font-family:宋体;color:#333"'


def _home_search(mode: str) -> str:
    if mode == "was5":
        return ('<table width="260" border="0" cellspacing="0" cellpadding="0"><tr><td>'
                '<form name="searchform" action="/was5/web/search" method="get" '
                'target="_blank" onsubmit="return checksearch(this)">'
                '<input type="hidden" name="channelid" value="246178">'
                '<input type="hidden" name="perpage" value="15">'
                '<input type="text" name="searchword" value="请输入关键字" size="22" '
                'onfocus="if(this.value==\'请输入关键字\')this.value=\'\'" '
                'style="border:1px solid #ccc;height:20px">'
                '<input type="image" src="/images/ss_btn.gif" width="44" height="22" '
                'align="absmiddle"></form></td></tr></table>'
                '<script>function checksearch(f){var v=f.searchword.value;'
                'if(v==""||v=="请输入关键字"){alert("请输入关键字");return false;}return true;}'
                '</script>')
    if mode == "none":
        return ('<div class="ss" style="float:right;margin-top:20px">'
                '<input id="ssk" class="ss-input" type="text" placeholder="请输入您要搜索的内容">'
                '<a href="javascript:;" class="ss-btn" onclick="doSearch()">搜 索</a></div>'
                '<script>function doSearch(){var q=document.getElementById("ssk").value;'
                'window.open("/jsearch/search.html?q="+encodeURIComponent(q)+"&webid=1");}'
                '</script>')
    if mode == "error":
        return ('<form action="/search/index.jsp" method="get" id="search_form">'
                '<input name="q" type="text" class="txt" placeholder="站内搜索">'
                '<button type="submit">检索</button></form>')
    if mode == "js":
        return '<div class="top-links"><a href="/so.htm" target="_blank">站内搜索</a></div>'
    if mode == "intranet":
        return ('<form action="http://10.255.0.9:8080/search/search.do" method="get">'
                '<input name="keyword" placeholder="请输入关键字"><input type="submit" value="搜索">'
                '</form>')
    return '<div class="top-links"><a href="/">设为首页</a> <a href="/">加入收藏</a></div>'


def _frame(title: str, body: str) -> str:
    return ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
            f'<title>{title}</title></head><body style="margin:0" bgcolor="#ffffff">'
            f'<table width="1000" align="center" {_STYLE}><tr><td>{body}</td></tr></table>'
            '<table width="1000" align="center"><tr><td align="center" '
            f'{_STYLE}>主办：某某县人民政府办公室 网站标识码：9999000077</td></tr></table>'
            '</body></html>')


def _column_list(path: str, name: str, items) -> str:
    rows = "".join(f'<tr><td height="26">·<a href="{path}{n}.html" target="_blank">{t}</a></td>'
                   f'<td width="90" align="right">{d}</td></tr>'
                   for n, (t, d) in enumerate(items))
    return _frame(f"{name}-某某县人民政府", f'<div class="dqwz">当前位置：首页 &gt; {name}</div>'
                  f'<table width="100%" {_STYLE}>{rows}</table>')


@dataclass
class Variant:
    search: str = "was5"
    letters: str = "form"
    #: titles the search index does not hold (found by no search)
    unindexed: tuple[str, ...] = ()


class Handler(BaseHTTPRequestHandler):
    server: ActiveSite
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def _send(self, status: int, body: str, ctype: str = "text/html; charset=utf-8",
              gbk: bool = False, headers: dict | None = None) -> None:
        data = body.encode("gbk" if gbk else "utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=GBK" if gbk else ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_HEAD(self):
        self.do_GET()

    def do_POST(self):
        self.server.hits.append(("POST", urlsplit(self.path).path))
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self._send(200, "<html><body>提交成功</body></html>")

    def do_GET(self):
        parts = urlsplit(self.path)
        path = parts.path
        # a GBK page's form submits its words in GBK (as TRS WAS5 expects them)
        query = parse_qs(parts.query, encoding="gbk" if path.startswith("/was5/") else "utf-8")
        self.server.hits.append((self.command, path))
        page = self.server.page(path, query)
        if page is None:
            return self._send(404, "<html><head><title>404</title></head><body>"
                              "<h1>404 页面不存在</h1></body></html>")
        status, body, gbk = page
        self._send(status, body, gbk=gbk,
                   ctype="application/json; charset=utf-8" if path.startswith("/api/")
                   else "text/html; charset=utf-8")


def _hits(words: str, cut: int | None = None,
          unindexed: tuple[str, ...] = ()) -> list[tuple[str, str, str]]:
    words = words.strip()
    out = []
    for path, _, items in COLUMNS:
        for n, (title, day) in enumerate(items):
            if words and words in title and title not in unindexed:
                shown = title if cut is None or len(title) <= cut else title[:cut] + "…"
                out.append((f"{path}{n}.html", shown, day))
    return out


class ActiveSite(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, variant: Variant, host: str = "127.0.0.1"):
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, 0), Handler)
        self.variant = variant
        self.host = host
        self.hits: list[tuple[str, str]] = []

    def handle_error(self, request, client_address):
        pass

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.server_address[1]}/"

    def __enter__(self) -> ActiveSite:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()

    # -- pages --------------------------------------------------------------------------------

    def home(self) -> str:
        nav = "".join(f'<td><a href="{p}index.html">{n}</a></td>' for p, n, _ in COLUMNS)
        if self.variant.letters != "absent":
            nav += '<td><a href="/hdjl/xzxx/index.html">县长信箱</a></td>'
        blocks = "".join(
            f'<td valign="top" width="25%"><b>{n}</b><br>' + "".join(
                f'<a href="{p}{i}.html">{t}</a> <span>{d}</span><br>'
                for i, (t, d) in enumerate(items)) + "</td>" for p, n, items in COLUMNS)
        return _frame("某某县人民政府门户网站",
                      f'<table width="100%"><tr><td><img src="/images/logo.gif" '
                      f'alt="某某县人民政府"></td><td align="right">'
                      f'{_home_search(self.variant.search)}</td></tr></table>'
                      f'<table width="100%" bgcolor="#0a57a4"><tr>{nav}</tr></table>'
                      f'<table width="100%" {_STYLE}><tr>{blocks}</tr></table>')

    def page(self, path: str, query: dict) -> tuple[int, str, bool] | None:
        if path in ("/", "/index.html"):
            return 200, self.home(), True
        for col, name, items in COLUMNS:
            if path == f"{col}index.html":
                return 200, _column_list(col, name, items), True
            for n, (title, day) in enumerate(items):
                if path == f"{col}{n}.html":
                    return 200, _frame(title, f'<h2 align="center">{title}</h2>'
                                       f'<p align="center">发布日期：{day} 来源：县政府办</p>'
                                       '<p>　　正文内容。</p>'), True
        if path.startswith("/hdjl/") and self.variant.letters != "absent":
            return self.letters(path)
        if path.startswith("/sso/") and self.variant.letters == "login":
            return 200, ('<html><head><meta charset="utf-8"><title>统一身份认证平台</title></head>'
                         '<body><form action="/sso/auth" method="post"><h3>用户登录</h3>'
                         '<input name="loginname" placeholder="用户名/手机号">'
                         '<input type="password" name="pwd" placeholder="密码">'
                         '<input type="submit" value="登 录"></form></body></html>'), False
        return self.search(path, query)

    def letters(self, path: str):
        variant = self.variant.letters
        if path == "/hdjl/xzxx/index.html":
            rows = "".join(f'<tr><td><a href="/hdjl/xzxx/l{n}.html">{t}</a></td><td>{d}</td>'
                           f'<td>已回复</td></tr>' for n, (t, d) in enumerate(
                               [("关于城关镇自来水水压不足的反映", "2026-11-03"),
                                ("咨询新生儿医保参保办理流程", "2026-10-21")]))
            button = '' if variant == "absent" else (
                '<div style="text-align:right"><a href="/hdjl/xzxx/write.html" '
                'class="xx-btn"><img src="/images/xx.gif" border="0">我要写信</a></div>')
            return 200, _frame("县长信箱-某某县人民政府",
                               f'{button}<table width="100%" {_STYLE}><tr><th>信件标题</th>'
                               f'<th>来信时间</th><th>状态</th></tr>{rows}</table>'), True
        if path.startswith("/hdjl/xzxx/l"):
            return 200, _frame("信件详情", '<p>来信时间：2026-11-03</p><p>回复时间：2026-11-05</p>'
                               '<p>回复内容：已转县水务局处理，水压已恢复。</p>'), True
        if path == "/hdjl/xzxx/write.html" and variant == "form":
            return 200, _frame("我要写信-县长信箱", (
                '<form name="xxform" method="post" action="/hdjl/xzxx/save.do">'
                f'<table width="80%" border="1" {_STYLE}>'
                '<tr><td>姓　　名：</td><td><input name="xm" type="text"></td></tr>'
                '<tr><td>联系电话：</td><td><input name="dh" type="text"></td></tr>'
                '<tr><td>信件标题：</td><td><input name="bt" type="text" size="50"></td></tr>'
                '<tr><td>信件内容：</td><td><textarea name="nr" rows="8" cols="60"></textarea>'
                '</td></tr><tr><td>验 证 码：</td><td><input name="yzm" size="6">'
                '<img src="/hdjl/yzm.jsp"></td></tr>'
                '<tr><td colspan="2" align="center"><input type="button" value="提 交" '
                'onclick="if(document.xxform.nr.value){document.xxform.submit();}">'
                '<input type="reset" value="重 置"></td></tr></table></form>')), True
        if path == "/hdjl/xzxx/write.html" and variant == "login":
            return 200, ('<html><head><meta charset="utf-8"><title>跳转中</title><script>'
                         'location.replace("/sso/login.html?goto="+encodeURIComponent('
                         'location.href));</script></head><body>正在跳转到登录页面…</body></html>'
                         ), False
        return None

    def search(self, path: str, query: dict):
        mode = self.variant.search
        if mode == "was5" and path == "/was5/web/search":
            words = (query.get("searchword") or [""])[0]
            hits = _hits(words, None, self.variant.unindexed)
            rows = "".join(
                f'<tr><td class="searchresulttitle"><a href="{u}" target="_blank">'
                f'<font color="red">{t[:4]}</font>{t[4:]}</a></td></tr>'
                f'<tr><td style="color:green">{u} {d}</td></tr>' for u, t, d in hits)
            tabs = ('<div class="fl"><a class="on">全部</a> | <a>信息公开</a> | <a>办事服务</a>'
                    ' | <a>互动交流</a></div>')
            return 200, _frame("检索结果", f'{tabs}<table {_STYLE}><tr><td>检索词：<input '
                               f'name="searchword" value="{words}"> 共找到 '
                               f'{len(hits)} 条记录</td></tr>{rows}</table>'), True
        if mode == "none" and path == "/jsearch/search.html":
            words = (query.get("q") or [""])[0]
            return 200, ('<html><head><meta charset="utf-8"><title>搜索结果</title></head><body>'
                         '<div class="search-box"><input value="' + words + '"></div>'
                         '<div class="result-none" style="padding:60px;text-align:center">'
                         f'抱歉，没有找到与“<em>{words}</em>”相关的结果。<br>建议您：检查输入是否'
                         '正确，或尝试其他关键词。</div></body></html>'), False
        if mode == "error" and path == "/search/index.jsp":
            return 500, ('<!doctype html><html lang="en"><head><title>HTTP Status 500 – '
                         'Internal Server Error</title></head><body><h1>HTTP Status 500 – '
                         'Internal Server Error</h1><p><b>Type</b> Exception Report</p>'
                         '<p><b>Message</b> java.lang.NullPointerException</p></body></html>'
                         ), False
        if mode == "js" and path == "/so.htm":
            return 200, ('<html><head><meta charset="utf-8"><title>站内搜索</title></head><body>'
                         '<form method="get" action="/so.htm"><input type="text" name="keyword" '
                         'placeholder="请输入关键词"><input type="submit" value="搜索"></form>'
                         '<div id="sum"></div><ul id="results"></ul><script>'
                         'var k=new URLSearchParams(location.search).get("keyword");'
                         'if(k){setTimeout(function(){fetch("/api/so?keyword="+'
                         'encodeURIComponent(k)).then(function(r){return r.json()}).then('
                         'function(d){document.getElementById("sum").textContent="共"+'
                         'd.length+"条";d.forEach(function(x){var li=document.createElement('
                         '"li");li.innerHTML="<a href=\\""+x.url+"\\">"+x.title+"</a> "+x.date;'
                         'document.getElementById("results").appendChild(li);});});},400);}'
                         '</script></body></html>'), False
        if mode == "js" and path == "/api/so":
            words = (query.get("keyword") or [""])[0]
            return 200, json.dumps([{"url": u, "title": t, "date": d}
                                    for u, t, d in _hits(words, 24, self.variant.unindexed)],
                                   ensure_ascii=False), False
        return None


def registry_rows(site: ActiveSite, code: str) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The census forms' rows for this site: four content columns and, unless absent, the
    县长信箱 as a 政务咨询类栏目."""
    base = site.url.rstrip("/")
    columns = [("信息公开类", kind, name, f"{base}{path}index.html") for (path, name, _), kind in
               zip(COLUMNS, ("工作动态", "通知公告", "政策文件", "其他"))]
    if site.variant.letters != "absent":
        columns.append(("互动回应类", "政务咨询类栏目", "县长信箱", f"{base}/hdjl/xzxx/index.html"))
    return ((code, "测试省某某县", "某某县人民政府门户网站", "门户网站", site.url,
             "某某县人民政府办公室"), columns)


__all__ = ["ActiveSite", "COLUMNS", "NEWEST", "Variant", "quote", "registry_rows"]
