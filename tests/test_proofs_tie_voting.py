"""Tie the voting models to the governance spec (§IV-C).

* the model's rules (N·k votes, k² periods, v² cost, 2k-1 marginal cost, floor square root) are
  the spec's functions, on small and very large values;
* the fixed-width Newton square root that the proofs cover equals the spec's
  ``max_quadratic_votes`` and keeps the facts the proof relies on at every step;
* random token-lock ballots run through the spec's ledger and ballot keep the model's ledger
  invariant (locked <= balance, every lock counted once) and tally as the model does
  (sum of N·k per option), in any order of the voters.
"""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vdlt_spec import ledger as ledger_ops
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance import voting as spec
from vdlt_spec.models import voting as model

big = st.integers(min_value=0, max_value=2**256 - 1)


@settings(max_examples=300, deadline=None)
@given(tokens=big, k=st.integers(1, 2**64), votes=big)
def test_model_rules_are_the_spec_rules(tokens: int, k: int, votes: int) -> None:
    assert spec.lock_votes(tokens, k) == model.lock_votes(tokens, k)
    assert spec.lock_periods(k) == model.lock_periods(k)
    assert spec.quadratic_cost(votes) == model.quadratic_cost(votes)
    assert spec.marginal_cost(k) == model.marginal_cost(k)
    assert spec.quadratic_cost(k) - spec.quadratic_cost(k - 1) == spec.marginal_cost(k)


def test_paper_prices() -> None:
    """§IV-C: 1 vote costs 1, 2 cost 4, 3 cost 9, 4 cost 16."""
    assert [spec.quadratic_cost(v) for v in (1, 2, 3, 4)] == [1, 4, 9, 16]


def _edges(width: int) -> list[int]:
    top = 1 << width
    half = (1 << (width // 2)) - 1
    return [0, 1, 2, 3, 4, top - 1, top - 2, half * half, half * half - 1, half * half + 1]


@pytest.mark.parametrize("width", model.ISQRT_WIDTHS)
def test_newton_isqrt_is_the_spec_root_and_keeps_the_proof_facts(width: int) -> None:
    rng = random.Random(width)
    values = _edges(width) + [rng.randrange(1 << width) for _ in range(300)]
    values += [rng.randrange(1 << rng.randrange(1, width + 1)) for _ in range(300)]
    for x in values:
        root = spec.max_quadratic_votes(x)
        assert model.newton_isqrt(x, width) == root == math.isqrt(x)
        assert root * root <= x < (root + 1) * (root + 1)
        if x == 0:
            continue
        r = 1 << ((width + 1) // 2)
        while True:  # the step facts the proof establishes, observed on the concrete run
            assert r >= root  # never below the root
            assert r + x // r < 1 << width  # the sum fits in the word
            y = (r + x // r) // 2
            if y >= r:
                assert r == root  # the exit is the root
                break
            r = y


def test_newton_isqrt_rejects_out_of_width_inputs() -> None:
    with pytest.raises(ValueError):
        model.newton_isqrt(1 << 64, 64)


@settings(max_examples=200, deadline=None)
@given(
    weights=st.lists(st.integers(0, 10**9), min_size=1, max_size=6),
    data=st.data(),
)
def test_tally_mirror_is_anonymous(weights: list[int], data: st.DataObject) -> None:
    choices = data.draw(st.lists(st.integers(0, 1), min_size=len(weights), max_size=len(weights)))
    assert model.mirror_tally_is_anonymous(weights, choices)
    assert sum(model.tally(weights, choices)) == sum(weights)


OPTIONS = ("yea", "nay")


def _run_ballot(
    order: list[str], locks: dict[str, tuple[int, int, str]], balances: dict[str, int]
) -> spec.Ballot:
    supply = sum(balances.values())
    ledger = ledger_ops.genesis(balances, supply=supply)
    ballot = spec.open_ballot("b", OPTIONS, spec.VotingMode.TOKEN_LOCK, 0, 10, eligible_stake=0)
    lock_ids: dict[str, int] = {}
    for voter in order:
        tokens, k, option = locks[voter]
        ledger, lock_id = spec.lock_for_ballot(
            ledger, ballot, voter, tokens, k, max_k=8, lock_period_epochs=1
        )
        lock_ids[voter] = lock_id
        ballot = spec.cast_locked_vote(ballot, ledger, voter, lock_id, option)
        # the model's ledger invariant, on the spec's ledger after every step
        account = ledger.account(voter)
        assert account.locked <= account.balance
        assert not ledger_ops.invariant_violations(ledger)
        made = ledger.locks[lock_id]
        assert made.unlock_at - made.locked_at >= model.lock_periods(k)
    for voter in order:  # a lock is never counted twice
        with pytest.raises(SpecError) as err:
            spec.cast_locked_vote(ballot, ledger, voter, lock_ids[voter], OPTIONS[0])
        assert err.value.reason == Reason.DOUBLE_VOTE
    return ballot


@settings(max_examples=40, deadline=None)
@given(
    voters=st.lists(
        st.tuples(
            st.integers(1, 1000), st.integers(1, 1000), st.integers(1, 8), st.sampled_from(OPTIONS)
        ),
        min_size=1,
        max_size=5,
    ),
    seed=st.integers(0, 2**16),
)
def test_spec_ballots_tally_as_the_model(
    voters: list[tuple[int, int, int, str]], seed: int
) -> None:
    names = [f"v{i}" for i in range(len(voters))]
    balances = {
        name: balance + tokens
        for name, (balance, tokens, _k, _o) in zip(names, voters, strict=True)
    }
    locks = {
        name: (tokens, k, option)
        for name, (_b, tokens, k, option) in zip(names, voters, strict=True)
    }
    weights = [model.lock_votes(tokens, k) for (_b, tokens, k, _o) in voters]
    choices = [OPTIONS.index(option) for (_b, _t, _k, option) in voters]
    expected = model.tally(weights, choices)
    shuffled = names[:]
    random.Random(seed).shuffle(shuffled)
    for order in (names, shuffled):
        ballot = _run_ballot(order, locks, balances)
        assert [ballot.votes[o] for o in OPTIONS] == expected
        assert ballot.total_votes == sum(weights)
