"""The import graph of ``field_app`` and ``sync_server`` follows docs/architecture.md ("Who may import
whom"): read from the source (every ``import``, also inside functions; those under ``if TYPE_CHECKING:``
are annotations only), so a forbidden import fails here before anyone runs it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("field_app", "sync_server")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, module: str, modules: set[str]) -> set[str]:
    """Every project module ``module`` imports (absolute names; ``from x import y`` counts y instead of x
    when y is a module of its own)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and getattr(block.test, "id", getattr(block.test, "attr", "")) == "TYPE_CHECKING"
                   for stmt in block.body for n in ast.walk(stmt)}
    for node in ast.walk(tree):
        if id(node) in typing_only:  # annotations only: not an import at run time
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            subs = {f"{target}.{alias.name}" for alias in node.names} & modules
            found.update(subs)
            if len(subs) < len(node.names):
                found.add(target)
    return {name for name in found if name.split(".")[0] in PACKAGES}


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}
    graph = {}
    for module, path in files.items():
        graph[module] = {name for name in _imports(path, module, set(files)) if name in files and name != module}
    return graph


GRAPH = _graph()


def _layer(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "sync_server":
        return "server"
    if len(parts) > 1 and parts[1] in ("ui", "crypto", "sync", "store", "core", "domain", "parts", "export"):
        return parts[1]
    if module in ("field_app.phone", "field_app.web"):
        return "ui"
    return "app"  # services, app_api, views_model, cli, demo


# layer -> the layers it may import (besides itself). views_model is plain data anyone may use.
ALLOWED = {
    "domain": set(),
    "export": {"domain"},  # pure renderers (the case-conference PDF): plain data in, bytes out
    "crypto": set(),
    "store": {"crypto", "domain"},
    "core": {"crypto", "domain", "store"},
    "sync": {"crypto", "domain", "store", "core"},
    "parts": {"crypto", "domain", "store", "core", "sync", "export"},
    "app": {"crypto", "domain", "store", "core", "sync", "parts", "ui", "app", "export"},
    "ui": {"domain", "app"},
    "server": {"crypto"},
}
PLAIN_DATA = {"field_app.views_model", "field_app", "field_app.domain"}
UI_MAY_USE = {"field_app.app_api", "field_app.views_model", "field_app.services", "field_app.demo",
              "field_app.domain"}


def _violations() -> list[str]:
    out = []
    for module, targets in GRAPH.items():
        layer = _layer(module)
        for target in targets:
            other = _layer(target)
            if other == layer or target in PLAIN_DATA:
                continue
            if layer == "ui" and other == "app" and target not in UI_MAY_USE:
                out.append(f"{module} -> {target}")
            elif other not in ALLOWED[layer]:
                out.append(f"{module} -> {target}")
    return sorted(out)


def test_no_forbidden_import():
    """views -> crypto/sync/store/core, domain -> outside domain, crypto -> domain/ui/services/sync, the server
    -> client application code: none of them."""
    assert _violations() == []


def test_the_server_imports_only_wire_level_client_code():
    wire = {target for module, targets in GRAPH.items() if _layer(module) == "server"
            for target in targets if target.startswith("field_app")}
    assert wire and all(t.startswith("field_app.crypto") for t in wire), wire


def test_no_import_cycle():
    seen: dict[str, int] = {}  # 1 on the stack, 2 done
    cycles = []

    def visit(node: str, stack: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(GRAPH.get(node, ())):
            if seen.get(nxt) == 1:
                cycles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in seen:
                visit(nxt, stack + [nxt])
        seen[node] = 2

    for module in sorted(GRAPH):
        if module not in seen:
            visit(module, [module])
    assert cycles == []


def test_the_checker_sees_a_forbidden_import(monkeypatch):
    """The check can fail: a view that imports the sync client is reported."""
    monkeypatch.setitem(GRAPH, "field_app.ui.views.caseload",
                        GRAPH["field_app.ui.views.caseload"] | {"field_app.sync.client"})
    assert "field_app.ui.views.caseload -> field_app.sync.client" in _violations()


@pytest.mark.skipif("fastapi" not in sys.modules and __import__("importlib").util.find_spec("fastapi") is None,
                    reason="the server's packages are not installed (compat venv)")
def test_importing_the_server_loads_no_client_application_module():
    code = ("import sys, sync_server.app, sync_server.cli; "
            "bad = [m for m in sys.modules if m.startswith(('field_app.domain', 'field_app.ui', "
            "'field_app.services', 'field_app.parts', 'field_app.core', 'field_app.sync', 'flet'))]; "
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
