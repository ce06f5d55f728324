"""A county 发展和改革局 site in the 博思 / JEECMS look (``.jhtml`` pages, ``/u/cms/www/`` uploads,
``/module/download/downfile.jsp`` downloads), generated in code and served as UTF-8.

What is wrong with it, each on a URL that more than one check touches:

* 互动访谈 (``/hdjl/zxft/``, linked from the homepage's navigation) answers 200 with the site's
  own shell around 「抱歉，您访问的页面不存在！」: a soft 404. It is a broken homepage link, and the
  column is unusable — not a blank column.
* 调查征集 (``/hdjl/dczj/index.jhtml``, linked from the homepage) answers HTTP 500.
* 在线咨询 is registered (and linked) on a port where nothing listens: connection refused.
* The guide 企业投资项目备案 (``/bsfw/bszn/202611/3301.jhtml``) offers three downloads:
  ``/module/download/downfile.jsp?classid=0&filename=2611021530.doc`` answers with the file
  (an OLE2 .doc, ``Content-Disposition: attachment``); ``/u/cms/www/202611/项目备案承诺书.pdf``
  answers 200 ``text/html`` — the site's 「提示信息：文件不存在！」 page, not a PDF; and
  ``/module/download/down.jsp?id=88`` is a download PAGE (HTML, legitimately) whose link gives
  the real flow chart PDF.
* ``/uploadfiles/2026/11/sqb.xls`` (not linked) answers HEAD like the sheet, GET with the
  「文件不存在」 page.
* ``/hdjl/wall/`` (used by a second registry) is behind a 瑞数-style wall: 412 with a challenge
  script that never clears, in Chromium as over plain HTTP.

Everything else is sound: a dated 工作动态 list, 12 homepage items of the last 14 days before
2026-11-20, a complete guide.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, unquote, urlsplit

from xunjian.demo.server import free_port

AGENCY = "青川县发展和改革局"
PROMISE_PDF = "/u/cms/www/202611/" + quote("项目备案承诺书.pdf")
DOC_DOWNLOAD = "/module/download/downfile.jsp?classid=0&filename=2611021530.doc"
DOWNLOAD_PAGE = "/module/download/down.jsp?id=88"
FLOW_PDF = "/u/cms/www/202611/lct20261102.pdf"
GUIDE = "/bsfw/bszn/202611/3301.jhtml"
INTERVIEW = "/hdjl/zxft/"
SURVEY = "/hdjl/dczj/index.jhtml"
WALL = "/hdjl/wall/"
#: Not linked from the site: its HEAD answers like the file, its GET with the message page.
HEAD_LIES = "/uploadfiles/2026/11/sqb.xls"
NEWS = [(f"2026-11-{19 - n:02d}", f"县发改局召开重点项目推进调度会（第{n + 1}期）")
        for n in range(12)]

#: An OLE2 compound document header, as a Word 97-2003 .doc starts.
DOC_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2040
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b" " * 600

CSS = (".g-hd{height:110px;background:url(/r/cms/www/red/img/banner.jpg) #b4161b}"
       ".g-nav li{float:left;width:12.5%;text-align:center}.m-list li{line-height:34px;"
       "border-bottom:1px dashed #e5e5e5}.m-list .time{float:right;color:#888}"
       ".g-ft{background:#f3f3f3;text-align:center;padding:20px}")


def shell(title: str, body: str, consult: str) -> str:
    """The JEECMS page shell: header, a navigation bar of every column, footer."""
    nav = "".join(f'<li><a href="{href}">{name}</a></li>' for href, name in (
        ("/", "首页"), ("/xwzx/gzdt/index.jhtml", "工作动态"),
        ("/bsfw/bszn/index.jhtml", "办事指南"), (INTERVIEW, "互动访谈"),
        (SURVEY, "调查征集"), (consult, "在线咨询")))
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
            f"<title>{title}-{AGENCY}</title><style>{CSS}</style></head><body>"
            f'<div class="g-hd"><h1 style="color:#fff;margin:0;padding:30px">{AGENCY}</h1></div>'
            f'<div class="g-nav"><ul>{nav}</ul></div><div class="g-bd">{body}</div>'
            f'<div class="g-ft">主办单位：{AGENCY} 地址：青川县乔庄镇 网站标识码：5108220001<br>'
            "蜀ICP备05000000号</div></body></html>")


def home(consult: str) -> str:
    rows = "".join(f'<li><a href="/xwzx/gzdt/202611/{9100 + n}.jhtml" target="_blank">{t}</a>'
                   f'<span class="time">{d}</span></li>' for n, (d, t) in enumerate(NEWS))
    return shell("首页", f'<div class="m-list"><h3>工作动态</h3><ul>{rows}</ul></div>'
                       '<div class="m-box"><h3>办事服务</h3><a href="/bsfw/bszn/index.jhtml">'
                       "办事指南</a></div>", consult)


def news_list(consult: str) -> str:
    rows = "".join(f'<li><a href="/xwzx/gzdt/202611/{9100 + n}.jhtml">{t}</a>'
                   f'<span class="time">{d}</span></li>' for n, (d, t) in enumerate(NEWS))
    return shell("工作动态", '<div class="position">当前位置：首页 &gt; 工作动态</div>'
                           f'<div class="m-list"><ul>{rows}</ul></div>', consult)


def article(n: int, consult: str) -> str:
    day, title = NEWS[n]
    return shell(title, f'<div class="m-article"><h2>{title}</h2><div class="info">'
                        f"发布时间：{day}　来源：{AGENCY}</div>"
                        "<p>会议听取了各重点项目进展情况汇报。</p></div>", consult)


def guide_list(consult: str) -> str:
    return shell("办事指南", '<div class="position">当前位置：首页 &gt; 办事指南</div>'
                           f'<div class="m-list"><ul><li><a href="{GUIDE}">'
                           "企业投资项目备案办事指南</a>"
                           '<span class="time">2026-11-02</span></li></ul></div>', consult)


def guide(consult: str) -> str:
    rows = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in (
        ("事项名称", "企业投资项目备案"),
        ("设定依据", "《企业投资项目核准和备案管理条例》（国务院令第673号）"),
        ("申请条件", "在本县行政区域内建设的不涉及国家安全、不在核准目录内的企业投资项目"),
        ("办理材料", "1.企业投资项目备案申请表；2.项目备案承诺书；3.营业执照复印件"),
        ("办理地点", "青川县政务服务中心二楼发改窗口"),
        ("办理时间", "工作日上午9:00-12:00，下午14:00-17:30"),
        ("联系电话", "0839-7202345"),
        ("办理流程", "申请—受理—审核—备案（见办理流程图）")))
    files = (f'<p>附件下载：</p><ul><li><a href="{DOC_DOWNLOAD}">'
             "企业投资项目备案申请表.doc</a></li>"
             f'<li><a href="{PROMISE_PDF}">项目备案承诺书.pdf</a></li>'
             f'<li><a href="{DOWNLOAD_PAGE}">附件：办理流程图</a></li></ul>')
    return shell("企业投资项目备案办事指南",
                 '<div class="m-article"><h2>企业投资项目备案办事指南</h2>'
                 f'<table border="1" class="bszn">{rows}</table>{files}</div>', consult)


def download_page(consult: str) -> str:
    return shell("附件下载", '<div class="m-article"><h2>附件下载</h2><p>文件名称：办理流程图.pdf'
                           f'（86KB）</p><p><a href="{FLOW_PDF}">点击下载</a></p></div>', consult)


def file_missing(consult: str) -> str:
    """JEECMS's message page for an upload that is gone, in the site's own shell."""
    return shell("提示信息", '<div class="m-msg" style="padding:60px;text-align:center">'
                           '<h3>提示信息</h3><p>文件不存在！</p>'
                           '<p><a href="/">返回首页</a></p></div>', consult)


def page_missing(consult: str) -> str:
    return shell("互动访谈", '<div class="m-msg" style="padding:60px;text-align:center">'
                           '<img src="/r/cms/www/red/img/404.png" alt="">'
                           "<p>抱歉，您访问的页面不存在！</p>"
                           '<p><a href="/">返回首页</a></p></div>', consult)


WALL_BODY = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title></title>"
             '<meta id="9DhefwqGPrzGxEp9hPaoag" content="Qk3z1Ym2">'
             "<script>var $_ts=window['$_ts'];if(!$_ts)$_ts=window['$_ts']={};$_ts.nsd=41234;"
             "$_ts.cd='qqaxrrAlWq3mcGAnqrLmqGEqrrAfcGEqrrErcGQkcW';</script></head><body></body></html>")


class _Handler(BaseHTTPRequestHandler):
    server: BosiSite
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        parts = urlsplit(self.path)
        path, query = unquote(parts.path), parts.query
        self.server.hits.append(self.path)
        consult = self.server.consult_url
        utf8 = "text/html; charset=utf-8"
        if path in ("/", "/index.jhtml"):
            return self._send(200, home(consult), utf8)
        if path == "/xwzx/gzdt/index.jhtml":
            return self._send(200, news_list(consult), utf8)
        if path.startswith("/xwzx/gzdt/202611/") and path.endswith(".jhtml"):
            n = int(path.rsplit("/", 1)[1][:-6]) - 9100
            if 0 <= n < len(NEWS):
                return self._send(200, article(n, consult), utf8)
        if path == "/bsfw/bszn/index.jhtml":
            return self._send(200, guide_list(consult), utf8)
        if path == GUIDE:
            return self._send(200, guide(consult), utf8)
        if path == "/module/download/downfile.jsp" and "filename=2611021530.doc" in query:
            return self._send(200, DOC_BYTES, "application/msword",
                              {"Content-Disposition": 'attachment; filename="2611021530.doc"'})
        if path == "/module/download/down.jsp" and query == "id=88":
            return self._send(200, download_page(consult), utf8)
        if path == unquote(FLOW_PDF):
            return self._send(200, PDF_BYTES, "application/pdf")
        if path == HEAD_LIES:  # a HEAD that promises the sheet, a GET that gives the message
            if self.command == "HEAD":
                return self._send(200, b"", "application/vnd.ms-excel")
            return self._send(200, file_missing(consult), utf8)
        if path.startswith("/u/cms/www/"):  # any other upload: the message page, status 200
            return self._send(200, file_missing(consult), utf8)
        if path == INTERVIEW:
            return self._send(200, page_missing(consult), utf8)
        if path == SURVEY:
            return self._send(500, "<html><body><h2>HTTP Status 500 - Internal Server Error</h2>"
                                   "<p>java.lang.NullPointerException</p></body></html>", utf8)
        if path == WALL:
            return self._send(412, WALL_BODY, utf8, {"Set-Cookie": "FSSBBIl1UgzbN7N80S=x; path=/"})
        if path.startswith("/r/cms/"):
            return self._send(200, b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif")
        return self._send(404, "<html><body><h1>404</h1></body></html>", utf8)

    do_HEAD = do_GET

    def _send(self, status: int, body, ctype: str, headers: dict | None = None) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


class BosiSite(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.hits: list[str] = []
        self.closed_port = free_port()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    @property
    def consult_url(self) -> str:
        return f"http://127.0.0.1:{self.closed_port}/hdjl/zxzx/"

    def handle_error(self, request, client_address):
        """Checkers that hang up after the headers are expected."""

    def __enter__(self) -> BosiSite:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()
