"""The package's shape: imports flow one way, routers stand alone, heavy libraries stay
off the API's path."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import fare_service

PACKAGE = Path(fare_service.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def top_level_imports(path: Path) -> set[str]:
    """Modules of this package imported when ``path`` is imported: module-level
    statements only (not inside functions, not under ``if TYPE_CHECKING``)."""
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            found |= {node.module, *names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {name for name in found if name.startswith("fare_service")}


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {
        name: {target for target in top_level_imports(path) if target in modules and target != name}
        for name, path in modules.items()
    }


def test_no_import_circle():
    graph = import_graph()
    state: dict[str, str] = {}
    circles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                circles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    # a package's __init__ importing its own modules is not a circle of logic
    circles = [c for c in circles if not any(c[0].startswith(m + ".") for m in c[1:])]
    assert circles == []


def test_no_router_imports_another():
    graph = import_graph()
    routers = {name for name in graph if name.startswith("fare_service.api.routes_")}
    for router in routers:
        assert graph[router] & routers == set(), router


def test_the_core_never_imports_a_surface():
    """tariffs -> pricing -> geo -> policy -> service; api, web, batch and cli on top."""
    graph = import_graph()
    core = (
        "fare_service.pricing",
        "fare_service.geo",
        "fare_service.policy",
        "fare_service.service",
    )
    surfaces = ("fare_service.api", "fare_service.batch", "fare_service.cli", "fare_service.web")
    for name, targets in graph.items():
        if name.startswith(core):
            assert not {t for t in targets if t.startswith(surfaces)}, name


def test_serving_the_api_imports_no_pandas_dask_or_matplotlib():
    code = (
        "import sys; import fare_service.api.app; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'dask', 'matplotlib'}))"
    )
    finished = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    assert finished.stdout.decode().strip() == "[]"
