"""Boundary values of the inflation cap and the slash split: at, below, above (§IV-I, §IV-J).

The voted inflation rate is clamped to [0, max_inflation_rate]; a year may mint up to
floor(cap · S) of its opening supply S, not one base unit more; conforming parameters may set
the cap to 4 % but not above. A slash takes floor(slashable · slash_fraction) and pays the
reporter floor(slashed · denouncer_reward), denouncer_reward in [0, 1). Tie-in tests check the
spec's floor computations against the rule constraints the proofs use, exhaustively over a
stated range.

:data:`BOUNDARY_CASES` lists the cases as (operation, input, expected) data for conformance
vectors (fractions as strings).
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import Any

import pytest

from vdlt_spec.economics import economy, incentives
from vdlt_spec.economics.settlement import reward_bounds, slash_amounts, slash_bounds
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance.parameters import (
    DEFAULT_PARAMETERS,
    GENESIS_SUPPLY,
    MAX_INFLATION_RATE,
    Parameters,
    validate,
)

P = DEFAULT_PARAMETERS
CAP = MAX_INFLATION_RATE  # 4/100
TINY = Fraction(1, 10**9)
SUPPLY = 1_000_000  # an opening supply whose cap, 40 000, is whole

#: (voted rate, clamped rate) around the cap and around zero.
RATE_CASES = (
    (CAP, CAP),
    (CAP - TINY, CAP - TINY),
    (CAP + TINY, CAP),
    (Fraction(0), Fraction(0)),
    (-TINY, Fraction(0)),
    (TINY, TINY),
)
#: (minted this year, within the cap) around floor(4 % of SUPPLY) = 40 000.
MINTED_CASES = ((40_000, True), (39_999, True), (40_001, False))
#: (max_inflation_rate, conforming) around §IV-I's 4 %.
GENESIS_CAP_CASES = ((CAP, True), (CAP - TINY, True), (CAP + TINY, False))
#: (denouncer_reward, valid) around the open upper end of [0, 1).
REWARD_CASES = ((Fraction(0), True), (1 - TINY, True), (Fraction(1), False))
#: (slashable, slash_fraction, denouncer_reward, (slashed, reward)) at the floors' edges.
SLASH_CASES = (
    (11, Fraction(1), Fraction(1, 11), (11, 1)),  # reward exactly one unit
    (10, Fraction(1), Fraction(1, 11), (10, 0)),  # just below: the reward floors to 0
    (12, Fraction(1), Fraction(1, 11), (12, 1)),
    (3, Fraction(1, 3), Fraction(1, 2), (1, 0)),  # slashed exactly 1
    (2, Fraction(1, 3), Fraction(1, 2), (0, 0)),  # just below: nothing slashed
    (4, Fraction(1, 3), Fraction(1, 2), (1, 0)),
    (6, Fraction(1, 3), Fraction(1, 2), (2, 1)),
)

BOUNDARY_CASES: tuple[tuple[str, dict[str, Any], Any], ...] = (
    *(
        (
            "economics.clamped_rate",
            {"inflation_rate": str(r), "max_inflation_rate": str(CAP)},
            str(c),
        )
        for r, c in RATE_CASES
    ),
    *(
        (
            "economics.within_inflation_cap",
            {"minted": m, "year_start_supply": SUPPLY, "max_inflation_rate": str(CAP)},
            ok,
        )
        for m, ok in MINTED_CASES
    ),
    *(
        ("governance.validate", {"max_inflation_rate": str(c), "conforming": True}, ok)
        for c, ok in GENESIS_CAP_CASES
    ),
    *(("governance.validate", {"denouncer_reward": str(r)}, ok) for r, ok in REWARD_CASES),
    *(
        (
            "economics.slash_amounts",
            {"slashable": s, "slash_fraction": str(f), "denouncer_reward": str(d)},
            {"slashed": out[0], "reward": out[1]},
        )
        for s, f, d, out in SLASH_CASES
    ),
)


# --- the inflation cap -------------------------------------------------------------------------


@pytest.mark.parametrize(("rate", "clamped"), RATE_CASES)
def test_the_rate_is_clamped_at_the_cap_and_at_zero(rate: Fraction, clamped: Fraction) -> None:
    params = dataclasses.replace(P, inflation_rate=rate)
    assert incentives.clamped_rate(params) == clamped
    assert all(incentives.rate_within_cap(incentives.clamped_rate(params), CAP))


@pytest.mark.parametrize(("minted", "within"), MINTED_CASES)
def test_the_yearly_cap_admits_its_floor_and_not_one_unit_more(minted: int, within: bool) -> None:
    assert incentives.yearly_cap(SUPPLY, P) == 40_000
    assert incentives.within_inflation_cap(minted, SUPPLY, CAP) is within


def test_a_year_at_the_cap_rate_mints_at_most_the_cap() -> None:
    params = dataclasses.replace(P, inflation_rate=CAP)
    for supply in (SUPPLY, GENESIS_SUPPLY, SUPPLY + 1, 364, 365 * 25):
        issued = incentives.epoch_issuance(supply, params)
        year = issued * params.epochs_per_year
        assert year <= incentives.yearly_cap(supply, params)
        assert incentives.within_inflation_cap(year, supply, CAP)
    # at S = 365 · 25 the cap rate mints exactly floor(4 % · S) / E = 1 per epoch: the cap
    assert incentives.epoch_issuance(365 * 25, params) * 365 == incentives.yearly_cap(365 * 25, P)


def test_the_economy_flags_a_year_one_unit_above_the_cap() -> None:
    econ = economy.start({"alice": GENESIS_SUPPLY})
    cap = incentives.yearly_cap(econ.year_start_supply, econ.params)
    yearly = economy.INVARIANTS[2]
    at_cap = dataclasses.replace(econ, minted_this_year=cap)
    assert economy.invariant_report(at_cap)[yearly] == ()
    above = dataclasses.replace(econ, minted_this_year=cap + 1)
    assert economy.invariant_report(above)[yearly] != ()


@pytest.mark.parametrize(("cap", "conforming"), GENESIS_CAP_CASES)
def test_conforming_parameters_cap_inflation_at_four_percent(
    cap: Fraction, conforming: bool
) -> None:
    params = dataclasses.replace(P, max_inflation_rate=cap)
    if conforming:
        assert validate(params) == params
        return
    with pytest.raises(SpecError) as caught:
        validate(params)
    assert caught.value.reason is Reason.NON_CONFORMING_GENESIS
    assert validate(Parameters.experimental(max_inflation_rate=cap)).max_inflation_rate == cap


def test_clamped_rate_keeps_to_the_rule_range_exhaustively() -> None:
    """Tie-in: over rates k/400 for k in -40..40, the clamp lands in rate_within_cap's range."""
    for k in range(-40, 41):
        rate = Fraction(k, 400)
        clamped = incentives.clamped_rate(dataclasses.replace(P, inflation_rate=rate))
        assert all(incentives.rate_within_cap(clamped, CAP))
        assert (clamped == rate) is all(incentives.rate_within_cap(rate, CAP))


def test_epoch_issuance_meets_the_rule_bounds_exhaustively() -> None:
    """Tie-in: epoch_issuance is floor(rate·S/E) as epoch_issuance_bounds states it.

    Range: S in 0..200, E in 1..12, rates k/100 for k in 0..4.
    """
    for k in range(5):
        rate = Fraction(k, 100)
        for epochs in range(1, 13):
            params = dataclasses.replace(P, inflation_rate=rate, epochs_per_year=epochs)
            for supply in range(201):
                issued = incentives.epoch_issuance(supply, params)
                assert all(incentives.epoch_issuance_bounds(issued, supply, rate, epochs))
                year_ok = incentives.within_inflation_cap(issued * epochs, supply, CAP)
                assert year_ok is (issued * epochs <= incentives.yearly_cap(supply, params))


# --- the slash split ---------------------------------------------------------------------------


@pytest.mark.parametrize(("reward", "valid"), REWARD_CASES)
def test_the_denouncer_reward_lies_in_a_half_open_range(reward: Fraction, valid: bool) -> None:
    params = dataclasses.replace(P, denouncer_reward=reward)
    if valid:
        assert validate(params) == params
        return
    with pytest.raises(SpecError) as caught:
        validate(params)
    assert caught.value.reason is Reason.INVALID_PARAMETERS


@pytest.mark.parametrize(("slashable", "fraction", "reward", "expected"), SLASH_CASES)
def test_slash_amounts_at_the_edges_of_their_floors(
    slashable: int, fraction: Fraction, reward: Fraction, expected: tuple[int, int]
) -> None:
    assert slash_amounts(slashable, fraction, reward) == expected


def test_slash_amounts_meet_the_rule_bounds_exhaustively() -> None:
    """Tie-in: slash_amounts is the pair of floors that slash_bounds and reward_bounds state.

    Range: slashable 0..40, slash_fraction a/b and denouncer_reward c/d with 1 <= b, d <= 6,
    0 <= a <= b, 0 <= c < d.
    """
    for b in range(1, 7):
        for a in range(b + 1):
            for d in range(1, 7):
                for c in range(d):
                    for slashable in range(41):
                        slashed, reward = slash_amounts(slashable, Fraction(a, b), Fraction(c, d))
                        assert all(slash_bounds(slashed, slashable, a, b))
                        assert all(reward_bounds(reward, slashed, c, d))
                        assert reward < slashed or slashed == 0
