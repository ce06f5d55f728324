"""Writes the two language tables the serious-error detector reads (inspectors/serious.py):

* ``inspectors/data/gb2312-readings.txt`` — every GB2312 character with its readings (tone
  marks), from pypinyin: the homophones a misspelling of a name or term is made of;
* ``inspectors/data/two-char-words.txt`` — every two-character word of jieba's dictionary, in
  code-point order, 40 to a line: a homophone at the edge of a term that makes a word with its
  neighbour is that word (交通运输布局 is no typo of 交通运输部).

Shipped as small text files so an inspection does not load pypinyin's and jieba's whole
dictionaries (~85 MB of Python objects) to use these slivers of them. Re-run after upgrading
either library; tests/test_serious.py checks the files still match when both are installed.

    .venv/bin/python scripts/make_language_data.py [--check]
"""

from __future__ import annotations

import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "inspectors" / "data"
READINGS = DATA / "gb2312-readings.txt"
WORDS = DATA / "two-char-words.txt"
PER_LINE = 40


def is_gb2312(ch: str) -> bool:
    try:
        return len(ch.encode("gb2312")) == 2
    except UnicodeEncodeError:
        return False


def readings_text() -> str:
    from pypinyin.pinyin_dict import pinyin_dict

    lines = []
    for code in sorted(pinyin_dict):
        ch = chr(code)
        if is_gb2312(ch):
            readings = ",".join(sorted(set(filter(None, pinyin_dict[code].split(",")))))
            if readings:
                lines.append(f"{ch} {readings}\n")
    return "".join(lines)


def words_text() -> str:
    import jieba

    words = set()
    with Path(jieba.__file__).with_name("dict.txt").open(encoding="utf-8") as fh:
        for line in fh:
            word = line.split(" ", 1)[0]
            if len(word) == 2:
                words.add(word)
    ordered = sorted(words)
    return "".join("".join(ordered[i:i + PER_LINE]) + "\n"
                   for i in range(0, len(ordered), PER_LINE))


def main(argv: list[str]) -> int:
    wanted = {READINGS: readings_text(), WORDS: words_text()}
    if "--check" in argv:
        stale = [p.name for p, text in wanted.items()
                 if not p.exists() or p.read_text("utf-8") != text]
        print("stale: " + ", ".join(stale) if stale else "up to date")
        return 1 if stale else 0
    DATA.mkdir(parents=True, exist_ok=True)
    for path, text in wanted.items():
        path.write_text(text, encoding="utf-8")
        print(f"{path}: {len(text.splitlines())} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
