"""Token ledger (§IV-C, §IV-I, §IV-J): exact transitions, rejections that change nothing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vdlt_spec import ledger as L
from vdlt_spec import serial
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance.parameters import (
    BASE_UNITS_PER_TOKEN,
    GENESIS_SUPPLY,
    GENESIS_TOKENS,
)
from vdlt_spec.ledger import Ledger

SMALL = 1_000


def small() -> Ledger:
    return L.genesis({"alice": 600, "bob": 400}, supply=SMALL)


def test_genesis_is_one_billion_tokens_in_integer_base_units() -> None:
    assert GENESIS_TOKENS == 10**9
    assert BASE_UNITS_PER_TOKEN == 10**6
    assert GENESIS_SUPPLY == 10**15
    ledger = L.genesis({"treasury": GENESIS_SUPPLY})
    assert ledger.supply == GENESIS_SUPPLY == ledger.genesis
    assert L.invariant_violations(ledger) == ()


def test_genesis_must_allocate_exactly_the_supply() -> None:
    with pytest.raises(SpecError) as err:
        L.genesis({"a": 1}, supply=2)
    assert err.value.reason == Reason.GENESIS_MISMATCH
    with pytest.raises(SpecError) as err:
        L.genesis({"a": -1, "b": 3}, supply=2)
    assert err.value.reason == Reason.NEGATIVE_AMOUNT


def test_transfer_moves_free_tokens_and_burns_the_fee() -> None:
    ledger = L.transfer(small(), "alice", "carol", 100, fee=5)
    assert ledger.account("alice").balance == 495
    assert ledger.account("carol").balance == 100
    assert ledger.burned == 5 and ledger.supply == SMALL - 5
    assert L.invariant_violations(ledger) == ()


def test_free_transfers_are_allowed() -> None:
    ledger = L.transfer(small(), "alice", "bob", 1, fee=0)
    assert ledger.supply == SMALL


@pytest.mark.parametrize(
    ("call", "reason"),
    [
        (lambda g: L.transfer(g, "alice", "bob", 601), Reason.INSUFFICIENT_FREE_TOKENS),
        (lambda g: L.transfer(g, "alice", "bob", 0), Reason.NON_POSITIVE_AMOUNT),
        (lambda g: L.transfer(g, "alice", "bob", 10, fee=-1), Reason.NEGATIVE_AMOUNT),
        (lambda g: L.transfer(g, "alice", "alice", 10), Reason.SELF_TRANSFER),
        (lambda g: L.transfer(g, "zed", "bob", 10), Reason.UNKNOWN_ACCOUNT),
        (lambda g: L.transfer(g, "alice", "", 10), Reason.BAD_ACCOUNT_NAME),
        (lambda g: L.stake(g, "alice", 601), Reason.INSUFFICIENT_FREE_TOKENS),
        (lambda g: L.unstake(g, "alice", 1), Reason.INSUFFICIENT_STAKE),
        (lambda g: L.unbond(g, "alice", 1, 2), Reason.INSUFFICIENT_COLLATERAL),
        (lambda g: L.burn(g, "bob", 401), Reason.INSUFFICIENT_FREE_TOKENS),
        (lambda g: L.advance(L.advance(g, 3), 2), Reason.TIME_NOT_MONOTONE),
    ],
)
def test_rejections_carry_a_reason_and_change_nothing(call: object, reason: Reason) -> None:
    ledger = small()
    snapshot = serial.dumps(ledger)
    with pytest.raises(SpecError) as err:
        call(ledger)  # type: ignore[operator]
    assert err.value.reason == reason
    assert serial.dumps(ledger) == snapshot


def test_encumbered_tokens_cannot_move() -> None:
    ledger = L.stake(small(), "alice", 200)
    ledger = L.bond(ledger, "alice", 200)
    ledger, lock = L.lock(ledger, "alice", "b", 150, 2, 4)
    account = ledger.account("alice")
    assert (account.staked, account.collateral, account.locked, account.free) == (200, 200, 150, 50)
    with pytest.raises(SpecError) as err:
        L.transfer(ledger, "alice", "bob", 51)
    assert err.value.reason == Reason.INSUFFICIENT_FREE_TOKENS
    with pytest.raises(SpecError):
        L.lock(ledger, "alice", "other-ballot", 51, 1, 1)
    assert lock.unlock_at == 4


def test_lock_releases_exactly_at_its_unlock_epoch() -> None:
    ledger, lock = L.lock(small(), "alice", "b", 100, 3, 9)
    assert lock.locked_at == 0 and lock.unlock_at == 9
    assert L.advance(ledger, 8).account("alice").locked == 100
    released = L.advance(ledger, 9)
    assert released.account("alice").locked == 0 and released.locks == {}
    assert L.invariant_violations(released) == ()


def test_unbonding_collateral_stays_slashable_until_released() -> None:
    ledger = L.unbond(L.bond(small(), "alice", 300), "alice", 100, 3)
    account = ledger.account("alice")
    assert (account.collateral, account.unbonding_total, account.slashable) == (200, 100, 300)
    slashed = L.slash(ledger, "alice", 250, "bob", 22)
    assert slashed.account("alice").slashable == 50
    assert slashed.account("alice").collateral == 0
    assert slashed.account("bob").balance == 422
    assert slashed.burned == 228
    assert L.invariant_violations(slashed) == ()
    freed = L.advance(ledger, 3).account("alice")
    assert (freed.collateral, freed.unbonding_total, freed.free) == (200, 0, 400)


def test_slash_cannot_exceed_collateral_or_pay_the_reporter_all_of_it() -> None:
    ledger = L.bond(small(), "alice", 100)
    with pytest.raises(SpecError) as err:
        L.slash(ledger, "alice", 101, "bob", 1)
    assert err.value.reason == Reason.INSUFFICIENT_COLLATERAL
    with pytest.raises(SpecError) as err:
        L.slash(ledger, "alice", 100, "bob", 100)
    assert err.value.reason == Reason.REWARD_NOT_BELOW_SLASH


def test_mint_pays_exactly_what_it_mints() -> None:
    ledger = L.mint(small(), {"alice": 7, "dave": 3, "bob": 0})
    assert ledger.minted == 10 and ledger.supply == SMALL + 10
    assert "dave" in ledger.accounts and L.invariant_violations(ledger) == ()


def test_invariant_checker_has_teeth() -> None:
    ledger = small()
    broken = Ledger(
        accounts={**ledger.accounts, "alice": L.Account(balance=600, staked=700)},
        genesis=ledger.genesis,
    )
    assert any("staked" in p for p in L.invariant_violations(broken))
    inflated = Ledger(accounts={"alice": L.Account(balance=2_000)}, genesis=SMALL)
    assert any("supply" in p for p in L.invariant_violations(inflated))
    with pytest.raises(SpecError) as err:
        L.check_invariants(inflated)
    assert err.value.reason == Reason.INVARIANT_VIOLATED


def test_ledger_round_trips_through_the_json_codec() -> None:
    ledger, _ = L.lock(L.unbond(L.bond(small(), "bob", 50), "bob", 10, 2), "alice", "b", 5, 1, 1)
    assert serial.loads(Ledger, serial.dumps(ledger)) == ledger


operations = st.lists(
    st.tuples(
        st.sampled_from(["transfer", "stake", "unstake", "bond", "unbond", "lock", "burn", "tick"]),
        st.sampled_from(["alice", "bob", "carol"]),
        st.sampled_from(["alice", "bob", "carol"]),
        st.integers(min_value=-5, max_value=700),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(operations)
def test_random_operation_sequences_keep_every_invariant(
    ops: list[tuple[str, str, str, int]],
) -> None:
    ledger = small()
    for kind, a, b, amount in ops:
        before = serial.dumps(ledger)
        try:
            if kind == "transfer":
                ledger = L.transfer(ledger, a, b, amount, fee=amount % 3)
            elif kind == "stake":
                ledger = L.stake(ledger, a, amount)
            elif kind == "unstake":
                ledger = L.unstake(ledger, a, amount)
            elif kind == "bond":
                ledger = L.bond(ledger, a, amount)
            elif kind == "unbond":
                ledger = L.unbond(ledger, a, amount, 2)
            elif kind == "lock":
                ledger, _ = L.lock(ledger, a, "ballot", amount, 2, 4)
            elif kind == "burn":
                ledger = L.burn(ledger, a, amount)
            else:
                ledger = L.advance(ledger, ledger.now + max(amount, 0) % 5)
        except SpecError:
            assert serial.dumps(ledger) == before
        assert L.invariant_violations(ledger) == ()
