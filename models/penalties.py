"""Model the split of a slash in integer arithmetic: who loses, who is paid, what burns (§IV-J).

The claims are stated with the spec's own penalty arithmetic,
:mod:`vdlt_spec.economics.settlement`: :func:`~vdlt_spec.economics.settlement.slash_amounts_rule`
computes the slash and the reward (integer division on solver terms) for any slashable
collateral and any fractions slash_fraction in [0, 1] and denouncer_reward in [0, 1);
:func:`~vdlt_spec.economics.settlement.settle` splits the slash, for a reporter other than the
offender and for the offender itself (a Python bool, so each case is one query). A further query
checks that the rule's values are the floors that
:func:`~vdlt_spec.economics.settlement.slash_bounds` and
:func:`~vdlt_spec.economics.settlement.reward_bounds` describe. The products of two unknowns
make the queries nonlinear (QF_NIA).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import z3

from vdlt_spec.economics.settlement import (
    Settlement,
    reward_bounds,
    settle,
    slash_amounts_rule,
    slash_bounds,
)
from vdlt_spec.models.query import Query, Setup, conj

SplitRule = Callable[[Any, Any, bool], Settlement[Any]]

NAMES = (
    "slashable",
    "slash_fraction_num",
    "slash_fraction_den",
    "reward_num",
    "reward_den",
    "slashed",
    "reward",
)


def unknowns(prefix: str) -> dict[str, z3.ArithRef]:
    """Create the integer unknowns of one slash, named after :data:`NAMES` (§IV-J)."""
    return {name: z3.Int(f"{prefix}{name}") for name in NAMES}


def _ranges(x: dict[str, z3.ArithRef]) -> list[z3.BoolRef]:
    return [
        x["slashable"] >= 0,
        x["slash_fraction_den"] >= 1,
        x["slash_fraction_num"] >= 0,
        x["slash_fraction_num"] <= x["slash_fraction_den"],
        x["reward_den"] >= 1,
        x["reward_num"] >= 0,
        x["reward_num"] < x["reward_den"],
    ]


def _computed(x: dict[str, z3.ArithRef]) -> list[z3.BoolRef]:
    slashed, reward = slash_amounts_rule(
        x["slashable"],
        x["slash_fraction_num"],
        x["slash_fraction_den"],
        x["reward_num"],
        x["reward_den"],
    )
    return [x["slashed"] == slashed, x["reward"] == reward]


def preconditions(x: dict[str, z3.ArithRef]) -> list[z3.BoolRef]:
    """Return the rule's preconditions and the spec's amounts: something is slashed (§IV-J)."""
    return [*_ranges(x), *_computed(x), x["slashed"] >= 1]


def floor_queries() -> tuple[Query, ...]:
    """Ask for amounts from slash_amounts_rule that are not the floors the bounds state (§IV-J)."""
    x = unknowns("floors.")
    bounds = [
        *slash_bounds(
            x["slashed"], x["slashable"], x["slash_fraction_num"], x["slash_fraction_den"]
        ),
        *reward_bounds(x["reward"], x["slashed"], x["reward_num"], x["reward_den"]),
    ]
    facts = [*_ranges(x), *_computed(x), z3.Not(z3.And(*bounds))]
    return (
        Query("amounts-are-floors", (conj(facts),), "QF_NIA", Setup.DEFAULT, _decoder(x, False)),
    )


def _decoder(
    x: dict[str, z3.ArithRef], self_report: bool
) -> Callable[[z3.ModelRef], dict[str, str]]:
    def decode(model: z3.ModelRef) -> dict[str, str]:
        found = {name: str(model.eval(term, model_completion=True)) for name, term in x.items()}
        found["reporter"] = "the offender itself" if self_report else "another account"
        return found

    return decode


def _broken(x: dict[str, z3.ArithRef], rule: SplitRule, self_report: bool) -> z3.BoolRef:
    """Return the negated claim: some part of the property fails under ``rule`` (§IV-J)."""
    s, r = x["slashed"], x["reward"]
    split = rule(s, r, self_report)
    other = rule(s, r, not self_report)
    own_credit = split.reporter_credit if self_report else 0
    return z3.Or(
        split.offender_change + own_credit != -s,  # the offender's account falls by the slash
        split.offender_change + own_credit
        != other.offender_change
        + (other.reporter_credit if not self_report else 0),  # whoever reports
        split.offender_change + split.reporter_credit + split.burnt != 0,  # nothing created
        split.reporter_credit < 0,
        split.reporter_credit > r,  # the reward is the most a reporter gets
        split.burnt < 0,
        s - split.reporter_credit < 1,  # offender and a sybil reporter together still lose
    )


def _queries(name: str, rule: SplitRule) -> tuple[Query, ...]:
    queries = []
    for self_report in (False, True):
        x = unknowns("self." if self_report else "other.")
        facts = [*preconditions(x), _broken(x, rule, self_report)]
        case = "self-report" if self_report else "other-reporter"
        queries.append(
            Query(
                f"{name}/{case}", (conj(facts),), "QF_NIA", Setup.DEFAULT, _decoder(x, self_report)
            )
        )
    return tuple(queries)


def full_slash_queries() -> tuple[Query, ...]:
    """Ask for a slash whose offender loses less than all of it, or a reporter paid more (§IV-J).

    Also ask for amounts of the spec's rule that are not the floors of their products.
    """
    return (*_queries("full-slash", settle), *floor_queries())


def credit_self_reporter(slashed: Any, reward: Any, self_report: bool) -> Settlement[Any]:
    """Split a slash paying every reporter, the offender included: the rule settle replaces."""
    return Settlement(-slashed, reward, slashed - reward)


def self_reward_queries() -> tuple[Query, ...]:
    """Ask whether paying a self-reporting offender keeps its loss independent (§IV-J)."""
    return _queries("self-reward", credit_self_reporter)
