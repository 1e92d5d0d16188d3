"""Check the layout's own rules: layers and no circles, each domain word defined once, small files.

The import contracts live in ``pyproject.toml`` (``[tool.importlinter]``) and are checked by
import-linter through ``.ci/lint-imports``; the other rules are read from the source with ``ast``.
"""

from __future__ import annotations

import ast
import functools
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIRS = ("vdlt_spec", "models", "proofs")
MAX_LINES = 600


def _sources() -> Iterator[Path]:
    for folder in SOURCE_DIRS:
        yield from sorted((ROOT / folder).rglob("*.py"))


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@functools.cache
def _trees() -> tuple[tuple[str, ast.Module], ...]:
    return tuple(
        (_relative(path), ast.parse(path.read_text(encoding="utf-8"))) for path in _sources()
    )


def _definitions(kind: type[ast.AST], name: str) -> list[str]:
    """Return the files that define ``name`` at module level as a class or function."""
    return sorted(
        {
            where
            for where, tree in _trees()
            for node in tree.body
            if isinstance(node, kind) and getattr(node, "name", None) == name
        }
    )


def _assignments(name: str) -> list[str]:
    """Return the files that bind ``name`` at module level."""
    found = []
    for where, tree in _trees():
        for node in tree.body:
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AnnAssign)
                else []
            )
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                found.append(where)
    return found


def test_import_contracts_hold() -> None:
    """The layer contract and the no-circle contract of pyproject.toml are kept."""
    result = subprocess.run(
        [str(ROOT / ".ci" / "lint-imports")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHON": sys.executable},
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("word", "home"),
    [
        ("NodeRole", "vdlt_spec/roles.py"),
        ("Transaction", "vdlt_spec/cos.py"),
        ("ServiceClass", "vdlt_spec/cos.py"),
        ("SpecError", "vdlt_spec/errors.py"),
        ("Reason", "vdlt_spec/errors.py"),
        ("Verdict", "vdlt_spec/verdict.py"),
        ("ReplicaStep", "vdlt_spec/consensus/replica/context.py"),
        ("SchedulerTransition", "vdlt_spec/queuing/scheduler.py"),
        ("SignedVote", "vdlt_spec/consensus/quorum.py"),
        ("SignedStatement", "vdlt_spec/economics/penalties.py"),
        ("Finding", "vdlt_spec/audit/auditor.py"),
        ("ProofOutcome", "proofs/obligation.py"),
        ("TransactionStream", "vdlt_spec/allocation/instance.py"),
        ("RoutingRequest", "vdlt_spec/hierarchy/routing.py"),
    ],
)
def test_domain_word_is_defined_once(word: str, home: str) -> None:
    """Each word of the shared vocabulary is one class, in one module."""
    assert _definitions(ast.ClassDef, word) == [home]


@pytest.mark.parametrize("name", ["Role", "Step"])
def test_retired_names_are_gone(name: str) -> None:
    """A name that once meant several things (a role, a step) names no class now."""
    assert _definitions(ast.ClassDef, name) == []


TYPE_NAME = re.compile(r"[A-Z][a-z]\w*")


def _type_names(node: ast.stmt) -> list[str]:
    """Return the public type names a module-level statement defines: a class or a type alias."""
    if isinstance(node, ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.AnnAssign):
        return [node.target.id] if isinstance(node.target, ast.Name) else []
    if not isinstance(node, ast.Assign) or isinstance(node.value, ast.Call):
        return []  # a call (a solver's sort, a registry) makes a value, not a type alias
    return [t.id for t in node.targets if isinstance(t, ast.Name)]


def test_public_type_names_are_unique() -> None:
    """No public class or type alias name is defined in two modules: each means one thing."""
    homes: dict[str, list[str]] = {}
    for where, tree in _trees():
        for node in tree.body:
            for name in _type_names(node):
                if TYPE_NAME.fullmatch(name):
                    homes.setdefault(name, []).append(where)
    assert {name: places for name, places in homes.items() if len(places) > 1} == {}


@pytest.mark.parametrize("function", ["quorum_size", "max_faulty", "is_quorum"])
def test_quorum_rule_is_defined_once_in_crypto(function: str) -> None:
    """The > 2n/3 quorum rule is written once, in crypto, and called everywhere else (§IV-D)."""
    assert _definitions(ast.FunctionDef, function) == ["vdlt_spec/crypto/quorum.py"]


def test_no_inlined_fault_bound() -> None:
    """No module restates the fault bound as ``(n - 1) // 3`` beside the quorum rule."""
    inlined = [
        f"{where}:{node.lineno}"
        for where, tree in _trees()
        if where != "vdlt_spec/crypto/quorum.py"
        for node in ast.walk(tree)
        if isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.FloorDiv)
        and isinstance(node.right, ast.Constant)
        and node.right.value == 3
    ]
    assert inlined == []


def test_class_ranking_is_defined_once() -> None:
    """The ranking of the eight classes (Table II) is one constant of cos.py."""
    assert _assignments("CLASS_RANKING") == ["vdlt_spec/cos.py"]


def test_no_module_is_oversized() -> None:
    """Every module of the spec, the models and the proofs stays under the size limit."""
    sizes = {_relative(p): len(p.read_text(encoding="utf-8").splitlines()) for p in _sources()}
    assert {where: n for where, n in sizes.items() if n > MAX_LINES} == {}


HISTORY = re.compile(r"\b[Ss]ession \d+\b|\b[Ii]ssue #?\d+\b|\bwork period\b|\brerun in\b")


def test_docs_and_code_describe_what_is() -> None:
    """Docs, comments and docstrings carry no development history."""
    texts = [*_sources(), ROOT / "README.md", ROOT / "CHANGELOG.md"]
    texts += [*sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "benchmarks").glob("*.py"))]
    hits = [
        f"{_relative(path)}:{number}: {line.strip()}"
        for path in texts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if HISTORY.search(line)
    ]
    assert hits == []


def test_every_package_is_installed() -> None:
    """pyproject.toml lists every package of the tree, so a regular install carries them all."""
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "vdlt_spec").rglob("__init__.py")
    }
    for folder, name in (("models", "vdlt_spec.models"), ("proofs", "vdlt_spec.proofs")):
        for init in (ROOT / folder).rglob("__init__.py"):
            found.add(".".join((name, *init.parent.relative_to(ROOT / folder).parts)))
    assert found == listed
