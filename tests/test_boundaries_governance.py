"""Boundary values of every governance threshold: at, just below and just above (§IV-C, §IV-K).

Poll approval must exceed ``poll_threshold`` (at it fails), yea must reach the supermajority
(at it passes), participation must reach the adaptive quorum (at it passes), the test period
needs every one of its epochs, a stage resolves exactly at its end, a ballot is open on
[opens_at, closes_at), a lock multiplier lies in [1, max_k]. A ``>`` turned into ``>=`` (or the
reverse) at any of them fails one of these tests.

:data:`BOUNDARY_CASES` lists the same cases as (operation, input, expected) data for conformance
vectors: the operation names the spec function, the input its arguments (fractions as strings).
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import Any

import pytest

from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance import amendment as A
from vdlt_spec.governance import voting as V
from vdlt_spec.governance.parameters import DEFAULT_PARAMETERS, ParameterChange, Parameters
from vdlt_spec.ledger import genesis

P = DEFAULT_PARAMETERS
GROUPS = list(A.PollGroup)

# --- the cases as data ---------------------------------------------------------------------

#: (yea, nay, reached) around the 4/5 supermajority of yea + nay.
SUPERMAJORITY_CASES = (
    (4, 1, True),  # exactly 80 %
    (3999, 1000, False),  # just below
    (4001, 1000, True),  # just above
    (0, 0, False),  # no yea at all
    (1, 0, True),
)
#: (participation in bp, approved) around the quorum 2000 + 7000·5000 // 10000 = 5500 bp.
QUORUM_AT_DEFAULT_EMA = 5500
PARTICIPATION_CASES = ((5500, True), (5499, False), (5501, True))
#: (per-group (yes, no), passes) around the poll threshold 1/2 (approval must exceed it).
POLL_CASES: tuple[tuple[tuple[tuple[int, int], ...], bool], ...] = (
    (((1, 1),) * 5, False),  # approval exactly 1/2
    (((1001, 1000),) + ((1, 1),) * 4, True),  # just above
    (((1000, 1001),) + ((1, 1),) * 4, False),  # just below
)
#: (test epochs passed, passes) around the test period of 14 epochs.
TEST_PERIOD_CASES = ((14, True), (13, False), (15, True))
#: (k, accepted) around the lock multiplier range [1, MAX_LOCK_MULTIPLIER = 8].
LOCK_MULTIPLIER_CASES = ((0, False), (1, True), (2, True), (7, True), (8, True), (9, False))
#: (now, open) around a ballot open on [10, 24).
BALLOT_WINDOW_CASES = ((9, False), (10, True), (11, True), (23, True), (24, False), (25, False))

BOUNDARY_CASES: tuple[tuple[str, dict[str, Any], Any], ...] = (
    *(
        (
            "governance.supermajority_reached",
            {"yea": y, "nay": n, "supermajority": str(P.supermajority)},
            ok,
        )
        for y, n, ok in SUPERMAJORITY_CASES
    ),
    *(
        (
            "governance.evaluate",
            {"participation_bp": p, "participation_ema_bp": P.quorum_max_bp, "yea": 1, "nay": 0},
            {"quorum_bp": QUORUM_AT_DEFAULT_EMA, "approved": ok},
        )
        for p, ok in PARTICIPATION_CASES
    ),
    *(
        (
            "governance.poll_passes",
            {"polls": [list(c) for c in counts], "poll_threshold": str(P.poll_threshold)},
            ok,
        )
        for counts, ok in POLL_CASES
    ),
    *(
        ("governance.test_period", {"passed": x, "test_period_epochs": 14}, ok)
        for x, ok in TEST_PERIOD_CASES
    ),
    *(
        ("voting.lock_votes", {"tokens": 10, "k": k, "max_k": P.max_lock_multiplier}, ok)
        for k, ok in LOCK_MULTIPLIER_CASES
    ),
    *(
        ("voting.is_open", {"opens_at": 10, "closes_at": 24, "now": now}, ok)
        for now, ok in BALLOT_WINDOW_CASES
    ),
)


def test_the_data_matches_the_parameters() -> None:
    assert P.supermajority == Fraction(4, 5)
    assert P.poll_threshold == Fraction(1, 2)
    assert P.test_period_epochs == 14
    assert P.max_lock_multiplier == 8
    assert A.quorum_bp(P.quorum_max_bp, P) == QUORUM_AT_DEFAULT_EMA
    assert all(isinstance(op, str) and isinstance(args, dict) for op, args, _ in BOUNDARY_CASES)


# --- supermajority and quorum --------------------------------------------------------------------


@pytest.mark.parametrize(("yea", "nay", "reached"), SUPERMAJORITY_CASES)
def test_supermajority_at_and_around_four_fifths(yea: int, nay: int, reached: bool) -> None:
    assert A.supermajority_reached(yea, nay, P) is reached


def _ballot(turnout: int, yea: int, nay: int, eligible: int = 10_000) -> V.Ballot:
    ballot = V.open_ballot("b", A.BALLOT_OPTIONS, V.VotingMode.TOKEN_LOCK, 0, 10, eligible)
    votes = {A.YEA: yea, A.NAY: nay, A.PASS: 0}
    return dataclasses.replace(ballot, turnout=turnout, votes=votes)


@pytest.mark.parametrize(("participation", "approved"), PARTICIPATION_CASES)
def test_participation_at_and_around_the_quorum(participation: int, approved: bool) -> None:
    result = A.evaluate(_ballot(participation, 1, 0), P.quorum_max_bp, P)
    assert result.quorum_bp == QUORUM_AT_DEFAULT_EMA
    assert result.participation_bp == participation
    assert result.approved is approved


def test_a_ballot_at_both_bounds_is_approved_and_one_vote_less_is_not() -> None:
    at_both = A.evaluate(_ballot(5500, 4, 1), P.quorum_max_bp, P)
    assert at_both.approved
    assert not A.evaluate(_ballot(5500, 3, 1), P.quorum_max_bp, P).approved
    assert not A.evaluate(_ballot(5499, 4, 1), P.quorum_max_bp, P).approved


@pytest.mark.parametrize(("ema", "quorum"), [(0, 2000), (10_000, 7000), (5000, 4500), (1, 2000)])
def test_the_adaptive_quorum_at_its_ends(ema: int, quorum: int) -> None:
    assert A.quorum_bp(ema, P) == quorum


def test_participation_rounds_down_at_the_basis_point() -> None:
    # 5500 bp is exactly 55 % of 20 000; one unit of stake less is 5499.5 bp, counted as 5499
    assert A.participation_bp(_ballot(11_000, 1, 0, eligible=20_000)) == 5500
    assert A.participation_bp(_ballot(10_999, 1, 0, eligible=20_000)) == 5499


# --- the stages ---------------------------------------------------------------------


def _polling(params: Parameters = P) -> A.GovernanceState:
    state = A.initial_state(params)
    change = ParameterChange("inflation_rate", Fraction(3, 100))
    proposal = A.Amendment("raise", "alice", (change,), "3 % a year")
    return A.submit(state, proposal, now=0)


def _with_polls(counts: tuple[tuple[int, int], ...]) -> A.GovernanceState:
    state = _polling()
    for group, (yes, no) in zip(GROUPS, counts, strict=True):
        state = A.record_poll(state, A.Poll(group, yes, no), now=1)
    return state


@pytest.mark.parametrize(("counts", "passes"), POLL_CASES)
def test_poll_approval_must_exceed_the_threshold(
    counts: tuple[tuple[int, int], ...], passes: bool
) -> None:
    state = _with_polls(counts)
    approval = A.poll_approval(state.polls, P)
    assert (approval > P.poll_threshold) is passes
    after = A.advance(state, state.stage_ends, eligible_stake=100)
    assert (after.stage == A.Stage.EXPLORATION) is passes
    event = A.Event.POLLS_PASSED if passes else A.Event.POLLS_FAILED
    assert after.history[-1].event == event


def test_a_stage_resolves_exactly_at_its_end() -> None:
    state = _with_polls(((2, 1),) * 5)
    assert A.advance(state, state.stage_ends - 1, eligible_stake=100) == state
    assert A.advance(state, state.stage_ends, eligible_stake=100).stage == A.Stage.EXPLORATION
    assert A.advance(state, state.stage_ends + 1, eligible_stake=100).stage == A.Stage.EXPLORATION


def test_polls_are_taken_until_the_epoch_before_the_stage_ends() -> None:
    state = _polling()
    last = A.record_poll(state, A.Poll(GROUPS[0], 1, 0), now=state.stage_ends - 1)
    assert GROUPS[0].value in last.polls
    with pytest.raises(SpecError) as caught:
        A.record_poll(state, A.Poll(GROUPS[0], 1, 0), now=state.stage_ends)
    assert caught.value.reason is Reason.WRONG_STAGE


@pytest.mark.parametrize(("passed", "passes"), TEST_PERIOD_CASES)
def test_the_test_period_needs_every_epoch(passed: int, passes: bool) -> None:
    state = dataclasses.replace(
        _polling(), stage=A.Stage.TESTING, stage_ends=50, test_epochs_passed=passed
    )
    after = A.advance(state, 50, eligible_stake=100)
    assert (after.stage == A.Stage.CONFIRMATION) is passes
    assert after.history[-1].event == (A.Event.TEST_PASSED if passes else A.Event.TEST_FAILED)


def _confirming(turnout: int, yea: int, nay: int) -> A.GovernanceState:
    state = dataclasses.replace(_polling(), stage=A.Stage.CONFIRMATION, stage_ends=80)
    ballot = dataclasses.replace(
        _ballot(turnout, yea, nay), ballot_id=A.ballot_id("raise", A.Stage.CONFIRMATION)
    )
    return dataclasses.replace(state, ballot=ballot)


@pytest.mark.parametrize(
    ("turnout", "yea", "nay", "live"),
    [
        (5500, 4, 1, True),  # at the quorum and at the supermajority
        (5499, 4, 1, False),  # just below the quorum
        (5500, 3999, 1000, False),  # just below the supermajority
        (5501, 4001, 1000, True),  # just above both
    ],
)
def test_confirmation_at_and_around_its_thresholds(
    turnout: int, yea: int, nay: int, live: bool
) -> None:
    after = A.advance(_confirming(turnout, yea, nay), 80, eligible_stake=10_000)
    assert ("raise" in after.activated) is live
    event = A.Event.ACTIVATED if live else A.Event.CONFIRMATION_FAILED
    assert after.history[-1].event == event


# --- ballots and locks ---------------------------------------------------------------------


@pytest.mark.parametrize(("now", "is_open"), BALLOT_WINDOW_CASES)
def test_a_ballot_is_open_on_a_half_open_window(now: int, is_open: bool) -> None:
    ballot = V.open_ballot("w", ("a", "b"), V.VotingMode.TOKEN_LOCK, 10, 24, 0)
    assert V.is_open(ballot, now) is is_open


@pytest.mark.parametrize(("k", "accepted"), LOCK_MULTIPLIER_CASES)
def test_the_lock_multiplier_range(k: int, accepted: bool) -> None:
    ledger = genesis({"alice": 100}, supply=100)
    ballot = V.open_ballot("m", ("a", "b"), V.VotingMode.TOKEN_LOCK, 0, 10, 100)
    if accepted:
        counted, _ = V.vote_with_lock(
            ballot, ledger, "alice", 10, k, "a", max_k=P.max_lock_multiplier, lock_period_epochs=1
        )
        assert counted.votes["a"] == 10 * k
        return
    with pytest.raises(SpecError) as caught:
        V.vote_with_lock(
            ballot, ledger, "alice", 10, k, "a", max_k=P.max_lock_multiplier, lock_period_epochs=1
        )
    assert caught.value.reason is Reason.BAD_LOCK_MULTIPLIER


@pytest.mark.parametrize(("budget", "votes"), [(15, 3), (16, 4), (17, 4), (24, 4), (25, 5)])
def test_max_quadratic_votes_at_and_around_a_square(budget: int, votes: int) -> None:
    assert V.max_quadratic_votes(budget) == votes
    assert V.quadratic_cost(votes) <= budget < V.quadratic_cost(votes + 1)
