"""The package's architecture, checked from its source: imports run one way, modules stay small.

Every import counts, including those inside functions (a lazy import is still a dependency);
only imports under ``if TYPE_CHECKING:`` are left out, since they never run.
"""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "engine" / "tadlog"
# Layers, top to bottom: a module may import its own layer's modules or any layer below.
LAYERS = (
    {"cli", "repl", "__main__", "serve", "commands"},
    {"curate"},
    {"kb", "cache", "codec", "index_codec", "__init__"},
    {"questions"},
    {"render"},
    {"engine"},
    {"language"},
    {"errors", "resources", "atomic", "digests", "parser_tables", "wording", "version", "limits", "terminal", "collector", "similar"},
)
MAX_LINES = 500


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The package modules ``path`` imports (resolved to modules, not to names inside them)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    skip: set[int] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            skip |= {id(n) for child in node.body for n in ast.walk(child)}
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "tadlog"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.split(".")[0] == "tadlog":
                target = node.module
            else:
                continue
            for alias in node.names:  # `from . import x` imports the module x when there is one
                out.add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in modules else target)
    return {m for m in out if m in modules and m != name}


def _graph() -> nx.DiGraph:
    files = sorted(PACKAGE.rglob("*.py"))
    modules = {_module_name(f) for f in files}
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for f in files:
        graph.add_edges_from((_module_name(f), target) for target in _imports(f, modules))
    return graph


def _layer(module: str) -> int:
    parts = module.split(".")
    key = parts[1] if len(parts) > 1 else "__init__"
    for index, layer in enumerate(LAYERS):
        if key in layer:
            return index
    raise AssertionError(f"{module} is in no layer: add its room to LAYERS in tests/test_layout.py")


def test_the_import_walk_sees_real_edges():
    graph = _graph()
    assert graph.has_edge("tadlog.kb", "tadlog.engine.evaluate")
    assert graph.has_edge("tadlog.questions.answer", "tadlog.render.text")  # a lazy import counts
    assert graph.number_of_edges() > 60


def test_no_import_cycle_between_modules():
    cycles = [sorted(c) for c in nx.strongly_connected_components(_graph()) if len(c) > 1]
    assert not cycles, f"import cycles: {cycles}"


def test_imports_run_one_way_down_the_layers():
    upward = [(a, b) for a, b in _graph().edges if _layer(b) < _layer(a)]
    assert not upward, f"imports that go up a layer: {upward}"


def test_renderers_never_import_questions():
    back = [(a, b) for a, b in _graph().edges if a.startswith("tadlog.render") and b.startswith("tadlog.questions")]
    assert not back


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_over_about_500_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


def test_public_names_stay_importable_from_the_package():
    import tadlog

    for name in ("load", "KnowledgeBase", "Answer", "Query", "TadlogError", "QueryError", "Diagnostic", "__version__"):
        assert getattr(tadlog, name) is not None
