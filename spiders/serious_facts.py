"""What the serious-error detector (inspectors/serious.py) needs from a rendered page, collected
while the crawl still has it open: the links a visitor cannot see, judged from computed style
(暗链), and the text inside its iframes.

One small hook in spiders/site.py calls ``hidden_links`` before the page is closed and puts
``page_facts`` into the page item (``hidden_links``, ``frame_texts``).
"""

from __future__ import annotations

from xunjian.browser.deadline import close_page, step, step_timeout
from xunjian.base.html import parse_html

#: Per link, why a visitor cannot see it: the link or an ancestor is display:none,
#: visibility:hidden, opacity 0, a zero-height/width box that clips, off the page, a
#: zero-height <marquee>, font-size 0, or text the colour of the background behind it.
HIDDEN_LINKS_JS = """(limit) => {
  const W = Math.max(document.documentElement.scrollWidth, window.innerWidth);
  const H = Math.max(document.documentElement.scrollHeight, window.innerHeight);
  const bgOf = (el) => {
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const c = getComputedStyle(n).backgroundColor;
      if (c && c !== 'transparent' && !/rgba\\(.*,\\s*0\\)$/.test(c)) return c;
      if (getComputedStyle(n).backgroundImage !== 'none') return null;
    }
    return 'rgb(255, 255, 255)';
  };
  const why = (a) => {
    for (let n = a; n && n.nodeType === 1; n = n.parentElement) {
      const s = getComputedStyle(n);
      if (s.display === 'none') return 'display:none';
      if (s.visibility === 'hidden' || s.visibility === 'collapse') return 'visibility:hidden';
      if (parseFloat(s.opacity) === 0) return 'opacity:0';
      if (n.tagName === 'MARQUEE' && (n.offsetHeight <= 1 || n.offsetWidth <= 1))
        return 'marquee zero-size';
      const r = n.getBoundingClientRect();
      if ((r.width <= 1 || r.height <= 1) && s.overflow !== 'visible' && n !== document.body)
        return 'zero-size';
      const x = r.left + window.scrollX, y = r.top + window.scrollY;
      if (x + r.width <= 0 || y + r.height <= 0 || x >= W || y >= H) return 'off-screen';
      if (s.clip && s.clip.startsWith('rect(0') && s.position === 'absolute') return 'clip';
    }
    const s = getComputedStyle(a);
    if (parseFloat(s.fontSize) === 0) return 'font-size:0';
    if (a.textContent.trim() && !a.querySelector('img')) {
      const bg = bgOf(a);
      if (bg && s.color === bg) return 'color-equals-background';
    }
    if (a.getClientRects().length === 0) return 'zero-size';
    return '';
  };
  // where a hidden link sits: the box (document pixels) of the link or of its nearest
  // ancestor a visitor sees, for the outline on the page's screenshot (browser/outline.py)
  const placeOf = (a) => {
    for (let n = a; n && n.nodeType === 1 && n !== document.body; n = n.parentElement) {
      const s = getComputedStyle(n), r = n.getBoundingClientRect();
      if (s.display === 'none' || s.visibility === 'hidden' || parseFloat(s.opacity) === 0)
        continue;
      const x = r.left + window.scrollX, y = r.top + window.scrollY;
      if (r.width < 1 || r.height < 1 || x + r.width <= 0 || y + r.height <= 0 || x >= W
          || y >= H) continue;
      return [Math.round(Math.max(0, x)), Math.round(Math.max(0, y)),
              Math.round(Math.min(r.width, x + r.width)),
              Math.round(Math.min(r.height, y + r.height))];
    }
    return null;
  };
  const out = [];
  for (const a of document.querySelectorAll('a[href]')) {
    if (out.length >= limit) break;
    const href = a.href || '';
    if (!/^https?:/i.test(href)) continue;
    const how = why(a);
    if (how) out.push({url: href, text: (a.textContent || a.title || '').trim().slice(0, 100),
                       how: how, box: placeOf(a)});
  }
  return out;
}"""

#: Links kept per page (a hacked page may carry thousands).
MAX_HIDDEN = 300
#: Characters of text kept per iframe document.
MAX_FRAME_TEXT = 50000


async def hidden_links(page) -> list[dict] | None:
    """The page's hidden links (computed style), or None when the page cannot tell (closed,
    navigated): the detector then falls back to inline styles."""
    try:
        return await page.evaluate(HIDDEN_LINKS_JS, MAX_HIDDEN)
    except Exception:  # noqa: BLE001 - a page that went away has no facts to add
        return None


def frame_texts(frames: list[tuple[str, str]]) -> list[dict]:
    """Text of each iframe document (title and body, scripts and styles left out)."""
    out = []
    for url, html in frames:
        doc = parse_html(html)
        if doc is None:
            continue
        for bad in doc.xpath("//script|//style|//noscript"):
            bad.drop_tree()
        body = doc.find(".//body")
        text = " ".join((body if body is not None else doc).itertext())
        out.append({"url": url, "text": " ".join(text.split())[:MAX_FRAME_TEXT]})
    return out


def page_facts(meta: dict, frames: list[tuple[str, str]]) -> dict:
    """Fields of a rendered page item for the serious-error detector."""
    facts = {"frame_texts": frame_texts(frames)}
    if meta.get("hidden_links") is not None:
        facts["hidden_links"] = meta["hidden_links"]
    return facts


#: Finds ``needle`` in the page (across element boundaries: window.find), scrolls it to the middle
#: of the window and draws a red frame and a yellow wash over it; an <img> whose alt holds it is
#: framed instead. Returns whether it found it.
MARK_JS = """(needle) => {
  const frame = (r) => {
    window.scrollTo(0, Math.max(0, r.top + window.scrollY - window.innerHeight / 2));
    const box = document.createElement('div');
    const b = r;
    Object.assign(box.style, {position: 'absolute', zIndex: 2147483647, pointerEvents: 'none',
      left: (b.left + window.scrollX - 4) + 'px', top: (b.top + window.scrollY - 4) + 'px',
      width: (b.width + 8) + 'px', height: (b.height + 8) + 'px',
      border: '4px solid rgb(230, 0, 0)', background: 'rgba(255, 230, 0, 0.35)'});
    document.body.appendChild(box);
    return true;
  };
  const sel = window.getSelection();
  sel.removeAllRanges();
  if (window.find(needle, false, false, true, false, false, false) && sel.rangeCount) {
    const r = sel.getRangeAt(0).getBoundingClientRect();
    sel.removeAllRanges();
    if (r.width > 0 && r.height > 0) return frame(r);
  }
  for (const img of document.querySelectorAll('img[alt]')) {
    if ((img.alt || '').replace(/\\s+/g, '').includes(needle)) {
      const r = img.getBoundingClientRect();
      if (r.width > 0 && r.height > 0) return frame(r);
    }
  }
  return false;
}"""


async def marked_screenshot(context, url: str, needle: str, timeout_ms: int = 15000
                            ) -> bytes | None:
    """A window-sized PNG of ``url`` scrolled to ``needle`` and framed in red, or None when the
    page does not open or does not show the text (hidden text, text in an iframe)."""
    try:  # every step within its deadline: a page whose script hangs gives no picture
        page = await step(None, context.new_page(), "打开新页面")
    except Exception:  # noqa: BLE001
        return None
    try:
        await step(page, page.goto(url, timeout=timeout_ms, wait_until="load"), "打开页面",
                   timeout=timeout_ms / 1000 + step_timeout())
        if not await step(page, page.evaluate(MARK_JS, needle), "标记"):
            return None
        await step(page, page.wait_for_timeout(100), "等待")
        return await step(page, page.screenshot(timeout=timeout_ms), "截图",
                          timeout=timeout_ms / 1000 + step_timeout())
    except Exception:  # noqa: BLE001 - no picture is evidence lost, never a failed inspection
        return None
    finally:
        await close_page(page)
