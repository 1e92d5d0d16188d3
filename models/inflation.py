"""Model the yearly inflation cap in nonlinear arithmetic: no year mints above it (§IV-I).

§IV-I: "up to 4% inflation per annum". The queries apply the spec's own rules of
:mod:`vdlt_spec.economics.incentives` to solver terms: :func:`rate_within_cap` (the clamped
rate lies in [0, cap]), :func:`epoch_issuance_bounds` (an epoch mints floor(rate·S / E)) and
:func:`within_inflation_cap` (the economy's check, minted <= cap·S). The cap is the spec's
constant ``MAX_INFLATION_RATE`` (a frozen parameter); the supply S, the epochs per year E and
the voted rate are unknowns. The claims are stated separately: E epochs mint at most cap·S, the
check admits exactly the amounts up to cap·S, and every rate in [0, cap] is admitted.
"""

from __future__ import annotations

from fractions import Fraction

import z3

from vdlt_spec.economics.incentives import (
    epoch_issuance_bounds,
    rate_within_cap,
    within_inflation_cap,
)
from vdlt_spec.governance.parameters import MAX_INFLATION_RATE
from vdlt_spec.models.query import Query, Setup, decode_values


def _q(name: str, facts: list[z3.BoolRef], logic: str) -> Query:
    return Query(name, tuple(facts), logic, Setup.DEFAULT, decode_values)


def _real(value: Fraction) -> z3.ArithRef:
    return z3.Q(value.numerator, value.denominator)


def cap_queries(cap: Fraction = MAX_INFLATION_RATE) -> tuple[Query, ...]:
    """Ask for a year of capped issuance above cap·S, or a cap check that is not minted <= cap·S.

    (§IV-I) Three queries: a year of E epochs, each minting floor(rate·S / E) at a rate the
    clamp admits, that the economy's cap check rejects or that exceeds cap·S; an amount the
    check misjudges against minted <= cap·S; a rate in [0, cap] the clamp's range refuses.
    """
    supply, epochs, issued, minted = z3.Ints("supply epochs_per_year issued minted")
    rate = z3.Real("rate")
    cap_term = _real(cap)
    year = epochs * issued
    return (
        _q(
            "year-within-cap",
            [
                supply >= 0,
                epochs >= 1,
                issued >= 0,
                *rate_within_cap(rate, cap_term),
                *epoch_issuance_bounds(issued, supply, rate, epochs),
                z3.Or(z3.Not(within_inflation_cap(year, supply, cap)), year > cap_term * supply),
            ],
            "QF_NIRA",
        ),
        _q(
            "check-is-minted-at-most-cap",
            [
                supply >= 0,
                minted >= 0,
                within_inflation_cap(minted, supply, cap) != (minted <= cap_term * supply),
            ],
            "QF_LIRA",
        ),
        _q(
            "cap-rate-range-exact",
            [z3.And(*rate_within_cap(rate, cap_term)) != z3.And(rate >= 0, rate <= cap_term)],
            "QF_LRA",
        ),
    )


def issuance_queries() -> tuple[Query, ...]:
    """Ask for an epoch amount the spec's bounds misjudge against floor(rate·S / E) (§IV-I).

    One query, for every supply S >= 0, every E >= 1 and every rate >= 0: the constraints of
    :func:`epoch_issuance_bounds` hold exactly for issued = floor(rate·S / E).
    """
    supply, epochs, issued = z3.Ints("supply epochs_per_year issued")
    rate = z3.Real("rate")
    floor = z3.ToInt(rate * supply / epochs)
    return (
        _q(
            "issuance-is-floor",
            [
                supply >= 0,
                epochs >= 1,
                rate >= 0,
                z3.And(*epoch_issuance_bounds(issued, supply, rate, epochs)) != (issued == floor),
            ],
            "QF_NIRA",
        ),
    )
