"""Conformance operations and vectors of an instance's ranges and a report's tightness (§IV-E).

``allocation.float_range`` fixes which instances a floating-point allocator (the MILP oracle,
the DRL environment) takes: every number non-zero within 1e-100..1e100 in magnitude, or the
refusal ``PARAMETER_OUT_OF_RANGE``; the exact evaluator takes them all. ``allocation.tightest``
fixes the order in which the evaluator's constraint reports are listed as tightest: smallest
relative slack first, ties in the evaluator's order. The vectors here also walk every range
check of an instance one step on each side of its bound, through ``allocation.evaluate``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from vdlt_spec import serial
from vdlt_spec.allocation.evaluator import can_bind, evaluate, relative_slack, tightest
from vdlt_spec.allocation.instance import FLOAT_RANGE, Instance, check_float_range
from vdlt_spec.allocation.schema import parse_allocation, parse_instance
from vdlt_spec.conformance.operations import operation
from vdlt_spec.conformance.suite import VectorInput
from vdlt_spec.errors import Reason, SpecError


def _instance(payload: Any) -> Instance:
    if "instance" not in payload:
        raise SpecError(Reason.SCHEMA_VIOLATION, "$.instance is required")
    return parse_instance(payload["instance"])


@operation(
    "allocation.float_range",
    "§IV-E, §IV-F",
    input_schema='{"instance": Instance}',
    output_schema='{"accepted": true}',
)
def float_range(payload: Any) -> Any:
    """Tell whether a floating-point allocator takes an instance: numbers in 1e-100..1e100."""
    check_float_range(_instance(payload))
    return {"accepted": True}


@operation(
    "allocation.tightest",
    "§IV-E",
    input_schema=('{"instance": Instance, "allocation": Allocation, "k": int, "bindable"?: bool}'),
    output_schema=('{"tightest": [{constraint, subject, relative_slack, can_bind}]}'),
)
def tightest_constraints(payload: Any) -> Any:
    """Return the ``k`` constraint reports of smallest relative slack, tightest first (§IV-E)."""
    instance = _instance(payload)
    if "allocation" not in payload:
        raise SpecError(Reason.SCHEMA_VIOLATION, "$.allocation is required")
    allocation = parse_allocation(payload["allocation"])
    k = serial.decode(int, payload.get("k"), "$.k")
    bindable = serial.decode(bool, payload.get("bindable", False), "$.bindable")
    reports = tightest(evaluate(instance, allocation), k, bindable=bindable)
    return {
        "tightest": [
            {
                "constraint": r.constraint.value,
                "subject": r.subject,
                "relative_slack": relative_slack(r),
                "can_bind": can_bind(r),
            }
            for r in reports
        ]
    }


# --- vector inputs ----------------------------------------------------------------------------


def _with(instance: Instance, name: str, value: Any) -> Instance:
    changes: dict[str, Any] = {name: value}
    return dataclasses.replace(instance, **changes)


def with_node(instance: Instance, node_id: str, **changes: Any) -> Instance:
    """Return the instance with node ``node_id``'s fields changed."""
    nodes = tuple(
        dataclasses.replace(n, **changes) if n.id == node_id else n for n in instance.nodes
    )
    return dataclasses.replace(instance, nodes=nodes)


def with_transaction(instance: Instance, tx_id: str, **changes: Any) -> Instance:
    """Return the instance with transaction ``tx_id``'s fields changed."""
    txs = tuple(
        dataclasses.replace(t, **changes) if t.id == tx_id else t for t in instance.transactions
    )
    return dataclasses.replace(instance, transactions=txs)


def _range_cases(tiny: Instance) -> Iterator[tuple[str, Instance, str]]:
    """Yield (name, instance, note) one step inside and outside every range of an instance."""
    n = len(tiny.nodes)
    one = Fraction(1)
    zero = Fraction(0)
    yield (
        "decentralization-nodes-max",
        dataclasses.replace(tiny, decentralization_nodes=n + 1),
        f"decentralization_nodes = nodes + 1 = {n + 1}: accepted",
    )
    yield (
        "decentralization-nodes-over",
        dataclasses.replace(tiny, decentralization_nodes=n + 2),
        f"decentralization_nodes = nodes + 2 = {n + 2}: refused",
    )
    for label, share in (("one", one), ("zero", zero), ("just-below-one", Fraction(999, 1000))):
        yield (
            f"decentralization-share-{label}",
            dataclasses.replace(tiny, decentralization_share=share),
            f"decentralization_share = {share}: in (0, 1) or refused",
        )
    for name in ("compute_price", "storage_price", "storage_gb"):
        for label, value in (("negative", -one), ("zero", zero)):
            yield (
                f"node-{name.replace('_', '-')}-{label}",
                with_node(tiny, "n0", **{name: value}),
                f"node {name} = {value}: >= 0 or refused",
            )
    for name in ("cpu_ghz", "bandwidth_mbps"):
        yield (
            f"node-{name.replace('_', '-')}-zero",
            with_node(tiny, "n0", **{name: zero}),
            f"node {name} = 0: > 0 or refused",
        )
    yield "node-trust-zero", with_node(tiny, "n0", trust=zero), "trust = 0: refused"
    yield "node-trust-negative", with_node(tiny, "n0", trust=-one / 2), "trust = -1/2: refused"
    yield "node-empty-id", with_node(tiny, "n0", id=""), "an empty node id: refused"
    yield (
        "node-duplicate",
        dataclasses.replace(tiny, nodes=(*tiny.nodes, tiny.nodes[0])),
        "a node listed twice: refused",
    )
    for name in ("size_kb", "budget", "value", "storage_gb"):
        for label, value in (("negative", -one), ("zero", zero)):
            yield (
                f"transaction-{name.replace('_', '-')}-{label}",
                with_transaction(tiny, "t1", **{name: value}),
                f"transaction {name} = {value}: >= 0 or refused",
            )
    for name in ("compute_mcycles", "ordering_mcycles", "latency_ms", "throughput_tps"):
        yield (
            f"transaction-{name.replace('_', '-')}-zero",
            with_transaction(tiny, "t1", **{name: zero}),
            f"transaction {name} = 0: > 0 or refused",
        )
    yield (
        "transaction-empty-id",
        with_transaction(tiny, "t1", id=""),
        "an empty transaction id: refused",
    )
    yield (
        "transaction-duplicate",
        dataclasses.replace(tiny, transactions=(*tiny.transactions, tiny.transactions[1])),
        "a transaction listed twice: refused",
    )
    for label, count in (("zero", 0), ("max", tiny.max_replicas), ("over", tiny.max_replicas + 1)):
        yield (
            f"transaction-min-replicas-{label}",
            with_transaction(tiny, "t1", min_replicas=count),
            f"min_replicas = {count}: in 1..max_replicas = {tiny.max_replicas} or refused",
        )
    yield "max-replicas-zero", dataclasses.replace(tiny, max_replicas=0), "max_replicas = 0"
    for name in (
        "control_capacity_ghz",
        "control_price",
        "consensus_base_ms",
        "consensus_per_replica_ms",
        "consensus_per_fault_ms",
        "inter_region_ms",
    ):
        yield (
            f"{name.replace('_', '-')}-negative",
            _with(tiny, name, -one),
            f"{name} = -1: >= 0 or refused",
        )
    for name in ("rate_levels_ghz", "control_levels_ghz"):
        label = name.replace("_", "-")
        for case, levels in (
            ("empty", ()),
            ("zero", (zero, one)),
            ("equal", (one, one)),
            ("descending", (Fraction(2), one)),
        ):
            yield (
                f"{label}-{case}",
                _with(tiny, name, levels),
                f"{name} = {[str(v) for v in levels]}: positive and strictly ascending or refused",
            )


def _float_range_cases(tiny: Instance) -> Iterator[tuple[str, Instance, str]]:
    """Yield (name, instance, note) at and just past both ends of the floating-point range."""
    big = Fraction(FLOAT_RANGE)
    for label, value in (
        ("at-max", big),
        ("above-max", big + 1),
        ("at-min", 1 / big),
        ("below-min", Fraction(1, FLOAT_RANGE + 1)),
        ("zero", Fraction(0)),
        ("long-fraction-inside", Fraction(10 * FLOAT_RANGE + 1, 100)),
        ("long-fraction-above", Fraction(1000 * FLOAT_RANGE + 1, 10)),
    ):
        yield (
            f"node-price-{label}",
            with_node(tiny, "n0", compute_price=value),
            f"a node's compute_price of {float(value):.3g}",
        )
    yield (
        "transaction-budget-above-max",
        with_transaction(tiny, "t1", budget=big * 10),
        "a transaction's budget of 1e101",
    )
    yield (
        "instance-control-price-above-max",
        dataclasses.replace(tiny, control_price=big * 10),
        "the instance's control price of 1e101",
    )
    yield (
        "rate-level-above-max",
        dataclasses.replace(tiny, rate_levels_ghz=(*tiny.rate_levels_ghz, big * 10)),
        "a rate level of 1e101",
    )
    yield (
        "max-replicas-above-max",
        dataclasses.replace(tiny, max_replicas=FLOAT_RANGE * 10),
        "an integer max_replicas of 1e101",
    )
    yield (
        "max-replicas-at-max",
        dataclasses.replace(tiny, max_replicas=FLOAT_RANGE),
        "an integer max_replicas of 1e100",
    )


def _schema_cases(tiny: Instance, allocation: Any) -> Iterator[tuple[str, Any, Any, str]]:
    """Yield (name, instance JSON, allocation JSON, note): spellings the schema takes or refuses."""
    base = serial.encode(tiny)

    def edited(where: str, key: str, value: Any) -> Any:
        data = serial.encode(tiny)
        target = data if where == "instance" else data[where][0]
        target[key] = value
        return data

    yield "extra-instance-field", base | {"colour": "red"}, allocation, "unknown field: refused"
    yield "extra-node-field", edited("nodes", "colour", "red"), allocation, "refused"
    yield "extra-transaction-field", edited("transactions", "colour", 1), allocation, "refused"
    extra = {**allocation, "colour": "red"}
    yield "extra-allocation-field", base, extra, "unknown allocation field: refused"
    yield "integer-as-text", edited("instance", "max_replicas", "3"), allocation, "accepted"
    yield (
        "integer-as-decimal-text",
        edited("instance", "max_replicas", "3.0"),
        allocation,
        "refused",
    )
    yield "rational-as-decimal", edited("nodes", "cpu_ghz", "2.5"), allocation, "2.5 GHz"
    yield "rational-as-integer", edited("nodes", "cpu_ghz", 3), allocation, "a JSON integer"
    yield "rational-as-float", edited("nodes", "cpu_ghz", 2.5), allocation, "refused"
    yield "boolean-as-integer", edited("nodes", "private", 1), allocation, "refused"
    yield "unknown-class", edited("transactions", "service_class", 8), allocation, "refused"
    yield "unknown-role", edited("nodes", "role", "king"), allocation, "refused"
    yield "unknown-utility", edited("instance", "utility", "speed"), allocation, "refused"
    long = edited("instance", "utility", "x" * 200)
    yield "long-utility", long, allocation, "a schema error whose message is cut: refused"
    missing = serial.encode(tiny)
    del missing["nodes"][0]["region"]
    yield "missing-node-field", missing, allocation, "a required field left out: refused"
    optional = serial.encode(tiny)
    for tx in optional["transactions"]:
        for key in ("storage_gb", "private", "high_security", "mandatory"):
            del tx[key]
    yield "optional-fields-left-out", optional, allocation, "defaults: 0, false, false, false"
    four = serial.encode(dataclasses.replace(tiny, max_replicas=4))
    del four["transactions"][0]["min_replicas"]
    yield "min-replicas-left-out", four, allocation, "min_replicas left out: 4"
    negative = {
        "assignments": [
            {
                "transaction": "t2",
                "control_ghz": "1/2",
                "replicas": [{"node": "n3", "rate_ghz": "-1"}],
            }
        ]
    }
    yield "negative-rate", base, negative, "a negative replica rate: NON_POSITIVE_RATE"


def range_inputs(tiny: Instance, allocation: Any) -> Iterator[VectorInput]:
    """Yield the range vectors of an instance, the float range's and the tightest reports'."""
    for name, instance, note in _range_cases(tiny):
        yield VectorInput(
            f"allocation-evaluate-range-{name}",
            "allocation.evaluate",
            {"instance": serial.encode(instance), "allocation": allocation},
            note,
        )
    for name, data, assigned, note in _schema_cases(tiny, allocation):
        yield VectorInput(
            f"allocation-evaluate-schema-{name}",
            "allocation.evaluate",
            {"instance": data, "allocation": assigned},
            note,
        )
    legacy = serial.encode(tiny)
    legacy["nodes"][0]["role"] = "control"
    yield VectorInput(
        "allocation-evaluate-legacy-control-role",
        "allocation.evaluate",
        {"instance": legacy, "allocation": allocation},
        'a node role spelled "control" reads as "management_control"',
    )
    yield VectorInput(
        "allocation-float-range-tiny", "allocation.float_range", {"instance": serial.encode(tiny)}
    )
    for name, instance, note in _float_range_cases(tiny):
        yield VectorInput(
            f"allocation-float-range-{name}",
            "allocation.float_range",
            {"instance": serial.encode(instance)},
            note,
        )
    yield VectorInput(
        "allocation-float-range-invalid-instance",
        "allocation.float_range",
        {"instance": serial.encode(with_node(tiny, "n0", trust=Fraction(2)))},
        "an instance the exact checks refuse is refused first",
    )
    base = {"instance": serial.encode(tiny), "allocation": allocation}
    for label, k, bindable in (
        ("zero", 0, None),
        ("three", 3, None),
        ("all", 1000, None),
        ("bindable-all", 1000, True),
        ("not-bindable-five", 5, False),
        ("negative", -1, None),
    ):
        extra: dict[str, Any] = {"k": k} if bindable is None else {"k": k, "bindable": bindable}
        yield VectorInput(f"allocation-tightest-{label}", "allocation.tightest", base | extra)
