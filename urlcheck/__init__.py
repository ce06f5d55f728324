"""Plain-HTTP link checker: typed outcomes per distinct URL (see docs/CONTRACTS.md "Link result").

(Named ``urlcheck`` because the LinkChecker tool, used in ``bench/``, owns the name ``linkcheck``.)
"""

from .checker import LinkChecker, check_urls, error_reason
from .content import classify_html, decode_body, judge_page
from .result import CheckConfig, LinkResult

__all__ = [
    "CheckConfig",
    "LinkChecker",
    "LinkResult",
    "check_urls",
    "classify_html",
    "decode_body",
    "error_reason",
    "judge_page",
]
