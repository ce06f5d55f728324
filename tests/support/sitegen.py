"""Generated government sites of any size, served on 127.0.0.1 (tests and benchmarks).

Unlike the hand-written fixtures under tests/sites/, these pages are computed from a seed: a
county portal of N pages whose columns come in three CMS looks real sites use —

* TRS WCM: ``/col/col123/index.html`` lists, ``index_1.html … index_N.html`` next pages,
  articles ``/art/2026/5/29/art_123_456.html``;
* 拓尔思 TRS: ``/xxgk/tzgg/index.html`` lists with *relative* article links
  ``./202611/t20261118_456.html``;
* ``.shtml`` lists: ``/news/bmdt/list.shtml``, ``list_2.shtml``, articles ``/news/456.shtml``.

Lists show only 首页 上一页 下一页 尾页 (a chain of next pages, as TRS's ``createPageHTML``
does). Every article links a picture and some an attachment. A given share of the distinct links
are broken (404), each placed on one article page deep in a list, so only a crawl that opens every
article sees them all; ``hangs`` links answer only after ``hang_seconds``. Optional traps: an
endless event calendar and a ``;jsessionid=`` list that links itself under a new session id on
every visit. ``js_lists``: every column list page draws its items with a script from
``/api/<column>_<n>.json`` (an empty ``<ul id="list">`` in the HTML, as TRS and 大汉 templates do), so
only a crawl that renders those pages reaches their articles.

    site = GenSite(pages=300, broken_share=0.02)
    with GenServer(site) as server:        # server.url = "http://127.0.0.1:PORT/"
        ...                                # site.expected_broken(server.url) is the exact set

``python -m bench.sitegen --pages 300`` (or ``python -m tests.support.sitegen``) serves one until
interrupted.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

PER_LIST = 20
LOOKS = ("wcm", "trs", "shtml")
COLUMN_NAMES = ["工作动态", "通知公告", "政策文件", "部门动态", "乡镇动态", "规划计划",
                "人事信息", "政策解读", "公示公告", "统计数据", "财政信息", "应急管理"]
TOPICS = ["召开全县安全生产工作会议", "开展农村人居环境整治检查",
          "关于做好秋冬季森林防火工作的通知", "举办优化营商环境专题培训",
          "推进乡村振兴重点项目建设", "公布2026年度政府信息公开工作报告",
          "开展防汛抗旱应急演练", "召开政务公开工作推进会"]


@dataclass
class Column:
    cid: int
    name: str
    look: str
    slug: str
    per_list: int = PER_LIST
    articles: list[int] = field(default_factory=list)

    @property
    def lists(self) -> int:
        return max(1, math.ceil(len(self.articles) / self.per_list))

    def list_path(self, n: int) -> str:
        """Path of the list's n-th page (0 = its first page)."""
        if self.look == "wcm":
            return f"/col/col{self.cid}/index.html" if n == 0 else \
                f"/col/col{self.cid}/index_{n}.html"
        if self.look == "trs":
            return f"/xxgk/{self.slug}/index.html" if n == 0 else \
                f"/xxgk/{self.slug}/index_{n}.html"
        return f"/news/{self.slug}/list.shtml" if n == 0 else \
            f"/news/{self.slug}/list_{n + 1}.shtml"


@dataclass
class GenSite:
    pages: int = 300
    broken_share: float = 0.02
    hangs: int = 0
    hang_seconds: float = 18.0
    calendar_trap: bool = False
    session_trap: bool = False
    seed: int = 9
    #: columns (default: one per 60 pages, 3 – 12); fewer columns make longer 下一页 chains
    n_columns: int = 0
    per_list: int = PER_LIST  # items per list page
    name: str = "某某县人民政府"
    #: column lists drawn by script from /api/*.json after load (their HTML has no items)
    js_lists: bool = False
    #: links on the homepage to other systems (absolute URLs), e.g. another port of this host
    outside_links: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        rnd = random.Random(self.seed)
        n_columns = self.n_columns or min(len(COLUMN_NAMES), max(3, self.pages // 60))
        self.columns = [Column(100 + i, COLUMN_NAMES[i], LOOKS[i % 3], f"c{i}", self.per_list)
                        for i in range(n_columns)]
        aid, total, turn = 1000, 1 + n_columns, 0  # homepage + one list page per column
        while total < self.pages:
            # round robin; a column whose next article needs another list page (two pages)
            # is skipped when only one page is left
            costs = [(2 if c.articles and len(c.articles) % self.per_list == 0 else 1, c)
                     for c in self.columns[turn:] + self.columns[:turn]]
            fits = [(cost, c) for cost, c in costs if total + cost <= self.pages]
            if not fits:
                break
            cost, column = fits[0]
            column.articles.append(aid)
            total, aid, turn = total + cost, aid + 1, (self.columns.index(column) + 1) % n_columns
        self.article_column = {a: c for c in self.columns for a in c.articles}
        self.article_date = {a: date(2026, 11, 28) - timedelta(days=(a - 1000) // 3)
                             for a in self.article_column}
        articles = sorted(self.article_column)
        # distinct links ≈ pages + a picture per article + stylesheet, logo and a few externals
        links = self.pages + len(articles) + 2 + len(self.outside_links)
        n_broken = max(1, round(links * self.broken_share)) if self.broken_share else 0
        # broken links sit on articles deep in the lists (the last ones of each column first)
        deep = sorted(articles, key=lambda a: (-self._position(a), a))
        self.broken_on: dict[int, str] = {}
        kinds = ("page", "image", "attachment")
        for n, a in enumerate(deep[:n_broken]):
            self.broken_on[a] = kinds[n % 3]
        self.hang_on = {a: n for n, a in enumerate(deep[n_broken:n_broken + self.hangs])}
        self.attachment_on = set(rnd.sample(articles, k=min(len(articles), len(articles) // 4)))

    # -- the model ------------------------------------------------------------------------------

    def _position(self, aid: int) -> int:
        return self.article_column[aid].articles.index(aid)

    def article_path(self, aid: int) -> str:
        column, day = self.article_column[aid], self.article_date[aid]
        if column.look == "wcm":
            return f"/art/{day.year}/{day.month}/{day.day}/art_{column.cid}_{aid}.html"
        if column.look == "trs":
            return f"/xxgk/{column.slug}/{day:%Y%m}/t{day:%Y%m%d}_{aid}.html"
        return f"/news/{aid}.shtml"

    def page_paths(self) -> list[str]:
        """Every HTML page of the site (the homepage as ``/``)."""
        paths = ["/"]
        for column in self.columns:
            paths += [column.list_path(n) for n in range(column.lists)]
            paths += [self.article_path(a) for a in column.articles]
        return paths

    def broken_path(self, aid: int) -> str:
        kind = self.broken_on[aid]
        if kind == "image":
            return f"/picture/0/missing_{aid}.jpg"
        if kind == "attachment":
            return f"/attach/0/missing_{aid}.pdf"
        return f"/art/2020/1/1/art_999_{aid}.html"

    def expected_broken(self, base: str) -> set[str]:
        """Absolute URLs of every broken link (hangs included: over any sane timeout)."""
        base = base.rstrip("/")
        out = {base + self.broken_path(a) for a in self.broken_on}
        return out | {f"{base}/slow/{n}.html" for n in self.hang_on.values()}

    # -- pages ----------------------------------------------------------------------------------

    def _frame(self, title: str, body: str) -> str:
        nav = "".join(f'<li><a href="{c.list_path(0)}">{c.name}</a></li>' for c in self.columns)
        return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
                '<link rel="stylesheet" href="/css/main.css"></head><body>'
                f'<div class="head"><img src="/images/logo.png" alt="{self.name}">'
                f'<ul class="nav"><li><a href="/">首页</a></li>{nav}</ul></div>'
                f'<div class="main">{body}</div>'
                '<div class="foot">主办：某某县人民政府办公室 网站标识码：9999000900</div>'
                '</body></html>')

    def _title(self, aid: int) -> str:
        return f"{TOPICS[aid % len(TOPICS)]}（{aid}）"

    def _item(self, aid: int, href: str | None = None) -> str:
        return (f'<div class="list-item"><a href="{href or self.article_path(aid)}" '
                f'target="_blank">{self._title(aid)}</a>'
                f'<span class="date">{self.article_date[aid]:%Y-%m-%d}</span></div>')

    def home(self) -> str:
        blocks = []
        for column in self.columns:
            items = "".join(self._item(a) for a in column.articles[:6])
            blocks.append(f'<div class="block"><h3><a href="{column.list_path(0)}">{column.name}'
                          f'</a></h3>{items}</div>')
        extra = "".join(f'<a href="{url}">{text}</a>' for url, text in self.outside_links)
        if self.calendar_trap:
            extra += '<a href="/calendar/index.html?date=2026-11-30">活动日历</a>'
        if self.session_trap:
            extra += '<a href="/hdjl/list.jsp;jsessionid=A1B2C3D4E5F60718">互动交流</a>'
        return self._frame(self.name, "".join(blocks) + f'<div class="links">{extra}</div>')

    def column_page(self, column: Column, n: int) -> str:
        chunk = column.articles[n * column.per_list:(n + 1) * column.per_list]
        here = column.list_path(n).rsplit("/", 1)[0]
        items = []
        for a in chunk:
            href = self.article_path(a)
            if column.look == "trs":  # 拓尔思 writes article links relative to the list
                href = "." + href[len(here):]
            items.append(self._item(a, href))
        if self.js_lists:
            items = [f'<ul id="list" class="list"></ul><script>fetch("{self.api_path(column, n)}")'
                     '.then(function (r) { return r.json(); }).then(function (d) {'
                     ' var box = document.getElementById("list");'
                     ' d.items.forEach(function (x) { var li = document.createElement("li");'
                     ' li.innerHTML = \'<a href="\' + x.url + \'" target="_blank">\' + x.title +'
                     ' \'</a><span class="date">\' + x.date + \'</span>\'; box.appendChild(li);'
                     ' }); });</script>']
        last = column.lists - 1
        pager = [f'<a href="{column.list_path(0)}">首页</a>']
        if n > 0:
            pager.append(f'<a href="{column.list_path(n - 1)}">上一页</a>')
        if n < last:
            pager.append(f'<a href="{column.list_path(n + 1)}">下一页</a>')
        pager.append(f'<a href="{column.list_path(last)}">尾页</a>')
        return self._frame(f"{column.name}_{self.name}",
                           f'<h2>{column.name}</h2>{"".join(items)}'
                           f'<div class="pager">{" ".join(pager)} 共{column.lists}页</div>')

    @staticmethod
    def api_path(column: Column, n: int) -> str:
        return f"/api/{column.slug}_{n}.json"

    def list_json(self, column: Column, n: int) -> str:
        """The items a script-drawn list page fetches (links as its HTML would write them)."""
        here = column.list_path(n).rsplit("/", 1)[0]
        rows = []
        for a in column.articles[n * column.per_list:(n + 1) * column.per_list]:
            href = self.article_path(a)
            rows.append({"title": self._title(a), "date": f"{self.article_date[a]:%Y-%m-%d}",
                         "url": "." + href[len(here):] if column.look == "trs" else href})
        return json.dumps({"items": rows}, ensure_ascii=False)

    def article(self, aid: int) -> str:
        column = self.article_column[aid]
        body = [f'<h1>{self._title(aid)}</h1><div class="info">发布时间：'
                f'{self.article_date[aid]:%Y-%m-%d} 来源：{column.name}</div>',
                f'<p>为深入贯彻落实上级工作部署，{self._title(aid)}。</p>',
                f'<img src="/picture/0/{aid}.jpg" alt="图片">']
        if aid in self.attachment_on:
            body.append(f'<p>附件：<a href="/attach/0/{aid}.pdf">相关材料.pdf</a></p>')
        if aid in self.broken_on:
            kind = self.broken_on[aid]
            path = self.broken_path(aid)
            body.append(f'<img src="{path}" alt="示意图">' if kind == "image"
                        else f'<p><a href="{path}">相关链接{aid}</a></p>')
        if aid in self.hang_on:
            body.append(f'<p><a href="/slow/{self.hang_on[aid]}.html">专题链接</a></p>')
        body.append(f'<p><a href="{column.list_path(0)}">返回列表</a></p>')
        return self._frame(f"{self._title(aid)}_{self.name}", "".join(body))

    def calendar(self, day: str) -> str:
        d = date.fromisoformat(day)
        links = "".join(f'<a href="/calendar/index.html?date={d + timedelta(days=k)}">'
                        f'{d + timedelta(days=k):%m月%d日}</a> ' for k in (-1, 1, 30))
        return self._frame("活动日历", f"<h2>{d:%Y年%m月%d日} 无活动</h2>{links}")

    def session_list(self) -> str:
        token = "".join(random.choice("0123456789ABCDEF") for _ in range(16))
        links = (f'<a href="/hdjl/list.jsp;jsessionid={token}">刷新</a>'
                 f'<a href="/hdjl/list.jsp;jsessionid={token}?page=2">下一页</a>')
        return self._frame("互动交流", f"<h2>互动交流</h2>{links}")

    def respond(self, path: str, query: str) -> tuple[int, str, bytes, float]:
        """(status, content type, body, seconds to wait first) for one request."""
        html = "text/html; charset=utf-8"
        if path in ("/", "/index.html"):
            return 200, html, self.home().encode(), 0
        if path == "/css/main.css":
            return 200, "text/css", b"body{font-size:14px}", 0
        if path == "/images/logo.png" or (path.startswith("/picture/0/")
                                          and "missing" not in path):
            return 200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, 0
        if path.startswith("/attach/0/") and "missing" not in path:
            return 200, "application/pdf", b"%PDF-1.4\n%%EOF\n", 0
        if path.startswith("/slow/"):
            return 200, html, self._frame("专题", "<p>专题</p>").encode(), self.hang_seconds
        if self.calendar_trap and path == "/calendar/index.html" and query.startswith("date="):
            try:
                return 200, html, self.calendar(query[5:15]).encode(), 0
            except ValueError:
                pass
        if self.session_trap and path.startswith("/hdjl/list.jsp"):
            return 200, html, self.session_list().encode(), 0
        for column in self.columns:
            for n in range(column.lists):
                if path == column.list_path(n):
                    return 200, html, self.column_page(column, n).encode(), 0
                if self.js_lists and path == self.api_path(column, n):
                    return 200, "application/json; charset=utf-8", \
                        self.list_json(column, n).encode(), 0
        aid = self._article_at(path)
        if aid is not None:
            return 200, html, self.article(aid).encode(), 0
        return 404, html, self._frame("404", "<h1>404 页面不存在</h1>").encode(), 0

    def _article_at(self, path: str) -> int | None:
        if not hasattr(self, "_paths"):
            self._paths = {self.article_path(a): a for a in self.article_column}
        return self._paths.get(path)


class GenServer:
    """Serves a GenSite on 127.0.0.1 (a free port unless given) in a background thread."""

    def __init__(self, site: GenSite, port: int = 0):
        self.site = site
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 (http.server's name)
                self._answer(body=True)

            def do_HEAD(self):  # noqa: N802
                self._answer(body=False)

            def _answer(self, body: bool) -> None:
                parts = urlsplit(self.path)
                status, ctype, data, wait = owner.site.respond(parts.path, parts.query)
                if wait:
                    time.sleep(wait)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(data)))
                    self.send_header("LinkChecker", "xunjian-bench")  # lifts its 10 req/s cap
                    self.end_headers()
                    if body:
                        self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):  # a client hung up: not news
                pass

        self.httpd = Server(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.httpd.request_queue_size = 128
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> GenServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description="serve a generated site on 127.0.0.1")
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--hangs", type=int, default=0)
    parser.add_argument("--js-lists", action="store_true",
                        help="column lists drawn by script from /api/*.json")
    args = parser.parse_args()
    site = GenSite(pages=args.pages, hangs=args.hangs, js_lists=args.js_lists)
    with GenServer(site, args.port) as server:
        print(server.url, len(site.page_paths()), "pages", flush=True)
        try:
            server.thread.join()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
