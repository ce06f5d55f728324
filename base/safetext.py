"""Crawled text is data: the one place that makes it safe to print or to store in a document.

A hacked site's link text, title or error page reaches the operator's terminal, the piped card,
the DOCX/XLSX reports and the review app. ``clean`` drops what a terminal would act on or a
document format cannot hold: escape sequences whole (ESC [ … CSI, ESC ] … OSC such as the
window title or an OSC 52 clipboard write, DCS/APC/PM/SOS strings), every other C0 control but
tab and line feed, DEL, C1 controls, the bidi embeddings, overrides and isolates (U+202A–U+202E,
U+2066–U+2069) that reorder what a reader sees, lone surrogates and the non-characters
U+FFFE/U+FFFF (illegal in XML 1.0, so in DOCX and XLSX). ``markup`` is ``clean`` made safe inside
a rich markup string: ``[/]`` or ``[link=file:///etc/passwd]`` in crawled text stays text.
"""

from __future__ import annotations

import re

from rich.markup import escape

#: An escape sequence: CSI (ESC [ params final), a string (OSC, DCS, SOS, PM, APC) up to its
#: BEL or ST terminator (or the line's end), or a two-character escape (ESC 7, ESC c …).
_SEQUENCE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_][^\x07\x1b\n]*(?:\x07|\x1b\\)?"
                       r"|[ -/]*[0-~]?)")
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
                     "\ud800-\udfff\ufffe\uffff]")


def clean(value) -> str:
    """``value`` as text without escape sequences, controls (but \\t, \\n) or bidi overrides."""
    text = "" if value is None else str(value)
    if text.isprintable():  # nearly always: nothing to drop (tab, newline, controls are not)
        return text
    return _UNSAFE.sub("", _SEQUENCE.sub("", text))


def markup(value) -> str:
    """``clean`` text for a rich markup string (its square brackets escaped)."""
    return escape(clean(value))


def clean_all(value):
    """``value`` (a card, a report: dicts, lists, strings) with ``clean`` applied to every
    string in it; other values unchanged."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {key: clean_all(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(clean_all(item) for item in value)
    return value


def json_text(text: str) -> str:
    """JSON text (``json.dumps(…, ensure_ascii=False)``) with the characters ``clean`` drops
    written as ``\\uXXXX`` escapes: the same data once parsed, nothing a terminal acts on."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
