"""Tests of the proof obligations, the prover and ``vdlt prove`` (§III-D, §IV-C, §IV-D)."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import pytest
import z3
from hypothesis import given
from hypothesis import strategies as st

from vdlt_spec.cli import main
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.models.query import Query, Setup
from vdlt_spec.proofs import catalog, runner
from vdlt_spec.proofs.obligation import Expected, Obligation, ProofOutcome, Scope
from vdlt_spec.verdict import Verdict

#: The proof groups: each is a `vdlt prove --only` group and a `vdlt verify` check.
GROUPS = (
    "quorum",
    "bitmap",
    "pbft",
    "accountability",
    "multisig",
    "checkpoint",
    "voting",
    "penalties",
    "inflation",
    "allocation",
)

# --- every obligation matches its expectation ---------------------------------------------------


@pytest.mark.parametrize("obligation", catalog.OBLIGATIONS, ids=lambda o: o.name)
def test_obligation_matches_its_expectation(obligation: Obligation) -> None:
    result = runner.discharge(obligation, timeout_s=60)
    assert result.verdict is Verdict.VALID, result.detail
    assert result.finding is obligation.expected.finding
    if result.finding is ProofOutcome.COUNTEREXAMPLE:
        assert result.counterexample, "a counterexample must be decoded into domain terms"
    else:
        assert all(q.answer == "unsat" for q in result.queries)


def test_catalog_is_complete_and_well_formed() -> None:
    names = [o.name for o in catalog.OBLIGATIONS]
    assert len(names) == len(set(names)) >= 15
    groups = {o.group for o in catalog.OBLIGATIONS}
    assert groups == set(GROUPS)
    for o in catalog.OBLIGATIONS:
        assert o.section.startswith("§") and o.statement and o.scope.text
        assert o.encoding(), o.name
    both = {o.expected for o in catalog.OBLIGATIONS}
    assert both == {Expected.PROVED, Expected.COUNTEREXAMPLE}


def test_decoded_counterexamples_speak_domain_terms() -> None:
    found = runner.discharge(catalog.by_name()["quorum-weak-rule-byzantine-third"])
    ce = found.counterexample
    n, b = int(ce["n"]), int(ce["|B|"])
    assert 3 * int(ce["|Q1|"]) >= 2 * n and 3 * b <= n
    assert ce["honest in Q1∩Q2"] == "{}"
    loose = runner.discharge(catalog.by_name()["quorum-two-f-plus-one-loose"]).counterexample
    assert (
        int(loose["n"]) > 3 * int(loose["f"]) + 1 and int(loose["|Q1|"]) >= 2 * int(loose["f"]) + 1
    )
    rogue = runner.discharge(catalog.by_name()["multisig-plain-sum-rogue-key"]).counterexample
    assert rogue["c_1"] == "N-1"


# --- the runner's verdict logic ------------------------------------------------------------


def test_finding_combination() -> None:
    assert runner.finding_of(["unsat", "unsat"]) is ProofOutcome.PROVED
    assert runner.finding_of(["unsat", "sat"]) is ProofOutcome.COUNTEREXAMPLE
    assert runner.finding_of(["unsat", "unknown"]) is ProofOutcome.UNKNOWN
    assert runner.finding_of(["unsat", "not run"]) is ProofOutcome.UNKNOWN
    assert runner.finding_of([]) is ProofOutcome.UNKNOWN


@given(st.sampled_from(list(Expected)), st.sampled_from(list(ProofOutcome)))
def test_verdict_of(expected: Expected, finding: ProofOutcome) -> None:
    verdict = runner.verdict_of(expected, finding)
    if finding is ProofOutcome.UNKNOWN:
        assert verdict is Verdict.UNKNOWN
    elif finding.value == expected.value:
        assert verdict is Verdict.VALID
    else:
        assert verdict is Verdict.INVALID


def _hard_queries() -> tuple[Query, ...]:
    """A pigeonhole-like cardinality problem CDCL cannot refute quickly (measured, D-proof-3)."""
    n = 64
    x = [z3.Bool(f"x{i}") for i in range(n)]
    y = [z3.Bool(f"y{i}") for i in range(n)]
    facts = (
        z3.AtLeast(*x, 2 * n // 3 + 1),
        z3.AtLeast(*y, 2 * n // 3 + 1),
        z3.AtMost(*[z3.And(a, b) for a, b in zip(x, y, strict=True)], n // 3),
    )
    return (Query("pigeonhole", facts, "QF_FD", Setup.QF_FD),)


def test_timeout_is_unknown_never_proved() -> None:
    hard = Obligation(
        "hard", "test", "§IV-D", "hard", Scope.bound("n = 64"), Expected.PROVED, (), _hard_queries
    )
    result = runner.discharge(hard, timeout_s=0.3)
    assert result.finding is ProofOutcome.UNKNOWN
    assert result.verdict is Verdict.UNKNOWN
    assert result.queries[0].answer == "unknown"


def test_budget_spent_leaves_queries_not_run() -> None:
    def two() -> tuple[Query, ...]:
        return _hard_queries() + _hard_queries()

    hard = Obligation(
        "hard2", "test", "§IV-D", "hard", Scope.bound("n = 64"), Expected.PROVED, (), two
    )
    result = runner.discharge(hard, timeout_s=0.3)
    assert [q.answer for q in result.queries] == ["unknown", "not run"]
    assert result.verdict is Verdict.UNKNOWN


def _flipped() -> Obligation:
    """Return the weak-rule quorum obligation expected PROVED, though it has a counterexample."""
    base = catalog.by_name()["quorum-weak-rule-byzantine-third"]
    return Obligation(
        base.name,
        base.group,
        base.section,
        base.statement,
        base.scope,
        Expected.PROVED,
        (),
        base.encoding,
    )


def test_wrong_expectation_is_invalid() -> None:
    flipped = _flipped()
    result = runner.discharge(flipped)
    assert result.finding is ProofOutcome.COUNTEREXAMPLE and result.verdict is Verdict.INVALID


def test_select_and_bad_names() -> None:
    assert {o.group for o in runner.select(catalog.OBLIGATIONS, ["voting"])} == {"voting"}
    assert [o.name for o in runner.select(catalog.OBLIGATIONS, ["tally"])] == ["tally"]
    with pytest.raises(SpecError) as err:
        runner.select(catalog.OBLIGATIONS, ["no-such-obligation"])
    assert err.value.reason is Reason.UNKNOWN_OBLIGATION
    with pytest.raises(SpecError):
        runner.discharge(catalog.OBLIGATIONS[0], timeout_s=0)


# --- the CLI ----------------------------------------------------------------------------------


def test_cli_prove_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["prove", "--only", "quorum", "--only", "tally", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["verdict"] == "valid"
    names = {o["name"] for o in out["obligations"]}
    assert "tally" in names and "quorum-honest-intersection" in names
    weak = next(o for o in out["obligations"] if o["name"] == "quorum-weak-rule-byzantine-third")
    assert weak["finding"] == "counterexample" and weak["counterexample"]["n"]


def test_cli_prove_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prove", "--only", "multisig"]) == 0
    out = capsys.readouterr().out
    assert "multisig-plain-sum-rogue-key" in out and "valid" in out
    # counterexamples are decoded below the table, one line each, whatever the width
    assert "multisig-plain-sum-rogue-key: counterexample" in out
    assert "multisig-coefficient-binding:" not in out


def test_cli_prove_exit_codes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["prove", "--only", "nothing-by-this-name"]) == 2
    assert "UNKNOWN_OBLIGATION" in capsys.readouterr().err
    assert main(["prove", "--only", "tally", "--timeout", "0"]) == 2
    assert main(["prove", "--only", "tally", "--timeout", "soon"]) == 2
    flipped = _flipped()
    hard = Obligation(
        "hard", "test", "§IV-D", "hard", Scope.bound("n = 64"), Expected.PROVED, (), _hard_queries
    )
    monkeypatch.setattr(catalog, "OBLIGATIONS", (flipped,))
    assert main(["prove"]) == 1
    assert "quorum-weak-rule-byzantine-third: counterexample n=" in capsys.readouterr().out
    monkeypatch.setattr(catalog, "OBLIGATIONS", (hard,))
    assert main(["prove", "--timeout", "0.3"]) == 2
    assert "\nhard: " in capsys.readouterr().out  # an unknown finding says why below the table


def test_cli_writes_smtlib(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "smt"
    assert main(["prove", "--only", "quorum-honest-intersection", "--smtlib", str(target)]) == 0
    files = sorted(target.glob("*.smt2"))
    assert [f.name for f in files] == ["quorum-honest-intersection--00-honest-intersection.smt2"]
    text = files[0].read_text()
    assert "(set-logic QF_LIA)" in text and text.rstrip().endswith("(check-sat)")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["prove", "--only", "tally", "--smtlib", str(blocker / "sub")]) == 2
    assert "SMTLIB_EXPORT_FAILED" in capsys.readouterr().err


def test_verify_registers_the_groups() -> None:
    from vdlt_spec import checks as self_checks

    checks = {c.name for c in self_checks.discover() if c.component == "proofs"}
    assert checks == {f"proofs-{g}" for g in GROUPS}
    run = self_checks.run(next(c for c in self_checks.discover() if c.name == "proofs-quorum"))
    assert run.verdict is Verdict.VALID


def test_verify_check_can_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    from vdlt_spec import checks as self_checks

    flipped = _flipped()
    monkeypatch.setattr(catalog, "OBLIGATIONS", (flipped,))
    run = self_checks.run(next(c for c in self_checks.discover() if c.name == "proofs-quorum"))
    assert run.verdict is Verdict.INVALID


def test_check_timeout_accepts_only_a_positive_budget() -> None:
    assert runner.check_timeout(0.5) == 0.5
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(SpecError) as caught:
            runner.check_timeout(bad, "--timeout")
        assert caught.value.reason is Reason.BAD_USAGE
        assert caught.value.detail == f"--timeout must be positive, got {bad}"


def test_penalty_obligation_is_not_vacuous() -> None:
    from vdlt_spec.economics.settlement import settle, slash_amounts
    from vdlt_spec.models import penalties

    for self_report in (False, True):
        x = penalties.unknowns("t.")
        solver = z3.Solver()
        solver.add(*penalties.preconditions(x))
        assert solver.check() == z3.sat  # the preconditions admit slashes
        model = solver.model()
        value = {
            name: model.eval(term, model_completion=True).as_long() for name, term in x.items()
        }
        slashed, reward = slash_amounts(
            value["slashable"],
            Fraction(value["slash_fraction_num"], value["slash_fraction_den"]),
            Fraction(value["reward_num"], value["reward_den"]),
        )
        assert (slashed, reward) == (value["slashed"], value["reward"])  # the bounds are the floors
        assert settle(slashed, reward, self_report).offender_change == -slashed


@pytest.mark.parametrize("width", [60, 80])
def test_the_prove_table_never_cuts_a_figure(width: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """At 60 and 80 columns every verdict and every time shows whole; a long name folds."""
    import io

    from rich.console import Console

    from vdlt_spec.cli import main
    from vdlt_spec.cli import prove as prove_cli

    sink = io.StringIO()
    monkeypatch.setattr(prove_cli, "console", Console(file=sink, width=width))
    assert main(["prove", "--only", "quorum"]) == 0
    text = sink.getvalue()
    assert "…" not in text
    table = [line for line in text.splitlines() if "│" in line or "┃" in line]
    assert max(len(line) for line in table) <= width
    rows = [line for line in table if "quorum" in line]
    assert rows and all(re.search(r"\d+\.\d\d\s*$", row) for row in rows)
