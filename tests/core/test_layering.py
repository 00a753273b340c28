"""The package's dependencies point down: the core knows no feature, and packages form no cycle."""
import ast
from pathlib import Path

import gharbazaar

PACKAGE = Path(gharbazaar.__file__).parent
FEATURES = {"chat", "tickets", "files", "users", "sync"}


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name):
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def imported(path):
    """Yield the gharbazaar modules a file imports (relative imports resolved)."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("gharbazaar"):
                yield target
                for alias in node.names:  # `from . import chat` imports a module; other names are attributes
                    if is_module(f"{target}.{alias.name}"):
                        yield f"{target}.{alias.name}"
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name.startswith("gharbazaar"))


def unit(module):
    """Return the package-level unit of a module: a feature or core subpackage, else the module."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "gharbazaar"


def edges():
    found = {}
    for path in PACKAGE.rglob("*.py"):
        source = unit(module_name(path))
        if module_name(path) == "gharbazaar":
            continue  # the app factory wires every feature: it sits above them all
        for target in imported(path):
            if unit(target) != source and target != "gharbazaar":
                found.setdefault(source, set()).add(unit(target))
    return found


def test_no_core_module_imports_a_feature():
    bad = {source: targets & FEATURES for source, targets in edges().items()
           if source not in FEATURES and targets & FEATURES}
    assert bad == {}


def test_no_import_cycle_between_packages():
    graph = edges()

    def reaches(start, goal, seen):
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False
    cycles = sorted(unit for unit in graph if reaches(unit, unit, {unit}))
    assert cycles == []
