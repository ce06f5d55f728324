"""Screenshots for personal-data findings (content.privacy) in which no full number shows.

The crawl's own picture of a page shows its 身份证号 and mobiles in full, so a privacy finding
never uses it. Each page a finding is about (the page holding the numbers, or the page linking
the attachment holding them) is opened again, at most XUNJIAN_PRIVACY_SHOTS pages per
inspection, and before the capture every personal number the detector found on the page
(inspectors/privacy.py ``find_personal`` over the stored HTML) is replaced in the rendered DOM by
its masked form (``110105********0017``), in text nodes and form fields. Then the page's text is
read back: if any full number is still there (split over elements, drawn by script later, in an
iframe), no picture is kept and the finding says why. Otherwise the full-page PNG is stored and:

- a page finding gets ``element_box``: the element around the first masked number;
- an attachment finding gets the box of the link to the attachment (browser/outline.py, measured
  in the same render), on the same masked picture of the referring page. Serious-error
  candidates found in an attachment's text (inspection/attachments.py) are pictured so too.
"""

from __future__ import annotations

import re
from datetime import date

from xunjian.base import config
from xunjian.browser import context_options, launch_options
from xunjian.browser.deadline import close_page, step, step_timeout
from xunjian.browser.netpolicy import AddressPolicy, PolicyProxy
from xunjian.browser.outline import element_evidence, link_boxes, png_size, within
from xunjian.browser.render import screenshot
from xunjian.inspectors.privacy import find_personal, html_text, mask

#: Why a privacy finding has no picture, in the reviewer's words.
NOT_MASKED = "页面上的个人信息未能全部遮盖（号码被拆分或由脚本写入），为免泄露未保存截图"
NOT_OPENED = "复拍页面失败，未保存截图"
OVER_CAP = "遮盖后截图的页面数已达上限，未截图"

#: Replace each number (its digits, any spaces, dashes or no-break spaces between them) by its
#: masked form in every text node and form field of the document; mark the replaced nodes'
#: elements. Returns how many were replaced and the page's text afterwards.
MASK_JS = """(values) => {
  const pats = values.map(([digits, masked]) => [
    new RegExp(digits.split('').join('[\\\\s\\\\u00a0\\\\-]*'), 'g'), masked]);
  let count = 0;
  const swap = (text) => {
    for (const [re, masked] of pats) {
      text = text.replace(re, () => { count++; return masked; });
    }
    return text;
  };
  const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
  const nodes = [];
  while (walker.nextNode()) nodes.push(walker.currentNode);
  for (const node of nodes) {
    const before = count;
    const text = swap(node.nodeValue);
    if (count > before) {
      node.nodeValue = text;
      const el = node.parentElement;
      if (el && !el.hasAttribute('data-xj-masked')) el.setAttribute('data-xj-masked', before);
    }
  }
  for (const el of document.querySelectorAll('input, textarea')) {
    const before = count;
    const value = swap(el.value || '');
    if (count > before) { el.value = value; el.setAttribute('data-xj-masked', before); }
  }
  for (const el of document.querySelectorAll('[title], [alt], [placeholder]')) {
    for (const attr of ['title', 'alt', 'placeholder']) {
      if (el.hasAttribute(attr)) el.setAttribute(attr, swap(el.getAttribute(attr)));
    }
  }
  return {count: count, text: (document.body ? document.body.innerText : '') + '\\n' +
          [...document.querySelectorAll('input, textarea')].map(e => e.value).join('\\n')};
}"""

#: The box (document pixels) of the drawn element around the first masked number.
MASKED_BOX_JS = """() => {
  const els = [...document.querySelectorAll('[data-xj-masked]')];
  els.sort((a, b) => (+a.getAttribute('data-xj-masked')) - (+b.getAttribute('data-xj-masked')));
  for (const el of els) {
    const r = el.getBoundingClientRect();
    if (r.width >= 1 && r.height >= 1) {
      return [Math.round(r.left + scrollX), Math.round(r.top + scrollY),
              Math.round(r.width), Math.round(r.height)];
    }
  }
  return null;
}"""


def personal_values(html: str, latest: date | None) -> list[list[str]]:
    """[digits, masked] of every personal number on a stored page, longest first (a mobile is
    never masked inside a 身份证号 before the 身份证号 itself)."""
    values: dict[str, str] = {}
    for data_type, raw, _s, _e in find_personal(html_text(html), latest):
        digits = re.sub(r"[^0-9Xx]", "", raw)
        values.setdefault(digits, mask(raw, data_type))
    return sorted(([d, m] for d, m in values.items()), key=lambda v: -len(v[0]))


def left_over(text: str, values: list[list[str]], latest: date | None = None) -> list[str]:
    """The numbers of ``values`` still written in full in ``text`` (spaces and dashes ignored),
    and any other personal number the detector finds in it (one the page's script wrote, a page
    whose stored HTML was not kept)."""
    flat = re.sub(r"[\s\u00a0\-]", "", text or "").upper()
    left = [digits for digits, _masked in values if digits.upper() in flat]
    for _type, raw, _s, _e in find_personal(text or "", latest):
        digits = re.sub(r"[^0-9Xx]", "", raw)
        if digits not in left:
            left.append(digits)
    return left


async def masked_shot(context, url: str, values: list[list[str]], latest: date | None = None,
                      timeout_ms: int = 20000) -> dict | None:
    """Open ``url``, mask ``values`` in its DOM and photograph it: ``{"png", "text" (the page's
    text after masking), "left" (numbers still in full), "box" (the first masked element),
    "links" (outline.link_boxes of the render)}``; None when the page does not open."""
    try:
        page = await step(None, context.new_page(), "打开新页面")
    except Exception:  # noqa: BLE001
        return None
    try:
        await step(page, page.goto(url, timeout=timeout_ms, wait_until="load"), "打开页面",
                   timeout=timeout_ms / 1000 + step_timeout())
        done = await step(page, page.evaluate(MASK_JS, values), "遮盖")
        left = left_over(done.get("text") or "", values, latest)
        if left:
            return {"png": None, "text": done.get("text") or "", "left": left, "box": None,
                    "links": None}
        png = await step(page, screenshot(page), "截图", timeout=timeout_ms / 1000 + 30)
        # script may write the numbers again after the masking: read the text once more
        again = await step(page, page.evaluate("() => document.body ? document.body.innerText"
                                               " : ''"), "复核")
        left = left_over(again, values, latest)
        box = await step(page, page.evaluate(MASKED_BOX_JS), "定位")
        links = await link_boxes(page, png)
        return {"png": None if left else png, "text": again, "left": left, "box": box,
                "links": links}
    except Exception:  # noqa: BLE001 - no picture is evidence lost, never a failed inspection
        return None
    finally:
        await close_page(page)


def _targets(findings: list[dict]) -> dict[str, list[dict]]:
    """page URL → the findings pictured on it: a privacy finding on a page, that page; one in
    an attachment, and a serious-error candidate in an attachment's text, the page linking
    the attachment (its numbers masked all the same)."""
    out: dict[str, list[dict]] = {}
    for finding in findings:
        ev = finding.get("evidence") or {}
        if finding.get("indicator") == "content.privacy":
            page = ev.get("url") or finding.get("page")
        elif ev.get("in") == "attachment":  # a serious-error candidate in an attachment's text
            page = finding.get("page")
        else:
            continue
        if page:
            out.setdefault(page, []).append(finding)
    return out


async def picture_privacy(store, findings: list[dict], pages: list[dict], latest: date | None,
                          browser=None, policy=None) -> int:
    """Masked screenshots for the privacy findings of ``findings`` (changed in place), on the
    stored ``pages`` of their inspection; ``browser``: a running Playwright browser, else one is
    launched. Returns how many pages were pictured; a finding without one says why."""
    targets = _targets(findings)
    if not targets:
        return 0
    cap = config.current().privacy_shots
    pages = {p.get("url"): p for p in pages}
    todo = []
    for number, (url, group) in enumerate(targets.items()):
        if number >= cap:
            for finding in group:
                finding["evidence"].update(element_box=None, element_missing=OVER_CAP)
            continue
        stored = pages.get(url) or {}
        html = (store.get_blob(stored["html"]) or b"").decode("utf-8", "replace") \
            if stored.get("html") else ""
        todo.append((url, group, personal_values(html, latest), latest))
    if not todo:
        return 0
    site = store.get_site(todo[0][1][0].get("site")) if todo[0][1][0].get("site") else None
    proxy = await PolicyProxy(policy or (AddressPolicy.for_site(store, site) if site
                                         else AddressPolicy())).start()
    try:
        options = {**context_options(), **proxy.context_options()}
        if browser is not None:
            return await _in_context(store, todo, browser, options)
        from playwright.async_api import async_playwright

        async with async_playwright() as pw:
            own = await pw.chromium.launch(**launch_options())
            try:
                return await _in_context(store, todo, own, options)
            finally:
                await own.close()
    except Exception:  # noqa: BLE001 - no browser: the findings keep no picture, said so
        for _url, group, _values, _latest in todo:
            for finding in group:
                finding["evidence"].setdefault("element_missing", NOT_OPENED)
                finding["evidence"].setdefault("element_box", None)
        return 0
    finally:
        await proxy.close()


async def _in_context(store, todo: list, browser, options: dict) -> int:
    context = await browser.new_context(**options)
    taken = 0
    try:
        for url, group, values, latest in todo:
            shot = await masked_shot(context, url, values, latest)
            taken += _apply(store, group, shot)
    finally:
        await context.close()
    return taken


def _apply(store, group: list[dict], shot: dict | None) -> int:
    """Put the masked picture and the boxes on the findings of one page (1: a picture kept)."""
    if shot is None or not shot.get("png"):
        reason = NOT_MASKED if shot is not None and shot.get("left") else NOT_OPENED
        for finding in group:
            finding["evidence"].update(element_box=None, element_missing=reason)
        return 0
    blob = store.put_blob(shot["png"], "image/png")
    size = png_size(shot["png"])
    for finding in group:
        ev = finding["evidence"]
        ev["screenshot"] = blob
        finding["screenshot_masked"] = True  # outside evidence: not part of what was judged
        if ev.get("in") == "attachment":
            placed = element_evidence({"screenshot": blob, "link_boxes": shot["links"]},
                                      ev.get("attachment_url") or finding.get("url") or "",
                                      what="附件链接")
        else:
            box = within(shot["box"], size) if shot.get("box") else None
            placed = {"element_box": box} if box else {
                "element_box": None, "element_missing": "渲染后的页面上未找到该号码所在的元素"}
        ev.pop("element_missing", None)
        ev.update(placed)
    return 1
