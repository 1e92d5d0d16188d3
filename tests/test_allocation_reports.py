"""Tests of what `vdlt allocation` tells its reader: options, time limit, progress, JSON, tables."""

from __future__ import annotations

import io
import json
import time
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.table import Table

from vdlt_spec.allocation.evaluator import can_bind, evaluate, tightest
from vdlt_spec.allocation.generate import generate
from vdlt_spec.allocation.schema import loads_instance
from vdlt_spec.cli import main
from vdlt_spec.cli.allocation import constraint_table
from vdlt_spec.cli.solve_report import (
    UTILITY_FIELDS,
    diagnosis_table,
    solve_document,
    solve_table,
)
from vdlt_spec.models.milp import PHASES, SolveReport, SolveStatus, solve

INSTANCES = Path(__file__).resolve().parents[1] / "vdlt_spec" / "allocation" / "instances"
SMALL = str(INSTANCES / "small-welfare.json")


def _strict(text: str) -> Any:
    """Parse one strict JSON document (RFC 8259): NaN and Infinity are refused."""

    def refuse(name: str) -> Any:
        raise AssertionError(f"non-standard JSON constant {name}")

    return json.loads(text, parse_constant=refuse)


def _render(table: Table, width: int) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=width, force_terminal=False).print(table)
    return buffer.getvalue()


# --- options -----------------------------------------------------------------------------------


def test_generate_takes_count_and_keeps_tx_as_a_hidden_spelling(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new, old = tmp_path / "new.json", tmp_path / "old.json"
    common = ["--nodes", "4", "--seed", "3"]
    assert main(["allocation", "generate", "--count", "12", *common, "--out", str(new)]) == 0
    assert main(["allocation", "generate", "--tx", "12", *common, "--out", str(old)]) == 0
    assert new.read_text() == old.read_text()
    assert len(loads_instance(new.read_text()).transactions) == 12
    capsys.readouterr()
    assert main(["allocation", "generate", "--help"]) == 0
    shown = capsys.readouterr().out
    assert "--count" in shown and "--tx" not in shown
    assert main(["allocation", "generate", *common]) == 2
    assert "[BAD_USAGE]" in capsys.readouterr().err and "--count" in shown


def test_help_metavars_name_things(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("solve", "evaluate", "baseline", "generate", "schema"):
        assert main(["allocation", command, "--help"]) == 0
        shown = capsys.readouterr().out
        assert "PATH" not in shown and "_file" not in shown, command
        assert "--json" in shown, command
    assert main(["allocation", "solve", "--help"]) == 0
    shown = capsys.readouterr().out
    assert "INSTANCE" in shown and "default: 60" in shown and "--no-time-limit" in shown


def test_schema_accepts_json_and_prints_the_same_document(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["allocation", "schema"]) == 0
    plain = capsys.readouterr().out
    assert main(["allocation", "schema", "--json"]) == 0
    assert capsys.readouterr().out == plain


# --- the time limit ----------------------------------------------------------------------------


def test_the_time_limit_counts_building_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    from vdlt_spec.models.milp import oracle

    real_build, limits = oracle.build_model, []

    def slow_build(instance: Any, deadline: float | None = None) -> Any:
        time.sleep(1.0)
        return real_build(instance, deadline=deadline)

    real_run = oracle.run_solver

    def spy(solver: str, model: Any, settings: Any) -> Any:
        limits.append(settings.time_limit)
        return real_run(solver, model, settings)

    monkeypatch.setattr(oracle, "build_model", slow_build)
    monkeypatch.setattr(oracle, "run_solver", spy)
    instance = generate(8, 3, seed=1)
    report = solve(instance, threads=1, time_limit=3, bounds=False, use_heuristic_start=False)
    assert limits and limits[0] is not None and limits[0] <= 2.0, limits
    building = dict((p.phase, p.seconds) for p in report.phase_seconds)["building"]
    assert building >= 1.0 and report.seconds >= building


def test_solve_names_its_phases_to_a_callback_and_times_them() -> None:
    seen: list[str] = []
    instance = generate(10, 3, seed=2)
    report = solve(instance, threads=1, time_limit=20, on_phase=seen.append)
    assert seen[0] == "building" and seen[-1] == "checking"
    assert set(seen) <= set(PHASES)
    assert [p.phase for p in report.phase_seconds] == [p for p in PHASES if p in seen]
    assert sum(p.seconds for p in report.phase_seconds) <= report.seconds + 1e-6


def test_the_cli_default_limit_is_60_seconds_and_no_time_limit_lifts_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from vdlt_spec.models import milp

    asked: list[float | None] = []
    real = milp.solve

    def spy(instance: Any, options: Any, **kw: Any) -> SolveReport:
        asked.append(options.time_limit)
        return real(instance, options, **kw)

    monkeypatch.setattr(milp, "solve", spy)
    assert main(["allocation", "solve", SMALL, "--threads", "1", "--json"]) == 0
    report = _strict(capsys.readouterr().out)
    assert report["time_limit"] == 60 and report["phase_seconds"]["reading"] >= 0
    assert main(["allocation", "solve", SMALL, "--threads", "1", "--no-time-limit", "--json"]) == 0
    assert _strict(capsys.readouterr().out)["time_limit"] is None
    assert asked[0] is not None and 59 < asked[0] <= 60 and asked[1] is None
    args = ["allocation", "solve", SMALL, "--time-limit", "5", "--no-time-limit"]
    assert main(args) == 2
    assert "[BAD_USAGE]" in capsys.readouterr().err


# --- reports a reader can trust ----------------------------------------------------------------


def test_the_gap_to_a_zero_utility_is_none_never_infinite() -> None:
    from vdlt_spec.models.milp.report import _relative_gap

    assert _relative_gap(0.0, 5.0) is None
    assert _relative_gap(0.0, 0.0) == 0.0 and _relative_gap(10.0, 11.0) == pytest.approx(0.1)


def test_a_proven_optimum_has_gap_zero_and_says_who_proved_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["allocation", "solve", SMALL, "--threads", "1"]) == 0
    text = capsys.readouterr().out
    assert "0 %" in text and "e-0" not in text
    for internal in ("kInterrupt", "model status", "kOk", "dynamic programme", "1 runs"):
        assert internal not in text
    assert "tokens/epoch" in text and "transactions" in text


def test_a_solver_settled_by_a_bound_is_not_called_the_solver_that_ran() -> None:
    instance = generate(10, 3, seed=2)
    report = replace(
        solve(instance, threads=1, time_limit=20),
        solver_ran=False,
        proven_optimal=True,
        status=SolveStatus.OPTIMAL,
    )
    text = _render(solve_table(report, "throughput", 20.0), 80)
    assert "not needed" in text and "not run" not in text.split("neighbourhood")[0]


def test_every_allocation_command_prints_strict_json_with_one_type_per_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    zero = tmp_path / "zero.json"  # no transactions: the optimum is 0
    generated = ["allocation", "generate", "--count", "0", "--nodes", "2", "--seed", "1"]
    assert main([*generated, "--out", str(zero), "--json"]) == 0
    assert _strict(capsys.readouterr().out)["transactions"] == 0
    assert main(["allocation", "schema", "--json"]) == 0
    _strict(capsys.readouterr().out)
    for path in (str(zero), SMALL):
        out = tmp_path / "a.json"
        assert (
            main(["allocation", "solve", path, "--threads", "1", "--out", str(out), "--json"]) == 0
        )
        report = _strict(capsys.readouterr().out)
        for name in UTILITY_FIELDS:
            assert report[name] is None or isinstance(report[name], str), name
            if report[name] is not None:
                Fraction(report[name])
        assert isinstance(report["seconds"], float) and isinstance(report["gap"], float | None)
        assert all(isinstance(s, float) for s in report["phase_seconds"].values())
        assert main(["allocation", "evaluate", path, str(out), "--json"]) == 0
        assert isinstance(_strict(capsys.readouterr().out)["objective"], str)
        assert main(["allocation", "baseline", path, "--json"]) == 0
        _strict(capsys.readouterr().out)
    assert report["objective"] is not None and report["gap"] == 0


def test_solve_document_drops_non_finite_figures() -> None:
    instance = generate(6, 2, seed=4)
    report = replace(solve(instance, threads=1, time_limit=20), bound=float("inf"), gap=None)
    text = json.dumps(solve_document(report, 20.0), allow_nan=False)
    assert _strict(text)["bound"] is None


def test_tightest_leaves_out_constraints_that_cannot_bind() -> None:
    instance = generate(0, 2, seed=1)  # no transactions: every load is 0
    from vdlt_spec.allocation.decision import Allocation

    ev = evaluate(instance, Allocation(()))
    everything = tightest(ev, 100)
    assert any(not can_bind(r) for r in everything)
    assert all(can_bind(r) for r in tightest(ev, 100, bindable=True))


# --- tables at 80 and 60 columns ---------------------------------------------------------------


@pytest.mark.parametrize("width", [80, 60])
def test_tables_keep_every_figure_whole(width: int) -> None:
    instance = generate(30, 6, seed=5)
    report = solve(instance, threads=1, time_limit=20)
    text = _render(solve_table(report, "throughput", 20.0), width)
    flat = " ".join(text.split())
    for figure in (f"{report.seconds:.2f}", str(report.binaries), str(report.constraints)):
        assert figure in flat, figure
    assert report.allocation is not None
    ev = evaluate(instance, report.allocation)
    rows = tightest(ev, 5, bindable=True) + ev.reports[:3]
    from vdlt_spec.cli.solve_report import fraction_text as _fraction_text

    for table in (constraint_table("tightest", rows), diagnosis_table(rows)):
        lines = _render(table, width).splitlines()
        assert all(len(line) <= width for line in lines)
        cells = [cell.strip() for line in lines for cell in line.split("│")]
        for r in rows:
            for value in (r.value, r.bound, r.slack):
                figure = _fraction_text(value)
                assert figure in cells or _fraction_text(-value) in cells, figure


# --- progress ----------------------------------------------------------------------------------


def test_generate_and_evaluate_report_progress_to_a_callback() -> None:
    from vdlt_spec.allocation import evaluator
    from vdlt_spec.allocation import generate as generator

    counts: list[tuple[int, int]] = []
    original = generator.PROGRESS_STEP
    try:
        generator.PROGRESS_STEP = evaluator.PROGRESS_STEP = 4
        instance = generator.generate(10, 3, seed=1, on_progress=lambda d, t: counts.append((d, t)))
        assert counts == [(4, 10), (8, 10), (10, 10)]
        report = solve(instance, threads=1, time_limit=20)
        assert report.allocation is not None
        seen: list[tuple[int, int]] = []
        evaluate(instance, report.allocation, on_progress=lambda d, t: seen.append((d, t)))
        assert seen[-1][0] == seen[-1][1] == len(report.allocation.assignments)
    finally:
        generator.PROGRESS_STEP = evaluator.PROGRESS_STEP = original


def test_progress_is_quiet_with_json_and_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    from vdlt_spec.cli.common import work_progress

    with work_progress("working", quiet=True) as steps:
        steps.phase("still working")
        steps.count(1, 2)
    with work_progress("working", quiet=False) as steps:  # stderr is not a terminal here
        steps.phase("still working")
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
