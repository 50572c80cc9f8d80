"""The runtime/lab boundary (CONTRIBUTING.md, "Runtime et labo"), read from the source.

What an AWX execution environment installs (`amico`: src/amico, and the collection's
plugins/) must import nothing of the lab (`amico_lab`) nor of a test-only package, and
every third-party package it imports must be a runtime dependency of the `amico`
distribution (pyproject.toml), or the EE, which installs only those, fails at run time.

Every module is parsed (AST), so an import hidden in a function body — the way a lab
import slips onto the production path — counts as much as one at the top.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUNTIME_TREES = [ROOT / "src" / "amico", ROOT / "plugins"]

# packages that exist for the tests and the lab only
FORBIDDEN = {
    "amico_lab",
    "fakenos",
    "pytest",
    "_pytest",
    "hypothesis",
    "molecule",
    "testinfra",
    "tree_sitter",
    "tree_sitter_powershell",
}


def _modules() -> list[Path]:
    return sorted(p for tree in RUNTIME_TREES for p in tree.rglob("*.py"))


def imports(source: str) -> list[tuple[int, str]]:
    """(line, top-level package) of every import in `source`: `import x`, `from x import`,
    and `importlib.import_module("x...")` / `__import__("x")` with a literal name, at any
    depth (function bodies included). Relative imports are the module's own package."""
    out: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name.split(".")[0]) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                out.append((node.lineno, node.module.split(".")[0]))
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            arg = node.args[0]
            if (
                name in ("import_module", "__import__")
                and isinstance(arg, ast.Constant)
                and isinstance(arg.value, str)
            ):
                out.append((node.lineno, arg.value.split(".")[0]))
    return out


def _name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _runtime_distributions() -> set[str]:
    """`amico` and the closure of its declared runtime dependencies (installed metadata)."""
    from importlib.metadata import PackageNotFoundError, requires

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    todo = [_name(r) for r in declared["project"]["dependencies"]]
    seen = {"amico"}
    while todo:
        dist = todo.pop()
        if dist in seen:
            continue
        seen.add(dist)
        try:
            reqs = requires(dist) or []
        except PackageNotFoundError:
            continue
        # extras are not installed by a plain dependency: skip requirements guarded by one
        todo += [_name(r) for r in reqs if "extra" not in r.partition(";")[2]]
    return seen


def test_the_scanner_sees_imports_at_any_depth():
    source = (
        "import os\n"
        "def f():\n"
        "    from amico_lab.postes import PosteSimule\n"
        "    import fakenos.core\n"
        "    importlib.import_module('hypothesis.strategies')\n"
        "from . import voisin\n"
    )
    assert imports(source) == [(1, "os"), (3, "amico_lab"), (4, "fakenos"), (5, "hypothesis")]


def test_runtime_imports_nothing_of_the_lab_nor_of_a_test_package():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {top}"
        for path in _modules()
        for line, top in imports(path.read_text(encoding="utf-8"))
        if top in FORBIDDEN
    ]
    assert not found, "le runtime importe le labo ou un paquet de test :\n" + "\n".join(found)


def lab_names(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string in `source` that names the lab (`amico_lab...`: a
    module or one of its host variables), docstrings left out: the runtime reaches the
    lab's variables only through what a registered transport declares."""
    tree = ast.parse(source)
    docstrings = {
        id(n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)
    }
    return [
        (n.lineno, n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant)
        and isinstance(n.value, str)
        and "amico_lab" in n.value
        and id(n) not in docstrings
    ]


def test_lab_names_scanner():
    source = '"""Naming amico_lab.postes."""\nX = ("amico_uai", "amico_lab_windows_etat")\n'
    assert lab_names(source) == [(2, "amico_lab_windows_etat")]


def test_runtime_names_no_lab_variable_nor_module():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text[:60]!r}"
        for path in _modules()
        for line, text in lab_names(path.read_text(encoding="utf-8"))
    ]
    assert not found, "le runtime nomme le labo :\n" + "\n".join(found)


def test_every_third_party_import_is_a_runtime_dependency():
    runtime = _runtime_distributions()
    providers = packages_distributions()
    own = {"amico", "ansible_collections", "__future__"}
    missing = []
    for path in _modules():
        for line, top in imports(path.read_text(encoding="utf-8")):
            if top in own or top in sys.stdlib_module_names or top in FORBIDDEN:
                continue
            dists = {d.lower().replace("_", "-") for d in providers.get(top, [])}
            if not dists & runtime:
                missing.append(f"{path.relative_to(ROOT)}:{line}: {top} ({', '.join(dists)})")
    assert not missing, (
        "paquets importés par le runtime mais absents des dépendances de pyproject.toml :\n"
        + "\n".join(missing)
    )


def test_fakenos_is_a_lab_dependency_not_a_runtime_one():
    runtime = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lab = tomllib.loads((ROOT / "lab" / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "fakenos" not in {_name(r) for r in runtime["dependencies"]}
    assert "fakenos" in {_name(r) for r in lab["dependencies"]}


@pytest.mark.parametrize("group", ["amico.commandes", "amico.transports_postes"])
def test_the_lab_plugs_in_through_entry_points(group):
    lab = tomllib.loads((ROOT / "lab" / "pyproject.toml").read_text(encoding="utf-8"))
    points = lab["project"]["entry-points"][group]
    assert points and all(v.startswith("amico_lab") for v in points.values())
