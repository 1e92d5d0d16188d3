"""State the rows of Eq. (1) once, on exact numbers and on solver terms (§IV-E, §IV-G).

Each function is one constraint's comparison as Eq. (1) writes it: C1 the top (D-1) loads hold
at most share φ of all load, C2 a replica's latency within the bound, C3 a rate that keeps up
with the demand, C4 the cost within the budget, C5 no replica of a private transaction on a
node without privacy, the security row (expected faulty replicas within f = floor((K-1)/3)),
and the capacity rows (a node's load within its capacity). They use only sums, products by
numbers and comparisons, so they evaluate on ``Fraction`` values (the evaluator, through
:data:`vdlt_spec.allocation.evaluator.ROW_RULES`) and on Z3 terms (the proofs in
``vdlt_spec.models.allocation``). Every row takes ``(value, bound)``: the value the evaluator
reports and the bound it reports it against.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "at_least",
    "at_most",
    "capacity_within",
    "cost_within",
    "decentralization_within",
    "latency_within",
    "privacy_kept",
    "security_within",
    "throughput_met",
]


def at_most(value: Any, bound: Any) -> Any:
    """Tell whether a structural row ``value <= bound`` holds (group size, levels) (§IV-E)."""
    return value <= bound


def at_least(value: Any, bound: Any) -> Any:
    """Tell whether a structural row ``value >= bound`` holds (group size, admission) (§IV-E)."""
    return value >= bound


def decentralization_within(top_loads: Any, share_of_total: Any) -> Any:
    """Tell whether C1 holds: the top (D-1) loads are at most φ · total load (§IV-E)."""
    return top_loads <= share_of_total


def latency_within(latency: Any, bound: Any) -> Any:
    """Tell whether C2 holds for one replica: its latency is at most the bound (§IV-E, §IV-G)."""
    return latency <= bound


def throughput_met(rate: Any, demand: Any) -> Any:
    """Tell whether C3 holds: the rate keeps up with the stream's demand, rate >= demand (§IV-E)."""
    return rate >= demand


def cost_within(cost: Any, budget: Any) -> Any:
    """Tell whether C4 holds: the placement's cost is at most the budget (§IV-E)."""
    return cost <= budget


def privacy_kept(exposed: Any, allowed: Any) -> Any:
    """Tell whether C5 holds: at most ``allowed`` (0) replicas sit on non-private nodes (§IV-E)."""
    return exposed <= allowed


def security_within(expected_faulty: Any, fault_bound: Any) -> Any:
    """Tell whether the security row holds: expected faulty replicas <= f (§IV-E, §IV-D)."""
    return expected_faulty <= fault_bound


def capacity_within(load: Any, capacity: Any) -> Any:
    """Tell whether a capacity row holds: a node's (or the control tier's) load <= capacity."""
    return load <= capacity
