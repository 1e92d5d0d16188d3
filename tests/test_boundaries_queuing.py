"""Boundary values of the CBWFQ scheduler: ties on finish tags and the queue limit (§IV-A).

When the link is free it serves the waiting head with the smallest virtual finish tag; equal
tags go to the transaction admitted first (D-queue-5), whatever its class or id. Two streams of
equal size in classes of equal share get equal tags; moving one share by ε moves its tag just
below or just above the other's, and then the smaller tag goes first whatever the admission
order. A queue that already holds ``limit`` waiting transactions drops the next; one fewer
admits it. Both the exact scheduler (``run``) and the integer one (``run_fast``) are checked.

:data:`BOUNDARY_CASES` lists the cases as ``queuing.run`` inputs with the expected departure
order and drops, for conformance vectors.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import pytest

from vdlt_spec.cos import ServiceClass, Transaction, cos_byte
from vdlt_spec.queuing import CbwfqConfig
from vdlt_spec.queuing.config import ClassPolicy
from vdlt_spec.queuing.fast import run_fast
from vdlt_spec.queuing.scheduler import Schedule, run

A = ServiceClass.FAST_CONFIRMATION
B = ServiceClass.PRIVATE
OTHER = ServiceClass.BEST_EFFORT  # carried by class-default, share 1/2
QUARTER = Fraction(1, 4)
EPS = Fraction(1, 1000)
Runner = Callable[[CbwfqConfig, list[Transaction]], Schedule]
RUNNERS: tuple[Runner, ...] = (run, run_fast)


def _config(share_b: Fraction = QUARTER, limit: int = 8) -> CbwfqConfig:
    return CbwfqConfig(
        rate=Fraction(1),
        classes=(ClassPolicy(A, QUARTER, limit), ClassPolicy(B, share_b, limit)),
    )


def _tx(tid: int, service_class: ServiceClass, size: int = 2, at: Fraction = Fraction(0)) -> Any:
    return Transaction(tid, f"node-{tid}", cos_byte(service_class), size, at)


def _order(schedule: Schedule) -> list[int]:
    return [d.id for d in schedule.departures]


def _tie_workload(first: ServiceClass, second: ServiceClass, ids: tuple[int, int]) -> list[Any]:
    """A blocker in service, then two streams offered at the same instant in a given order."""
    return [_tx(0, OTHER, size=1), _tx(ids[0], first), _tx(ids[1], second)]


#: (share of B, offer order of the two classes, ids, expected departure order after the blocker)
TIE_CASES: tuple[
    tuple[Fraction, tuple[ServiceClass, ServiceClass], tuple[int, int], list[int]], ...
] = (
    (QUARTER, (A, B), (1, 2), [1, 2]),  # equal tags: admitted first goes first
    (QUARTER, (B, A), (1, 2), [1, 2]),  # ... whatever the class
    (QUARTER, (A, B), (2, 1), [2, 1]),  # ... and whatever the id
    (QUARTER + EPS, (A, B), (1, 2), [2, 1]),  # B's tag just below A's: B first
    (QUARTER - EPS, (B, A), (1, 2), [2, 1]),  # B's tag just above A's: A first
)


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(("share_b", "classes", "ids", "expected"), TIE_CASES)
def test_equal_finish_tags_go_in_admission_order(
    runner: Runner,
    share_b: Fraction,
    classes: tuple[ServiceClass, ServiceClass],
    ids: tuple[int, int],
    expected: list[int],
) -> None:
    schedule = runner(_config(share_b), _tie_workload(*classes, ids))
    assert _order(schedule) == [0, *expected]
    assert schedule.drops == ()


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize(("waiting", "dropped"), [(1, False), (2, True), (3, True)])
def test_a_full_queue_drops_the_next_and_one_short_of_full_admits_it(
    runner: Runner, waiting: int, dropped: bool
) -> None:
    limit = 2
    queued = [_tx(i, A, at=Fraction(0)) for i in range(1, waiting + 1)]
    late = _tx(99, A, at=Fraction(0))
    schedule = runner(_config(limit=limit), [_tx(0, OTHER, size=9), *queued, late])
    assert (99 in [d.id for d in schedule.drops]) is dropped


@pytest.mark.parametrize("runner", RUNNERS)
def test_a_service_ending_at_an_arrival_frees_the_link_first(runner: Runner) -> None:
    """The blocker ends at t = 1 exactly; the stream arriving at 1 starts at 1, not later."""
    schedule = runner(_config(), [_tx(0, OTHER, size=1), _tx(1, A, at=Fraction(1))])
    starts = {d.id: d.start for d in schedule.departures}
    assert starts == {0: 0, 1: 1}


BOUNDARY_CASES: tuple[tuple[str, dict[str, Any], Any], ...] = tuple(
    (
        "queuing.run",
        {
            "config": {
                "rate": "1",
                "classes": [
                    {"service_class": int(A), "share": str(QUARTER)},
                    {"service_class": int(B), "share": str(share_b)},
                ],
            },
            "transactions": [
                {"id": t.id, "sender": t.sender, "cos": t.cos, "size": t.size, "arrival": "0"}
                for t in _tie_workload(*classes, ids)
            ],
        },
        {"departure_order": [0, *expected], "drops": []},
    )
    for share_b, classes, ids, expected in TIE_CASES
)


def test_the_boundary_cases_run_as_conformance_inputs() -> None:
    from vdlt_spec.conformance.ops.queuing import run as run_operation

    assert len(BOUNDARY_CASES) == len(TIE_CASES)
    for operation, payload, expected in BOUNDARY_CASES:
        assert operation == "queuing.run"
        schedule = run_operation(payload)
        assert _order(schedule) == expected["departure_order"]
        assert list(schedule.drops) == expected["drops"]
