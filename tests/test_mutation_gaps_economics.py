"""Pin what the economics component's own tests left open (§IV-B..§IV-K).

The random-operation campaign and the seeded scenario are fixed functions of their seed: their
reports (accepted, rejected by reason, slashes, figures, milestones) are the reference's. The
ledger auditor is handed a supply below its books and a lock filed under a smaller identifier.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest

from vdlt_spec import ledger as L
from vdlt_spec.economics.campaign import campaign
from vdlt_spec.economics.economy import apply
from vdlt_spec.economics.operations import ReportTestFailure, Transfer
from vdlt_spec.economics.simulation import SCENARIO_PARAMETERS, ScenarioRun, simulate
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance import amendment as A
from vdlt_spec.governance.parameters import ParameterChange
from vdlt_spec.verdict import Verdict

# The campaign's report for a seed: accepted, rejected by reason and slashes.
CAMPAIGNS = {
    1: (
        239,
        {
            "ALREADY_REGISTERED": 1,
            "BAD_LOCK_MULTIPLIER": 2,
            "DOUBLE_VOTE": 12,
            "DUPLICATE_POLL": 6,
            "FEE_TOO_LOW": 8,
            "INSUFFICIENT_FREE_TOKENS": 7,
            "NEGATIVE_AMOUNT": 13,
            "NODE_REQUIREMENTS_UNMET": 2,
            "NON_POSITIVE_AMOUNT": 11,
            "NOT_AN_EXECUTION_NODE": 7,
            "NOT_IN_ROSTER": 5,
            "NO_DELEGATES": 5,
            "PARAMETER_NOT_AMENDABLE": 1,
            "SELF_TRANSFER": 2,
            "STALE_EVIDENCE": 6,
            "UNKNOWN_ACCOUNT": 2,
            "UNKNOWN_BALLOT": 12,
            "UNKNOWN_OPTION": 29,
            "WRONG_STAGE": 27,
        },
        12,
    ),
    3: (
        244,
        {
            "ALREADY_REGISTERED": 1,
            "BAD_LOCK_MULTIPLIER": 3,
            "DOUBLE_VOTE": 8,
            "DUPLICATE_POLL": 3,
            "FEE_TOO_LOW": 10,
            "INSUFFICIENT_FREE_TOKENS": 5,
            "INSUFFICIENT_STAKE": 1,
            "NEGATIVE_AMOUNT": 12,
            "NODE_REQUIREMENTS_UNMET": 2,
            "NON_POSITIVE_AMOUNT": 10,
            "NOTHING_TO_SLASH": 3,
            "NOT_AN_EXECUTION_NODE": 10,
            "NOT_IN_ROSTER": 6,
            "PARAMETER_NOT_AMENDABLE": 2,
            "STALE_EVIDENCE": 6,
            "UNKNOWN_ACCOUNT": 3,
            "UNKNOWN_BALLOT": 11,
            "UNKNOWN_OPTION": 19,
            "WRONG_STAGE": 38,
        },
        5,
    ),
}


def test_a_seeded_campaign_reports_exactly_the_references_outcomes() -> None:
    for seed, (accepted, rejected, slashes) in CAMPAIGNS.items():
        report = campaign(seed, 300)
        assert (report.accepted, report.rejected, report.slashes) == (accepted, rejected, slashes)
        assert (report.amendments_live, report.violations, report.verdict) == (
            0,
            (),
            Verdict.VALID,
        )


# The seeded scenario of 16 epochs reaches every milestone with these exact figures.
def test_the_seeded_scenario_reports_exactly_the_references_figures() -> None:
    report = simulate(1, 16)
    assert report.accepted == 1470
    assert report.rejected == {
        "ALREADY_REGISTERED": 1,
        "BAD_EVIDENCE": 1,
        "BAD_LOCK_MULTIPLIER": 16,
        "CERTIFICATE_VALID": 1,
        "DELEGATE_PRODUCED_USER_BLOCK": 15,
        "DOUBLE_VOTE": 79,
        "DUPLICATE_EVIDENCE": 1,
        "DUPLICATE_POLL": 2,
        "INSUFFICIENT_FREE_TOKENS": 16,
        "NODE_REQUIREMENTS_UNMET": 2,
        "STALE_EVIDENCE": 1,
        "UNKNOWN_OPTION": 16,
    }
    assert report.unexpected == ()
    assert report.figures == {
        "supply": 1000268692196774,
        "minted": 285601287684,
        "burned": 16909090910,
        "paid_out": 285601287684,
        "slashed": 18000000000,
        "reporter_rewards": 1090909090,
        "amendments_live": 1,
        "parameters_version": 1,
        "inflation_rate": "3/100",
        "elections_failed": 0,
    }
    assert all(report.milestones.values()) and len(report.milestones) == 7
    assert report.verdict is Verdict.VALID


# The ledger auditor reports a supply below genesis + minted - burned, not only one above it.
def test_the_ledger_auditor_finds_a_supply_below_its_books() -> None:
    ledger = L.genesis({"alice": 100}, 100)
    short = dataclasses.replace(ledger, burned=-1)
    assert L.invariant_violations(short) == ("supply 100 != genesis 100 + minted 0 - burned -1",)


# The ledger auditor reports a lock filed under an identifier other than its own, smaller too.
def test_the_ledger_auditor_finds_a_lock_under_a_smaller_identifier() -> None:
    ledger = L.genesis({"alice": 100}, 100)
    for _ in range(2):
        ledger, _ = L.lock(ledger, "alice", "b", 10, 1, 5)
    second = ledger.locks[1]
    misfiled = dataclasses.replace(ledger, locks={0: second, 1: ledger.locks[0]})
    assert L.invariant_violations(misfiled) == ("lock 0: bad identifier", "lock 1: bad identifier")


# The scenario's amendment voters choose yea, nay, pass with weights 90, 5, 5: seed 2's tallies.
def test_the_seeded_scenarios_amendment_tallies_are_the_references() -> None:
    run = ScenarioRun(2, SCENARIO_PARAMETERS)
    run.setup()
    for epoch in range(16):
        run.begin_epoch()
        run.votes()
        run.work()
        run.governance(epoch)
        run.slashing(epoch)
        run.stale(epoch)
        run.end_epoch(epoch)
    tallies = [(r.yea, r.nay, r.pass_votes) for r in run.econ.governance.results]
    assert tallies == [
        (215497627564802, 0, 12754749207420),
        (180126412971316, 13401328916691, 19149657491678),
    ]


# A scenario step that expects a reason reports a rejection for another reason; one that
# expects nothing reports no rejection.
def test_a_scenario_step_reports_only_a_rejection_it_did_not_expect() -> None:
    run = ScenarioRun(1, SCENARIO_PARAMETERS)
    run.setup()
    bad = Transfer("holder-00", "holder-01", 0)
    assert run.step(bad) is False
    assert run.unexpected == []
    assert run.step(bad, Reason.NON_POSITIVE_AMOUNT) is False
    assert run.unexpected == []
    assert run.step(bad, Reason.DOUBLE_VOTE) is False
    assert run.unexpected == ["transfer rejected with NON_POSITIVE_AMOUNT, not DOUBLE_VOTE"]


# A sitting delegate's report that the test system failed sends the amendment back (§IV-K).
def test_a_delegates_test_failure_report_fails_the_amendment() -> None:
    run = ScenarioRun(1, SCENARIO_PARAMETERS)
    run.setup()
    econ = run.econ
    proposal = A.Amendment("x", "holder-00", (ParameterChange("inflation_rate", Fraction(3, 100)),))
    testing = dataclasses.replace(
        econ.governance,
        stage=A.Stage.TESTING,
        current="x",
        stage_ends=econ.epoch + 3,
        amendments={"x": proposal},
    )
    registry = dataclasses.replace(econ.registry, delegates=("manager-00",))
    econ = dataclasses.replace(econ, governance=testing, registry=registry)
    after = apply(econ, ReportTestFailure("manager-00", "the test chain halted"))
    governance = after.governance
    assert (governance.stage, governance.current, governance.test_epochs_passed) == (
        A.Stage.PROPOSAL,
        None,
        0,
    )
    assert governance.history[-1] == A.HistoryEntry(
        econ.epoch, "x", A.Event.TEST_FAILED, "manager-00: the test chain halted"
    )


# The ledger's clock is an epoch number: a boolean is no epoch, even one equal to 1.


def test_the_ledger_clock_refuses_a_boolean_epoch() -> None:
    ledger = L.genesis({"alice": 100}, 100)
    for now in (True, False):
        with pytest.raises(SpecError) as caught:
            L.advance(ledger, now)  # type: ignore[arg-type]
        assert caught.value.reason is Reason.TIME_NOT_MONOTONE
    assert L.advance(ledger, 1).now == 1
