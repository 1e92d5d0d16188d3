"""Quadratic voting with token lock and the plain quadratic price (§IV-C)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vdlt_spec import ledger as L
from vdlt_spec import strategies as vst
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance import voting as V
from vdlt_spec.governance.voting import VotingMode

MAX_K = 8


def setup(mode: VotingMode = VotingMode.TOKEN_LOCK) -> tuple[V.Ballot, L.Ledger]:
    ledger = L.genesis({"alice": 1_000, "bob": 1_000, "carol": 1_000}, supply=3_000)
    ledger = L.stake(ledger, "alice", 100)
    ballot = V.open_ballot("b1", ("yes", "no"), mode, 0, 2, eligible_stake=100)
    return ballot, ledger


def lock_vote(
    ballot: V.Ballot, ledger: L.Ledger, voter: str, tokens: int, k: int, option: str
) -> tuple[V.Ballot, L.Ledger]:
    return V.vote_with_lock(
        ballot, ledger, voter, tokens, k, option, max_k=MAX_K, lock_period_epochs=1
    )


def test_the_paper_examples() -> None:
    assert [V.quadratic_cost(v) for v in (1, 2, 3, 4)] == [1, 4, 9, 16]
    assert [V.marginal_cost(k) for k in (1, 2, 3, 4)] == [1, 3, 5, 7]
    assert V.lock_votes(100, 3) == 300 and V.lock_periods(3) == 9
    assert V.max_quadratic_votes(16) == 4 and V.max_quadratic_votes(15) == 3


@given(st.integers(min_value=0, max_value=10**30))
def test_max_quadratic_votes_is_the_exact_integer_root(budget: int) -> None:
    votes = V.max_quadratic_votes(budget)
    assert V.quadratic_cost(votes) <= budget < V.quadratic_cost(votes + 1)
    assert votes == math.isqrt(budget)


@given(st.integers(min_value=1, max_value=10**6))
def test_marginal_costs_sum_to_the_quadratic_cost(v: int) -> None:
    assert V.marginal_cost(v) == V.quadratic_cost(v) - V.quadratic_cost(v - 1)


@given(vst.token_amounts, vst.lock_multipliers, vst.lock_multipliers)
def test_lock_votes_grow_linearly_in_k_while_lock_time_grows_quadratically(
    tokens: int, k1: int, k2: int
) -> None:
    if k1 <= k2:
        assert V.lock_votes(tokens, k1) <= V.lock_votes(tokens, k2)
        assert V.lock_periods(k1) <= V.lock_periods(k2)
    assert V.lock_votes(tokens, k1) ** 2 == tokens**2 * V.lock_periods(k1)


@pytest.mark.parametrize("bad", [0, -1])
def test_contracts_reject_invalid_arguments(bad: int) -> None:
    for call in (lambda: V.lock_votes(1, bad), lambda: V.lock_periods(bad)):
        with pytest.raises(SpecError) as err:
            call()
        assert err.value.reason == Reason.BAD_LOCK_MULTIPLIER
    with pytest.raises(SpecError):
        V.quadratic_cost(-1)
    with pytest.raises(SpecError):
        V.max_quadratic_votes(-1)


def test_token_lock_vote_counts_n_times_k_and_locks_for_k_squared() -> None:
    ballot, ledger = setup()
    ballot, ledger = lock_vote(ballot, ledger, "alice", 300, 3, "yes")
    assert ballot.votes == {"yes": 900, "no": 0}
    assert ballot.tokens["yes"] == 300 and ballot.turnout == 100
    (lock,) = ledger.locks.values()
    assert (lock.locked_at, lock.unlock_at, lock.ballot_id) == (0, 9, "b1")
    assert L.advance(ledger, 8).account("alice").locked == 300
    assert L.advance(ledger, 9).account("alice").locked == 0


def test_locked_tokens_cannot_back_a_second_lock_or_move() -> None:
    ballot, ledger = setup()
    ballot, ledger = lock_vote(ballot, ledger, "bob", 1_000, 1, "yes")
    other = V.open_ballot("b2", ("x",), VotingMode.TOKEN_LOCK, 0, 2, 0)
    with pytest.raises(SpecError) as err:
        lock_vote(other, ledger, "bob", 1, 1, "x")
    assert err.value.reason == Reason.INSUFFICIENT_FREE_TOKENS
    with pytest.raises(SpecError):
        L.transfer(ledger, "bob", "alice", 1)


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("double", Reason.DOUBLE_VOTE),
        ("k0", Reason.BAD_LOCK_MULTIPLIER),
        ("k_too_big", Reason.BAD_LOCK_MULTIPLIER),
        ("poor", Reason.INSUFFICIENT_FREE_TOKENS),
        ("option", Reason.UNKNOWN_OPTION),
        ("closed", Reason.BALLOT_CLOSED),
        ("foreign_owner", Reason.FOREIGN_LOCK),
        ("foreign_ballot", Reason.FOREIGN_LOCK),
        ("expired", Reason.LOCK_EXPIRED),
        ("unknown_lock", Reason.UNKNOWN_LOCK),
        ("not_fresh", Reason.LOCK_NOT_FRESH),
        ("reused_lock", Reason.DOUBLE_VOTE),
        ("mode", Reason.WRONG_VOTING_MODE),
    ],
)
def test_invalid_ballots_are_rejected_with_reasons(case: str, reason: Reason) -> None:
    ballot, ledger = setup()
    long_ballot = V.open_ballot("long", ("yes", "no"), VotingMode.TOKEN_LOCK, 0, 50, 100)

    def attempt() -> object:
        if case == "double":
            b, led = lock_vote(ballot, ledger, "alice", 10, 1, "yes")
            return lock_vote(b, led, "alice", 10, 1, "no")
        if case == "k0":
            return lock_vote(ballot, ledger, "alice", 10, 0, "yes")
        if case == "k_too_big":
            return lock_vote(ballot, ledger, "alice", 10, MAX_K + 1, "yes")
        if case == "poor":
            return lock_vote(ballot, ledger, "alice", 10**6, 1, "yes")
        if case == "option":
            return lock_vote(ballot, ledger, "alice", 10, 1, "maybe")
        if case == "closed":
            return lock_vote(ballot, L.advance(ledger, 2), "alice", 10, 1, "yes")
        if case == "mode":
            return V.cast_quadratic_vote(ballot, ledger, "alice", 2, "yes")
        led, lock_id = V.lock_for_ballot(
            ledger, long_ballot, "alice", 10, 1, max_k=MAX_K, lock_period_epochs=1
        )
        if case == "foreign_owner":
            return V.cast_locked_vote(long_ballot, led, "bob", lock_id, "yes")
        if case == "foreign_ballot":
            led2, other = V.lock_for_ballot(
                led, ballot, "alice", 10, 1, max_k=MAX_K, lock_period_epochs=1
            )
            return V.cast_locked_vote(long_ballot, led2, "alice", other, "yes")
        if case == "expired":
            return V.cast_locked_vote(long_ballot, L.advance(led, 1), "alice", lock_id, "yes")
        if case == "unknown_lock":
            return V.cast_locked_vote(long_ballot, led, "alice", 99, "yes")
        if case == "not_fresh":
            led3, k3 = V.lock_for_ballot(
                led, long_ballot, "bob", 10, 2, max_k=MAX_K, lock_period_epochs=1
            )
            return V.cast_locked_vote(long_ballot, L.advance(led3, 1), "bob", k3, "yes")
        counted = V.cast_locked_vote(long_ballot, led, "alice", lock_id, "yes")
        return V.cast_locked_vote(counted, led, "alice", lock_id, "yes")

    with pytest.raises(SpecError) as err:
        attempt()
    assert err.value.reason == reason


def test_plain_quadratic_votes_burn_their_square() -> None:
    ballot, ledger = setup(VotingMode.QUADRATIC)
    ballot, paid = V.cast_quadratic_vote(ballot, ledger, "carol", 4, "no")
    assert ballot.votes["no"] == 4 and ballot.tokens["no"] == 16
    assert paid.account("carol").balance == 1_000 - 16 and paid.burned == 16
    with pytest.raises(SpecError) as err:
        V.cast_quadratic_vote(ballot, paid, "bob", 32, "yes")  # costs 1024 > 1000
    assert err.value.reason == Reason.INSUFFICIENT_FREE_TOKENS


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["alice", "bob", "carol"]),
            st.integers(min_value=1, max_value=400),
            st.integers(min_value=0, max_value=MAX_K + 1),
            st.sampled_from(["yes", "no", "maybe"]),
        ),
        max_size=12,
    )
)
def test_tally_is_the_exact_sum_of_accepted_weights(
    votes: list[tuple[str, int, int, str]],
) -> None:
    ballot, ledger = setup()
    expected = {"yes": 0, "no": 0}
    for voter, tokens, k, option in votes:
        try:
            ballot, ledger = lock_vote(ballot, ledger, voter, tokens, k, option)
        except SpecError:
            continue
        expected[option] += tokens * k
    assert ballot.votes == expected
    assert V.tally_violations(ballot) == ()
    assert sum(item.amount for item in ledger.locks.values()) == ballot.total_tokens
