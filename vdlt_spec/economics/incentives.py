"""Issue new tokens and pay them to the nodes and voters that earned them (§IV-I, §IV-J).

Rules (sources in ``docs/decisions.md``):

* Inflation: the voted rate is clamped to [0, ``max_inflation_rate``] (4 % a year, §IV-I).
  Each epoch may mint at most floor(S·r / E), where S is the supply at the start of the year
  and E the epochs per year, so a year never mints more than 4 % of its opening supply.
  The rules :func:`rate_within_cap`, :func:`epoch_issuance_bounds` and
  :func:`within_inflation_cap` use only products, sums and comparisons, so they evaluate on
  exact numbers and on solver terms; the inflation proof in ``vdlt_spec.models`` states its
  claim with them.
* The epoch's issuance is split into a management/control pool, an execution pool and a
  staker pool (D-econ-3). Only what is paid out is minted: payouts equal minted, exactly.
* Pay per contribution is the median of the pay the contributors declared (§IV-I); fewer than
  half of the declarers cannot move it outside the range of the honest declarations.
* Management/control nodes are paid per decision, one decision and one node at a time, in
  turn (§IV-B), until the epoch's management pool is spent.
* Execution nodes are paid per user block; if the blocks' pay exceeds the pool, the pool is
  shared in proportion to blocks, by largest remainders with a deterministic tie-break.
* Stakers are the registered voters; a staker who voted this epoch weighs 1 per staked base
  unit, one who did not weighs ``inactive_voter_weight`` < 1, so free riders earn less (§IV-J).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.governance.parameters import Parameters


def rate_within_cap(rate: Any, cap: Any) -> tuple[Any, Any]:
    """Return the range the issued rate keeps to: 0 <= rate <= cap, for a solver too (§IV-I)."""
    return rate >= 0, rate <= cap


def epoch_issuance_bounds(issued: Any, supply: Any, rate: Any, epochs: Any) -> tuple[Any, Any]:
    """Return the constraints that make ``issued`` floor(rate·supply / epochs) (§IV-I).

    epochs·issued <= rate·supply < epochs·(issued + 1), with epochs >= 1.
    """
    return epochs * issued <= rate * supply, rate * supply < epochs * (issued + 1)


def within_inflation_cap(minted: Any, year_start_supply: Any, cap: Fraction) -> Any:
    """Tell whether ``minted`` tokens stay within the yearly cap: minted <= cap·S (§IV-I).

    ``minted`` is an integer, so this is minted <= floor(cap·S) = :func:`yearly_cap`; it is
    written as cap.denominator·minted <= cap.numerator·S so that it applies to solver terms.
    """
    return cap.denominator * minted <= cap.numerator * year_start_supply


def clamped_rate(params: Parameters) -> Fraction:
    """Return the voted inflation rate clamped to [0, max_inflation_rate] (§IV-I)."""
    return min(max(Fraction(params.inflation_rate), Fraction(0)), params.max_inflation_rate)


def yearly_cap(year_start_supply: int, params: Parameters) -> int:
    """Return the most a year may mint: floor(4 % of its opening supply) (§IV-I)."""
    cap = params.max_inflation_rate * year_start_supply
    return cap.numerator // cap.denominator


def epoch_issuance(year_start_supply: int, params: Parameters) -> int:
    """Return the most an epoch may mint: floor(S·r / E) with the clamped rate r (§IV-I)."""
    amount = clamped_rate(params) * year_start_supply / params.epochs_per_year
    return amount.numerator // amount.denominator


@dataclass(frozen=True)
class Pools:
    """Split one epoch's issuance between management, execution and stakers (§IV-I)."""

    management: int
    execution: int
    stakers: int

    @property
    def total(self) -> int:
        """Return the three pools together: the epoch's issuance (§IV-I)."""
        return self.management + self.execution + self.stakers


def split_issuance(issuance: int, params: Parameters) -> Pools:
    """Split an epoch's issuance by the parameter shares; stakers get the rest (§IV-I)."""
    management = params.management_share * issuance
    execution = params.execution_share * issuance
    m = management.numerator // management.denominator
    e = execution.numerator // execution.denominator
    return Pools(management=m, execution=e, stakers=issuance - m - e)


def median_pay(declared: Sequence[int]) -> int:
    """Return the (lower) median of the declared pays (§IV-I).

    With m declarations, the value at sorted index (m - 1) // 2. If fewer than half of the
    declarers lie (2a < m), the result lies between the smallest and the largest honest
    declaration: at most a values sit below the honest minimum and at most a above the honest
    maximum, and the median index has more than a values on each side, itself included.
    """
    if not declared:
        raise SpecError(Reason.NO_DECLARATIONS, "the median of no declarations is undefined")
    if any(isinstance(d, bool) or not isinstance(d, int) or d < 0 for d in declared):
        raise SpecError(Reason.NEGATIVE_AMOUNT, f"declared pays must be integers >= 0: {declared}")
    ordered = sorted(declared)
    return ordered[(len(ordered) - 1) // 2]


def largest_remainder(total: int, weights: Mapping[str, Fraction | int]) -> dict[str, int]:
    """Share ``total`` base units in proportion to ``weights``, exactly (§IV-I).

    Each payee gets floor(total·w / W); the units left over go one each to the payees with the
    largest fractional parts, ties broken by name. The result sums to ``total`` whenever some
    weight is positive, and is all zeros otherwise.
    """
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise SpecError(Reason.NEGATIVE_AMOUNT, f"the amount to share must be >= 0: {total}")
    if any(Fraction(w) < 0 for w in weights.values()):
        raise SpecError(Reason.BAD_WEIGHTS, "weights must be >= 0")
    whole = sum((Fraction(w) for w in weights.values()), Fraction(0))
    if whole == 0:
        return {name: 0 for name in weights}
    shares: dict[str, int] = {}
    remainders = []
    for name, weight in weights.items():
        exact = total * Fraction(weight) / whole
        floor = exact.numerator // exact.denominator
        shares[name] = floor
        remainders.append((-(exact - floor), name))
    left = total - sum(shares.values())
    for _, name in sorted(remainders)[:left]:
        shares[name] += 1
    return shares


def management_pay(declared: Sequence[int], budget_left: int) -> int:
    """Return the pay of the next management decision: the median, within the budget (§IV-B)."""
    return min(median_pay(declared), budget_left)


def execution_payouts(
    blocks: Mapping[str, int], declared: Sequence[int], pool: int
) -> dict[str, int]:
    """Pay execution nodes per block at the median declared pay, capped by the pool (§IV-I).

    If every block can get the median, each node gets blocks·median; otherwise the pool is
    shared in proportion to blocks by largest remainders.
    """
    produced = {name: count for name, count in blocks.items() if count > 0}
    if not produced:
        return {}
    pay = median_pay(declared)
    wanted = sum(produced.values()) * pay
    if wanted <= pool:
        return {name: count * pay for name, count in produced.items()}
    return largest_remainder(pool, produced)


def staker_weights(
    stakes: Mapping[str, int], voted: frozenset[str], params: Parameters
) -> dict[str, Fraction]:
    """Weigh each staker: its stake, times ``inactive_voter_weight`` if it did not vote (§IV-J)."""
    return {
        name: Fraction(stake) * (1 if name in voted else params.inactive_voter_weight)
        for name, stake in stakes.items()
        if stake > 0
    }


def staker_payouts(
    stakes: Mapping[str, int], voted: frozenset[str], pool: int, params: Parameters
) -> dict[str, int]:
    """Share the staker pool by participation-weighted stake, exactly (§IV-I, §IV-J)."""
    return largest_remainder(pool, staker_weights(stakes, voted, params))
