"""A district 行政审批服务局 site in the TRS WCM look, generated in code and served as GBK.

Unlike the static fixture folders next to it, every page here is built from the data below, so a
test can state exactly what the site holds (25 guides, 18 letters) and what is wrong with it:

* 个人办事 (``/zwfw/grbs/index.html``, ``index_1.html``, ``index_2.html``): an undated
  table 序号 | 事项名称 | 办理部门 | 办事指南 | 在线办理 of 25 guides (10 + 10 + 5). The guide
  link's text is only "办事指南"; the item's name is in another cell; the 在线办理 link goes to
  the online hall. The pager is written by TRS's ``createPageHTML`` script at render time.
  Guides 1004 (no 办理时间), 1013 (no 联系电话, no 办理流程) and 1023 (no 设定依据) miss
  elements: 4 categories, 8 points.
* 法人办事 (``/zwfw/frbs/index.html``): the page's list is drawn by a script that fails to load;
  what is left is a shell (数据加载中…) beside a side menu of other columns. No guide can be read.
* 局长信箱 (``/hdjl/jzxx/list.jsp``, ``?page=2``): 18 letters without dates on the list
  (编号 · 标题 · 状态), 12 + 6; the dates are on each letter's page. Letter 518 (page 2) was asked
  2026-07-20 and is still 办理中: 123 days at the as-of 2026-11-20.
* 网上咨询 (``/col/col3301/index.html``), a 大汉 jcms column in UTF-8: the page carries 15 of
  its 20 letters as CDATA records in a ``<script type="text/xml"><datastore>``, its script draws 5
  of them with a ``javascript:`` pager, and the last 5 come from ``dataproxy.jsp`` (POST
  startrecord/endrecord/perpage). Letter 620 (from dataproxy.jsp) was asked 2026-06-30 and is
  unanswered: 143 days.
* 意见征集 is registered on a port where nothing listens; 在线访谈 never answers (a hang).
* 工作动态 (``/xwzx/gzdt/index.html``, ``index_1.html``): a dated news list; page 1 has dated items,
  so page 2 is not read.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from xunjian.demo.server import free_port

ENCODING = "gbk"
AGENCY = "江北区行政审批服务局"

#: (id, 事项名称, 办理部门, missing categories)
GUIDES = [
    (1001, "食品经营许可（新办）", "区市场监督管理局", ()),
    (1002, "个体工商户设立登记", "区市场监督管理局", ()),
    (1003, "药品零售企业许可", "区市场监督管理局", ()),
    (1004, "出生登记", "区公安分局", ("办理时间",)),
    (1005, "居民身份证换领", "区公安分局", ()),
    (1006, "机动车驾驶证补领", "区公安分局", ()),
    (1007, "城乡居民基本养老保险参保登记", "区人力资源和社会保障局", ()),
    (1008, "失业保险金申领", "区人力资源和社会保障局", ()),
    (1009, "就业困难人员认定", "区人力资源和社会保障局", ()),
    (1010, "最低生活保障审批", "区民政局", ()),
    (1011, "结婚登记", "区民政局", ()),
    (1012, "离婚登记", "区民政局", ()),
    (1013, "残疾人证核发", "区残疾人联合会", ("联系电话", "办理流程")),
    (1014, "公共场所卫生许可", "区卫生健康局", ()),
    (1015, "医师执业注册", "区卫生健康局", ()),
    (1016, "护士执业注册", "区卫生健康局", ()),
    (1017, "农村宅基地审批", "区农业农村局", ()),
    (1018, "林木采伐许可", "区农业农村局", ()),
    (1019, "建筑工程施工许可", "区住房和城乡建设局", ()),
    (1020, "商品房预售许可", "区住房和城乡建设局", ()),
    (1021, "户外广告设施设置审批", "区城市管理局", ()),
    (1022, "城市道路占用挖掘许可", "区城市管理局", ()),
    (1023, "民办学校设立审批", "区教育局", ("设定依据",)),
    (1024, "教师资格认定", "区教育局", ()),
    (1025, "文艺表演团体设立审批", "区文化和旅游局", ()),
]
PER_PAGE = 10

#: (id, 标题, 来信日期, 回复日期 or None); 12 on page 1, 6 on page 2.
LETTERS = [(500 + n, title, asked, replied) for n, (title, asked, replied) in enumerate([
    ("关于新生儿医保办理流程的咨询", "2026-01-08", "2026-01-12"),
    ("咨询个体户注销需要哪些材料", "2026-01-21", "2026-01-25"),
    ("关于老旧小区加装电梯审批的问题", "2026-02-03", "2026-02-10"),
    ("营业执照经营范围变更咨询", "2026-02-18", "2026-02-20"),
    ("关于政务服务中心周末是否办公", "2026-03-04", "2026-03-05"),
    ("食品经营许可证延续办理时限", "2026-03-19", "2026-03-24"),
    ("关于残疾人证办理地点的咨询", "2026-04-02", "2026-04-07"),
    ("灵活就业人员社保缴费咨询", "2026-04-22", "2026-04-28"),
    ("关于网上申报系统无法登录的问题", "2026-05-11", "2026-05-12"),
    ("建筑工程施工许可办理进度查询", "2026-05-30", "2026-06-04"),
    ("关于公共场所卫生许可证换证", "2026-06-15", "2026-06-19"),
    ("民办幼儿园设立条件咨询", "2026-06-29", "2026-07-03"),
    ("关于户外广告设置审批时限", "2026-07-08", "2026-07-14"),
    ("咨询教师资格认定体检医院", "2026-07-16", "2026-07-20"),
    ("关于结婚登记预约的咨询", "2026-08-05", "2026-08-07"),
    ("农村宅基地审批材料咨询", "2026-09-09", "2026-09-15"),
    ("关于林木采伐许可办理的咨询", "2026-10-12", "2026-10-16"),
    ("关于小区周边道路挖掘施工噪音扰民的问题", "2026-07-20", None),
], start=1)]
LETTERS_PER_PAGE = 12

#: jcms 网上咨询: (id, 标题, 留言日期, 答复日期 or None); 15 in the page, 5 from dataproxy.jsp.
JCMS_LETTERS = [(601 + n, f"关于{topic}的留言", f"2026-{1 + n // 2:02d}-{10 + n % 2 * 10:02d}",
                 f"2026-{1 + n // 2:02d}-{15 + n % 2 * 10:02d}")
                for n, topic in enumerate(
                    ["社区卫生服务站搬迁", "公交线路调整", "学区划分", "路灯维修", "垃圾分类收运",
                     "菜市场改造", "停车收费标准", "供暖时间", "农贸市场噪音", "公园开放时间",
                     "医保异地结算", "公租房申请", "小区物业选聘", "河道清淤", "施工扬尘",
                     "校车安全", "残疾人补贴", "老年助餐点", "夜市摊位", "村道硬化"])]
JCMS_LETTERS[-1] = (620, JCMS_LETTERS[-1][1], "2026-06-30", None)  # unanswered, 143 days
JCMS_PERPAGE = 5
JCMS_IN_PAGE = 15
JCMS_PROXY = ("/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1&path=/&columnid=3301"
              "&unitid=7701&webname=%E6%B1%9F%E5%8C%97%E5%8C%BA&permissiontype=0")

NEWS = [(f"2026-11-{18 - n:02d}", f"区行政审批服务局召开第{n + 1}次窗口服务工作推进会")
        for n in range(8)]

STYLE = ("body{font:14px/1.8 SimSun,serif;margin:0}.top{background:#1f5fa8;color:#fff;height:90px}"
         ".main{width:1100px;margin:0 auto}.lm-box{float:left;width:220px}"
         ".con-box{float:right;width:860px}")


def page(title: str, body: str, scripts: str = "") -> str:
    return (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
            f"<title>{title}_{AGENCY}</title><style>{STYLE}</style>{scripts}</head><body>"
            f'<div class="top"><span style="font-size:28px">{AGENCY}</span>'
            '<div class="daohang"><a href="/">首页</a> '
            '<a href="/zwfw/grbs/index.html">政务服务</a> '
            '<a href="/hdjl/jzxx/list.jsp">互动交流</a> '
            '<a href="/xwzx/gzdt/index.html">新闻中心</a>'
            f"</div></div><div class=\"main\">{body}</div>"
            f'<div class="footer">主办：{AGENCY} 网站标识码：9999000077</div></body></html>')


def side_menu(current: str) -> str:
    """The left menu of the 政务服务 columns: links to column indexes, the current one too."""
    entries = [("grbs", "个人办事"), ("frbs", "法人办事"), ("bmfw", "部门服务"),
               ("ztfw", "主题服务"), ("gsgg", "公示公告")]
    on = ' class="on"'
    rows = "".join(f'<li{on if key == current else ""}>'
                   f'<a href="../{key}/index.html">{name}</a></li>' for key, name in entries)
    return f'<div class="lm-box"><h3 style="background:#e8f0fa">政务服务</h3><ul>{rows}</ul></div>'


def guide_list(number: int) -> str:
    rows = GUIDES[number * PER_PAGE:(number + 1) * PER_PAGE]
    cells = "".join(
        f'<tr style="height:36px;border-bottom:1px dashed #ccc"><td align="center">'
        f"{number * PER_PAGE + n + 1}</td>"
        f'<td style="text-align:left;padding-left:8px">{name}</td><td>{dept}</td>'
        f'<td align="center"><a href="./202603/t20260302_{gid}.html" target="_blank" '
        f'style="color:#1f5fa8">办事指南</a></td>'
        f'<td align="center"><a href="/wsbs/apply.jsp?sxbm={gid}" target="_blank" '
        f'style="color:#c00">在线办理</a></td></tr>'
        for n, (gid, name, dept, _) in enumerate(rows))
    pages = (len(GUIDES) + PER_PAGE - 1) // PER_PAGE
    body = (side_menu("grbs") + '<div class="con-box"><div class="position">当前位置：'
            '<a href="/">首页</a> &gt; 政务服务 &gt; 个人办事</div>'
            '<table width="100%" cellspacing="0" cellpadding="0" style="border-collapse:collapse">'
            '<tr style="background:#1f5fa8;color:#fff;height:36px"><td width="8%">序号</td>'
            '<td>事项名称</td><td width="20%">办理部门</td><td width="12%">办事指南</td>'
            f'<td width="12%">在线办理</td></tr>{cells}</table>'
            f'<div class="page_box"><script>createPageHTML({pages}, {number}, "index", "html");'
            "</script></div></div>")
    return page("个人办事", body, '<script src="/js/trs_page.js"></script>')


#: TRS's pager: it writes the page links into the document while the page loads.
TRS_PAGE_JS = """
function createPageHTML(count, current, name, ext) {
  if (count <= 1) return;
  var html = "共" + count + "页&nbsp;";
  var url = function (n) { return n == 0 ? name + "." + ext : name + "_" + n + "." + ext; };
  html += current == 0 ? "首页&nbsp;上一页&nbsp;"
    : "<a href='" + url(0) + "'>首页</a>&nbsp;<a href='" + url(current - 1) + "'>上一页</a>&nbsp;";
  html += current + 1 >= count ? "下一页&nbsp;尾页"
    : "<a href='" + url(current + 1) + "'>下一页</a>&nbsp;"
      + "<a href='" + url(count - 1) + "'>尾页</a>";
  document.write(html);
}
"""

SECTIONS = [
    ("事项名称", "一、事项名称", lambda g: g[1]),
    ("设定依据", "二、设定依据", lambda g: "《中华人民共和国行政许可法》及相关法规规章"),
    ("申请条件", "三、受理条件", lambda g: "申请人符合法定条件，材料齐全、符合法定形式"),
    ("办理材料", "四、申请材料", lambda g: "1.居民身份证原件及复印件；2.相关证明材料原件"),
    ("办理地点", "五、受理地点", lambda g: "江北区政务服务中心二楼综合受理窗口"),
    ("办理时间", "六、办理时间", lambda g: "周一至周五 上午9:00-12:00 下午13:30-17:00"),
    (None, "七、承诺时限", lambda g: "5个工作日"),
    ("联系电话", "八、咨询电话", lambda g: f"0571-8651{g[0] % 10000:04d}"),
    ("办理流程", "九、办理流程", lambda g: "申请—受理—审查—决定—送达"),
]


def guide_page(guide: tuple) -> str:
    gid, name, dept, missing = guide
    parts = "".join(f'<p style="font-weight:bold;margin-top:12px">{label}</p><p>{value(guide)}</p>'
                    for cat, label, value in SECTIONS if cat not in missing)
    body = ('<div class="con-box"><div class="position">当前位置：<a href="/">首页</a> &gt; '
            f'个人办事</div><h1 style="text-align:center;font-size:22px">{name}办事指南</h1>'
            '<div class="info" style="color:#999;text-align:center">'
            f'发布时间：2026-03-02 来源：{dept}</div><div class="TRS_Editor">{parts}</div></div>')
    return page(f"{name}办事指南", body)


def shell_page() -> str:
    """法人办事: the matter list is loaded by a script that is missing (404)."""
    body = (side_menu("frbs") + '<div class="con-box"><div class="position">当前位置：'
            '<a href="/">首页</a> &gt; 政务服务 &gt; 法人办事</div>'
            '<div id="sx-list" style="min-height:300px"><p style="color:#999">数据加载中…</p></div>'
            '<script>loadMatterList("frbs", document.getElementById("sx-list"));</script></div>')
    return page("法人办事", body, '<script src="/js/zwfw-matter-api.js"></script>')


def letter_list(number: int) -> str:
    rows = LETTERS[(number - 1) * LETTERS_PER_PAGE:number * LETTERS_PER_PAGE]
    items = "".join(
        f'<div class="list-item" style="border-bottom:1px dotted #ddd;height:34px">'
        f'<span class="bh" style="width:140px;display:inline-block">JZXX2026{lid:04d}</span>'
        f'<a href="detail.jsp?id={lid}" title="{title}" target="_blank">{title}</a>'
        f'<span class="zt" style="float:right">{"已回复" if replied else "办理中"}</span></div>'
        for lid, title, _, replied in rows)
    pages = (len(LETTERS) + LETTERS_PER_PAGE - 1) // LETTERS_PER_PAGE
    pager = f"共{len(LETTERS)}条 第{number}/{pages}页 "
    if number < pages:
        pager += (f'<a href="list.jsp?page={number + 1}">下一页</a> '
                  f'<a href="list.jsp?page={pages}">尾页</a>')
    else:
        pager += ('<a href="list.jsp?page=1">首页</a> '
                  f'<a href="list.jsp?page={number - 1}">上一页</a>')
    body = ('<div class="con-box"><h2>局长信箱</h2><div class="xx-head">'
            '<span>信件编号</span><span>信件标题</span><span>办理状态</span></div>'
            f'<div class="xx-list">{items}</div><div class="fy">{pager}</div></div>')
    return page("局长信箱", body)


def letter_page(letter: tuple) -> str:
    lid, title, asked, replied = letter
    answer = (f"<tr><td>回复单位</td><td>{AGENCY}</td></tr>"
              f"<tr><td>回复时间</td><td>{replied}</td></tr>"
              "<tr><td>回复内容</td><td>您好！您反映的问题已收悉，经核实答复如下……</td></tr>"
              if replied else "<tr><td>办理状态</td><td>办理中</td></tr>")
    body = (f'<div class="con-box"><table class="xx-detail" border="1" style="width:100%">'
            f"<tr><td width=\"20%\">信件标题</td><td>{title}</td></tr>"
            f"<tr><td>来信时间</td><td>{asked}</td></tr>"
            f"<tr><td>来信内容</td><td>领导您好，{title}，盼复。</td></tr>{answer}</table></div>")
    return page(title, body)


def jcms_record(letter: tuple) -> str:
    lid, title, asked, _ = letter
    y, m, d = (int(x) for x in asked.split("-"))
    return (f'<record><![CDATA[<li><a href="/art/{y}/{m}/{d}/art_3301_{lid}.html" title="{title}"'
            f' target="_blank">{title}</a><span class="bt-data-time">[{asked}]</span></li>]]>'
            "</record>")


def jcms_column() -> str:
    """网上咨询: records in a datastore, 5 drawn by the page's script, the rest by its pager."""
    records = "".join(jcms_record(x) for x in JCMS_LETTERS[:JCMS_IN_PAGE])
    body = ('<div class="con-box"><h2>网上咨询</h2><ul class="jcms-list" id="list7701"></ul>'
            '<div class="jp-pager" id="pager7701"></div><div id="7701">'
            f'<script type="text/xml"><datastore><nextgroup><![CDATA[<a href="{JCMS_PROXY}">'
            f"</a>]]></nextgroup><recordset>{records}</recordset></datastore></script>"
            f"<script>var jpageOptions = {{perpage:{JCMS_PERPAGE}, unitid:7701}};"
            "var xml = document.getElementById('7701').getElementsByTagName('script')[0].text;"
            "var rows = xml.split('<![CDATA[').slice(2, 2 + jpageOptions.perpage);"
            "document.getElementById('list7701').innerHTML = rows.map(function (r) {"
            "  return r.split(']]>')[0]; }).join('');"
            "document.getElementById('pager7701').innerHTML = '<a href=\"javascript:;\" '"
            "  + 'onclick=\"jpage.next()\">下一页</a> <a href=\"javascript:;\">尾页</a>';"
            "</script></div></div>")
    return page("网上咨询", body)


def jcms_group(start: int, end: int) -> str:
    """dataproxy.jsp's answer: the records from start to end (1-based, inclusive)."""
    records = "".join(jcms_record(x) for x in JCMS_LETTERS[start - 1:end])
    return ('<?xml version="1.0" encoding="UTF-8"?><datastore><nextgroup><![CDATA['
            f'<a href="{JCMS_PROXY}"></a>]]></nextgroup><recordset>{records}</recordset>'
            "</datastore>")


def jcms_letter(letter: tuple) -> str:
    lid, title, asked, replied = letter
    reply = (f"<li>答复时间：{replied}</li><li>答复内容：您好，已转交相关部门办理并答复。</li>"
             if replied else "<li>办理状态：待答复</li>")
    return page(title, f'<div class="con-box"><h1>{title}</h1><ul class="lyxq">'
                       f"<li>留言时间：{asked}</li><li>留言内容：{title}，请予以关注。</li>"
                       f"{reply}</ul></div>")


def news_list(number: int) -> str:
    items = "".join(f'<li><a href="./202611/t{day.replace("-", "")}_{n}.html">{title}</a>'
                    f'<span class="date">{day}</span></li>' for n, (day, title) in
                    enumerate(NEWS[number * 5:(number + 1) * 5], start=number * 5))
    nxt = '<a href="index_1.html">下一页</a>' if number == 0 else '<a href="index.html">上一页</a>'
    return page("工作动态", f'<div class="con-box"><h2>工作动态</h2><ul class="list">{items}</ul>'
                             f'<div class="pagination">{nxt}</div></div>')


def home() -> str:
    body = ('<div class="con-box"><h2>政务服务</h2><ul>'
            '<li><a href="/zwfw/grbs/index.html">个人办事</a></li>'
            '<li><a href="/zwfw/frbs/index.html">法人办事</a></li>'
            '<li><a href="/hdjl/jzxx/list.jsp">局长信箱</a></li></ul>'
            f'<h2>工作动态</h2><ul><li><a href="/xwzx/gzdt/202611/t20261118_0.html">{NEWS[0][1]}'
            f'</a><span>{NEWS[0][0]}</span></li></ul></div>')
    return page("首页", body)


def build() -> dict[str, str]:
    """Path (with query) → HTML of every page the site has."""
    pages = {"/": home(), "/index.html": home(), "/zwfw/frbs/index.html": shell_page(),
             "/hdjl/jzxx/list.jsp": letter_list(1), "/xwzx/gzdt/index.html": news_list(0),
             "/xwzx/gzdt/index_1.html": news_list(1),
             "/wsbs/apply.jsp": page("网上办事大厅", '<form><input name="u"><input name="p" '
                                     'type="password"><button>登录</button></form>')}
    for number in range(3):
        name = "index.html" if number == 0 else f"index_{number}.html"
        pages[f"/zwfw/grbs/{name}"] = guide_list(number)
    for guide in GUIDES:
        pages[f"/zwfw/grbs/202603/t20260302_{guide[0]}.html"] = guide_page(guide)
    for number in (1, 2):
        pages[f"/hdjl/jzxx/list.jsp?page={number}"] = letter_list(number)
    for letter in LETTERS:
        pages[f"/hdjl/jzxx/detail.jsp?id={letter[0]}"] = letter_page(letter)
    pages["/col/col3301/index.html"] = jcms_column()
    for letter in JCMS_LETTERS:
        y, m, d = (int(x) for x in letter[2].split("-"))
        pages[f"/art/{y}/{m}/{d}/art_3301_{letter[0]}.html"] = jcms_letter(letter)
    for n, (day, title) in enumerate(NEWS):
        pages[f"/xwzx/gzdt/202611/t{day.replace('-', '')}_{n}.html"] = page(
            title, f"<h1>{title}</h1><p>发布时间：{day}</p><p>会议要求提升窗口服务水平。</p>")
    return pages


class _Handler(BaseHTTPRequestHandler):
    server: TRSServiceSite
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        parts = urlsplit(self.path)
        self.server.hits.append(self.path)
        if parts.path.startswith("/hdjl/zxft/"):  # 在线访谈: the server never answers
            self.server.stopping.wait(120)
            return
        key = parts.path
        if parts.path.endswith(".jsp"):  # dynamic pages: keep only the query keys they read
            query = parse_qs(parts.query)
            wanted = [f"{k}={query[k][0]}" for k in ("page", "id") if k in query]
            key = parts.path + ("?" + "&".join(wanted) if wanted else "")
            if parts.path == "/wsbs/apply.jsp":
                key = parts.path
        if parts.path == "/js/trs_page.js":
            return self._send(200, TRS_PAGE_JS.encode(ENCODING), "application/javascript")
        body = self.server.pages.get(key)
        if body is None:
            return self._send(404, b"<html><body><h1>404 Not Found</h1></body></html>",
                              "text/html")
        if key.startswith(("/col/", "/art/")):  # the jcms part of the site is UTF-8
            body = body.replace('content="text/html; charset=gb2312"',
                                'content="text/html; charset=utf-8"')
            return self._send(200, body.encode("utf-8"), "text/html; charset=UTF-8")
        return self._send(200, body.encode(ENCODING), "text/html; charset=GBK")

    do_HEAD = do_GET

    def do_POST(self):
        parts = urlsplit(self.path)
        self.server.hits.append("POST " + self.path)
        size = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(size).decode("ascii", "replace"))
        if parts.path != "/module/web/jpage/dataproxy.jsp" or "startrecord" not in form:
            return self._send(404, b"<html><body>404</body></html>", "text/html")
        start, end = int(form["startrecord"][0]), int(form["endrecord"][0])
        return self._send(200, jcms_group(start, end).encode("utf-8"),
                          "text/xml; charset=UTF-8")

    def _send(self, status: int, data: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


class TRSServiceSite(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.pages = build()
        self.hits: list[str] = []
        self.stopping = threading.Event()
        self.closed_port = free_port()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def handle_error(self, request, client_address):
        """Clients that give up on the hanging page are expected."""

    def __enter__(self) -> TRSServiceSite:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()
