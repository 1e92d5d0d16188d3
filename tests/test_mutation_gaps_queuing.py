"""Pin what the queuing component's surviving mutants showed no test pinned (§I, §IV-A).

The FIFO peer's exact finish times and its limit check, the nearest-rank 99th percentile and
the progress callback of the delay statistics, the mixed workload's default load and its
non-decreasing arrivals, and the overload scenario's flood period (docstring of
``overload_workload``: size 3 every 2 time units).
"""

from __future__ import annotations

import hashlib
import random
from fractions import Fraction

import pytest

from vdlt_spec import serial
from vdlt_spec.cos import ServiceClass, Transaction, cos_byte
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.queuing.fifo import fifo_run
from vdlt_spec.queuing.stats import class_delays, compare_with_fifo
from vdlt_spec.queuing.workload import (
    DEFAULT_LOAD,
    WorkloadSpec,
    mixed_workload,
    offered_load,
    overload_workload,
)


def _burst(count: int, size: int = 1) -> tuple[Transaction, ...]:
    """Return ``count`` best-effort transactions of one size, all arriving at time 0."""
    byte = cos_byte(ServiceClass.BEST_EFFORT)
    return tuple(Transaction(i, "s", byte, size, Fraction(0)) for i in range(count))


def test_fifo_finish_times_are_exact_fractions() -> None:
    schedule = fifo_run(Fraction(3), _burst(2, size=2))
    assert [d.finish for d in schedule.departures] == [Fraction(2, 3), Fraction(4, 3)]


@pytest.mark.parametrize("limit", [0, -1])
def test_a_fifo_without_places_is_refused(limit: int) -> None:
    with pytest.raises(SpecError) as error:
        fifo_run(Fraction(1), _burst(1), limit)
    assert error.value.reason is Reason.NON_POSITIVE_LIMIT


@pytest.mark.parametrize(("count", "p99"), [(1, 1), (3, 3), (100, 99), (200, 198)])
def test_p99_is_the_nearest_rank(count: int, p99: int) -> None:
    """Delays 1..count (unit sizes at rate 1): the 99th percentile is value ceil(0.99·count)."""
    arrivals = _burst(count)
    stats = {c.service_class: c for c in class_delays(arrivals, fifo_run(Fraction(1), arrivals))}
    best = stats[ServiceClass.BEST_EFFORT]
    assert (best.sent, best.p99_delay, best.max_delay) == (count, p99, count)
    assert best.mean_delay == Fraction(count + 1, 2)


def test_the_comparison_reports_each_discipline_done() -> None:
    from vdlt_spec.queuing.config import default_config

    seen: list[tuple[int, int]] = []
    compare_with_fifo(default_config(), _burst(4), on_progress=lambda *a: seen.append(a))
    assert seen == [(1, 2), (2, 2)]
    seen.clear()
    compare_with_fifo(
        default_config(), _burst(4), fifo=False, on_progress=lambda *a: seen.append(a)
    )
    assert seen == [(1, 1)]


def test_the_default_workload_offers_nine_tenths_of_the_link() -> None:
    assert WorkloadSpec(count=10).load == DEFAULT_LOAD == Fraction(9, 10)
    arrivals = mixed_workload(WorkloadSpec(count=4000), random.Random(1))
    load = offered_load(arrivals, Fraction(1))
    assert load is not None and abs(load - Fraction(9, 10)) < Fraction(1, 20)


@pytest.mark.parametrize("seed", range(5))
def test_workload_arrivals_never_go_back_in_time(seed: int) -> None:
    arrivals = mixed_workload(WorkloadSpec(count=500), random.Random(seed))
    times = [t.arrival for t in arrivals]
    assert times == sorted(times) and times[0] >= 0


def test_the_overload_flood_offers_size_three_every_two_units() -> None:
    flood = [t for t in overload_workload(20) if t.sender == "flooder"]
    assert [t.arrival for t in flood] == [Fraction(2 * i) for i in range(10)]
    assert {t.size for t in flood} == {3}


# A seeded workload is a fixed function of its seed: every benchmark and experiment built on
# it reports the same arrivals, senders, classes and sizes (fingerprint of its canonical JSON).


@pytest.mark.parametrize(
    ("seed", "fingerprint", "first", "last_arrival"),
    [
        (1, "25779d59884ec650", Transaction(0, "node-12", 242, 1, Fraction(2)), 566),
        (2, "3812564203d3437a", Transaction(0, "node-11", 18, 3, Fraction(5)), 556),
    ],
)
def test_a_seeded_workload_is_reproduced_exactly(
    seed: int, fingerprint: str, first: Transaction, last_arrival: int
) -> None:
    arrivals = mixed_workload(WorkloadSpec(count=200), random.Random(seed))
    assert hashlib.sha256(serial.dumps(arrivals).encode()).hexdigest()[:16] == fingerprint
    assert arrivals[0] == first
    assert arrivals[-1].arrival == last_arrival
