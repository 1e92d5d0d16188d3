"""The whole economy: epochs, payouts, role separation, the scenario, the CLI and checks."""

from __future__ import annotations

import dataclasses
import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vdlt_spec import checks as self_checks
from vdlt_spec import serial
from vdlt_spec.cli import main
from vdlt_spec.economics import economy as E
from vdlt_spec.economics import incentives
from vdlt_spec.economics.campaign import campaign
from vdlt_spec.economics.signing import (
    compressed_public_key,
    double_sign_evidence,
    simulation_secret_key,
)
from vdlt_spec.economics.simulation import (
    MAX_SIMULATED_EPOCHS,
    QUALIFIED_SPEC,
    check_epochs,
    simulate,
)
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance.amendment import Amendment, Poll, PollGroup
from vdlt_spec.governance.parameters import ParameterChange, Parameters
from vdlt_spec.governance.voting import VotingMode
from vdlt_spec.roles import NodeRole
from vdlt_spec.verdict import Verdict

PARAMS = Parameters.experimental(
    genesis_supply=10_000_000,
    epochs_per_year=4,
    inflation_rate=Fraction(4, 100),
    min_collateral=100,
    delegate_count=4,
)
MANAGERS = ("m0", "m1", "m2", "m3", "m4")


def key(name: str) -> bytes:
    return compressed_public_key(simulation_secret_key(5, name))


def running() -> E.Economy:
    allocations = {"h0": 4_000_000, "h1": 5_000_000, "x0": 500_000}
    allocations.update({m: 100_000 for m in MANAGERS})
    econ = E.start(allocations, PARAMS)
    for name in (*MANAGERS, "x0"):
        econ = E.apply(econ, E.Bond(name, 100))
        role = NodeRole.EXECUTION if name == "x0" else NodeRole.MANAGEMENT_CONTROL
        econ = E.apply(econ, E.Register(name, role, key(name), 7, QUALIFIED_SPEC))
    econ = E.apply(econ, E.Stake("h0", 1_000_000))
    econ = E.apply(econ, E.Stake("h1", 1_000_000))
    assert econ.registry.election is not None
    for name in MANAGERS:
        econ = E.apply(econ, E.VoteWithLock(name, econ.registry.election.ballot_id, 10, 1, name))
    return E.apply(econ, E.EndEpoch())


def test_an_epoch_seats_delegates_and_pays_exactly_what_it_mints() -> None:
    econ = running()
    assert len(econ.registry.delegates) == 4 and econ.epoch == 1
    assert E.invariant_violations(econ) == ()
    for _ in range(3):
        econ = E.apply(econ, E.ManagementDecision())
    econ = E.apply(econ, E.ProduceUserBlock("x0"))
    election = econ.registry.election
    assert election is not None
    econ = E.apply(econ, E.VoteWithLock("h0", election.ballot_id, 1_000, 2, "m0"))
    econ = E.apply(econ, E.EndEpoch())
    management = [p for p in econ.payouts if p.reason == "management"]
    assert [p.account for p in management] == [e.account for e in econ.registry.rosters[1][:3]]
    assert all(p.amount == 7 for p in management)  # the median of the declared pay
    assert [p.amount for p in econ.payouts if p.reason == "execution"] == [7]
    staking = {p.account: p.amount for p in econ.payouts if p.reason == "staking"}
    assert staking.get("h0", 0) > 0 and staking.get("h1", 0) == 0  # h1 did not vote
    assert econ.paid_out == econ.ledger.minted
    assert E.invariant_violations(econ) == ()


def test_delegates_are_paid_one_decision_at_a_time_in_turn() -> None:
    econ = running()
    for _ in range(6):
        econ = E.apply(econ, E.ManagementDecision())
    leaders = [p.account for p in econ.payouts if p.reason == "management"]
    seated = list(econ.registry.delegates)
    assert leaders == seated + seated[:2]


def test_a_delegate_cannot_produce_user_blocks_in_the_economy() -> None:
    econ = running()
    for delegate in econ.registry.delegates:
        with pytest.raises(SpecError) as err:
            E.apply(econ, E.ProduceUserBlock(delegate))
        assert err.value.reason == Reason.DELEGATE_PRODUCED_USER_BLOCK


def test_years_roll_over_and_never_mint_above_the_cap() -> None:
    econ = running()
    for _ in range(10):
        election = econ.registry.election
        assert election is not None
        for name in MANAGERS:
            econ = E.apply(econ, E.VoteWithLock(name, election.ballot_id, 10, 1, name))
        econ = E.apply(econ, E.VoteWithLock("h0", election.ballot_id, 10, 1, "m1"))
        econ = E.apply(econ, E.EndEpoch())
        assert E.invariant_violations(econ) == ()
        # a year starts at every multiple of epochs_per_year, with the supply of that moment
        assert econ.ledger.supply == econ.year_start_supply + econ.minted_this_year
        if econ.epoch % PARAMS.epochs_per_year == 0:
            assert econ.minted_this_year == 0
    by_year: dict[int, int] = {}
    for mint in econ.mints:
        by_year[mint.epoch // PARAMS.epochs_per_year] = (
            by_year.get(mint.epoch // PARAMS.epochs_per_year, 0) + mint.minted
        )
    assert len(by_year) >= 3
    assert by_year[0] <= incentives.yearly_cap(PARAMS.genesis_supply, PARAMS)


def test_slashing_in_the_economy_expels_and_pays_the_reporter() -> None:
    econ = running()
    offender = econ.registry.delegates[0]
    evidence = double_sign_evidence(
        simulation_secret_key(5, offender),
        1,
        0,
        1,
        roster=[e.key for e in econ.registry.rosters[1]],
    )
    after = E.apply(econ, E.SubmitEvidence("h1", evidence))
    assert offender not in after.registry.delegates
    assert after.ledger.account("h1").balance == econ.ledger.account("h1").balance + 100 // 11
    assert E.invariant_violations(after) == ()


def test_amendment_operations_flow_through_the_economy() -> None:
    econ = running()
    proposal = Amendment("a", "h0", (ParameterChange("inflation_rate", Fraction(1, 100)),))
    econ = E.apply(econ, E.SubmitAmendment(proposal))
    econ = E.apply(econ, E.RecordPoll(Poll(PollGroup.USERS, 3, 1)))
    with pytest.raises(SpecError) as err:
        E.apply(econ, E.SubmitAmendment(dataclasses.replace(proposal, proposer="ghost")))
    assert err.value.reason == Reason.UNKNOWN_ACCOUNT
    with pytest.raises(SpecError) as err:
        E.apply(econ, E.ReportTestFailure("h0", "not a delegate"))
    assert err.value.reason == Reason.NOT_A_DELEGATE


def test_invariant_report_has_teeth() -> None:
    econ = running()
    inflated = dataclasses.replace(econ, paid_out=econ.paid_out + 1)
    assert any("payouts" in p for p in E.invariant_violations(inflated))
    over = dataclasses.replace(econ, minted_this_year=10**12)
    assert any("this year" in p for p in E.invariant_violations(over))


operations = st.one_of(
    st.builds(E.Transfer, st.text(max_size=3), st.text(max_size=3), st.integers(), st.integers()),
    st.builds(E.Stake, st.text(max_size=3), st.integers()),
    st.builds(E.Unbond, st.text(max_size=3), st.integers()),
    st.builds(E.VoteWithLock, st.text(), st.text(), st.integers(), st.integers(), st.text()),
    st.builds(E.ManagementDecision),
    st.builds(E.EndEpoch),
    st.builds(
        E.SubmitAmendment,
        st.builds(
            Amendment,
            st.text(max_size=4),
            st.text(max_size=4),
            st.lists(
                st.builds(ParameterChange, st.text(max_size=6), st.fractions()), max_size=2
            ).map(tuple),
        ),
    ),
)


@settings(max_examples=60, deadline=None)
@given(operations)
def test_operations_are_plain_data_that_round_trip(op: E.Operation) -> None:
    assert serial.decode(E.Operation, json.loads(serial.dumps(op))) == op


def test_evidence_operations_round_trip() -> None:
    op = E.SubmitEvidence(
        "h0", double_sign_evidence(simulation_secret_key(5, "m0"), 1, 0, 1, roster=())
    )
    assert serial.decode(E.Operation, json.loads(serial.dumps(op))) == op


# --- scenario, campaign, CLI, checks ---------------------------------------------------------


def test_the_seeded_scenario_is_valid_and_deterministic() -> None:
    first = simulate(0, 16)
    assert first.verdict == Verdict.VALID, (first.unexpected, first.violations, first.milestones)
    assert all(first.milestones.values())
    assert simulate(0, 16) == first
    assert simulate(1, 16).figures != first.figures


def test_a_short_scenario_is_unknown_not_valid() -> None:
    report = simulate(0, 2)
    assert report.verdict == Verdict.UNKNOWN
    assert not report.milestones["amendment went live"]


def test_campaign_is_valid_and_rejects_bad_arguments() -> None:
    report = campaign(3, 150)
    assert report.verdict == Verdict.VALID and sum(report.rejected.values()) > 0
    with pytest.raises(SpecError):
        campaign(0, 0)
    with pytest.raises(SpecError):
        simulate(0, 0)


def test_cli_simulate_prints_json_and_exits_by_verdict(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["governance", "simulate", "--seed", "0", "--epochs", "16", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["verdict"] == "valid"
    assert set(document["invariants"].values()) == {"valid"}
    assert main(["governance", "simulate", "--seed", "0", "--epochs", "2"]) == 2
    assert "verdict" in capsys.readouterr().out


@pytest.mark.parametrize("epochs", ["0", "1001", "many"])
def test_cli_simulate_rejects_bad_epochs_in_one_line(
    epochs: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["governance", "simulate", "--epochs", epochs]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_economics_checks_are_registered_and_pass() -> None:
    checks = self_checks.select(self_checks.discover(), ["economics"])
    names = {c.name for c in checks}
    assert {"economy-scenario", "economy-random-campaign", "median-pay-robustness"} <= names
    for chk in checks:
        run = self_checks.run(chk)
        assert run.verdict == Verdict.VALID, (run.name, run.detail)


def test_the_whole_economy_round_trips_through_json() -> None:
    econ = running()
    econ = E.apply(econ, E.ManagementDecision())
    assert serial.loads(E.Economy, serial.dumps(econ)) == econ


def test_elections_can_use_the_plain_quadratic_price() -> None:
    allocations = {"h0": 9_000_000, "x0": 500_000}
    allocations.update({m: 100_000 for m in MANAGERS})
    econ = E.start(allocations, PARAMS, election_mode=VotingMode.QUADRATIC)
    for name in MANAGERS:
        econ = E.apply(econ, E.Bond(name, 100))
        econ = E.apply(
            econ, E.Register(name, NodeRole.MANAGEMENT_CONTROL, key(name), 7, QUALIFIED_SPEC)
        )
    assert econ.registry.election is not None
    ballot_id = econ.registry.election.ballot_id
    for votes, name in enumerate(MANAGERS, start=1):
        econ = E.apply(econ, E.QuadraticVote(name, ballot_id, votes, name))
    assert econ.ledger.burned == sum(v * v for v in range(1, 6))
    with pytest.raises(SpecError) as err:
        E.apply(econ, E.VoteWithLock("h0", ballot_id, 10, 1, "m0"))
    assert err.value.reason == Reason.WRONG_VOTING_MODE
    econ = E.apply(econ, E.EndEpoch())
    assert econ.registry.delegates == ("m4", "m3", "m2", "m1")
    assert E.invariant_violations(econ) == ()


def test_check_epochs_bounds_the_scenario() -> None:
    assert check_epochs(1) == 1 and check_epochs(MAX_SIMULATED_EPOCHS) == MAX_SIMULATED_EPOCHS
    for bad in (0, -3, MAX_SIMULATED_EPOCHS + 1):
        with pytest.raises(SpecError) as caught:
            check_epochs(bad, "--epochs")
        assert caught.value.reason is Reason.BAD_USAGE
        assert caught.value.detail == f"--epochs must be 1..{MAX_SIMULATED_EPOCHS}: {bad}"
    with pytest.raises(SpecError) as caught:
        simulate(0, MAX_SIMULATED_EPOCHS + 1)
    assert (
        caught.value.detail
        == f"epochs must be 1..{MAX_SIMULATED_EPOCHS}: {MAX_SIMULATED_EPOCHS + 1}"
    )
    with pytest.raises(SpecError):
        check_epochs(True)  # type: ignore[arg-type]


def test_the_scenario_reports_progress_by_epoch_and_the_stake_each_epoch() -> None:
    seen: list[tuple[int, int]] = []
    report = simulate(0, 3, on_progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert all(e.staked > 0 and e.locked >= 0 for e in report.summary)


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("width", [80, 60, 140])
def test_cli_simulate_tables_cut_no_number_at_any_width(
    width: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    from rich.console import Console

    from vdlt_spec.cli import governance as cli

    argv = ["governance", "simulate", "--seed", "0", "--epochs", "4"]
    doc = json.loads(_cli([*argv, "--json"], capsys)[1])
    sink = io.StringIO()
    monkeypatch.setattr(cli, "console", Console(file=sink, width=width))
    main(argv)
    text = sink.getvalue()
    assert max(len(line) for line in text.splitlines()) <= width and "…" not in text
    for e in doc["summary"]:
        for key in ("minted", "burned", "supply", "staked"):
            assert f" {cli.tokens(int(e[key]))} " in text, (key, e[key])
        assert f" {cli.percent(Fraction(e['inflation_rate']))} " in text
    assert "amounts in tokens" in " ".join(text.split())


@pytest.mark.parametrize("name", ["economy.pdf", "missing/economy.png"])
def test_cli_simulate_rejects_a_bad_plot_path_in_one_line(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _cli(["governance", "simulate", "--plot", str(tmp_path / name)], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and "[BAD_USAGE]" in err


def test_a_report_names_experimental_parameters() -> None:
    experiment = Parameters.experimental(
        poll_period_epochs=2, vote_period_epochs=2, test_period_epochs=3
    )
    assert "parameters" in simulate(3, 1, experiment).figures
    assert "parameters" not in simulate(3, 1).figures
    with pytest.raises(SpecError) as err:
        E.start({"a": 10_000_000}, dataclasses.replace(PARAMS, conforming=True))
    assert err.value.reason == Reason.NON_CONFORMING_GENESIS
