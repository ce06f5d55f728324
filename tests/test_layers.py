"""The stages are layers: a module imports its own stage or the stages below it, never above,
and no modules import each other in a loop (issue 20). Read from the code's own imports."""

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Bottom → top. The data flow registry → spiders → inspectors → scoring → storage → review/reports
#: read as who calls whom: the shared floor (settings, plain words) and the stores and pure rule
#: sets at the ground; the browser and the plain-HTTP link checker; the pure inspectors; the crawl;
#: the prober; running and scoring one inspection; what people read (alerts, reports); the review
#: app and the queue; the command line on top.
LAYERS = [
    {"base", "storage", "scoring", "registry", "demo"},
    {"browser"},
    {"urlcheck"},
    {"inspectors"},
    {"spiders", "xunjian/browser_handler"},
    {"probes"},
    {"inspection"},
    {"alerts", "reports"},
    {"review", "workqueue"},
    {"xunjian/cli", "xunjian/commands_freshness", "xunjian/commands_probes",
     "xunjian/commands_recheck", "xunjian/scheduler",
     "xunjian/settings", "xunjian/scrapy_commands", "xunjian", "scheduler.py"},
]
RANK = {room: floor for floor, rooms in enumerate(LAYERS) for room in rooms}


def _modules() -> dict[str, Path]:
    """Installed module name → file, from pyproject's package-dir (what pip installs)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mods = {}
    for package, folder in config["tool"]["setuptools"]["package-dir"].items():
        for path in (ROOT / folder).rglob("*.py"):
            rel = path.relative_to(ROOT / folder).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            name = ".".join([package, *parts])
            if "." in rel.as_posix().replace("/", "", 0) and any(
                    p.startswith(".") for p in rel.parts):
                continue
            mods.setdefault(name, path)
    mods["scheduler_entry"] = ROOT / "scheduler.py"
    return mods


def _room(path: Path) -> str:
    rel = path.relative_to(ROOT)
    if rel.parts[0] == "xunjian":
        return "xunjian" if rel.name == "__init__.py" and len(rel.parts) == 2 else \
            "xunjian/" + (rel.parts[1] if len(rel.parts) > 2 else rel.stem)
    return rel.parts[0] if len(rel.parts) > 1 else rel.name


def _imports(name: str, path: Path, mods: dict[str, Path]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([node.module] if node.module else []))
            targets = [f"{base}.{a.name}" for a in node.names] + [base]
        for target in targets:
            while target and target not in mods:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
                break
    return found


def _graph():
    mods = _modules()
    return mods, {name: _imports(name, path, mods) for name, path in mods.items()}


def test_every_room_has_a_layer():
    mods, _ = _graph()
    assert {_room(p) for p in mods.values()} - set(RANK) == set()


def test_no_stage_imports_a_stage_above_it():
    mods, graph = _graph()
    upward = sorted(
        f"{mods[a].relative_to(ROOT)} -> {mods[b].relative_to(ROOT)}"
        for a, targets in graph.items() for b in targets
        if RANK[_room(mods[b])] > RANK[_room(mods[a])])
    assert upward == [], "imports that run up the layers:\n" + "\n".join(upward)


def test_no_modules_import_each_other_in_a_loop():
    mods, graph = _graph()
    index, low, stack, on, loops = {}, {}, [], set(), []

    def visit(v):  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                loops.append(sorted(str(mods[m].relative_to(ROOT)) for m in part))

    for v in graph:
        if v not in index:
            visit(v)
    assert loops == [], \
        "modules that import each other in a loop: " + repr(loops)
