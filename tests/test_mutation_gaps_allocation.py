"""Pin what the allocation component's own tests left open (§IV-E, §IV-F, §IV-G).

The generator's seeded instances and the two greedy baselines' allocations on them (fixed
functions of the seed, D-alloc-8), the exhaustive optimum's allocation, the rows that cannot
bind, the range checks of an instance (rate levels, the C1 share, the floating-point range),
the spare-rate condition of a host, and how long messages and bad values are cut.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from fractions import Fraction
from typing import Any

import pytest

from vdlt_spec import serial
from vdlt_spec.allocation import quantities as q
from vdlt_spec.allocation.baselines import BASELINES, per_class_greedy
from vdlt_spec.allocation.bundled import bundled_instances
from vdlt_spec.allocation.decision import Allocation, Assignment, canonical
from vdlt_spec.allocation.evaluator import Constraint, ConstraintReport, can_bind, evaluate
from vdlt_spec.allocation.exhaustive import exhaustive_optimum
from vdlt_spec.allocation.generate import GeneratorSettings, generate
from vdlt_spec.allocation.instance import (
    FLOAT_RANGE,
    Utility,
    check_float_range,
    validate_instance,
)
from vdlt_spec.allocation.reservations import Reservations
from vdlt_spec.allocation.schema import MAX_MESSAGE, parse_instance
from vdlt_spec.allocation.score import parse_reference
from vdlt_spec.errors import Reason, SpecError

TINY = bundled_instances()["tiny-exhaustive"]


def _fingerprint(value: Any) -> str:
    """Return the first 16 hex digits of the SHA-256 of a value's canonical JSON."""
    return hashlib.sha256(serial.dumps(value).encode()).hexdigest()[:16]


# The generator is a fixed function of (count, nodes, seed, utility): these are its instances.
GENERATED = {
    (1, Utility.THROUGHPUT): "6822d9503739bbeb",
    (1, Utility.WELFARE): "8fdf8b74e7957a97",
    (2, Utility.THROUGHPUT): "d3d25ce020aa57d6",
    (3, Utility.WELFARE): "2086b99149f7889a",
}


@pytest.mark.parametrize(("seed", "utility"), list(GENERATED))
def test_a_seeded_instance_is_the_reference_generators(seed: int, utility: Utility) -> None:
    instance = generate(40, 12, seed, utility)
    assert _fingerprint(instance) == GENERATED[seed, utility]


def test_a_long_seeded_draw_is_the_reference_generators() -> None:
    assert _fingerprint(generate(3000, 4, 2)) == "ba3a711e510708d5"


def test_generation_reports_progress_once_at_the_end_of_a_short_draw() -> None:
    seen: list[tuple[int, int]] = []
    generate(3, 2, 1, on_progress=lambda done, total: seen.append((done, total)))
    assert seen == [(3, 3)]


# Each baseline's allocation on a seeded instance: (fingerprint, objective, admitted).
BASELINE_RESULTS = {
    (1, Utility.THROUGHPUT, "per-class-greedy"): ("f3de13437f1a9c27", 213, 30),
    (1, Utility.THROUGHPUT, "density-greedy"): ("a0585fadc7e67d0c", 278, 34),
    (1, Utility.WELFARE, "per-class-greedy"): ("a5baacb3b1832301", 2653, 31),
    (1, Utility.WELFARE, "density-greedy"): ("41e61d79d1ffa14f", 2554, 30),
    (2, Utility.THROUGHPUT, "per-class-greedy"): ("b8c6efb83cf6fe3d", 235, 36),
    (2, Utility.THROUGHPUT, "density-greedy"): ("c1eb35103d1912ec", 241, 36),
    (3, Utility.WELFARE, "per-class-greedy"): ("07b974858ff3bc25", 2070, 31),
    (3, Utility.WELFARE, "density-greedy"): ("f470c61b558edd21", 2061, 30),
}


@pytest.mark.parametrize(("seed", "utility", "name"), list(BASELINE_RESULTS))
def test_each_baseline_places_a_seeded_instance_exactly_as_the_reference(
    seed: int, utility: Utility, name: str
) -> None:
    instance = generate(40, 12, seed, utility)
    allocation = BASELINES[name](instance)
    evaluation = evaluate(instance, allocation)
    fingerprint, objective, admitted = BASELINE_RESULTS[seed, utility, name]
    assert evaluation.feasible
    assert (evaluation.objective, evaluation.admitted) == (objective, admitted)
    assert _fingerprint(canonical(allocation)) == fingerprint


# Under welfare a greedy admits an optional stream only if its value exceeds its placement's
# cost; t0's cheapest placement on the tiny instance costs 7/2 (control 1 + two replicas 5/2).
@pytest.mark.parametrize("name", list(BASELINES))
@pytest.mark.parametrize(
    ("value", "admitted"),
    [
        (Fraction(7, 2) - Fraction(1, 1000), False),
        (Fraction(7, 2), False),
        (Fraction(7, 2) + Fraction(1, 1000), True),
    ],
)
def test_a_welfare_greedy_admits_a_stream_only_when_its_value_exceeds_its_cost(
    name: str, value: Fraction, admitted: bool
) -> None:
    t0 = replace(TINY.transactions[0], value=value)
    instance = replace(TINY, utility=Utility.WELFARE, transactions=(t0, *TINY.transactions[1:]))
    placed = {a.transaction for a in BASELINES[name](instance).assignments}
    assert ("t0" in placed) is admitted


# The exhaustive oracle returns its best allocation, which scores the optimum it reports.
def test_the_exhaustive_optimum_returns_the_allocation_it_scored() -> None:
    optimum = exhaustive_optimum(TINY)
    assert isinstance(optimum.allocation, Allocation)
    assert optimum.evaluation is not None
    assert evaluate(TINY, optimum.allocation).objective == optimum.evaluation.objective


# A row whose value and bound are both 0 cannot bind; any other row can.
@pytest.mark.parametrize(
    ("value", "bound", "binds"),
    [(0, 0, False), (0, 1, True), (1, 0, True), (-1, 0, True), (0, -1, True)],
)
def test_only_a_zero_over_zero_row_cannot_bind(value: int, bound: int, binds: bool) -> None:
    report = ConstraintReport(
        Constraint.PRIVACY, "t", Fraction(value), Fraction(bound), Fraction(bound - value), "-"
    )
    assert can_bind(report) is binds


# An instance needs at least one rate level and a C1 share strictly inside (0, 1).
@pytest.mark.parametrize("field", ["rate_levels_ghz", "control_levels_ghz"])
def test_an_instance_without_levels_is_out_of_range(field: str) -> None:
    with pytest.raises(SpecError) as error:
        validate_instance(replace(TINY, **{field: ()}))
    assert error.value.reason is Reason.PARAMETER_OUT_OF_RANGE


@pytest.mark.parametrize(
    ("share", "accepted"),
    [
        (Fraction(-1, 2), False),
        (Fraction(0), False),
        (Fraction(1, 1000), True),
        (Fraction(999, 1000), True),
        (Fraction(1), False),
    ],
)
def test_the_decentralization_share_lies_strictly_between_0_and_1(
    share: Fraction, accepted: bool
) -> None:
    instance = replace(TINY, decentralization_share=share)
    if accepted:
        assert validate_instance(instance) is instance
        return
    with pytest.raises(SpecError) as error:
        validate_instance(instance)
    assert error.value.reason is Reason.PARAMETER_OUT_OF_RANGE


# The floating-point consumers take magnitudes 1e-100..1e100 inclusive, or 0.
@pytest.mark.parametrize(
    ("price", "accepted"),
    [
        (Fraction(1, FLOAT_RANGE), True),
        (Fraction(1, FLOAT_RANGE + 1), False),
        (Fraction(FLOAT_RANGE), True),
        (Fraction(FLOAT_RANGE + 1), False),
        (Fraction(FLOAT_RANGE - 1, FLOAT_RANGE), True),
        (Fraction(FLOAT_RANGE + 1, FLOAT_RANGE), True),
        (Fraction(0), True),
    ],
)
def test_the_float_range_is_inclusive_at_both_ends(price: Fraction, accepted: bool) -> None:
    instance = replace(TINY, control_price=price)
    if accepted:
        check_float_range(instance)
        return
    with pytest.raises(SpecError) as error:
        check_float_range(instance)
    assert error.value.reason is Reason.PARAMETER_OUT_OF_RANGE


# A node may host a replica only while it has spare execution rate.
def test_a_node_without_spare_rate_may_not_host() -> None:
    state = Reservations(TINY)
    t0, node = TINY.transactions[0], TINY.nodes[1]
    assert state.may_host(t0, node)
    state.cpu[node.id] = Fraction(0)
    assert not state.may_host(t0, node)
    state.cpu[node.id] = Fraction(1, 1000)
    assert state.may_host(t0, node)


# A schema message longer than MAX_MESSAGE is cut to MAX_MESSAGE characters ending in "...".
def test_a_long_schema_message_is_cut_to_the_limit() -> None:
    data = serial.encode(TINY)
    data["nodes"][0]["x" * 400] = 1
    with pytest.raises(SpecError) as error:
        parse_instance(data)
    assert error.value.reason is Reason.SCHEMA_VIOLATION
    message = error.value.detail.split(": ", 1)[1]
    assert len(message) == MAX_MESSAGE
    assert message.endswith("...")


# A bad number in a reference is quoted by its first 40 characters.
def test_a_bad_reference_number_is_quoted_by_its_first_40_characters() -> None:
    report = {
        "proven_optimal": False,
        "status": "time_limit",
        "allocation": {"assignments": []},
        "bound": "9" * 30 + "x" * 30,
    }
    with pytest.raises(SpecError) as error:
        parse_reference(report)
    assert error.value.reason is Reason.BAD_REFERENCE
    assert error.value.detail == f"bound must be a number, got {'9' * 30 + 'x' * 10!r}"


# The C1 repair drops the last-served optional stream that has a replica on the busiest node.
def test_the_repair_drops_a_stream_on_the_busiest_node() -> None:
    settings = GeneratorSettings(nodes_per_decentralization_node=2)
    instance = generate(40, 12, 1, Utility.THROUGHPUT, settings=settings)
    allocation = per_class_greedy(instance)
    evaluation = evaluate(instance, allocation)
    assert (evaluation.feasible, evaluation.objective, evaluation.admitted) == (True, 18, 9)
    assert _fingerprint(canonical(allocation)) == "908d212eeb1f0667"


# The exhaustive oracle scores only allocations within every node's capacity, link included.
def test_the_exhaustive_oracle_scores_only_allocations_within_capacity() -> None:
    assert exhaustive_optimum(TINY).allocations_scored == 59
    sizes = {"t0": 375, "t1": 150, "t2": 250}  # 30 Mbps each: two on one 50 Mbps node exceed it
    streams = tuple(
        replace(t, size_kb=Fraction(sizes[t.id]), latency_ms=Fraction(1000))
        for t in TINY.transactions
    )
    optimum = exhaustive_optimum(replace(TINY, transactions=streams))
    assert optimum.allocations_scored == 189
    assert optimum.evaluation is not None and optimum.evaluation.objective == 25


# A group without replicas has the latency of ordering and consensus alone.
def test_an_empty_group_reports_ordering_plus_consensus_latency() -> None:
    t0 = TINY.transactions[0]
    control = TINY.control_levels_ghz[0]
    evaluation = evaluate(TINY, Allocation((Assignment("t0", control, ()),)))
    latency = next(r for r in evaluation.reports if r.constraint is Constraint.LATENCY)
    expected = q.ordering_ms(t0, control) + q.consensus_ms(TINY, 0)
    assert expected == q.ordering_ms(t0, control) + TINY.consensus_base_ms
    assert (latency.value, latency.note) == (expected, "slowest replica -")


# A node's trust lies in (0, 1]: 0 is refused, the least positive value and 1 are kept.
@pytest.mark.parametrize(
    ("trust", "accepted"),
    [
        (Fraction(0), False),
        (Fraction(1, 1000), True),
        (Fraction(1), True),
        (Fraction(1001, 1000), False),
    ],
)
def test_a_nodes_trust_lies_in_the_half_open_unit_interval(trust: Fraction, accepted: bool) -> None:
    nodes = (replace(TINY.nodes[0], trust=trust), *TINY.nodes[1:])
    instance = replace(TINY, nodes=nodes)
    if accepted:
        assert validate_instance(instance) is instance
        return
    with pytest.raises(SpecError) as error:
        validate_instance(instance)
    assert error.value.reason is Reason.TRUST_OUT_OF_RANGE
