"""Model the rows of Eq. (1) in linear real arithmetic: each row is the paper's comparison (§IV-E).

The queries apply the spec's own row rules, :mod:`vdlt_spec.allocation.rules`, to solver terms
and compare each with Eq. (1)'s comparison stated here (C1 top loads <= φ·total, C2 latency <=
bound, C3 rate >= demand, C4 cost <= budget, C5 no exposed replica, security E[faulty] <= f,
capacity load <= capacity): a rule that admits one value more or one value fewer than the paper
is a counterexample. Two consequences are proved with the same rules: a group that passes the
security row has expected faults below a third of its size (the quorum component's fault bound
3f < K, with f the spec's max_faulty), and a placement whose every replica passes the C2 row has
its slowest replica within the bound (the maximum the evaluator reports).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import z3

from vdlt_spec.allocation import rules
from vdlt_spec.crypto.quorum import max_faulty_bounds, within_fault_bound
from vdlt_spec.models.query import Query, Setup, decode_values

Row = Callable[[Any, Any], Any]
REPLICAS = 4  # replicas of the bounded C2 maximum query


def _q(name: str, facts: list[z3.BoolRef], logic: str = "QF_LRA") -> Query:
    return Query(name, tuple(facts), logic, Setup.DEFAULT, decode_values)


#: Eq. (1)'s comparison for each row rule, as the paper writes it: (name, rule, paper).
PAPER_ROWS: tuple[tuple[str, Row, Row], ...] = (
    ("C1-top-loads-at-most-share", rules.decentralization_within, lambda v, b: v <= b),
    ("C2-latency-at-most-bound", rules.latency_within, lambda v, b: v <= b),
    ("C3-rate-at-least-demand", rules.throughput_met, lambda v, b: v >= b),
    ("C4-cost-at-most-budget", rules.cost_within, lambda v, b: v <= b),
    ("C5-no-exposed-replica", rules.privacy_kept, lambda v, b: v <= b),
    ("security-faults-at-most-f", rules.security_within, lambda v, b: v <= b),
    ("capacity-load-at-most-capacity", rules.capacity_within, lambda v, b: v <= b),
    ("structural-at-most", rules.at_most, lambda v, b: v <= b),
    ("structural-at-least", rules.at_least, lambda v, b: v >= b),
)


def row_queries() -> tuple[Query, ...]:
    """Ask, per row, for a value and bound where the spec's rule and Eq. (1) disagree (§IV-E)."""
    out = []
    for name, rule, paper in PAPER_ROWS:
        value, bound = z3.Reals("value bound")
        out.append(_q(name, [z3.Xor(rule(value, bound), paper(value, bound))]))
    return tuple(out)


def security_queries() -> tuple[Query, ...]:
    """Ask for a group that passes the security row with 3·E[faulty] >= K (§IV-E, §IV-D)."""
    k, f = z3.Ints("replicas f")
    expected = z3.Real("expected_faulty")
    facts = [
        k >= 1,
        expected >= 0,
        *max_faulty_bounds(f, k),
        rules.security_within(expected, f),
        z3.Not(within_fault_bound(expected, k)),
    ]
    return (_q("security-below-a-third", facts, "QF_LIRA"),)


def latency_queries(replicas: int = REPLICAS) -> tuple[Query, ...]:
    """Ask for replicas that each pass C2 while the slowest of them exceeds the bound (§IV-E)."""
    lat = [z3.Real(f"latency[{i}]") for i in range(replicas)]
    bound, slowest = z3.Reals("bound slowest")
    facts = [
        *[rules.latency_within(x, bound) for x in lat],
        z3.Or(*[slowest == x for x in lat]),
        *[slowest >= x for x in lat],
        slowest > bound,
    ]
    return (_q("slowest-replica-within-bound", facts),)
