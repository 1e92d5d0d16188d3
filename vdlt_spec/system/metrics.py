"""Measure a run: per-class latency, throughput, cost and drops; per-tier traffic and load.

Latencies are confirmation latencies (confirmed minus arrival, ms), reported as p50, p99 and
max by the nearest-rank rule; throughput is confirmed transactions per second over the span
from the first arrival to the last confirmation. Decentralization is the Nakamoto coefficient
of execution load (the allocation component's :func:`nakamoto_coefficient`, share 1/2): the
fewest execution nodes that executed more than half of all executions (§IV-E, C1).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from vdlt_spec.allocation.quantities import nakamoto_coefficient
from vdlt_spec.cos import CLASS_RANKING, ServiceClass
from vdlt_spec.system.records import SystemRun, TierFigures, TxStatus
from vdlt_spec.system.substrate import chain_of

NAKAMOTO_SHARE = Fraction(1, 2)
PERCENTILES = (50, 99)
MS_PER_S = 1000


@dataclass(frozen=True)
class ClassFigures:
    """Summarise one class of service in a run (§III-A, Table II)."""

    service_class: str
    submitted: int
    confirmed: int
    dropped: int
    pending: int
    p50_ms: int | None
    p99_ms: int | None
    max_ms: int | None
    throughput_tps: Fraction
    cost: Fraction


@dataclass(frozen=True)
class TierSummary:
    """Summarise one tier: decisions, messages, bytes and the load of its busiest node."""

    decisions: int
    messages: int
    bytes: int
    max_load: int
    nodes: int


@dataclass(frozen=True)
class Summary:
    """Summarise a run: per class, totals, per tier, decentralization and penalties."""

    architecture: str
    classes: tuple[ClassFigures, ...]
    submitted: int
    confirmed: int
    dropped: int
    pending: int
    throughput_tps: Fraction
    management: TierSummary
    execution: TierSummary
    nakamoto: int
    top_decisions: int
    local_decisions: int
    user_blocks: int
    slashed: int


def nearest_rank(sorted_values: Sequence[Fraction], percent: int) -> Fraction:
    """Return the ``percent``-th percentile of sorted values by the nearest-rank rule."""
    rank = max(1, math.ceil(Fraction(percent, 100) * len(sorted_values)))
    return sorted_values[rank - 1]


def _ms(value: Fraction | None) -> int | None:
    return None if value is None else math.ceil(value)


def _tier(figures: TierFigures) -> TierSummary:
    return TierSummary(
        figures.decisions,
        figures.messages,
        figures.bytes,
        max(figures.load.values(), default=0),
        len(figures.load),
    )


def _throughput(run: SystemRun, confirmed: int) -> Fraction:
    times = [t.confirmed for t in run.txs if t.confirmed is not None]
    if not times or not run.txs:
        return Fraction(0)
    span = max(times) - min(t.arrival for t in run.txs)
    return Fraction(confirmed * MS_PER_S) / span if span > 0 else Fraction(0)


def summarize(run: SystemRun, chain: str | None = None) -> Summary:
    """Return the figures of a run (§III-B): per class, per tier, decentralization.

    With ``chain``, the class figures and totals count that virtual system's transactions only
    (§III-C); the tiers are shared and reported whole.
    """
    if chain is not None:
        run = dataclasses.replace(run, txs=tuple(t for t in run.txs if chain_of(t.stream) == chain))
    classes = []
    for service_class in CLASS_RANKING:
        txs = [t for t in run.txs if t.effective == service_class]
        if not txs:
            continue
        latencies = sorted(t.latency for t in txs if t.latency is not None)
        confirmed = len(latencies)
        classes.append(
            ClassFigures(
                service_class=ServiceClass(service_class).name.lower(),
                submitted=len(txs),
                confirmed=confirmed,
                dropped=sum(t.status == TxStatus.DROPPED for t in txs),
                pending=sum(t.status == TxStatus.PENDING for t in txs),
                p50_ms=_ms(nearest_rank(latencies, 50)) if latencies else None,
                p99_ms=_ms(nearest_rank(latencies, 99)) if latencies else None,
                max_ms=_ms(latencies[-1]) if latencies else None,
                throughput_tps=_throughput(run, confirmed),
                cost=sum((t.cost for t in txs), Fraction(0)),
            )
        )
    confirmed = sum(t.status == TxStatus.CONFIRMED for t in run.txs)
    loads = [Fraction(v) for k, v in run.execution_tier.load.items()]
    return Summary(
        architecture=run.architecture.value,
        classes=tuple(classes),
        submitted=len(run.txs),
        confirmed=confirmed,
        dropped=sum(t.status == TxStatus.DROPPED for t in run.txs),
        pending=sum(t.status == TxStatus.PENDING for t in run.txs),
        throughput_tps=_throughput(run, confirmed),
        management=_tier(run.management_tier),
        execution=_tier(run.execution_tier),
        nakamoto=nakamoto_coefficient(loads, NAKAMOTO_SHARE),
        top_decisions=run.top_decisions,
        local_decisions=run.local_decisions,
        user_blocks=len(run.user_blocks),
        slashed=sum(p.slashed for p in run.penalties),
    )
