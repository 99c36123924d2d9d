"""The code has no import circles: each module of app/ stands above everything it imports."""

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"


def _module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The app modules `path` imports, at the top or inside a function alike."""
    found: set[str] = set()
    package = _module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from app.services import events` is an import of the module
            # app.services.events; `from app.clock import now`, of app.clock.
            submodules = {f"{base}.{alias.name}" for alias in node.names} & modules
            found.update(submodules or {base})
    return {name for name in found if name in modules}


def import_graph() -> dict[str, set[str]]:
    paths = {_module_name(path): path for path in APP.rglob("*.py")}
    modules = set(paths)
    return {name: _imports(path, modules) - {name} for name, path in paths.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle as a list of modules, or None (depth-first, colouring nodes)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_app_has_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import circle: " + " -> ".join(cycle or [])


def test_the_walk_sees_imports_inside_functions_and_finds_a_circle():
    graph = import_graph()
    assert "app.services.events" in graph["app.services.webhooks"]
    assert "app.services.outbox" in graph["app.services"]
    with_circle = {**graph, "app.services.outbox": {"app.services.webhooks"}}
    cycle = find_cycle(with_circle)
    assert cycle is not None and cycle[0] == cycle[-1]


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        ("app.services.outbox", "app.services"),
        ("app.services.events", "app.services.webhooks"),
        ("app.services.events", "app.services.notifications"),
    ],
)
def test_the_event_log_knows_no_listener(module, forbidden):
    graph = import_graph()
    assert not any(
        target == forbidden or target.startswith(forbidden + ".") for target in graph[module]
    )
