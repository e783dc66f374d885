"""The house's layout (issue 19): rooms by topic, no module over 400 lines, no import circle anywhere, and a
core that never reaches the network or a database. Read from the source, never by importing it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: The project's own packages and top-level scripts: every one is in the import graph.
PACKAGES = ("logic", "ui", "app_pages", "store", "ehr")
SCRIPTS = ("app.py", "serve.py")
#: Libraries that reach the network or a database: none of them may be imported under logic/ (style.md: pure core).
NETWORK_OR_DATABASE = frozenset({
    "socket", "ssl", "http", "urllib.request", "urllib3", "httpx", "httpcore", "requests", "aiohttp", "websockets",
    "smtplib", "ftplib", "authlib", "fhirclient", "tornado", "starlette", "uvicorn", "sqlite3", "sqlalchemy",
    "alembic", "psycopg", "psycopg2", "asyncpg", "store", "ehr",
})
#: The one place logic/ hands over to the network: ``python -m logic convert --from-fhir`` loads :mod:`ehr.fhir`
#: inside its command function (the command line is the program's edge; nothing else in logic/ may).
EDGE = {("logic/cli/fhir.py", "ehr.fhir")}


def sources() -> list[Path]:
    return [p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))] + [ROOT / s for s in SCRIPTS]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sources()}


def imported(path: Path) -> list[tuple[str, int]]:
    """Every module ``path`` imports (at any depth of the file: module level, functions, TYPE_CHECKING), with
    its line: ``from pkg import name`` counts as ``pkg.name`` when that is a module, else as ``pkg``."""
    name = module_name(path)
    is_package = path.name == "__init__.py"
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                out.append((sub if sub in MODULES else base, node.lineno))
    return out


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {m: set() for m in MODULES}
    for mod, path in MODULES.items():
        for target, _ in imported(path):
            while target and target not in MODULES:  # logic.case.model.Case -> logic.case.model
                target = target.rpartition(".")[0]
            if target and target != mod:
                edges[mod].add(target)
    return edges


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), each as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_circle_finder_finds_a_three_module_circle_and_not_a_chain():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_the_import_reader_resolves_submodules_relative_imports_and_function_level_imports(tmp_path):
    assert ("logic.case.model", 17) in [(t, n) for t, n in imported(ROOT / "logic" / "case" / "__init__.py")
                                        if t == "logic.case.model"]  # fmt: skip
    lazy = [t for t, _ in imported(ROOT / "logic" / "cli" / "fhir.py")]
    assert "ehr.fhir" in lazy  # imported inside the command function, and still seen


def test_no_import_circle_anywhere_in_the_project():
    assert circles(graph()) == []


def test_a_module_inside_a_package_never_imports_its_own_package():
    """A submodule importing its package's ``__init__`` (which re-exports it) is a circle waiting to happen.
    (store/migrations/env.py is Alembic's script, run by Alembic, not imported by its package.)"""
    offenders = []
    for mod, path in MODULES.items():
        if mod.startswith("store.migrations"):
            continue
        package = mod.rpartition(".")[0] if path.name != "__init__.py" else None
        if package and package in MODULES:
            offenders += [(mod, line) for target, line in imported(path) if target == package]
    assert offenders == []


def test_logic_imports_no_network_or_database_library():
    offenders = []
    for mod, path in MODULES.items():
        if not mod.startswith("logic"):
            continue
        rel = str(path.relative_to(ROOT))
        for target, line in imported(path):
            hit = any(target == lib or target.startswith(lib + ".") for lib in NETWORK_OR_DATABASE)
            if hit and (rel, target) not in EDGE:
                offenders.append(f"{rel}:{line} imports {target}")
    assert offenders == []


@pytest.mark.parametrize("lib", ["httpx", "sqlalchemy", "urllib.request", "socket"])
def test_the_network_check_would_catch_a_direct_import(lib):
    fake = ast.parse(f"import {lib}\n")
    names = [a.name for node in ast.walk(fake) if isinstance(node, ast.Import) for a in node.names]
    assert any(n == lib_ or n.startswith(lib_ + ".") for n in names for lib_ in NETWORK_OR_DATABASE)


def test_logic_top_level_is_a_table_of_contents_of_at_most_twelve_rooms():
    entries = sorted(p.name for p in (ROOT / "logic").iterdir()
                     if p.name not in ("__init__.py", "__main__.py", "__pycache__"))  # fmt: skip
    assert len(entries) <= 12, entries
    # every package says what it holds and re-exports its public names
    for pkg in (ROOT / "logic").iterdir():
        if pkg.is_dir() and pkg.name != "__pycache__":
            doc = ast.get_docstring(ast.parse((pkg / "__init__.py").read_text()))
            assert doc, f"logic/{pkg.name}/__init__.py says what the room holds"


def test_no_module_in_logic_ui_or_app_pages_is_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for d in ("logic", "ui", "app_pages") for p in (ROOT / d).rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 400}  # fmt: skip
    assert long == {}
