"""Generate seeded workloads of rising locality and measure who decides them (§IV-H, D-hier-5)."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from vdlt_spec.cos import ServiceClass
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.hierarchy.routing import GLOBAL_CLASSES, Load, RoutingRequest, load
from vdlt_spec.hierarchy.structure import ExecutionNode, Hierarchy, require_valid_hierarchy

LOCAL_SPAN = 2  # execution nodes a generated transaction needs (D-hier-5)

SWEEP_LOCALITIES = tuple(Fraction(percent, 100) for percent in (0, 25, 50, 75, 90, 100))
"""The localities a default sweep measures, from no locality to all local (§IV-H)."""


def regional_nodes(regions: int, per_region: int) -> tuple[ExecutionNode, ...]:
    """Name ``per_region`` execution nodes in each of ``regions`` regions (§IV-G, §IV-H).

    Region ``r<k>`` holds nodes ``r<k>-000``, ``r<k>-001``, ...; both counts must be at least 1.
    """
    for what, count in (("regions", regions), ("per_region", per_region)):
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise SpecError(Reason.BAD_USAGE, f"{what} must be an integer >= 1, got {count!r}")
    return tuple(
        ExecutionNode(f"r{r}-{i:03d}", f"r{r}") for r in range(regions) for i in range(per_region)
    )


def _check_probability(name: str, p: Fraction) -> None:
    if not isinstance(p, Fraction | int) or isinstance(p, bool) or not 0 <= p <= 1:
        raise SpecError(Reason.BAD_PROBABILITY, f"{name} must be a fraction in [0, 1], got {p!r}")


def _bernoulli(rng: random.Random, p: Fraction) -> bool:
    p = Fraction(p)
    return rng.randrange(p.denominator) < p.numerator


def workload(
    hierarchy: Hierarchy,
    rng: random.Random,
    count: int,
    locality: Fraction,
    global_share: Fraction,
) -> tuple[RoutingRequest, ...]:
    """Generate a seeded workload of global, local and cross-domain transactions (§IV-H).

    (D-hier-5) With probability ``global_share`` a transaction is of the management/
    control class and needs no execution node. Otherwise its class is drawn from the other
    classes and, with probability ``locality``, it needs up to ``LOCAL_SPAN`` nodes of one
    local domain; else one node in each of ``LOCAL_SPAN`` distinct domains (when the hierarchy
    has that many). Exact: probabilities are fractions tested with integer draws.
    """
    _check_probability("locality", locality)
    _check_probability("global_share", global_share)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise SpecError(Reason.BAD_USAGE, f"count must be an integer >= 0, got {count!r}")
    require_valid_hierarchy(hierarchy)
    groups = list(hierarchy.groups)
    if not groups:
        raise SpecError(Reason.EXECUTION_NODE_UNMANAGED, "the hierarchy has no execution node")
    local_classes = sorted(c for c in ServiceClass if c not in GLOBAL_CLASSES)
    requests = []
    for index in range(count):
        tx_id = f"tx{index}"
        if _bernoulli(rng, global_share):
            requests.append(RoutingRequest(tx_id, ServiceClass.MANAGEMENT_CONTROL, ()))
            continue
        service_class = rng.choice(local_classes)
        if _bernoulli(rng, locality) or len(groups) < LOCAL_SPAN:
            group = rng.choice(groups)
            picked = rng.sample(group.members, min(LOCAL_SPAN, len(group.members)))
        else:
            picked = [rng.choice(g.members) for g in rng.sample(groups, LOCAL_SPAN)]
        requests.append(RoutingRequest(tx_id, service_class, tuple(sorted(n.id for n in picked))))
    return tuple(requests)


@dataclass(frozen=True)
class SweepRow:
    """One row of a locality sweep: the locality and the measured load (§IV-H)."""

    locality: Fraction
    load: Load


def locality_sweep(
    hierarchy: Hierarchy,
    seed: int,
    count: int,
    localities: Sequence[Fraction],
    global_share: Fraction,
    on_progress: Callable[[int, int], None] | None = None,
) -> tuple[SweepRow, ...]:
    """Measure the load of seeded workloads at each locality (§IV-H); one seed per row.

    ``on_progress``, if given, is called with (rows done, rows in all) after each row.
    """
    rows = []
    for p in localities:
        requests = workload(hierarchy, random.Random(seed), count, Fraction(p), global_share)
        rows.append(SweepRow(Fraction(p), load(hierarchy, requests)))
        if on_progress is not None:
            on_progress(len(rows), len(localities))
    return tuple(rows)
