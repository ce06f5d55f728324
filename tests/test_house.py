"""The house rules that keep the code readable for the next engineer (issue 20)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The longest a function may be, from its ``def`` line to its last line, docstring included.
MAX_FUNCTION_LINES = 120


def _source_files():
    """Every Python file of the tree that is not a test (tests/, virtualenvs, build output)."""
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0].startswith(".") or rel.parts[0] in ("tests", "build"):
            continue
        if "site-packages" in rel.parts:
            continue
        yield rel, path


def test_no_function_is_longer_than_120_lines():
    long = []
    for rel, path in _source_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(rel))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{rel}:{node.lineno} {node.name} ({lines} lines)")
    assert long == [], (f"split these functions (at most {MAX_FUNCTION_LINES} lines each):\n"
                        + "\n".join(long))


def test_the_scan_sees_the_code_it_guards():
    seen = {str(rel) for rel, _ in _source_files()}
    assert {"review/app.py", "reports/site.py", "xunjian/scheduler.py", "scheduler.py"} <= seen
    assert not any(name.startswith("tests/") for name in seen)
