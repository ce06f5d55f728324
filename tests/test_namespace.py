"""xunjian installs one top-level name: every stage is imported as xunjian.<stage> (issue 20)."""

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGES = {"spiders", "inspectors", "scoring", "storage", "registry", "urlcheck", "browser", "demo",
          "reports", "probes", "review", "workqueue", "scheduler", "base", "inspection", "alerts"}


def _python_files():
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0].startswith(".") or rel.parts[0] in ("build", "scripts"):
            continue
        yield rel, path


def test_no_module_imports_a_stage_by_its_bare_name():
    bare = []
    for rel, path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            bare += [f"{rel}:{node.lineno} {name}" for name in names
                     if name.split(".")[0] in STAGES]
    assert bare == [], "import these as xunjian.<stage>:\n" + "\n".join(bare)


def test_the_package_installs_only_the_xunjian_name():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = config["tool"]["setuptools"]
    assert "py-modules" not in setuptools
    assert {p.split(".")[0] for p in setuptools["packages"]} == {"xunjian"}
    # every stage folder at the root is mapped under xunjian, and each is a package that exists
    for name, folder in setuptools["package-dir"].items():
        assert name.split(".")[0] == "xunjian"
        assert (ROOT / folder / "__init__.py").is_file(), folder
    folders = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "bench"}
    assert folders <= {f.split("/")[0] for f in setuptools["package-dir"].values()}
