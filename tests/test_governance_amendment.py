"""Self-amending governance (§IV-K): polls, two token-lock votes, test period, activation once."""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vdlt_spec import ledger as L
from vdlt_spec import strategies as vst
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance import amendment as A
from vdlt_spec.governance import voting
from vdlt_spec.governance.amendment import NAY, PASS, YEA, Amendment, Event, Poll, PollGroup, Stage
from vdlt_spec.governance.parameters import (
    GENESIS_SUPPLY,
    ParameterChange,
    Parameters,
    apply_changes,
    validate,
)

PARAMS = Parameters(poll_period_epochs=1, vote_period_epochs=2, test_period_epochs=3)
RAISE = Amendment("raise", "alice", (ParameterChange("inflation_rate", Fraction(3, 100)),))


def electorate() -> L.Ledger:
    ledger = L.genesis({"alice": 1_000, "bob": 1_000, "carol": 1_000}, 3_000)
    for name in ("alice", "bob", "carol"):
        ledger = L.stake(ledger, name, 500)
    return ledger


def polls(state: A.GovernanceState, yes: int, now: int) -> A.GovernanceState:
    for group in PollGroup:
        state = A.record_poll(state, Poll(group, yes, 100 - yes), now)
    return state


def vote_all(
    state: A.GovernanceState, ledger: L.Ledger, choices: dict[str, str]
) -> tuple[A.GovernanceState, L.Ledger]:
    assert state.ballot is not None
    ballot = state.ballot
    for voter, option in choices.items():
        ballot, ledger = voting.vote_with_lock(
            ballot, ledger, voter, 100, 1, option, max_k=8, lock_period_epochs=1
        )
    return A.with_ballot(state, ballot), ledger


def run_to_live(
    state: A.GovernanceState,
    ledger: L.Ledger,
    *,
    fail_test: bool = False,
    proposal: Amendment = RAISE,
) -> tuple[A.GovernanceState, int]:
    """Drive one amendment through every stage, epoch by epoch; return the state and epoch."""
    now = 0
    state = polls(A.submit(state, proposal, now), 90, now)
    for _ in range(40):
        voting_now = state.stage in (Stage.EXPLORATION, Stage.CONFIRMATION)
        if voting_now and state.ballot is not None and not state.ballot.choices:
            state, ledger = vote_all(state, ledger, {"alice": YEA, "bob": YEA, "carol": PASS})
        if state.stage == Stage.TESTING:
            state = A.record_test_epoch(state, not fail_test, now)
        now += 1
        ledger = L.advance(ledger, now)
        state = A.advance(state, now, 1_500)
        if state.stage == Stage.PROPOSAL:
            return state, now
    raise AssertionError("the amendment never finished")


def test_tezos_anchors_are_the_defaults() -> None:
    p = Parameters()
    assert p.supermajority == Fraction(4, 5)
    assert (p.quorum_min_bp, p.quorum_max_bp) == (2_000, 7_000)
    assert p.participation_ema_weight == Fraction(1, 5)
    assert A.initial_state(p).participation_ema_bp == 7_000
    assert A.quorum_bp(7_000, p) == 5_500  # 20 % + 70 % of the 50 % spread


def test_a_good_amendment_goes_live_exactly_once_after_every_stage() -> None:
    state, when = run_to_live(A.initial_state(PARAMS), electorate())
    assert state.activated == ("raise",) and state.version == 1
    assert state.params.inflation_rate == Fraction(3, 100)
    assert state.params == apply_changes(PARAMS, RAISE.changes)
    events = [h.event for h in state.history]
    assert events == [
        Event.SUBMITTED,
        Event.POLLS_PASSED,
        Event.EXPLORATION_PASSED,
        *[Event.TEST_EPOCH_PASSED] * 3,
        Event.TEST_PASSED,
        Event.CONFIRMATION_PASSED,
        Event.ACTIVATED,
    ]
    assert when == 1 + 2 + 3 + 2
    assert A.history_violations(state, PARAMS) == ()
    with pytest.raises(SpecError) as err:
        A.submit(state, RAISE, when)
    assert err.value.reason == Reason.DUPLICATE_AMENDMENT


def test_a_failed_test_returns_to_proposal_and_changes_nothing() -> None:
    state, _ = run_to_live(A.initial_state(PARAMS), electorate(), fail_test=True)
    assert state.activated == () and state.params == PARAMS and state.version == 0
    assert state.history[-1].event == Event.TEST_FAILED
    assert A.history_violations(state, PARAMS) == ()


def test_failed_polls_return_to_proposal() -> None:
    state = polls(A.submit(A.initial_state(PARAMS), RAISE, 0), 40, 0)
    state = A.advance(state, 1, 1_500)
    assert state.stage == Stage.PROPOSAL and state.history[-1].event == Event.POLLS_FAILED


def test_low_turnout_or_no_supermajority_fails_the_vote() -> None:
    for choices in ({"alice": YEA}, {"alice": YEA, "bob": YEA, "carol": NAY}):
        state = A.advance(polls(A.submit(A.initial_state(PARAMS), RAISE, 0), 90, 0), 1, 1_500)
        ledger = L.advance(electorate(), 1)
        state, ledger = vote_all(state, ledger, choices)
        state = A.advance(state, 3, 1_500)
        assert state.stage == Stage.PROPOSAL
        assert state.history[-1].event == Event.EXPLORATION_FAILED
        assert state.results[-1].approved is False


def test_stage_rules_reject_out_of_order_actions() -> None:
    state = A.initial_state(PARAMS)
    with pytest.raises(SpecError) as err:
        A.record_poll(state, Poll(PollGroup.USERS, 1, 0), 0)
    assert err.value.reason == Reason.WRONG_STAGE
    with pytest.raises(SpecError) as err:
        A.record_test_epoch(state, True, 0)
    assert err.value.reason == Reason.WRONG_STAGE
    busy = A.submit(state, RAISE, 0)
    with pytest.raises(SpecError) as err:
        A.submit(busy, dataclasses.replace(RAISE, amendment_id="other"), 0)
    assert err.value.reason == Reason.WRONG_STAGE
    busy = A.record_poll(busy, Poll(PollGroup.USERS, 1, 0), 0)
    with pytest.raises(SpecError) as err:
        A.record_poll(busy, Poll(PollGroup.USERS, 1, 0), 0)
    assert err.value.reason == Reason.DUPLICATE_POLL
    with pytest.raises(SpecError) as err:
        A.record_poll(busy, Poll(PollGroup.ROADMAP, -1, 0), 0)
    assert err.value.reason == Reason.BAD_POLL


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ((), Reason.EMPTY_AMENDMENT),
        ((ParameterChange("no_such", Fraction(1)),), Reason.UNKNOWN_PARAMETER),
        ((ParameterChange("genesis_supply", Fraction(1)),), Reason.PARAMETER_NOT_AMENDABLE),
        ((ParameterChange("max_inflation_rate", Fraction(1)),), Reason.PARAMETER_NOT_AMENDABLE),
        ((ParameterChange("delegate_count", Fraction(3, 2)),), Reason.INVALID_AMENDMENT),
        ((ParameterChange("delegate_count", Fraction(2)),), Reason.INVALID_PARAMETERS),
        ((ParameterChange("supermajority", Fraction(1, 2)),), Reason.INVALID_PARAMETERS),
        ((ParameterChange("denouncer_reward", Fraction(1)),), Reason.INVALID_PARAMETERS),
        ((ParameterChange("inactive_voter_weight", Fraction(1)),), Reason.INVALID_PARAMETERS),
        (
            (
                ParameterChange("min_delegates", Fraction(5)),
                ParameterChange("min_delegates", Fraction(6)),
            ),
            Reason.INVALID_AMENDMENT,
        ),
    ],
)
def test_invalid_amendments_are_rejected_at_submission(
    changes: tuple[ParameterChange, ...], reason: Reason
) -> None:
    with pytest.raises(SpecError) as err:
        A.submit(A.initial_state(PARAMS), Amendment("x", "alice", changes), 0)
    assert err.value.reason == reason


def test_history_checker_has_teeth() -> None:
    state, _ = run_to_live(A.initial_state(PARAMS), electorate())
    skipped = dataclasses.replace(
        state, history=tuple(h for h in state.history if h.event != Event.CONFIRMATION_PASSED)
    )
    assert A.history_violations(skipped, PARAMS)
    twice = dataclasses.replace(state, activated=("raise", "raise"), version=2)
    assert A.history_violations(twice, PARAMS)
    tampered = dataclasses.replace(state, params=PARAMS)
    assert A.history_violations(tampered, PARAMS)


@given(
    st.integers(min_value=0, max_value=10_000),
    st.lists(st.integers(min_value=0, max_value=10_000), max_size=30),
)
def test_quorum_stays_within_tezos_bounds(ema: int, participations: list[int]) -> None:
    params = Parameters()
    for p in participations:
        ema = A.next_ema_bp(ema, p, params)
        assert 0 <= ema <= 10_000
        assert 2_000 <= A.quorum_bp(ema, params) <= 7_000


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=0, max_value=10_000))
def test_ema_matches_tezos_integer_formula(ema: int, participation: int) -> None:
    assert A.next_ema_bp(ema, participation, Parameters()) == (8 * ema + 2 * participation) // 10


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=10**12))
def test_supermajority_is_exactly_80_percent_of_yea_plus_nay(yea: int, nay: int) -> None:
    reached = A.supermajority_reached(yea, nay, Parameters())
    assert reached == (yea > 0 and 5 * yea >= 4 * (yea + nay))


@settings(max_examples=50, deadline=None)
@given(st.lists(vst.polls, max_size=8))
def test_poll_approval_is_a_weighted_mean_in_unit_range(results: list[Poll]) -> None:
    seen: dict[str, Poll] = {}
    for poll in results:
        seen.setdefault(poll.group.value, poll)
    approval = A.poll_approval(seen, Parameters())
    assert 0 <= approval <= 1
    unanimous = {g.value: Poll(g, 1, 0) for g in PollGroup}
    assert A.poll_approval(unanimous, Parameters()) == 1


@settings(max_examples=30, deadline=None)
@given(vst.short_governance_parameters)
def test_generated_parameters_are_valid_and_amendable(params: Parameters) -> None:
    assert validate(params) == params
    raised = apply_changes(params, (ParameterChange("inflation_rate", Fraction(1, 100)),))
    assert raised.inflation_rate == Fraction(1, 100)


def test_an_amendment_changes_the_class_shares_the_scheduler_reads() -> None:
    from vdlt_spec.cos import ServiceClass
    from vdlt_spec.governance.parameters import class_shares, queuing_config
    from vdlt_spec.queuing import default_config

    assert queuing_config(PARAMS) == default_config()
    more = Amendment(
        "shares",
        "alice",
        (
            ParameterChange("share_fast_confirmation", Fraction(30, 100)),
            ParameterChange("share_best_effort", Fraction(19, 100)),
        ),
    )
    live, _ = run_to_live(A.initial_state(PARAMS), electorate(), proposal=more)
    assert live.activated == ("shares",)
    assert class_shares(live.params)[ServiceClass.FAST_CONFIRMATION] == Fraction(30, 100)
    config = queuing_config(live.params)
    assert config.shares[ServiceClass.FAST_CONFIRMATION] == Fraction(30, 100)
    assert config != default_config()
    too_much = (ParameterChange("share_scavenger", Fraction(50, 100)),)
    with pytest.raises(SpecError) as err:
        A.submit(A.initial_state(PARAMS), Amendment("x", "alice", too_much), 0)
    assert err.value.reason == Reason.INVALID_PARAMETERS


@pytest.mark.parametrize(
    "changes",
    [
        {"max_inflation_rate": Fraction(5, 100)},
        {"max_inflation_rate": Fraction(1)},
        {"genesis_supply": 10_000_000},
        {"genesis_supply": GENESIS_SUPPLY + 1},
        {"genesis_supply": GENESIS_SUPPLY * 2},
    ],
)
def test_a_genesis_outside_the_papers_limits_is_rejected(changes: dict[str, object]) -> None:
    params = Parameters(**changes)  # type: ignore[arg-type]
    for start in (validate, A.initial_state):
        with pytest.raises(SpecError) as err:
            start(params)
        assert err.value.reason == Reason.NON_CONFORMING_GENESIS
    experiment = Parameters.experimental(**changes)
    assert not experiment.conforming and validate(experiment) is experiment
    assert A.initial_state(experiment).params == experiment


def test_a_genesis_within_the_papers_limits_conforms() -> None:
    assert Parameters().conforming and validate(Parameters()) == Parameters()
    lower_cap = Parameters(max_inflation_rate=Fraction(3, 100))
    assert validate(lower_cap) is lower_cap
    with pytest.raises(SpecError) as err:
        apply_changes(Parameters(), (ParameterChange("conforming", Fraction(0)),))
    assert err.value.reason == Reason.PARAMETER_NOT_AMENDABLE
    with pytest.raises(SpecError) as err:
        validate(Parameters.experimental(genesis_supply=0))
    assert err.value.reason == Reason.INVALID_PARAMETERS
