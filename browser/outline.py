"""Where an element is on a full-page screenshot, and the marked crop a reviewer sees of it.

A referring page with five broken links is one full-page screenshot plus five boxes, not five
pictures: Chromium is the expensive part of an inspection, so the boxes of the page's links are
measured in the render that takes its screenshot — one ``evaluate`` right after the capture, the
page still laid out as it was photographed — and stored with the page (``link_boxes``). Which
links are broken is known only later (the homepage is photographed during the crawl), so every
link element is measured, bounded by MAX_BOXES. The outline is drawn when the picture is shown
(``marked_crop``: the review app, the site report), never stored twice.

Boxes are in CSS pixels of the document, which are the pixels of the stored screenshot (the
context has no device scale factor, browser/launch.py); the screenshot is cut at
``render.MAX_SCREENSHOT_HEIGHT``, so a box below the cut is said to be outside the picture.
"""

from __future__ import annotations

import asyncio
import io
import struct
from urllib.parse import unquote

#: Link elements measured per page (a portal homepage has a few hundred; a hacked one thousands).
MAX_BOXES = 3000

#: The boxes of the page's link elements, keyed by the URL each loads (resolved against the
#: document's base, fragment dropped — as spiders/links.py records links): the first element
#: that is drawn (visible, not zero-sized) wins; URLs whose every element is hidden are listed.
LINK_BOXES_JS = """(arg) => {
  // [limit, inFrame]: in a frame, boxes are in its viewport (what its window shows), not its
  // document, and no list area is looked for
  const [limit, inFrame] = Array.isArray(arg) ? arg : [arg, false];
  const SOURCES = [['a', 'href'], ['area', 'href'], ['img', 'src'], ['img', 'data-src'],
    ['img', 'data-original'], ['input', 'src'], ['iframe', 'src'], ['frame', 'src'],
    ['embed', 'src'], ['object', 'data'], ['source', 'src'], ['video', 'src'], ['audio', 'src']];
  const sx = inFrame ? 0 : window.scrollX, sy = inFrame ? 0 : window.scrollY;
  const boxOf = (el) => {
    if (el.tagName === 'AREA') {
      const map = el.closest('map');
      const img = map && map.name && document.querySelector('img[usemap="#' + map.name + '"]');
      el = img || el;
    }
    if (el.checkVisibility && !el.checkVisibility({opacityProperty: true,
                                                   visibilityProperty: true})) return null;
    let r = el.getBoundingClientRect();
    let x1 = r.left, y1 = r.top, x2 = r.right, y2 = r.bottom;
    if (r.width < 1 || r.height < 1) {  // an inline <a> around a block or a picture
      for (const c of el.querySelectorAll('*')) {
        const q = c.getBoundingClientRect();
        if (q.width < 1 || q.height < 1) continue;
        x1 = Math.min(x1, q.left); y1 = Math.min(y1, q.top);
        x2 = Math.max(x2, q.right); y2 = Math.max(y2, q.bottom);
      }
    }
    if (x2 - x1 < 1 || y2 - y1 < 1) return null;
    return [Math.round(x1 + sx), Math.round(y1 + sy), Math.round(x2 - x1), Math.round(y2 - y1)];
  };
  const boxes = {}, seen = new Set();
  let count = 0;
  for (const [tag, attr] of SOURCES) {
    for (const el of document.querySelectorAll(tag + '[' + attr + ']')) {
      if (count >= limit) break;
      const raw = (el.getAttribute(attr) || '').trim();
      if (!raw || /^(javascript|mailto|tel|data|about|sms):|^#/i.test(raw)) continue;
      let key;
      try { const u = new URL(raw, document.baseURI); u.hash = ''; key = u.href; }
      catch (e) { continue; }
      seen.add(key);
      if (boxes[key]) continue;
      const box = boxOf(el);
      if (box) { boxes[key] = box; count++; }
    }
  }
  const hidden = [...seen].filter(k => !boxes[k]).slice(0, limit);
  if (inFrame) return {boxes: boxes, hidden: hidden, seen: [...seen].slice(0, limit)};
  // the list area (where a blank column's items would be): a block named a list, else one
  // named content or main, else a list or table — the largest of the first kind found that
  // neither is nor holds the page's header, navigation or footer (a layout table holds them)
  const FURNITURE = 'header,nav,footer,[class*="nav" i],[class*="foot" i],[class*="head" i]';
  let area = null;
  for (const kind of ['[class*="list" i],[id*="list" i]',
                      '[class*="content" i],[id*="content" i],[class*="main" i],[id*="main" i]',
                      'ul,ol,table']) {
    let best = 0;
    for (const el of document.querySelectorAll(kind)) {
      if (el.closest(FURNITURE) || el.querySelector(FURNITURE)) continue;
      const box = boxOf(el);
      if (box && box[3] >= 20 && box[2] * box[3] > best) { best = box[2] * box[3]; area = box; }
    }
    if (area) break;
  }
  return {boxes: boxes, hidden: hidden, area: area};
}"""

#: The content box of a frame element in its parent's viewport: [x, y, width, height] (inside
#: its border and padding, where the frame's own window is drawn).
FRAME_BOX_JS = """(el) => {
  const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
  const left = el.clientLeft + parseFloat(cs.paddingLeft || 0);
  const top = el.clientTop + parseFloat(cs.paddingTop || 0);
  const width = el.clientWidth - parseFloat(cs.paddingLeft || 0) - parseFloat(cs.paddingRight || 0);
  const height = el.clientHeight - parseFloat(cs.paddingTop || 0)
    - parseFloat(cs.paddingBottom || 0);
  const visible = !el.checkVisibility || el.checkVisibility({opacityProperty: true,
                                                             visibilityProperty: true});
  return {box: [r.left + left, r.top + top, width, height], visible: visible,
          scroll: [window.scrollX, window.scrollY]};
}"""
#: Frames (iframes, frameset frames) measured per page, how long one may take and all of them
#: together (well within a browser step, browser/deadline.py: the page's own boxes are kept).
MAX_FRAMES = 20
FRAME_TIMEOUT = 5.0
FRAMES_BUDGET = 10.0

#: Why an element has no box, in the reviewer's words ({what}: 链接, 信息 …).
NOT_FOUND = "渲染后的页面上未找到该{what}"
IN_FRAME = "该{what}位于页面内嵌框架（iframe）中，未能标出位置"
HIDDEN = "该{what}在渲染后的页面上不可见（隐藏或尺寸为零）"
NOT_SHOWN = "该{what}不显示在页面上（页面脚本、样式表等）"
OUTSIDE = "该{what}位于截图范围之外（页面过长，截图只保留上部）"
NOT_MEASURED = "截图时未测量该{what}的位置"
NO_SHOT = "没有截图"
#: Tags a visitor never sees drawn (their box means nothing).
UNSHOWN_TAGS = {"script", "link", "style"}


def png_size(data: bytes | None) -> tuple[int, int] | None:
    """(width, height) of a PNG from its header, without decoding it."""
    if not data or len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def link_boxes(page, shot: bytes | None) -> dict | None:
    """``{"shot": [w, h], "boxes": {url: [x, y, w, h]}, "hidden": [url], "area": [x, y, w, h],
    "framed": [url]}`` measured on the page just photographed (``area``: its list or content
    block; links inside its frames are boxed where the frame shows them, ``framed``: the URLs
    linked inside a frame), or None without a picture or when the page cannot tell (closed)."""
    size = png_size(shot)
    if size is None:
        return None
    try:
        found = await page.evaluate(LINK_BOXES_JS, MAX_BOXES)
    except Exception:  # noqa: BLE001 - a page that went away: the finding says "not measured"
        return None
    boxes, hidden = found.get("boxes") or {}, found.get("hidden") or []
    framed = await frame_boxes(page, boxes, hidden)
    return {"shot": list(size), "boxes": boxes, "hidden": hidden, "area": found.get("area"),
            "framed": framed}


async def frame_boxes(page, boxes: dict, hidden: list) -> list[str]:
    """Add to ``boxes`` the links drawn inside the page's frames (iframes, framesets), in the
    pixels of the full-page screenshot: the frame element's content box (its parents' offsets
    added, nested frames too) plus the link's box in the frame's window, clipped to that window
    — a link scrolled out of its frame is not on the picture. A URL the page itself boxes keeps
    its own box. Returns the URLs linked inside a frame; ``hidden`` loses those a frame draws."""

    offsets: dict = {}  # frame → its window's [x, y, w, h] in the screenshot, or None

    async def window_of(frame):
        if frame in offsets:
            return offsets[frame]
        offsets[frame] = None
        parent = frame.parent_frame
        if parent is None:
            return None
        outer = None if parent.parent_frame is None else await window_of(parent)
        if parent.parent_frame is not None and outer is None:
            return None
        element = await frame.frame_element()
        got = await element.evaluate(FRAME_BOX_JS)
        if not got.get("visible"):
            return None
        x, y, w, h = got["box"]
        if outer is None:  # a frame of the page itself: document pixels are viewport + scroll
            x, y = x + got["scroll"][0], y + got["scroll"][1]
        else:
            x, y = x + outer[0], y + outer[1]
            w, h = min(w, outer[0] + outer[2] - x), min(h, outer[1] + outer[3] - y)
        offsets[frame] = [x, y, w, h] if w >= 1 and h >= 1 else None
        return offsets[frame]

    async def measure(frame):
        window = await window_of(frame)
        found = await frame.evaluate(LINK_BOXES_JS, [MAX_BOXES, True])
        return window, found

    framed: list[str] = []
    loop = asyncio.get_running_loop()
    ends = loop.time() + FRAMES_BUDGET
    for frame in page.frames[1:MAX_FRAMES + 1]:
        if frame.is_detached() or not frame.url or frame.url == "about:blank":
            continue
        left = min(FRAME_TIMEOUT, ends - loop.time())
        if left <= 0:
            break
        try:
            window, found = await asyncio.wait_for(measure(frame), left)
        except Exception:  # noqa: BLE001 - a frame that hangs or went away: its links unboxed
            continue
        framed += [k for k in found.get("seen") or [] if k not in framed]
        if window is None:
            continue
        for key, box in (found.get("boxes") or {}).items():
            placed = _in_window(box, window)
            if placed is not None and key not in boxes and len(boxes) < MAX_BOXES:
                boxes[key] = placed
    hidden[:] = [k for k in hidden if k not in boxes]
    return framed[:MAX_BOXES]


def _in_window(box, window) -> list[int] | None:
    """A box in a frame's window moved to the screenshot and clipped to that window."""
    x1, y1 = max(window[0], window[0] + box[0]), max(window[1], window[1] + box[1])
    x2 = min(window[0] + window[2], window[0] + box[0] + box[2])
    y2 = min(window[1] + window[3], window[1] + box[1] + box[3])
    if x2 - x1 < 1 or y2 - y1 < 1:
        return None
    return [round(x1), round(y1), round(x2 - x1), round(y2 - y1)]


def _key(url: str) -> str:
    return unquote(url or "").strip()


def element_evidence(page: dict, url: str, tag: str = "a", what: str = "链接") -> dict:
    """``{"element_box": {x, y, width, height} | None, "element_missing": reason?}`` of the
    element loading ``url`` on the stored ``page`` (its ``link_boxes`` and ``screenshot``);
    ``what`` names the element in the reason (链接, 信息)."""
    def missing(reason: str) -> dict:
        return {"element_box": None, "element_missing": reason.format(what=what)}

    if not page.get("screenshot"):
        return missing(NO_SHOT)
    if tag in UNSHOWN_TAGS:
        return missing(NOT_SHOWN)
    measured = page.get("link_boxes")
    if not measured:
        return missing(NOT_MEASURED)
    boxes = {_key(k): v for k, v in (measured.get("boxes") or {}).items()}
    box = boxes.get(_key(url))
    if box is None:
        hidden = {_key(k) for k in measured.get("hidden") or []}
        if _key(url) in hidden:
            return missing(HIDDEN)
        framed = {_key(k) for k in measured.get("framed") or []}
        return missing(IN_FRAME if _key(url) in framed else NOT_FOUND)
    return _placed(box, measured.get("shot"), what)


def area_evidence(page: dict, what: str) -> dict:
    """The same for the page's list area (``link_boxes["area"]``: a blank column's list)."""
    measured = page.get("link_boxes") or {}
    if not page.get("screenshot"):
        return {"element_box": None, "element_missing": NO_SHOT}
    if not measured.get("area"):
        return {"element_box": None, "element_missing": NOT_FOUND.format(what=what)}
    return _placed(measured["area"], measured.get("shot"), what)


def _placed(box, shot, what: str) -> dict:
    placed = within(box, shot)
    if placed is None:
        return {"element_box": None, "element_missing": OUTSIDE.format(what=what)}
    return {"element_box": placed}


def within(box, shot) -> dict | None:
    """The box clipped to the screenshot ``shot`` = [w, h], or None when it lies outside it."""
    x, y, w, h = (int(v) for v in box)
    if not shot:
        return None
    width, height = int(shot[0]), int(shot[1])
    x1, y1 = max(0, x), max(0, y)
    x2, y2 = min(width, x + w), min(height, y + h)
    if x2 - x1 < 1 or y2 - y1 < 1:
        return None
    return {"x": x1, "y": y1, "width": x2 - x1, "height": y2 - y1}


#: The crop around a box: at least this big (context: the column, the neighbouring links).
CROP_MIN_WIDTH = 900
CROP_MIN_HEIGHT = 360
CROP_MARGIN = 60
OUTLINE = (230, 0, 0)
OUTLINE_WIDTH = 4


def crop_area(box: dict, size: tuple[int, int]) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the crop around ``box`` within an image of ``size``."""
    width, height = size
    cw = min(width, max(CROP_MIN_WIDTH, box["width"] + 2 * CROP_MARGIN))
    ch = min(height, max(CROP_MIN_HEIGHT, box["height"] + 2 * CROP_MARGIN))
    left = box["x"] + box["width"] // 2 - cw // 2
    top = box["y"] + box["height"] // 2 - ch // 2
    left = max(0, min(width - cw, left))
    top = max(0, min(height - ch, top))
    return left, top, left + cw, top + ch


def marked_crop(data: bytes, box: dict, fmt: str = "PNG") -> bytes | None:
    """The part of the screenshot ``data`` around ``box`` with the box outlined in red, as
    ``fmt`` (PNG, JPEG) bytes; None when the picture cannot be read or the box misses it."""
    from PIL import Image, ImageDraw

    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except Exception:  # noqa: BLE001 - an unreadable picture has no crop
        return None
    placed = within((box["x"], box["y"], box["width"], box["height"]), img.size)
    if placed is None:
        return None
    img = img.convert("RGB")
    left, top, right, bottom = crop_area(placed, img.size)
    part = img.crop((left, top, right, bottom))
    draw = ImageDraw.Draw(part)
    pad = OUTLINE_WIDTH + 2
    x1, y1 = placed["x"] - left - pad, placed["y"] - top - pad
    x2 = placed["x"] + placed["width"] - left + pad - 1
    y2 = placed["y"] + placed["height"] - top + pad - 1
    draw.rectangle((max(0, x1), max(0, y1), min(part.size[0] - 1, x2),
                    min(part.size[1] - 1, y2)), outline=OUTLINE, width=OUTLINE_WIDTH)
    out = io.BytesIO()
    part.save(out, fmt, **({"quality": 85} if fmt == "JPEG" else {}))
    return out.getvalue()
