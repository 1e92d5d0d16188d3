"""State the penalty arithmetic once: what is slashed, who is paid, what is burnt (§IV-J).

§IV-J: "penalty can be implemented by taking away their collateral and rewarding the node who
submits cryptographic evidence of misbehavior". The rule (D-econ-7):

* the offender's account falls by the whole slash, slashed = floor(slashable · slash_fraction),
  whoever reports, the offender included;
* the reward, floor(slashed · denouncer_reward), is carved out of the slashed amount and never
  added to the offender's loss; it is paid to a reporter other than the offender, and burnt
  with the rest when the offender reports itself;
* so a second account of the offender (a sybil) recovers at most the reward, the very amount
  any other reporter gets, and the offender's accounts together lose at least
  slashed - floor(slashed · denouncer_reward) > 0.

:func:`slash_amounts_rule` computes the two floors from the fractions' numerators and
denominators by integer division, on ints and on solver integer terms (whose division is the
floor for a positive divisor); :func:`slash_amounts` calls it. :func:`slash_bounds` and
:func:`reward_bounds` characterise the same sizes as constraints, and :func:`settle` splits a
slash, so that the proof in ``vdlt_spec.models.penalties`` states its claim with these very
functions on solver terms (their arithmetic is multiplication, addition, integer division and
comparison, which Z3 overloads).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Generic, TypeVar, overload

__all__ = [
    "Settlement",
    "reward_bounds",
    "settle",
    "slash_amounts",
    "slash_amounts_rule",
    "slash_bounds",
]

T = TypeVar("T")


@dataclass(frozen=True)
class Settlement(Generic[T]):
    """Split one slash: the offender's change, the reporter's credit, the burnt rest (§IV-J).

    ``offender_change + reporter_credit + burnt == 0``: nothing is created.
    """

    offender_change: T
    reporter_credit: T
    burnt: T


def _floor_div(dividend: Any, divisor: Any) -> Any:
    """Return floor(dividend / divisor) for a divisor >= 1: ``//`` on ints, a solver's division."""
    if isinstance(dividend, int) and isinstance(divisor, int):
        return dividend // divisor
    return dividend / divisor


def slash_amounts_rule(
    slashable: Any, fraction_num: Any, fraction_den: Any, reward_num: Any, reward_den: Any
) -> tuple[Any, Any]:
    """Return (slashed, reward) from the fractions' numerators and denominators (§IV-J).

    slashed = floor(slashable · num/den) and reward = floor(slashed · reward_num/reward_den),
    by integer division; it evaluates on ints and on solver integer terms alike.
    """
    slashed = _floor_div(fraction_num * slashable, fraction_den)
    return slashed, _floor_div(reward_num * slashed, reward_den)


def slash_amounts(
    slashable: int, slash_fraction: Fraction, denouncer_reward: Fraction
) -> tuple[int, int]:
    """Return (slashed, reward) for ``slashable`` collateral: two floors of products (§IV-J).

    slashed = floor(slashable · slash_fraction); reward = floor(slashed · denouncer_reward),
    strictly less than slashed whenever something is slashed and denouncer_reward < 1.
    """
    slash, reward = Fraction(slash_fraction), Fraction(denouncer_reward)
    slashed, due = slash_amounts_rule(
        slashable, slash.numerator, slash.denominator, reward.numerator, reward.denominator
    )
    return int(slashed), int(due)


def slash_bounds(slashed: Any, slashable: Any, numerator: Any, denominator: Any) -> tuple[Any, Any]:
    """Return the constraints that make ``slashed`` floor(slashable · num/den), for a solver.

    den · slashed <= num · slashable < den · (slashed + 1) (§IV-J).
    """
    return (
        denominator * slashed <= numerator * slashable,
        numerator * slashable < denominator * (slashed + 1),
    )


def reward_bounds(reward: Any, slashed: Any, numerator: Any, denominator: Any) -> tuple[Any, Any]:
    """Return the constraints that make ``reward`` floor(slashed · num/den) (§IV-J)."""
    return slash_bounds(reward, slashed, numerator, denominator)


@overload
def settle(slashed: int, reward: int, self_report: bool) -> Settlement[int]: ...
@overload
def settle(slashed: Any, reward: Any, self_report: bool) -> Settlement[Any]: ...
def settle(slashed: Any, reward: Any, self_report: bool) -> Settlement[Any]:
    """Split a slash: the offender loses all of it; the reward goes to another reporter (§IV-J).

    A self-report pays nothing: its reward is burnt with the rest. ``self_report`` is a Python
    bool, so that the same code splits ints and solver terms.
    """
    credit = 0 * reward if self_report else reward
    return Settlement(-slashed, credit, slashed - credit)
