"""Incentives (§IV-I) and the free-riding rule (§IV-J): exact, capped, robust, fair to voters."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from vdlt_spec import strategies as vst
from vdlt_spec.economics import incentives as I
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance.parameters import GENESIS_SUPPLY, MAX_INFLATION_RATE, Parameters


def test_inflation_cap_is_four_percent_and_votes_are_clamped() -> None:
    assert Fraction(4, 100) == MAX_INFLATION_RATE
    assert I.clamped_rate(Parameters(inflation_rate=Fraction(10, 100))) == Fraction(4, 100)
    assert I.clamped_rate(Parameters(inflation_rate=Fraction(-1, 100))) == 0
    assert I.clamped_rate(Parameters(inflation_rate=Fraction(3, 100))) == Fraction(3, 100)


@given(vst.inflation_rates, st.integers(min_value=0, max_value=10**18))
def test_a_year_of_epochs_never_mints_more_than_the_cap(rate: Fraction, supply: int) -> None:
    params = Parameters(inflation_rate=rate)
    per_epoch = I.epoch_issuance(supply, params)
    assert 0 <= per_epoch * params.epochs_per_year <= I.yearly_cap(supply, params)
    assert I.yearly_cap(supply, params) <= supply * Fraction(4, 100)


def test_genesis_year_issuance_figure() -> None:
    params = Parameters(inflation_rate=Fraction(4, 100))
    assert I.yearly_cap(GENESIS_SUPPLY, params) == 40_000_000 * 10**6
    assert I.epoch_issuance(GENESIS_SUPPLY, params) == 40_000_000 * 10**6 // 365


@given(st.integers(min_value=0, max_value=10**15))
def test_pools_split_the_issuance_exactly(issuance: int) -> None:
    pools = I.split_issuance(issuance, Parameters())
    assert pools.total == issuance
    assert min(pools.management, pools.execution, pools.stakers) >= 0


@given(
    st.integers(min_value=0, max_value=10**12),
    st.dictionaries(
        st.text(min_size=1, max_size=4),
        st.fractions(min_value=0, max_value=1000),
        max_size=12,
    ),
)
def test_largest_remainder_pays_exactly_the_total(total: int, weights: dict[str, Fraction]) -> None:
    shares = I.largest_remainder(total, weights)
    assert set(shares) == set(weights)
    whole = sum(weights.values(), Fraction(0))
    if whole == 0:
        assert all(v == 0 for v in shares.values())
        return
    assert sum(shares.values()) == total
    for name, weight in weights.items():
        exact = total * weight / whole
        assert exact - 1 < shares[name] < exact + 1


def test_largest_remainder_breaks_ties_by_name() -> None:
    assert I.largest_remainder(1, {"b": 1, "a": 1}) == {"a": 1, "b": 0}
    assert I.largest_remainder(2, {"c": 1, "b": 1, "a": 1}) == {"a": 1, "b": 1, "c": 0}


def test_median_of_declared_pay() -> None:
    assert I.median_pay([5, 1, 9]) == 5
    assert I.median_pay([4, 1, 9, 7]) == 4  # lower median
    with pytest.raises(SpecError) as err:
        I.median_pay([])
    assert err.value.reason == Reason.NO_DECLARATIONS


@settings(max_examples=300)
@given(
    st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=30),
    st.lists(st.integers(min_value=0, max_value=10**18), max_size=30),
)
def test_fewer_than_half_cannot_move_the_median_outside_the_honest_range(
    honest: list[int], liars: list[int]
) -> None:
    assume(2 * len(liars) < len(honest) + len(liars))
    pay = I.median_pay(honest + liars)
    assert min(honest) <= pay <= max(honest)


def test_half_of_the_declarers_can_move_the_median() -> None:
    honest, liars = [10, 10], [0, 0]
    assert I.median_pay(honest + liars) == 0  # not robust at one half: the bound is tight


def test_execution_pay_is_the_median_per_block_within_the_pool() -> None:
    assert I.execution_payouts({"a": 2, "b": 1}, [3, 5, 100], 1_000) == {"a": 10, "b": 5}
    capped = I.execution_payouts({"a": 2, "b": 1}, [3, 5, 100], 10)
    assert capped == {"a": 7, "b": 3} and sum(capped.values()) == 10


def test_management_pay_never_exceeds_the_budget() -> None:
    assert I.management_pay([4, 6, 9], 100) == 6
    assert I.management_pay([4, 6, 9], 2) == 2


@settings(max_examples=200)
@given(
    st.integers(min_value=1, max_value=10**12),
    st.integers(min_value=1, max_value=10**9),
    st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 10**9), max_size=8),
    st.fractions(min_value=0, max_value=Fraction(99, 100)),
)
def test_a_voter_never_earns_less_than_an_equal_non_voter(
    pool: int, stake: int, others: dict[str, int], idle_weight: Fraction
) -> None:
    params = Parameters(inactive_voter_weight=idle_weight)
    stakes = {**{f"o-{k}": v for k, v in others.items()}, "voter": stake, "idler": stake}
    paid = I.staker_payouts(stakes, frozenset({"voter"}), pool, params)
    assert paid["voter"] >= paid["idler"]
    weights = I.staker_weights(stakes, frozenset({"voter"}), params)
    exact_voter = pool * weights["voter"] / sum(weights.values())
    if exact_voter * (1 - idle_weight) >= 2:
        # exact shares two units apart: rounding (< 1 unit each way) cannot close the gap
        assert paid["voter"] > paid["idler"]
    assert sum(paid.values()) == pool


def test_free_rider_rule_by_default() -> None:
    paid = I.staker_payouts({"v": 100, "f": 100}, frozenset({"v"}), 1_000, Parameters())
    assert paid == {"v": 1_000, "f": 0}
