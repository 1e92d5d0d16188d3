"""Tests of scoring an allocator against the exact oracle (vdlt_spec.allocation.score, §IV-F)."""

from __future__ import annotations

import json
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest

from vdlt_spec import serial
from vdlt_spec.allocation.baselines import BASELINES
from vdlt_spec.allocation.decision import Allocation
from vdlt_spec.allocation.evaluator import evaluate
from vdlt_spec.allocation.instance import Instance
from vdlt_spec.allocation.schema import loads_instance, parse_allocation
from vdlt_spec.allocation.score import Reference, accept_start, parse_reference, score
from vdlt_spec.cli import main
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.models.milp import SolveReport, solve

INSTANCES = Path(__file__).resolve().parents[1] / "vdlt_spec" / "allocation" / "instances"


@pytest.fixture(scope="module", params=["small-throughput", "small-welfare"])
def solved(request: pytest.FixtureRequest) -> tuple[Instance, SolveReport]:
    instance = loads_instance((INSTANCES / f"{request.param}.json").read_text())
    report = solve(instance, threads=1)
    assert report.proven_optimal and report.allocation is not None
    return instance, report


def _proven(report: SolveReport) -> Reference:
    assert report.allocation is not None
    return Reference(report.allocation, Fraction(report.bound or 0), proven=True)


def test_the_optimum_scores_one_and_every_baseline_its_exact_share(
    solved: tuple[Instance, SolveReport],
) -> None:
    instance, report = solved
    assert report.allocation is not None and report.objective is not None
    itself = score(instance, report.allocation, _proven(report))
    assert itself.share_low == itself.share_high == 1 and itself.shortfall == 0
    for name, allocate in BASELINES.items():
        mine = allocate(instance)
        s = score(instance, mine, _proven(report))
        objective = evaluate(instance, mine).objective
        assert s.feasible and s.proven and s.best == report.objective, name
        assert s.share_low == s.share_high == objective / report.objective, name
        assert 0 <= s.share_high <= 1 and s.shortfall == report.objective - objective, name


def test_an_unproven_reference_brackets_the_share_between_bound_and_best(
    solved: tuple[Instance, SolveReport],
) -> None:
    instance, report = solved
    assert report.allocation is not None and report.objective is not None
    bound = report.objective + 10
    mine = BASELINES["density-greedy"](instance)
    s = score(instance, mine, Reference(report.allocation, bound))
    objective = evaluate(instance, mine).objective
    assert not s.proven and s.bound == bound
    assert s.share_low == objective / bound < s.share_high == objective / report.objective
    # a bare allocation: no bound, the share is of the reference's utility alone
    bare = score(instance, mine, Reference(report.allocation))
    assert bare.bound is None and bare.share_low is None and bare.share_high == s.share_high


def test_an_infeasible_allocation_has_no_share(solved: tuple[Instance, SolveReport]) -> None:
    instance, report = solved
    assert report.allocation is not None
    first = report.allocation.assignments[0]
    broken = Allocation((replace(first, replicas=first.replicas[:1]),))  # below the group minimum
    s = score(instance, broken, _proven(report))
    assert not s.feasible and s.share_low is None and s.share_high is None


def test_a_wrong_reference_is_rejected_not_trusted(solved: tuple[Instance, SolveReport]) -> None:
    instance, report = solved
    assert report.allocation is not None and report.objective is not None
    greedy = BASELINES["density-greedy"](instance)
    first = report.allocation.assignments[0]
    infeasible = Allocation((replace(first, replicas=first.replicas[:1]),))
    wrong = [
        Reference(infeasible),  # the reference's allocation breaks a constraint
        Reference(report.allocation, report.objective - 1),  # bound below its own utility
        Reference(report.allocation, instance=instance.name + "-other"),  # another instance
        Reference(report.allocation, claimed=report.objective + 1),  # reports what it lacks
    ]
    for reference in wrong:
        with pytest.raises(SpecError) as err:
            score(instance, greedy, reference)
        assert err.value.reason is Reason.BAD_REFERENCE
    if evaluate(instance, greedy).objective < report.objective:
        # a "proven optimum" that a feasible allocation beats is a false proof
        with pytest.raises(SpecError) as err:
            score(instance, report.allocation, Reference(greedy, proven=True))
        assert err.value.reason is Reason.BAD_REFERENCE


def test_a_solve_report_and_an_allocation_document_read_as_references(
    solved: tuple[Instance, SolveReport],
) -> None:
    instance, report = solved
    assert report.allocation is not None
    document = json.loads(serial.dumps(report))
    reference = parse_reference(document)
    assert reference.proven and reference.allocation == report.allocation
    assert reference.instance == instance.name and reference.claimed == report.objective
    assert reference.bound == Fraction(report.bound or 0)
    bare = parse_reference(json.loads(serial.dumps(report.allocation)))
    assert bare == Reference(report.allocation)
    for bad in (
        [],
        {"status": "optimal"},
        {**document, "allocation": None},
        {**document, "bound": "a lot"},
        {**document, "bound": True},
        {**document, "proven_optimal": "yes"},
    ):
        with pytest.raises(SpecError) as err:
            parse_reference(bad)
        assert err.value.reason is Reason.BAD_REFERENCE


def test_evaluate_against_a_solve_report_prints_the_share(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    instance = str(INSTANCES / "small-throughput.json")
    report, greedy = tmp_path / "report.json", tmp_path / "greedy.json"
    assert main(["allocation", "solve", instance, "--threads", "1", "--json"]) == 0
    report.write_text(capsys.readouterr().out)
    assert (
        main(["allocation", "baseline", instance, "--name", "density-greedy", "--out", str(greedy)])
        == 0
    )
    capsys.readouterr()
    assert main(["allocation", "evaluate", instance, str(greedy), "--against", str(report)]) == 0
    assert "of the proven optimum" in capsys.readouterr().out
    assert (
        main(["allocation", "evaluate", instance, str(greedy), "--against", str(report), "--json"])
        == 0
    )
    result = json.loads(capsys.readouterr().out)
    share = Fraction(result["score"]["share_high"])
    assert 0 < share <= 1 and result["evaluation"]["feasible"] is True
    # a file that is no reference: a clear error and exit 2, not a traceback
    assert main(["allocation", "evaluate", instance, str(greedy), "--against", instance]) == 2
    assert "BAD_REFERENCE" in capsys.readouterr().err


def test_the_verify_check_fails_when_a_heuristic_beats_a_claimed_optimum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`vdlt verify`'s MILP check scores each baseline against the optimum; it can fail."""
    from vdlt_spec.allocation import bundled
    from vdlt_spec.checks.allocation import milp_optimum
    from vdlt_spec.models import milp as oracle
    from vdlt_spec.verdict import Verdict

    name = "small-throughput"
    instance = bundled.bundled_instances()[name]
    worse = BASELINES["per-class-greedy"](instance)
    better = BASELINES["density-greedy"](instance)
    claimed = evaluate(instance, worse).objective
    assert evaluate(instance, better).objective > claimed  # so the claim is false
    honest = solve(instance, threads=1)

    def fake_solve(inst: Instance, **_: object) -> SolveReport:
        return replace(honest, allocation=worse, objective=claimed)

    expected = {name: bundled.ExpectedSolve("optimal", str(claimed), ())}
    monkeypatch.setattr(bundled, "bundled_instances", lambda: {name: instance})
    monkeypatch.setattr(bundled, "expected_results", lambda: expected)
    monkeypatch.setattr(oracle, "solve", fake_solve)
    outcome = milp_optimum()
    assert outcome.verdict is Verdict.INVALID and "density-greedy" in outcome.detail


def test_a_start_is_accepted_only_when_feasible() -> None:
    instance = loads_instance((INSTANCES / "tiny-exhaustive.json").read_text())
    feasible = BASELINES["per-class-greedy"](instance)
    assert evaluate(instance, feasible).feasible
    assert accept_start(instance, feasible) is feasible
    bad = parse_allocation(
        {
            "assignments": [
                {
                    "transaction": "t0",
                    "control_ghz": "1",
                    "replicas": [{"node": "n1", "rate_ghz": "2"}],
                }
            ]
        },
    )
    with pytest.raises(SpecError) as caught:
        accept_start(instance, bad)
    assert caught.value.reason is Reason.INFEASIBLE_START
    assert "2 violations, e.g. replicas-min on t0" in caught.value.detail
    unknown = replace(bad, assignments=(replace(bad.assignments[0], transaction="zz"),))
    with pytest.raises(SpecError) as caught:
        accept_start(instance, unknown)
    assert caught.value.reason is Reason.UNKNOWN_TRANSACTION
