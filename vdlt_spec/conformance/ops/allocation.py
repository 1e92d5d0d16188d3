"""Conformance operations of the resource allocation of Eq. (1) (§IV-E, §IV-G).

``allocation.evaluate`` fixes the referee every allocator is scored by: an instance and an
allocation give the utility, the Nakamoto coefficient and every constraint's value, bound and
slack, or the reason the allocation (or the instance) is refused. ``allocation.quantities``
fixes the derived quantities the constraints are built from (latency terms, demands, costs),
and ``allocation.nakamoto`` the decentralization measure of C1. An allocator written in any
language checks its own evaluator against these.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any

from vdlt_spec import serial
from vdlt_spec.allocation import quantities as q
from vdlt_spec.allocation.bundled import bundled_instances
from vdlt_spec.allocation.evaluator import Constraint, evaluate
from vdlt_spec.allocation.instance import Instance, Utility
from vdlt_spec.allocation.schema import parse_allocation, parse_instance
from vdlt_spec.conformance.operations import operation
from vdlt_spec.conformance.ops.allocation_ranges import range_inputs, with_node, with_transaction
from vdlt_spec.conformance.suite import VectorInput, inputs
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.roles import NodeRole


def _instance(payload: Any) -> Instance:
    if "instance" not in payload:
        raise SpecError(Reason.SCHEMA_VIOLATION, "$.instance is required")
    return parse_instance(payload["instance"])


@operation(
    "allocation.evaluate",
    "§IV-E, Eq. (1)",
    input_schema='{"instance": Instance, "allocation": Allocation}',
    output_schema=(
        '{"utility", "objective", "throughput", "welfare", "admitted", "transactions",'
        ' "nakamoto", "feasible", "constraints": [{constraint, subject, value, bound, slack,'
        " unit, note, satisfied}]}"
    ),
)
def evaluate_allocation(payload: Any) -> Any:
    """Score an allocation of an instance: utility and every constraint's slack (§IV-E)."""
    instance = _instance(payload)
    if "allocation" not in payload:
        raise SpecError(Reason.SCHEMA_VIOLATION, "$.allocation is required")
    result = evaluate(instance, parse_allocation(payload["allocation"]))
    return {
        "utility": result.utility.value,
        "objective": result.objective,
        "throughput": result.throughput,
        "welfare": result.welfare,
        "admitted": result.admitted,
        "transactions": result.transactions,
        "nakamoto": result.nakamoto,
        "feasible": result.feasible,
        "constraints": [
            {
                "constraint": r.constraint.value,
                "subject": r.subject,
                "value": r.value,
                "bound": r.bound,
                "slack": r.slack,
                "unit": r.unit,
                "note": r.note,
                "satisfied": r.satisfied,
            }
            for r in result.reports
        ],
    }


@operation(
    "allocation.quantities",
    "§IV-E, §IV-G",
    input_schema=(
        '{"instance": Instance, "transaction": id, "node": id, "group": [id],'
        ' "rate_ghz": "p/q", "control_ghz": "p/q"}'
    ),
    output_schema=(
        '{"replicas", "fault_bound", "consensus_ms", "ordering_ms", "transfer_ms",'
        ' "execution_ms", "replica_latency_ms", "execution_demand_ghz",'
        ' "ordering_demand_ghz", "link_demand_mbps", "replica_cost", "control_cost",'
        ' "expected_faulty"}'
    ),
)
def derived_quantities(payload: Any) -> Any:
    """Return the quantities Eq. (1) constrains for one replica of a group (§IV-E, §IV-G)."""
    instance = _instance(payload)
    tx = instance.transaction(serial.decode(str, payload.get("transaction"), "$.transaction"))
    node = instance.node(serial.decode(str, payload.get("node"), "$.node"))
    group = [
        instance.node(member)
        for member in serial.decode(tuple[str, ...], payload.get("group"), "$.group")
    ]
    rate = serial.decode(Fraction, payload.get("rate_ghz"), "$.rate_ghz")
    control = serial.decode(Fraction, payload.get("control_ghz"), "$.control_ghz")
    if rate <= 0 or control <= 0:
        raise SpecError(Reason.NON_POSITIVE_RATE, "rate_ghz and control_ghz must be > 0")
    k = len(group)
    return {
        "replicas": k,
        "fault_bound": q.fault_bound(k),
        "consensus_ms": q.consensus_ms(instance, k),
        "ordering_ms": q.ordering_ms(tx, control),
        "transfer_ms": q.transfer_ms(instance, tx, node),
        "execution_ms": q.execution_ms(tx, rate),
        "replica_latency_ms": q.replica_latency_ms(instance, tx, node, rate, control, k),
        "execution_demand_ghz": q.execution_demand_ghz(tx),
        "ordering_demand_ghz": q.ordering_demand_ghz(tx),
        "link_demand_mbps": q.link_demand_mbps(tx),
        "replica_cost": q.replica_cost(tx, node, rate),
        "control_cost": q.control_cost(instance, control),
        "expected_faulty": q.expected_faulty(group),
    }


@operation(
    "allocation.nakamoto",
    "§IV-E, C1",
    input_schema='{"loads": ["p/q"], "share": "p/q", "count": int}',
    output_schema='{"nakamoto": int, "top_sum": "p/q", "total": "p/q"}',
)
def nakamoto(payload: Any) -> Any:
    """Return the Nakamoto coefficient of node loads and the sum of the ``count`` largest (C1)."""
    loads = serial.decode(tuple[Fraction, ...], payload.get("loads"), "$.loads")
    share = serial.decode(Fraction, payload.get("share"), "$.share")
    count = serial.decode(int, payload.get("count"), "$.count")
    if any(load < 0 for load in loads):
        raise SpecError(Reason.PARAMETER_OUT_OF_RANGE, "loads must be >= 0")
    if not 0 < share < 1:
        raise SpecError(Reason.PARAMETER_OUT_OF_RANGE, f"share must lie in (0, 1), got {share}")
    return {
        "nakamoto": q.nakamoto_coefficient(loads, share),
        "top_sum": q.top_sum(loads, count),
        "total": sum(loads, Fraction(0)),
    }


# --- vector inputs ----------------------------------------------------------------------------

TINY = "tiny-exhaustive"
#: A feasible allocation of the bundled tiny instance: t2 on n3, t0 on n0 and n1.
TINY_ALLOCATION: dict[str, Any] = {
    "assignments": [
        {"transaction": "t2", "control_ghz": "1/2", "replicas": [{"node": "n3", "rate_ghz": "2"}]},
        {
            "transaction": "t0",
            "control_ghz": "1/2",
            "replicas": [{"node": "n0", "rate_ghz": "1"}, {"node": "n1", "rate_ghz": "1"}],
        },
    ]
}
#: How far past a bound the "just below" and "just above" boundary vectors go.
EPSILON = Fraction(1, 1000)


def _value_of(instance: Instance, constraint: Constraint, subject: str) -> Fraction:
    """Return the value the evaluator reports for ``constraint`` on ``subject``."""
    result = evaluate(instance, parse_allocation(TINY_ALLOCATION))
    return next(
        r.value for r in result.reports if (r.constraint, r.subject) == (constraint, subject)
    )


def _evaluate_input(instance: Instance, allocation: Any) -> dict[str, Any]:
    return {"instance": serial.encode(instance), "allocation": allocation}


def _boundary_inputs(tiny: Instance) -> Iterator[VectorInput]:
    """Yield instances whose bound sits exactly at, just below and just above the value."""
    op = "allocation.evaluate"
    latency = _value_of(tiny, Constraint.LATENCY, "t0")
    cost = _value_of(tiny, Constraint.COST, "t0")
    cpu = _value_of(tiny, Constraint.CPU, "n3")
    control = _value_of(tiny, Constraint.CONTROL_CAPACITY, "system")
    bounds: dict[str, tuple[Fraction, Callable[[Fraction], Instance]]] = {
        "latency": (latency, lambda b: with_transaction(tiny, "t0", latency_ms=b)),
        "cost": (cost, lambda b: with_transaction(tiny, "t0", budget=b)),
        "cpu": (cpu, lambda b: with_node(tiny, "n3", cpu_ghz=b)),
        "control": (control, lambda b: dataclasses.replace(tiny, control_capacity_ghz=b)),
    }
    for name, (value, bounded) in bounds.items():
        for label, bound in (
            ("at", value),
            ("below", value - EPSILON),
            ("above", value + EPSILON),
        ):
            yield VectorInput(
                f"allocation-evaluate-{name}-bound-{label}",
                op,
                _evaluate_input(bounded(bound), TINY_ALLOCATION),
                f"{name} bound {label} the value {value}: slack {bound - value}",
            )


def _rejected_inputs(tiny: Instance) -> Iterator[VectorInput]:
    op = "allocation.evaluate"
    t2 = TINY_ALLOCATION["assignments"][0]
    t0 = TINY_ALLOCATION["assignments"][1]
    malformed: dict[str, Any] = {
        "unknown-transaction": [{**t2, "transaction": "t9"}],
        "unknown-node": [{**t2, "replicas": [{"node": "n9", "rate_ghz": "1"}]}],
        "duplicate-transaction": [t2, t2],
        "duplicate-node": [{**t0, "replicas": [t0["replicas"][0], t0["replicas"][0]]}],
        "zero-rate": [{**t2, "replicas": [{"node": "n3", "rate_ghz": "0"}]}],
        "negative-control": [{**t2, "control_ghz": "-1/2"}],
        "float-rate": [{**t2, "replicas": [{"node": "n3", "rate_ghz": 0.5}]}],
        "missing-control": [{"transaction": "t2", "replicas": []}],
    }
    for name, assignments in malformed.items():
        yield VectorInput(
            f"allocation-evaluate-reject-{name}",
            op,
            _evaluate_input(tiny, {"assignments": assignments}),
            "rejected allocation",
        )
    bad_instance = serial.encode(with_node(tiny, "n0", trust=Fraction(3, 2)))
    yield VectorInput(
        "allocation-evaluate-reject-trust",
        op,
        {"instance": bad_instance, "allocation": TINY_ALLOCATION},
        "rejected instance: trust outside (0, 1]",
    )
    yield VectorInput(
        "allocation-evaluate-reject-no-allocation",
        op,
        {"instance": serial.encode(tiny)},
        "rejected input",
    )


def _infeasible_inputs(tiny: Instance) -> Iterator[VectorInput]:
    """Yield well-formed allocations that break one rule of Eq. (1) each."""
    op = "allocation.evaluate"
    t2 = TINY_ALLOCATION["assignments"][0]
    t0 = TINY_ALLOCATION["assignments"][1]
    n3 = [{"node": "n3", "rate_ghz": "2"}]
    cases: dict[str, tuple[Instance, list[Any]]] = {
        "private-on-public-node": (
            tiny,
            [
                {
                    "transaction": "t1",
                    "control_ghz": "1/2",
                    "replicas": [{"node": "n1", "rate_ghz": "1"}, {"node": "n3", "rate_ghz": "1"}],
                }
            ],
        ),
        "below-min-replicas": (tiny, [{**t0, "replicas": t0["replicas"][:1]}]),
        "above-max-replicas": (
            tiny,
            [{**t2, "replicas": [{"node": f"n{i}", "rate_ghz": "1"} for i in range(4)]}],
        ),
        "off-menu-rate": (tiny, [{**t2, "replicas": [{"node": "n3", "rate_ghz": "3/2"}]}]),
        "off-menu-control": (tiny, [{**t2, "control_ghz": "3/4", "replicas": n3}]),
        "mandatory-missing": (with_transaction(tiny, "t1", mandatory=True), [t2, t0]),
        "storage": (
            with_transaction(tiny, "t2", storage_gb=Fraction(11)),
            [t2],
        ),
        "decentralization": (dataclasses.replace(tiny, decentralization_nodes=3), [t2, t0]),
        "nothing-admitted": (tiny, []),
    }
    for name, (instance, assignments) in cases.items():
        yield VectorInput(
            f"allocation-evaluate-{name}",
            op,
            _evaluate_input(instance, {"assignments": assignments}),
        )
    lent = with_node(tiny, "n2", role=NodeRole.MANAGEMENT_CONTROL)
    yield VectorInput(
        "allocation-evaluate-control-node-lent",
        op,
        _evaluate_input(
            lent, {"assignments": [{**t2, "replicas": [{"node": "n2", "rate_ghz": "1"}]}]}
        ),
        "a management/control node in a group that is not high-security",
    )


@inputs("allocation")
def _allocation_inputs() -> Iterator[VectorInput]:
    instances = bundled_instances()
    tiny = instances[TINY]
    op = "allocation.evaluate"
    yield VectorInput("allocation-evaluate-tiny", op, _evaluate_input(tiny, TINY_ALLOCATION))
    yield from _boundary_inputs(tiny)
    yield from _infeasible_inputs(tiny)
    yield from _rejected_inputs(tiny)
    welfare = dataclasses.replace(tiny, utility=Utility.WELFARE)
    yield VectorInput(
        "allocation-evaluate-tiny-welfare", op, _evaluate_input(welfare, TINY_ALLOCATION)
    )
    yield from _edge_inputs(tiny)
    yield from range_inputs(tiny, TINY_ALLOCATION)
    op = "allocation.quantities"
    base = {"instance": serial.encode(tiny), "transaction": "t0", "control_ghz": "1/2"}
    for label, node, group, rate in (
        ("same-region", "n0", ["n0", "n1"], "1"),
        ("other-region", "n2", ["n0", "n2"], "2"),
        ("four-replicas", "n3", ["n0", "n1", "n2", "n3"], "1"),
        ("one-replica", "n1", ["n1"], "2"),
    ):
        yield VectorInput(
            f"allocation-quantities-{label}",
            op,
            base | {"node": node, "group": group, "rate_ghz": rate},
        )
    for label, change in (
        ("unknown-node", {"node": "n9"}),
        ("unknown-transaction", {"transaction": "t9"}),
        ("zero-rate", {"rate_ghz": "0"}),
    ):
        yield VectorInput(
            f"allocation-quantities-{label}",
            op,
            base | {"node": "n0", "group": ["n0"], "rate_ghz": "1"} | change,
            "rejected input",
        )
    op = "allocation.nakamoto"
    for label, loads, share, count in (
        ("even", ["1", "1", "1", "1"], "1/2", 1),
        ("exactly-half", ["2", "1", "1"], "1/2", 1),
        ("one-heavy", ["10", "1", "1"], "2/3", 2),
        ("all-zero", ["0", "0"], "1/2", 1),
        ("fractions", ["1/3", "1/2", "1/6"], "1/2", 2),
        ("no-nodes", [], "1/2", 1),
        ("count-zero", ["3", "2"], "1/2", 0),
    ):
        yield VectorInput(
            f"allocation-nakamoto-{label}",
            op,
            {"loads": loads, "share": share, "count": count},
        )
    for label, loads, share in (("share-one", ["1"], "1"), ("negative", ["-1", "2"], "1/2")):
        yield VectorInput(
            f"allocation-nakamoto-{label}",
            op,
            {"loads": loads, "share": share, "count": 1},
            "rejected input",
        )


def _edge_inputs(tiny: Instance) -> Iterator[VectorInput]:
    """Yield an assignment with no replica and instances one step outside their ranges."""
    op = "allocation.evaluate"
    t2 = TINY_ALLOCATION["assignments"][0]
    yield VectorInput(
        "allocation-evaluate-no-replicas",
        op,
        _evaluate_input(tiny, {"assignments": [{**t2, "replicas": []}]}),
        "an admitted transaction with no replica: its slowest rate is 0",
    )
    for name, bad, note in (
        ("bandwidth", with_node(tiny, "n0", bandwidth_mbps=Fraction(-1)), "bandwidth < 0"),
        (
            "decentralization-nodes",
            dataclasses.replace(tiny, decentralization_nodes=0),
            "decentralization_nodes < 1",
        ),
    ):
        yield VectorInput(
            f"allocation-evaluate-reject-{name}",
            op,
            {"instance": serial.encode(bad), "allocation": TINY_ALLOCATION},
            f"rejected instance: {note}",
        )
