"""Pin what the governance component's own tests left open (§III-D, §IV-B, §IV-C, §IV-K).

The whole test period counted from zero and the counter back at zero once live, the history
auditor's double-activation finding, the role auditor's finding on a role model that lets
management nodes produce user blocks, the collateral boundary of eligibility, the oldest roster
kept, short keys refused, the poll weights and class shares that must (or may) fall short of
one, and expired locks told from unknown ones.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest
from api_shape import positional_only, public_functions

from vdlt_spec import ledger as L
from vdlt_spec.economics.signing import compressed_public_key, simulation_secret_key
from vdlt_spec.economics.simulation import QUALIFIED_SPEC
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance import amendment as A
from vdlt_spec.governance import dpos, voting
from vdlt_spec.governance.amendment import PASS, YEA, Amendment, Event, Poll, PollGroup, Stage
from vdlt_spec.governance.dpos import DposState, RegisteredNode, RosterEntry
from vdlt_spec.governance.parameters import (
    LINK_CAPACITY,
    ParameterChange,
    Parameters,
    class_shares,
    validate,
)
from vdlt_spec.governance.voting import VotingMode
from vdlt_spec.roles import NodeRole

TEST_EPOCHS = 3
PARAMS = Parameters(poll_period_epochs=1, vote_period_epochs=2, test_period_epochs=TEST_EPOCHS)
RAISE = Amendment("raise", "alice", (ParameterChange("inflation_rate", Fraction(3, 100)),))


def _electorate() -> L.Ledger:
    ledger = L.genesis({"alice": 1_000, "bob": 1_000, "carol": 1_000}, 3_000)
    for name in ("alice", "bob", "carol"):
        ledger = L.stake(ledger, name, 500)
    return ledger


def _drive(test_epochs: int) -> tuple[A.GovernanceState, list[A.GovernanceState]]:
    """Run RAISE through every stage, passing ``test_epochs`` test epochs; return each state."""
    state = A.submit(A.initial_state(PARAMS), RAISE, 0)
    for group in PollGroup:
        state = A.record_poll(state, Poll(group, 90, 10), 0)
    ledger, now, seen, tested = _electorate(), 0, [state], 0
    while True:
        ballot = state.ballot
        if ballot is not None and not ballot.choices:
            for voter, option in {"alice": YEA, "bob": YEA, "carol": PASS}.items():
                ballot, ledger = voting.vote_with_lock(
                    ballot, ledger, voter, 100, 1, option, max_k=8, lock_period_epochs=1
                )
            state = A.with_ballot(state, ballot)
        if state.stage == Stage.TESTING and tested < test_epochs:
            state, tested = A.record_test_epoch(state, True, now), tested + 1
        now += 1
        ledger = L.advance(ledger, now)
        state = A.advance(state, now, 1_500)
        seen.append(state)
        if state.stage == Stage.PROPOSAL:
            return state, seen


# The test period counts passing epochs from 0: all of them are needed, one fewer fails.
def test_the_test_period_starts_counting_from_zero() -> None:
    _, seen = _drive(TEST_EPOCHS)
    entered = next(s for s in seen if s.stage == Stage.TESTING)
    assert entered.test_epochs_passed == 0


def test_one_test_epoch_short_of_the_period_fails_the_amendment() -> None:
    final, _ = _drive(TEST_EPOCHS - 1)
    assert final.activated == ()
    assert final.history[-1].event == Event.TEST_FAILED
    assert final.history[-1].detail == f"only {TEST_EPOCHS - 1} of {TEST_EPOCHS} test epochs passed"


def test_a_live_amendment_leaves_no_test_epochs_counted() -> None:
    final, _ = _drive(TEST_EPOCHS)
    assert final.activated == ("raise",)
    assert (final.stage, final.current, final.test_epochs_passed) == (Stage.PROPOSAL, None, 0)
    assert A.history_violations(final, PARAMS) == ()


# The history auditor reports an amendment activated twice in its history.
def test_the_history_auditor_finds_a_second_activation() -> None:
    final, _ = _drive(TEST_EPOCHS)
    twice = dataclasses.replace(final, history=(*final.history, final.history[-1]))
    problems = A.history_violations(twice, PARAMS)
    assert "raise: activated more than once" in problems


# The role auditor reports a role model that lets management nodes produce user blocks.
def test_the_role_auditor_finds_management_nodes_allowed_to_produce(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broken = {NodeRole.MANAGEMENT_CONTROL: True, NodeRole.EXECUTION: True}
    monkeypatch.setattr(dpos, "PRODUCES_USER_BLOCKS", broken)
    assert dpos.role_violations(DposState(), PARAMS) == (
        "the role model lets management nodes produce user blocks",
    )


def _key(name: str) -> bytes:
    return compressed_public_key(simulation_secret_key(0, name))


# A candidate is eligible with collateral at or above the minimum, not one base unit below.
@pytest.mark.parametrize(("bonded", "eligible"), [(9, False), (10, True), (11, True)])
def test_eligibility_needs_at_least_the_minimum_collateral(bonded: int, eligible: bool) -> None:
    params = Parameters(min_collateral=10)
    ledger = L.bond(L.genesis({"c": 100}, 100), "c", 10)
    node = RegisteredNode("c", NodeRole.MANAGEMENT_CONTROL, _key("c"), 5, QUALIFIED_SPEC, 0)
    state = dpos.register(DposState(), ledger, params, node)
    ledger = L.unbond(ledger, "c", 10 - bonded, 0) if bonded < 10 else ledger
    ledger = L.bond(ledger, "c", bonded - 10) if bonded > 10 else ledger
    assert dpos.is_eligible(state, ledger, params, "c") is eligible


# Pruning keeps the rosters of the oldest epoch named and later ones.
def test_pruning_keeps_the_oldest_epoch_named() -> None:
    entry = (RosterEntry("c", _key("c"), 5),)
    state = DposState(rosters={4: entry, 5: entry, 6: entry})
    assert sorted(dpos.prune_rosters(state, 5).rosters) == [5, 6]


# Only 33-byte compressed keys are keys: shorter ones (the empty one too) are refused.
@pytest.mark.parametrize("key", [b"", b"\x02", b"\x02" + bytes(31), _key("c")[:32]])
def test_a_short_key_is_refused(key: bytes) -> None:
    with pytest.raises(SpecError) as error:
        dpos.check_key(key)
    assert error.value.reason is Reason.BAD_PUBLIC_KEY
    assert error.value.detail == "keys are 33-byte compressed secp256k1 points"


# The five poll weights must sum to exactly 1, neither less nor more.
@pytest.mark.parametrize(
    ("norms", "valid"), [(Fraction(0), False), (Fraction(1, 5), True), (Fraction(2, 5), False)]
)
def test_poll_weights_must_sum_to_exactly_one(norms: Fraction, valid: bool) -> None:
    params = Parameters(poll_weight_norms=norms)
    if valid:
        assert validate(params) is params
        return
    with pytest.raises(SpecError) as error:
        validate(params)
    assert error.value.reason is Reason.INVALID_PARAMETERS


# The class shares may leave part of the link unreserved but never exceed it.
@pytest.mark.parametrize("step", [Fraction(-1, 1000), Fraction(0), Fraction(1, 1000)])
def test_class_shares_may_sum_below_the_link_but_not_above(step: Fraction) -> None:
    default = Parameters()
    spare = LINK_CAPACITY - sum(class_shares(default).values())
    params = Parameters(share_scavenger=default.share_scavenger + spare + step)
    if step <= 0:
        assert validate(params) is params
        return
    with pytest.raises(SpecError) as error:
        validate(params)
    assert error.value.reason is Reason.INVALID_PARAMETERS


# A lock id that was issued and has expired is LOCK_EXPIRED; one never issued is UNKNOWN_LOCK.
def test_expired_locks_are_told_from_unknown_ones() -> None:
    ledger = L.genesis({"alice": 1_000}, 1_000)
    ballot = voting.open_ballot("b", ("yes", "no"), VotingMode.TOKEN_LOCK, 0, 10, 0)
    for _ in range(3):
        ledger, _ = voting.lock_for_ballot(
            ledger, ballot, "alice", 10, 1, max_k=8, lock_period_epochs=1
        )
    ledger = L.advance(ledger, 1)
    reasons = {}
    for lock_id in (-1, 0, 1, 2, 3):
        with pytest.raises(SpecError) as error:
            voting.cast_locked_vote(ballot, ledger, "alice", lock_id, "yes")
        reasons[lock_id] = error.value.reason
    assert reasons == {
        -1: Reason.UNKNOWN_LOCK,
        0: Reason.LOCK_EXPIRED,
        1: Reason.LOCK_EXPIRED,
        2: Reason.LOCK_EXPIRED,
        3: Reason.UNKNOWN_LOCK,
    }


# Participation over an electorate of one base unit: the whole turnout is 10000 bp.
def test_participation_over_a_single_unit_electorate_is_whole() -> None:
    ballot = voting.open_ballot("b", ("yes",), VotingMode.TOKEN_LOCK, 0, 1, 1)
    assert A.participation_bp(dataclasses.replace(ballot, turnout=1)) == 10_000
    assert A.participation_bp(ballot) == 0


# Decisions are paid to the delegates in turn, wrapping around the roster.
def test_decision_leaders_take_turns_around_the_roster() -> None:
    state = DposState(delegates=("a", "b", "c"))
    assert [dpos.decision_leader(state, i) for i in range(7)] == ["a", "b", "c", "a", "b", "c", "a"]


# A node bonding more than the minimum collateral registers.
def test_a_node_bonding_more_than_the_minimum_registers() -> None:
    params = Parameters(min_collateral=10)
    ledger = L.bond(L.genesis({"c": 100}, 100), "c", 11)
    node = RegisteredNode("c", NodeRole.MANAGEMENT_CONTROL, _key("c"), 5, QUALIFIED_SPEC, 0)
    assert "c" in dpos.register(DposState(), ledger, params, node).nodes


# The defaults: 99.9 % uptime, 14-epoch vote periods, stakers get what the other pools leave.
def test_the_default_uptime_vote_period_and_staker_share() -> None:
    params = Parameters()
    assert (params.min_uptime_bp, params.vote_period_epochs) == (9_990, 14)
    assert params.staker_share == Fraction(1, 4)
    shares = Parameters(management_share=Fraction(1, 3), execution_share=Fraction(1, 2))
    assert shares.staker_share == Fraction(1, 6)


# The tally auditor reports token keys that differ from the options, a missing one too.
def test_the_tally_auditor_finds_a_missing_token_key() -> None:
    ballot = voting.open_ballot("b", ("yes", "no"), VotingMode.TOKEN_LOCK, 0, 1, 0)
    broken = dataclasses.replace(ballot, tokens={"yes": 0})
    assert voting.tally_violations(broken) == ("b: tally keys differ from the options",)


# The public functions of the governance component take every argument by name.


@pytest.mark.parametrize("name", ["amendment", "dpos", "parameters", "voting"])
def test_public_governance_functions_take_arguments_by_name(name: str) -> None:
    module = f"vdlt_spec.governance.{name}"
    assert public_functions(module)
    assert positional_only(module) == []
