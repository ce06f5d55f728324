"""The screenshots of a per-site report: each distinct one numbered once (图1, 图2 …), shown at
the full text width in the 截图 section — a tall page cut into page-sized slices so nothing is
shrunk to a stamp, its empty side margins trimmed — with a small thumbnail for the tables."""

from __future__ import annotations

import io

from xunjian.base.safetext import clean
from xunjian.browser.blank import is_blank
from xunjian.browser.outline import marked_crop

#: Screenshot slices: width in pixels, height of one slice (about an A4 text area's proportion).
SHOT_WIDTH = 1366
SLICE_HEIGHT = 1800
MAX_SLICES = 3
THUMB_WIDTH = 200
MIN_TRIMMED = 900
#: Said under a screenshot that shows nothing, so a white picture is not taken for a page.
BLANK_NOTE = "截图为空白页：浏览器打开该页时未显示任何内容"


class Shots:
    """Distinct screenshots of a report, numbered 图1, 图2 … in the order first referred to."""

    def __init__(self, store):
        self.store = store
        self.order: list[str] = []
        self.captions: dict[str, str] = {}
        self.blank: set[str] = set()  # screenshots an evidence marks ``screenshot_blank``
        self._images: dict[str, dict] = {}
        self._crops: dict[tuple, bytes | None] = {}

    def ref(self, blob_id: str | None, caption: str, blank: bool = False) -> int | None:
        """The figure number of a screenshot (registering it), or None without one; ``blank``:
        the evidence says the picture shows nothing (``screenshot_blank``)."""
        if not blob_id:
            return None
        if blank:
            self.blank.add(blob_id)
        if blob_id not in self.captions:
            self.order.append(blob_id)
            self.captions[blob_id] = clean(caption)  # the site's own column names, URLs
        return self.order.index(blob_id) + 1

    def image(self, blob_id: str) -> dict:
        """{"slices": [jpeg…], "thumb": jpeg, "size": (w, h), "cut": bool, "missing": bool}."""
        if blob_id in self._images:
            return self._images[blob_id]
        data = None
        try:
            data = self.store.get_blob(blob_id)
        except Exception:  # a missing or unreadable blob is said in the report, never a crash
            data = None
        out = {"slices": [], "thumb": None, "size": None, "cut": False, "missing": data is None,
               "blank": False}
        if data is not None:
            try:
                out.update(_slices(data))
            except Exception:
                out["missing"] = True
        self._images[blob_id] = out
        return out

    def crop(self, blob_id: str | None, box: dict | None) -> bytes | None:
        """JPEG of the part of screenshot ``blob_id`` around ``box`` (a finding's
        ``element_box``) with the box outlined in red; None without either."""
        if not blob_id or not box:
            return None
        key = (blob_id, box["x"], box["y"], box["width"], box["height"])
        if key not in self._crops:
            try:
                data = self.store.get_blob(blob_id)
            except Exception:  # a missing blob: the figure says so; no crop
                data = None
            self._crops[key] = marked_crop(data, box, "JPEG") if data else None
        return self._crops[key]

    def is_blank(self, blob_id: str | None) -> bool:
        """Whether the screenshot shows nothing: an evidence said so, or the picture is one
        uniform colour (browser/blank.py)."""
        if not blob_id:
            return False
        return blob_id in self.blank or bool(self.image(blob_id).get("blank"))

    def figures(self) -> list[dict]:
        out = []
        for i, b in enumerate(self.order):
            image = self.image(b)
            out.append({"n": i + 1, "id": b, "caption": self.captions[b], **image,
                        "blank": not image["missing"] and self.is_blank(b),
                        "blank_note": BLANK_NOTE if self.is_blank(b) else ""})
        return out


def _slices(data: bytes) -> dict:
    from PIL import Image

    img = Image.open(io.BytesIO(data))
    img.load()
    blank = is_blank(data)
    img = _trim_sides(img.convert("RGB"))
    w, h = img.size
    if w > SHOT_WIDTH:
        img = img.resize((SHOT_WIDTH, max(1, round(h * SHOT_WIDTH / w))))
        w, h = img.size
    slices = []
    for top in range(0, h, SLICE_HEIGHT):
        if len(slices) == MAX_SLICES:
            break
        part = img.crop((0, top, w, min(h, top + SLICE_HEIGHT)))
        slices.append(_jpeg(part, 82))
    thumb = img.crop((0, 0, w, min(h, round(w * 0.66))))
    thumb = thumb.resize((THUMB_WIDTH, max(1, round(thumb.size[1] * THUMB_WIDTH / w))))
    return {"slices": slices, "thumb": _jpeg(thumb, 80), "size": (w, h),
            "cut": h > SLICE_HEIGHT * MAX_SLICES, "blank": blank}


def _trim_sides(img):
    """Drop the empty side margins of a page (the background colour of its left edge), so a
    centred 1000-pixel layout fills the printed width; never narrower than MIN_TRIMMED."""
    from PIL import ImageChops

    w, h = img.size
    background = img.getpixel((0, 0))
    plain = img.crop((0, 0, w, min(h, 3000)))
    diff = ImageChops.difference(plain, _solid(plain.size, background))
    box = diff.convert("L").point(lambda v: 255 if v > 12 else 0).getbbox()
    if not box:
        return img
    left, right = max(0, box[0] - 12), min(w, box[2] + 12)
    if right - left < MIN_TRIMMED:
        middle = (left + right) // 2
        left = max(0, min(w - MIN_TRIMMED, middle - MIN_TRIMMED // 2))
        right = min(w, left + MIN_TRIMMED)
    return img.crop((left, 0, right, h)) if (left, right) != (0, w) else img


def _solid(size, colour):
    from PIL import Image

    return Image.new("RGB", size, colour)


def _jpeg(img, quality: int) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()
