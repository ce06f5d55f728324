"""Census statistics (普查情况通报): the numbers the 2015 results notice reports, over all sites.

Each registered site counts once, from the score card of its latest finished inspection at or
before ``as_of`` (scored at that inspection's own 监测时间点, reviewer-added findings included:
the card the review app shows, ``inspection.card.card_for``). A site
with no such inspection is listed as 未检查 and counted nowhere else — never as 合格. A site whose
card is 未评分 (nothing of it could be checked: DESIGN.md "No verdict without evidence") counts as
inspected and as 未评分 — neither 合格 nor 不合格, and not in 合格率's denominator (合格 + 不合格).

Groupings: 级别 (部门 / 省级 / 市级 / 县级), 网站类型 (门户网站 / 其他), 地区 (province, then
city) and 主办单位. 级别 and 地区 come from the 网站标识码 when it starts with a 6-digit
administrative region code (AA0000 province, AABB00 city, else county; a code starting ``bm`` is a
国务院部门 site), else from the registry's 部门/地区 text.

不合格 by cause: each veto's count of 不合格 sites and its share of them (a site with two vetoes
counts under both, so shares may add up to more than 100%), and 扣分超过40分 (不合格 without any
veto). Most frequent problems: (indicator, finding kind) by the number of sites with at least one
counting finding of it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from xunjian.inspection.card import card_for, card_rules
from xunjian.scoring import load_rules
from xunjian.scoring.review import review_counts
from xunjian.scoring.time import as_of_date

from .render import MIME, ReportError, bar_png, bar_svg, html_to_pdf, render

FORMATS = ("xlsx", "html", "pdf")
GROUPINGS = ("级别", "网站类型", "地区", "主办单位")
DEFAULT_GROUPINGS = ("级别", "网站类型", "地区")
LEVELS = ("部门", "省级", "市级", "县级", "未知")
PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省",
    "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省",
    "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区", "66": "新疆生产建设兵团", "71": "台湾省", "81": "香港特别行政区",
    "82": "澳门特别行政区",
}
_REGION_CODE = re.compile(r"^(\d{2})(\d{2})(\d{2})")
_DEPARTMENT_CODE = re.compile(r"^bm", re.IGNORECASE)
_PROVINCE_TEXT = re.compile(r"(省|自治区|^北京市?$|^天津市?$|^上海市?$|^重庆市?$|兵团)$")
_COUNTY_TEXT = re.compile(r"(县|区|旗|县级市)$")
_DEPARTMENT_TEXT = re.compile(r"(部|委员会|委|局|署|总局|办公厅|办公室|银行|院|会|中心)$")
TOP_PROBLEMS = 20


def classify(site: dict) -> dict:
    """级别, province and city of a site: {"level", "province", "city", "city_code"}."""
    code = str(site.get("code") or "")
    region = (site.get("region") or "").strip()
    if _DEPARTMENT_CODE.match(code):
        return {"level": "部门", "province": "国务院部门", "city": "", "city_code": ""}
    m = _REGION_CODE.match(code)
    if m and m.group(1) in PROVINCES:
        aa, bb, cc = m.groups()
        level = "省级" if bb == "00" else ("市级" if cc == "00" else "县级")
        city_code = "" if bb == "00" else aa + bb
        return {"level": level, "province": PROVINCES[aa], "city": "", "city_code": city_code}
    # no region code: the registry's 部门/地区 text
    level = "未知"
    if region:
        if _PROVINCE_TEXT.search(region):
            level = "省级"
        elif _COUNTY_TEXT.search(region):
            level = "县级"
        elif _DEPARTMENT_TEXT.search(region):
            level = "部门"
        elif region.endswith(("市", "州", "盟", "地区")):
            level = "市级"
    province = next((name for name in PROVINCES.values() if region.startswith(name[:2])), "")
    return {"level": level, "province": province or (region or "未知地区"), "city": "",
            "city_code": ""}


def _rate(ok: int, total: int) -> float | None:
    return round(ok * 100 / total, 1) if total else None


def _row(name: str, cards: list[dict]) -> dict:
    """Counts of one group. 未评分 (nothing could be checked) is neither 合格 nor 不合格 and stays
    out of 合格率, whose denominator is the sites with a verdict (合格 + 不合格)."""
    ok = sum(c["verdict"] == "合格" for c in cards)
    bad = sum(c["verdict"] == "不合格" for c in cards)
    return {"name": name, "inspected": len(cards), "qualified": ok,
            "unqualified": bad, "unscored": len(cards) - ok - bad, "rate": _rate(ok, ok + bad),
            "provisional": sum(bool(c["provisional"]) for c in cards)}


def latest_cards(store, as_of: str | None = None,
                 rules: str | None = None) -> tuple[dict[str, dict], list[dict]]:
    """(site code → card of its latest finished inspection at or before as_of, all sites),
    scored by ``rules`` (default the XUNJIAN_RULES setting)."""
    limit = as_of_date(as_of) if as_of else None
    best: dict[str, tuple] = {}
    for inspection in store.find("inspections", status="done"):
        when = as_of_date(inspection.get("as_of") or inspection.get("started_at"))
        if limit and when > limit:
            continue
        key = (when, str(inspection.get("started_at") or ""))
        code = inspection.get("site")
        if code not in best or key > best[code][0]:
            best[code] = (key, inspection)
    sites = store.list_sites()
    cards = {}
    for site in sites:
        if site["code"] in best:
            cards[site["code"]] = card_for(store, best[site["code"]][1]["id"], rules=rules)
    return cards, sites


def census_stats(sites: list[dict], cards: dict[str, dict], as_of: str | None = None,
                 by: tuple[str, ...] = DEFAULT_GROUPINGS, rules: str | None = None) -> dict:
    """The notice's numbers from the sites and their latest cards (pure), under the table the
    cards were scored by (``rules``; default the cards' own, else census-2015)."""
    rules = load_rules(rules or next((c["rules"] for c in cards.values()), "census-2015"))
    unknown = [b for b in by if b not in GROUPINGS]
    if unknown:
        raise ReportError(f"unknown grouping {unknown[0]!r} (one of {', '.join(GROUPINGS)})")
    info = {s["code"]: classify(s) for s in sites}
    # city names: the 部门/地区 of a 市级 site with that city code names the city
    city_names: dict[str, str] = {}
    for s in sites:
        c = info[s["code"]]
        if c["level"] == "市级" and c["city_code"] and s.get("region"):
            city_names.setdefault(c["city_code"], s["region"])
    inspected = [s for s in sites if s["code"] in cards]
    never = [s for s in sites if s["code"] not in cards]
    all_cards = [cards[s["code"]] for s in inspected]
    failed = [s for s in inspected if cards[s["code"]]["verdict"] == "不合格"]

    groups: dict[str, list[dict]] = {}
    if "级别" in by:
        per = defaultdict(list)
        for s in inspected:
            per[info[s["code"]]["level"]].append(cards[s["code"]])
        groups["级别"] = [_row(level, per[level]) for level in LEVELS if per.get(level)]
    if "网站类型" in by:
        per = defaultdict(list)
        for s in inspected:
            per[s.get("type") or "其他"].append(cards[s["code"]])
        groups["网站类型"] = [_row(t, per[t]) for t in ("门户网站", "其他") if per.get(t)]
    if "地区" in by:
        per = defaultdict(list)
        cities: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for s in inspected:
            c = info[s["code"]]
            per[c["province"]].append(cards[s["code"]])
            if c["city_code"]:
                name = city_names.get(c["city_code"]) or f"{c['city_code']}00"
                cities[c["province"]][name].append(cards[s["code"]])
        rows = []
        for province in sorted(per, key=lambda p: _province_order(p)):
            row = _row(province, per[province])
            row["cities"] = [_row(city, cities[province][city])
                             for city in sorted(cities[province])]
            rows.append(row)
        groups["地区"] = rows
    if "主办单位" in by:
        per = defaultdict(list)
        for s in inspected:
            per[s.get("owner") or "（未登记）"].append(cards[s["code"]])
        groups["主办单位"] = sorted((_row(o, per[o]) for o in per),
                                    key=lambda r: (-r["inspected"], r["name"]))

    causes = []
    for entry in rules.vetoes:
        n = sum(any(v["id"] == entry.id for v in cards[s["code"]]["vetoes"]) for s in failed)
        causes.append({"id": entry.id, "name": f"单项否决：{entry.name}", "count": n,
                       "share": _rate(n, len(failed))})
    by_points = sum(not cards[s["code"]]["vetoes"] for s in failed)
    causes.append({"id": "points", "name": _points_cause(rules), "count": by_points,
                   "share": _rate(by_points, len(failed))})

    problems: Counter = Counter()
    for card in all_cards:
        problems.update({(f["indicator"], f.get("kind") or "", f.get("rule") or "")
                         for f in card["findings"] if f.get("counts")})
    top = [{"indicator": rules.indicator(ind).name, "indicator_id": ind,
            "group": rules.indicator(ind).group, "kind": kind, "rule": rule,
            "label": rules.indicator(ind).reasons.get(rule) or kind, "sites": n,
            "share": _rate(n, len(inspected))}
           for (ind, kind, rule), n in sorted(problems.items(), key=lambda x: (-x[1], x[0]))][
        :TOP_PROBLEMS]

    privacy = privacy_stats(inspected, cards)

    def listing(s: dict) -> dict:
        card = cards[s["code"]]
        reasons = [f"{rules.indicator(v['id']).name}：{v['reason']}" for v in card["vetoes"]]
        if not card["vetoes"] and card["verdict"] == "不合格":
            reasons.append(_points_reason(card, rules))
        return {"code": s["code"], "name": s.get("name") or "", "region": s.get("region") or "",
                "level": info[s["code"]]["level"], "type": s.get("type") or "",
                "owner": s.get("owner") or "", "as_of": card["as_of"],
                "inspection": card.get("inspection"), "verdict": card["verdict"],
                "score": card["score"], "total_deduction": card["total_deduction"],
                "reasons": reasons, "unchecked": len(card["unchecked"]),
                "awaiting_review": review_counts(card)["awaiting"]}

    overall = _row("全部网站", all_cards)
    return {
        "as_of": as_of, "by": list(by), "registered": len(sites), "overall": overall,
        "never_inspected": [{"code": s["code"], "name": s.get("name") or "",
                             "region": s.get("region") or "", "level": info[s["code"]]["level"]}
                            for s in never],
        "groups": groups, "causes": causes, "unqualified_total": len(failed),
        "problems": top, "privacy": privacy,
        "unqualified": [listing(s) for s in failed],
        "unscored_sites": [listing(s) for s in inspected
                           if cards[s["code"]]["verdict"] == "未评分"],
        "provisional": [listing(s) for s in inspected if cards[s["code"]]["provisional"]],
        "rules_title": rules.title, "rules": rules.name, "rules_source": rules.source,
    }


def _points_cause(rules) -> str:
    """Why a card without a veto failed, as a cause of the statistics."""
    if rules.scoring == "capped":
        return f"得分低于{rules.fail_below:g}分"
    return f"扣分超过{rules.threshold:g}分"


def _points_reason(card: dict, rules) -> str:
    if rules.scoring == "capped":
        return f"得分 {card['score']:g} 分，低于{rules.fail_below:g}分"
    return f"扣分合计 {card['total_deduction']:g} 分，超过{rules.threshold:g}分"


def privacy_stats(inspected: list[dict], cards: dict[str, dict]) -> dict:
    """个人信息泄露: sites with a leak a reviewer confirmed (content.privacy findings that count),
    and sites whose candidates still await review."""
    confirmed, pending = [], []
    for s in inspected:
        leaks = [f for f in cards[s["code"]]["findings"] if f["indicator"] == "content.privacy"]
        if any(f.get("counts") for f in leaks):
            confirmed.append(s["code"])
        elif any(f.get("review") == "pending" for f in leaks):
            pending.append(s["code"])
    return {"sites": len(confirmed), "share": _rate(len(confirmed), len(inspected)),
            "codes": confirmed, "pending_sites": len(pending)}


def _province_order(name: str) -> tuple:
    codes = {v: k for k, v in PROVINCES.items()}
    return (0 if name == "国务院部门" else 1, codes.get(name, "99"), name)


def census_report(store, as_of: str | None = None, by: tuple[str, ...] = DEFAULT_GROUPINGS,
                  rules: str | None = None) -> dict:
    """The statistics with every site's card scored by ``rules`` (census-2015 or
    checklist-2019; default the XUNJIAN_RULES setting)."""
    rules = card_rules(rules).name
    cards, sites = latest_cards(store, as_of, rules)
    return census_stats(sites, cards, as_of, by, rules)


# -- formats --------------------------------------------------------------------------------------

def charts(stats: dict) -> list[tuple[str, list[tuple[str, float]], str, float | None]]:
    """(title, bars, unit, maximum) of each chart: 合格率 per grouping, and 不合格 causes."""
    out = []
    for name, rows in stats["groups"].items():
        if name == "主办单位":
            rows = rows[:15]
        out.append((f"合格率（按{name}）", [(r["name"], r["rate"] or 0) for r in rows], "%", 100))
    out.append(("不合格原因（网站数）", [(c["name"].replace("单项否决：", ""), c["count"])
                                       for c in stats["causes"]], "个", None))
    return out


def census_html(stats: dict) -> str:
    svgs = [bar_svg(t, bars, unit, maximum) for t, bars, unit, maximum in charts(stats)]
    return render("census_report.html", s=stats, charts=svgs)


def census_xlsx(stats: dict) -> bytes:
    import io

    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.drawing.image import Image as XlImage

    from .site_xlsx import sheet

    wb = Workbook()
    o = stats["overall"]
    sheet(wb, "总体情况", ["项目", "数值"], [
        ["监测时间点（截至）", stats["as_of"] or "全部"], ["登记网站", stats["registered"]],
        ["已检查网站", o["inspected"]], ["合格", o["qualified"]], ["不合格", o["unqualified"]],
        ["未评分", o["unscored"]], ["合格率(%)", o["rate"] if o["rate"] is not None else "—"],
        ["暂定结论", o["provisional"]], ["未检查网站", len(stats["never_inspected"])],
    ], widths=[22, 16], first=True)
    header = ["分组", "已检查", "合格", "不合格", "合格率(%)", "暂定结论", "未评分"]
    chart_rows = {}
    for name, rows in stats["groups"].items():
        flat = []
        for r in rows:
            flat.append([r["name"], r["inspected"], r["qualified"], r["unqualified"],
                         r["rate"], r["provisional"], r["unscored"]])
            for c in r.get("cities") or []:
                flat.append([f"　{r['name']}·{c['name']}", c["inspected"], c["qualified"],
                             c["unqualified"], c["rate"], c["provisional"], c["unscored"]])
        ws = sheet(wb, f"按{name}", header, flat, widths=[30, 10, 10, 10, 12, 10, 10])
        chart_rows[name] = (ws, len(flat))
    causes = sheet(wb, "不合格原因", ["原因", "网站数", "占不合格网站(%)"],
                   [[c["name"], c["count"], c["share"]] for c in stats["causes"]],
                   widths=[40, 10, 16])
    sheet(wb, "常见问题", ["一级指标", "二级指标", "问题", "问题类型", "涉及网站数",
                           "占已检查网站(%)"],
          [[p["group"], p["indicator"], p["label"], p["kind"], p["sites"], p["share"]]
           for p in stats["problems"]], widths=[14, 18, 50, 20, 12, 16])
    listing_header = ["网站标识码", "网站名称", "部门/地区", "级别", "网站类型", "监测时间点",
                      "结论", "得分", "扣分合计", "不合格原因", "未检查指标数", "待复核问题数"]

    def listing(rows):
        return [[r["code"], r["name"], r["region"], r["level"], r["type"], r["as_of"],
                 r["verdict"], r["score"] if r["score"] is not None else "—",
                 r["total_deduction"], "；".join(r["reasons"]), r["unchecked"],
                 r["awaiting_review"]] for r in rows]

    widths = [14, 30, 16, 8, 10, 12, 8, 8, 8, 60, 10, 10]
    sheet(wb, "不合格网站", listing_header, listing(stats["unqualified"]), widths=widths)
    sheet(wb, "暂定结论网站", listing_header, listing(stats["provisional"]), widths=widths)
    sheet(wb, "未评分网站", listing_header, listing(stats["unscored_sites"]), widths=widths)
    sheet(wb, "未检查网站", ["网站标识码", "网站名称", "部门/地区", "级别"],
          [[r["code"], r["name"], r["region"], r["level"]] for r in stats["never_inspected"]],
          widths=[14, 30, 16, 8])
    # the chart sheet: native Excel charts over the sheets above, and the same charts as images
    cs = wb.create_sheet("图表")
    anchor = 1
    for name, (ws, n) in chart_rows.items():
        if not n:
            continue
        chart = BarChart()
        chart.type = "bar"
        chart.title = f"合格率（按{name}）"
        chart.x_axis.title = name
        chart.y_axis.title = "合格率(%)"
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
        chart.add_data(Reference(ws, min_col=5, min_row=1, max_row=min(n, 40) + 1),
                       titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=min(n, 40) + 1))
        chart.width, chart.height = 18, max(6, min(n, 40) * 0.6)
        cs.add_chart(chart, f"A{anchor}")
        anchor += int(chart.height * 2) + 2
    chart = BarChart()
    chart.type = "bar"
    chart.title = "不合格原因（网站数）"
    chart.add_data(Reference(causes, min_col=2, min_row=1, max_row=len(stats["causes"]) + 1),
                   titles_from_data=True)
    chart.set_categories(Reference(causes, min_col=1, min_row=2,
                                   max_row=len(stats["causes"]) + 1))
    chart.width, chart.height = 18, 7
    cs.add_chart(chart, f"A{anchor}")
    images = wb.create_sheet("图表图片")
    row = 1
    for title, bars, unit, maximum in charts(stats):
        png = bar_png(title, bars, unit, maximum, width=1000)
        img = XlImage(io.BytesIO(png))
        img.width, img.height = img.width // 2, img.height // 2
        images.add_image(img, f"A{row}")
        row += img.height // 20 + 2
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def build_census_report(store, fmt: str, as_of: str | None = None,
                        by: tuple[str, ...] = DEFAULT_GROUPINGS, rules: str | None = None) -> bytes:
    if fmt not in FORMATS:
        raise ReportError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    stats = census_report(store, as_of, by, rules)
    if fmt == "html":
        return census_html(stats).encode("utf-8")
    if fmt == "pdf":
        return html_to_pdf(census_html(stats))
    return census_xlsx(stats)


__all__ = ["FORMATS", "GROUPINGS", "MIME", "build_census_report", "census_report",
           "census_stats", "classify", "latest_cards"]


class CensusCache:
    """The statistics of a store, recomputed only when its inspections, reviews or
    reviewer-added findings changed (for the review app's statistics page)."""

    def __init__(self, store) -> None:
        self.store = store
        self._key = None
        self._stats = None

    def stats(self, as_of: str | None = None, by: tuple[str, ...] = DEFAULT_GROUPINGS,
              rules: str | None = None) -> dict:
        rules = card_rules(rules).name
        key = (as_of, tuple(by), rules, self.store.count("inspections"),
               self.store.count("reviews"), self.store.count("manual_findings"),
               self.store.count("sites"))
        if key != self._key:
            self._stats = census_report(self.store, as_of, by, rules)
            self._key = key
        return self._stats
