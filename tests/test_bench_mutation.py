"""The mutation benchmark plants cosmic-ray's mutants in a copy and counts what the killers catch.

A toy project stands in for the reference: one comparison, one test that pins it on two inputs,
so that exactly one of its five realistic mutants (``<`` as ``!=``) survives.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
if str(BENCHMARKS) not in sys.path:  # the scripts share benchmarks/harness.py
    sys.path.insert(0, str(BENCHMARKS))


def _load() -> Any:
    spec = importlib.util.spec_from_file_location(
        "bench_mutation", BENCHMARKS / "bench_mutation.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_mutation"] = module
    spec.loader.exec_module(module)
    return module


bench = _load()

TOY = "def before(a, b):\n    return a < b\n\n\ndef untouched(a):\n    return a + 1\n"
TOY_TEST = (
    "from vdlt_spec.toy import before\n\n\n"
    "def test_before():\n    assert before(1, 2)\n    assert not before(2, 2)\n"
)
PLAN = """
[spec.toy]
files = ["vdlt_spec/toy.py"]
functions = ["before"]
tests = ["tests/test_toy.py"]
"""


@pytest.fixture
def toy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "vdlt_spec").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "vdlt_spec" / "__init__.py").write_text("")
    (root / "vdlt_spec" / "toy.py").write_text(TOY)
    (root / "tests" / "test_toy.py").write_text(TOY_TEST)
    (root / "plan.toml").write_text(PLAN)
    return root


def survivor(mutated: str = "return a != b", line: int = 2) -> Any:
    """Return a surviving mutant of the toy's comparison (or of another line)."""
    mutant = bench.Mutant(
        "toy",
        "vdlt_spec/toy.py",
        "core/ReplaceComparisonOperator_Lt_NotEq",
        0,
        line,
        "return a < b",
        (line, 11),
        (line, 12),
    )
    return bench.Outcome(mutant, False, "survived", f"+    {mutated}\n", 0.1)


def test_realistic_operators_only() -> None:
    assert bench.operator_allowed("core/ReplaceComparisonOperator_Lt_LtE")
    assert bench.operator_allowed("core/ReplaceComparisonOperator_In_NotIn")
    assert not bench.operator_allowed("core/ReplaceComparisonOperator_Lt_Is")
    assert bench.operator_allowed("core/ReplaceBinaryOperator_Add_Sub")
    assert not bench.operator_allowed("core/ReplaceBinaryOperator_Add_LShift")
    assert not bench.operator_allowed("core/RemoveDecorator")


def test_functions_restrict_the_mutants_and_the_draw_is_seeded(toy: Path) -> None:
    (component,) = bench.load_plan(toy / "plan.toml", "spec", [])
    mutants = bench.enumerate_mutants(component, toy)
    assert {m.line for m in mutants} == {2}  # `a + 1` lies outside `before`
    assert sorted(m.operator.rsplit("_", 1)[1] for m in mutants) == [
        "Eq",
        "Gt",
        "GtE",
        "LtE",
        "NotEq",
    ]
    assert bench.draw(mutants, 3, seed=7) == bench.draw(mutants, 3, seed=7)
    assert bench.draw(mutants, 0, seed=7) == mutants


def test_campaign_counts_kills_and_lists_the_survivor(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = bench.main(
        [
            "--plan",
            str(toy / "plan.toml"),
            "--root",
            str(toy),
            "--jobs",
            "1",
            "--judgements",
            str(toy / "none.toml"),
            "--json",
        ]
    )
    assert code == 0
    (toy_row,) = json.loads(capsys.readouterr().out)["components"]
    assert (toy_row["population"], toy_row["drawn"], toy_row["killed"]) == (5, 5, 4)
    (survivor,) = toy_row["survivors"]
    assert survivor["operator"] == "ReplaceComparisonOperator_Lt_NotEq"
    assert survivor["mutated"] == "return a != b"
    assert not survivor["equivalent"]
    assert toy_row["rate"] == pytest.approx(4 / 5)
    assert (toy / "vdlt_spec" / "toy.py").read_text() == TOY  # the tree is never touched


def test_a_judged_survivor_leaves_the_count(toy: Path) -> None:
    judged = toy / "judged.toml"
    judged.write_text(
        '[[equivalent]]\npath = "vdlt_spec/toy.py"\n'
        'operator = "core/ReplaceComparisonOperator_Lt_NotEq"\n'
        'source = "return a < b"\nwhy = "the toy only ever compares a <= b"\n'
    )
    table = bench.load_judgements(judged)
    outcome = survivor()
    count = bench.tally("toy", 5, [outcome], table)
    assert (count.drawn, count.equivalent, count.rate) == (1, 1, None)


def test_killers_that_fail_unmutated_are_a_clear_error(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (toy / "tests" / "test_toy.py").write_text("def test_broken():\n    assert False\n")
    code = bench.main(["--plan", str(toy / "plan.toml"), "--root", str(toy), "--jobs", "1"])
    assert code == 2
    assert "the killers fail unmutated" in capsys.readouterr().err


def test_an_unknown_component_is_a_clear_error(
    toy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = bench.main(["--plan", str(toy / "plan.toml"), "--component", "nope"])
    assert code == 2
    assert "unknown component nope; known: toy" in capsys.readouterr().err


def test_lines_run_names_the_lines_a_killer_executes(
    toy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the killer calls `before` only: `untouched`'s body (line 6) never runs
    (toy / "vdlt_spec" / "__main__.py").write_text(
        "from vdlt_spec.toy import before\n\nassert before(1, 2)\n"
    )
    monkeypatch.chdir(toy)
    monkeypatch.setenv("PYTHONPATH", str(toy))
    command = bench.python_command(["-m", "vdlt_spec"])
    run = bench.lines_run([command], ["vdlt_spec/toy.py"], timeout=60)
    assert run == {"vdlt_spec/toy.py": {1, 2, 5}}  # two defs at import, then `before`'s body


def test_a_survivor_in_a_line_no_killer_runs_is_counted_unrun() -> None:
    count = bench.tally(
        "toy", 9, [survivor(line=2), survivor(line=6)], {}, {"vdlt_spec/toy.py": {2}}
    )
    assert [s["line_run"] for s in count.survivors] == [True, False]
    assert (count.unrun, count.rate, count.rate_run) == (1, 0.0, 0.0)
    lines = list(bench.table_lines("vectors", [count]))
    assert "unrun" in lines[1] and lines[-1].endswith("[NOT equivalent; no killer runs this line]")
    assert bench.tally("toy", 9, [survivor(line=6)], {}).unrun is None  # not traced


def test_a_judgement_with_mutated_lines_covers_only_those_mutants(toy: Path) -> None:
    judged = toy / "judged.toml"
    judged.write_text(
        '[[equivalent]]\npath = "vdlt_spec/toy.py"\n'
        'operator = "core/ReplaceComparisonOperator_Lt_NotEq"\n'
        'source = "return a < b"\nmutated = ["return  a != b"]\nwhy = "the toy says so"\n'
    )
    table = bench.load_judgements(judged)

    assert bench.judge(survivor("return a != b"), table) == "the toy says so"  # spaces aside
    assert bench.judge(survivor("return b != a"), table) is None
