"""The ``vdlt <component> <verb>`` grammar and the hidden aliases of the deprecated spellings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from vdlt_spec.cli import main
from vdlt_spec.cli.aliases import ALIASES

INSTANCES = Path(__file__).resolve().parents[1] / "vdlt_spec" / "allocation" / "instances"
TINY = str(INSTANCES / "tiny-exhaustive.json")

VISIBLE = {
    "verify",
    "prove",
    "audit",
    "queuing",
    "consensus",
    "governance",
    "allocation",
    "conformance",
    "virtualization",
    "system",
}


def _listed(help_text: str) -> set[str]:
    """Return the command names of the ``Commands:`` section of a plain ``--help`` text."""
    section = help_text.split("Commands:", 1)[1]
    return {line.split()[0] for line in section.splitlines() if line.startswith("  ")}


def test_help_lists_the_components_and_hides_the_aliases(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--help"]) == 0
    listed = _listed(capsys.readouterr().out)
    assert listed == VISIBLE
    assert not listed & {"simulate", "queue", "solve", "evaluate", "baseline", "instance"}


@pytest.mark.parametrize("group", sorted(VISIBLE - {"verify", "prove", "audit"}))
def test_each_group_has_help(group: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([group, "--help"]) == 0
    assert "Usage: vdlt " + group in capsys.readouterr().out


def test_every_alias_names_a_visible_command() -> None:
    for new in ALIASES.values():
        component, verb = new.split()
        assert component in VISIBLE and verb


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _timeless(document: Any) -> Any:
    """Drop the wall-clock figures (and the detail quoting them) of a solver report."""
    return {k: v for k, v in document.items() if not k.endswith("seconds") and k != "detail"}


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (["simulate", "pbft"], ["consensus", "simulate"]),
        (["queue", "simulate"], ["queuing", "simulate"]),
        (["instance", "schema"], ["allocation", "schema"]),
        (["instance", "generate"], ["allocation", "generate"]),
        (["baseline"], ["allocation", "baseline"]),
    ],
)
@pytest.mark.parametrize("as_json", [False, True])
def test_an_alias_prints_what_its_new_spelling_prints(
    old: list[str], new: list[str], as_json: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    args = {
        "simulate": ["--n", "4", "--byzantine", "1", "--decisions", "3"],
        "queue": ["--tx", "200", "--fifo"],
        "instance": ["--allocation"] if old[-1] == "schema" else ["--tx", "5", "--nodes", "2"],
        "baseline": [TINY, "--name", "density-greedy"],
    }[old[0]]
    if old == ["instance", "generate"]:
        args = [*args, "--seed", "3"]
    if as_json and old[0] not in ("instance",):
        args = [*args, "--json"]
    assert _run([*old, *args], capsys) == _run([*new, *args], capsys)


def test_solve_and_evaluate_aliases_match(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    written = {"old": tmp_path / "old.json", "new": tmp_path / "new.json"}
    reports = {}
    for key, spelling in (("old", ["solve"]), ("new", ["allocation", "solve"])):
        argv = [*spelling, TINY, "--threads", "1", "--json", "--out", str(written[key])]
        code, out, _ = _run(argv, capsys)
        assert code == 0
        reports[key] = _timeless(json.loads(out))
    assert reports["old"] == reports["new"]
    assert written["old"].read_text(encoding="utf-8") == written["new"].read_text(encoding="utf-8")
    for extra in ([], ["--json"]):
        old = _run(["evaluate", TINY, str(written["old"]), *extra], capsys)
        assert old == _run(["allocation", "evaluate", TINY, str(written["old"]), *extra], capsys)


def test_aliases_reject_bad_input_as_their_new_spelling_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for old, new in (
        (["simulate", "pbft"], ["consensus", "simulate"]),
        (["solve"], ["allocation", "solve"]),
    ):
        bad = ["--n", "0"] if old[0] == "simulate" else ["/nonexistent/instance.json"]
        code, out, err = _run([*old, *bad], capsys)
        assert code == 2 and err.startswith("vdlt: error [")
        assert (code, out, err) == _run([*new, *bad], capsys)
