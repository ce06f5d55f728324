"""Marks every rendered page item whose screenshot is blank (one uniform colour), so the stored
page and any finding built on it say that its picture shows nothing (``screenshot_blank``).

Runs before StorePipeline, which stores every other field of the item as it is.
"""

from __future__ import annotations

from xunjian.browser.blank import is_blank


class BlankScreenshotPipeline:
    def process_item(self, item, spider=None):
        shot = item.get("screenshot_png") if isinstance(item, dict) else None
        if shot:
            item["screenshot_blank"] = is_blank(shot)
        return item
