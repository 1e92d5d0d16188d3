"""Every command that reports a result takes ``--json`` and prints one strict JSON document.

Strict means RFC 8259: no ``NaN`` or ``Infinity`` (which Python's ``json`` writes by default and
JavaScript's ``JSON.parse`` rejects). Each command runs on a small input from ``examples/``.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
import typer

from vdlt_spec.cli import app, main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

#: Commands that speak another protocol on stdout and so take no ``--json``.
NO_JSON = {"vdlt conformance serve"}


def _commands() -> list[str]:
    """Return the path of every visible leaf command of the ``vdlt`` app."""
    root = typer.main.get_command(app)
    found: list[str] = []

    def walk(command: object, path: str, ctx: typer.Context) -> None:
        commands = getattr(command, "commands", None)
        if commands is None:
            found.append(path)
            return
        for name, sub in sorted(commands.items()):
            if not sub.hidden:
                walk(sub, f"{path} {name}", typer.Context(sub, info_name=name, parent=ctx))

    walk(root, "vdlt", typer.Context(root, info_name="vdlt"))
    return found


def _refuse_constant(name: str) -> None:
    raise ValueError(f"not strict JSON: {name}")


def test_every_command_that_reports_takes_json() -> None:
    """Every visible command but the adapter server has a ``--json`` option."""
    root = typer.main.get_command(app)
    ctx = typer.Context(root, info_name="vdlt")
    missing = []
    for path in _commands():
        if path in NO_JSON:
            continue
        command = root
        inner = ctx
        for name in path.split()[1:]:
            command = command.get_command(inner, name)  # type: ignore[attr-defined]
            inner = typer.Context(command, info_name=name, parent=inner)
        options = {opt for param in command.params for opt in getattr(param, "opts", ())}
        if "--json" not in options:
            missing.append(path)
    assert missing == []


RUNS = [
    ["verify", "--only", "cos"],
    ["prove", "--only", "quorum"],
    ["audit", "{examples}/consensus-trace.jsonl"],
    ["queuing", "simulate", "--count", "300"],
    ["consensus", "simulate", "--nodes", "4", "--count", "3"],
    ["governance", "simulate", "--epochs", "2"],  # exit 2: not every milestone in 2 epochs
    ["allocation", "schema"],
    ["allocation", "generate", "--count", "6", "--nodes", "3", "--seed", "1", "--out", "g.json"],
    ["allocation", "solve", "{examples}/instance.json", "--time-limit", "30"],
    ["allocation", "evaluate", "{examples}/instance.json", "{examples}/mine.json"],
    ["allocation", "baseline", "{examples}/instance.json", "--name", "density-greedy"],
    ["allocation", "train", "{examples}/instance.json", "--steps", "20", "--out", "a.json"],
    ["allocation", "act", "{examples}/agent.json", "{examples}/instance.json"],
    [
        "conformance",
        "run",
        "--adapter",
        "{python} -m vdlt_spec conformance serve",
        "--only",
        "cos.classify",
    ],
    ["conformance", "generate", "--out", "vectors", "--only", "cos"],
    ["conformance", "export", "--out", "vectors.tar.gz", "--only", "cos"],
    ["virtualization", "place", "{examples}/substrate.json", "{examples}/systems.json"],
    ["virtualization", "hierarchy", "--count", "200"],
    [
        "allocation",
        "dataset",
        "build",
        "{examples}/dataset-spec.json",
        "--out",
        "ds",
        "--workers",
        "1",
    ],
    ["allocation", "dataset", "verify", "small"],
    ["allocation", "score", "small", "--allocator", "density-greedy", "--workers", "1"],
    ["consensus", "campaign", "--runs", "3", "--sizes", "4", "--workers", "1"],
    ["governance", "campaign", "--runs", "2", "--steps", "20", "--workers", "1"],
    ["system", "campaign", "--runs", "1", "--transactions", "20", "--workers", "1"],
    ["system", "simulate", "--transactions", "50", "--baseline"],
    ["system", "experiment", "virtual-systems", "--transactions", "40"],
]


def test_the_runs_cover_every_command() -> None:
    """The strict-JSON runs below exercise every command that takes ``--json``."""
    covered = {" ".join(["vdlt", *run[:k]]) for run in RUNS for k in (1, 2, 3)}
    assert [c for c in _commands() if c not in covered and c not in NO_JSON] == []


@pytest.mark.slow
@pytest.mark.parametrize("argv", RUNS, ids=[" ".join(run[:2]) for run in RUNS])
def test_json_output_is_one_strict_document(
    argv: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A command's ``--json`` output parses with NaN and Infinity refused."""
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    args = [a.replace("{examples}", "examples").replace("{python}", sys.executable) for a in argv]
    code = main([*args, "--json"])
    out = capsys.readouterr().out
    assert code in (0, 1, 2), out
    assert out.strip(), "no document on stdout"
    json.loads(out, parse_constant=_refuse_constant)
