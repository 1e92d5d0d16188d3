"""Summarise a schedule per class: sent, dropped, and exact delay statistics (§IV-A).

The delay of a transaction is its finish time minus its arrival time (waiting plus
transmission), in the scheduler's time unit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction

from vdlt_spec.cos import CLASS_RANKING, ServiceClass, Transaction
from vdlt_spec.queuing.config import DEFAULT_QUEUE_LIMIT, CbwfqConfig
from vdlt_spec.queuing.fast import run_fast
from vdlt_spec.queuing.fifo import fifo_run
from vdlt_spec.queuing.scheduler import Schedule

#: The buffer of the FIFO baseline: the places of every class queue together, so that the
#: comparison with CBWFQ holds the buffer fixed and changes only the discipline (§IV-A).
FIFO_COMPARISON_LIMIT = DEFAULT_QUEUE_LIMIT * len(ServiceClass)

PERCENTILE = 99


@dataclass(frozen=True)
class ClassDelay:
    """Hold one class's outcome: counts and delay mean, 99th percentile and maximum."""

    service_class: ServiceClass
    sent: int
    dropped: int
    mean_delay: Fraction | None
    p99_delay: Fraction | None
    max_delay: Fraction | None


def delays(
    arrivals: Iterable[Transaction], schedule: Schedule, service_class: ServiceClass
) -> list[Fraction]:
    """Return the delays of one class's departures, in order of service (§IV-A)."""
    arrival = {t.id: t.arrival for t in arrivals}
    return [
        d.finish - arrival[d.id] for d in schedule.departures if d.service_class is service_class
    ]


def class_delays(arrivals: Iterable[Transaction], schedule: Schedule) -> tuple[ClassDelay, ...]:
    """Return per-class counts and delay statistics, in Table II order (§IV-A, Table II)."""
    items = tuple(arrivals)
    result = []
    for cls in CLASS_RANKING:
        values = sorted(delays(items, schedule, cls))
        dropped = sum(1 for d in schedule.drops if d.service_class is cls)
        if values:
            rank = max(1, math.ceil(PERCENTILE * len(values) / 100))  # nearest-rank percentile
            mean: Fraction | None = sum(values, Fraction(0)) / len(values)
            p99: Fraction | None = values[rank - 1]
            worst: Fraction | None = values[-1]
        else:
            mean = p99 = worst = None
        result.append(ClassDelay(cls, len(values), dropped, mean, p99, worst))
    return tuple(result)


def compare_with_fifo(
    config: CbwfqConfig,
    arrivals: tuple[Transaction, ...],
    *,
    fifo: bool = True,
    on_progress: Callable[[int, int], None] | None = None,
) -> dict[str, tuple[ClassDelay, ...]]:
    """Return each class's delays under the CBWFQ of ``config`` and, if asked, one FIFO (§IV-A).

    ``"cbwfq"`` schedules ``arrivals`` (already classified) with ``config``; ``"fifo"``, when
    ``fifo`` is true, sends them through one tail-drop queue at the same rate with the same
    total buffer, :data:`FIFO_COMPARISON_LIMIT`. All delays are exact. ``on_progress``, if
    given, is called with (disciplines done, disciplines asked) after each one.
    """
    total = 2 if fifo else 1
    runs = {"cbwfq": class_delays(arrivals, run_fast(config, arrivals))}
    if on_progress is not None:
        on_progress(1, total)
    if fifo:
        schedule = fifo_run(config.rate, arrivals, FIFO_COMPARISON_LIMIT)
        runs["fifo"] = class_delays(arrivals, schedule)
        if on_progress is not None:
            on_progress(2, total)
    return runs
