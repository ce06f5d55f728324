"""Is a screenshot blank? A capture of one uniform colour shows nothing a reviewer can use.

The picture is decoded (Pillow), reduced to grey levels, and called blank when all but a
negligible share of its pixels (``NOISE``: a stray caret or a 1-pixel border) lie within
``TOLERANCE`` grey levels of its most common one. One line of 12 px text on a 1366×900 page is
about 0.2 % of the pixels, well above the noise share, so a challenge page that shows only
"正在验证您的浏览器…" is not blank.
"""

from __future__ import annotations

import io

TOLERANCE = 6  # grey levels: JPEG-ish dithering of a flat background stays "the same colour"
NOISE = 0.0002  # share of pixels that may differ and still leave the picture blank


def is_blank(png: bytes | None) -> bool:
    """True for a missing, undecodable or uniformly coloured picture."""
    if not png:
        return True
    from PIL import Image

    try:
        with Image.open(io.BytesIO(png)) as image:
            grey = image.convert("L")
    except Exception:  # noqa: BLE001 - a picture that cannot be read shows nothing either
        return True
    histogram = grey.histogram()
    total = sum(histogram)
    if not total:
        return True
    mode = max(range(256), key=histogram.__getitem__)
    near = sum(histogram[max(0, mode - TOLERANCE):mode + TOLERANCE + 1])
    return total - near <= total * NOISE
