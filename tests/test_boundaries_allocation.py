"""Boundary values of every row of Eq. (1), through ``allocation.evaluate`` (§IV-E, §IV-G).

For each constraint the instance or the allocation is moved so that the row's slack is exactly
-ε, 0 or +ε (ε = 1/1000 in the row's unit): at 0 and +ε the row holds, at -ε it does not. C5
and the group-size rows count replicas, so their steps are whole replicas. A strict comparison
where Eq. (1) has a non-strict one (or the reverse) fails here.

:func:`boundary_cases` returns the cases as (operation, input, expected) data for conformance
vectors: ``allocation.row`` with the constraint key, the value and the bound the evaluator
reports (fractions as strings), and whether the row holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction
from typing import Any

import pytest

from vdlt_spec.allocation import rules
from vdlt_spec.allocation.bundled import bundled_instances
from vdlt_spec.allocation.decision import Allocation, Assignment, Replica
from vdlt_spec.allocation.evaluator import ROW_RULES, Constraint, ConstraintReport, evaluate
from vdlt_spec.allocation.instance import Instance, Node, TransactionStream

EPS = Fraction(1, 1000)
STEPS = (-EPS, Fraction(0), EPS)
Case = tuple[Instance, Allocation]
Setter = Callable[[Fraction], Case]


def _base() -> Instance:
    tiny = bundled_instances()["tiny-exhaustive"]
    t1 = replace(tiny.transactions[1], storage_gb=Fraction(1))
    return replace(tiny, max_replicas=4, transactions=(tiny.transactions[0], t1))


BASE = _base()


def _node(instance: Instance, node_id: str, **changes: Any) -> Instance:
    nodes = tuple(replace(n, **changes) if n.id == node_id else n for n in instance.nodes)
    return replace(instance, nodes=nodes)


def _tx(instance: Instance, tx_id: str, **changes: Any) -> Instance:
    txs = tuple(replace(t, **changes) if t.id == tx_id else t for t in instance.transactions)
    return replace(instance, transactions=txs)


def _private(rate: Fraction = Fraction(2), control: Fraction = Fraction(1)) -> Allocation:
    """Place the private stream t1 on the two private nodes n0 and n2."""
    replicas = (Replica("n0", rate), Replica("n2", rate))
    return Allocation((Assignment("t1", control, replicas),))


def _four(instance: Instance) -> Case:
    """Place t0 on all four nodes: K = 4, so f = 1."""
    replicas = tuple(Replica(n.id, Fraction(1)) for n in instance.nodes)
    return instance, Allocation((Assignment("t0", Fraction(1), replicas),))


def _latency(d: Fraction) -> Case:
    value = Fraction(333, 5)  # the slowest replica of the base placement, ms
    return _tx(BASE, "t1", latency_ms=value + d), _private()


def _throughput(d: Fraction) -> Case:
    return BASE, _private(rate=Fraction(1) + d)  # demand 25 tx/s · 40 Mcycles = 1 GHz


def _ordering(d: Fraction) -> Case:
    return BASE, _private(control=Fraction(1, 8) + d)  # 25 tx/s · 5 Mcycles = 1/8 GHz


def _cost(d: Fraction) -> Case:
    return _tx(BASE, "t1", budget=Fraction(7) + d), _private()  # compute 5 + storage 2


def _security(d: Fraction) -> Case:
    # expected faulty = (1 - trust(n0)) + (1 - 9/10) = 1 + d against f = 1
    return _four(_node(BASE, "n0", trust=Fraction(1, 10) - d))


def _cpu(d: Fraction) -> Case:
    return _node(BASE, "n0", cpu_ghz=Fraction(2) - d), _private()


def _storage(d: Fraction) -> Case:
    return _node(BASE, "n0", storage_gb=Fraction(1) - d), _private()


def _bandwidth(d: Fraction) -> Case:
    return _node(BASE, "n0", bandwidth_mbps=Fraction(2) - d), _private()


def _control(d: Fraction) -> Case:
    return replace(BASE, control_capacity_ghz=Fraction(1) - d), _private()


def _decentralization(d: Fraction) -> Case:
    # loads n0 = n2 = 25 tx/s of 50: the top D - 1 = 1 load holds share 1/2 exactly at d = 0
    return replace(BASE, decentralization_share=Fraction(1, 2) - d / 50), _private()


#: (constraint, subject, setter): the setter's argument d moves the row's slack to exactly d for
#: the rows whose bound moves up with d and to -d for those (capacities, C1) it moves down with.
CONTINUOUS: tuple[tuple[Constraint, str, Setter, int], ...] = (
    (Constraint.LATENCY, "t1", _latency, 1),
    (Constraint.THROUGHPUT, "t1", _throughput, 1),
    (Constraint.ORDERING_THROUGHPUT, "t1", _ordering, 1),
    (Constraint.COST, "t1", _cost, 1),
    (Constraint.SECURITY, "t0", _security, -1),
    (Constraint.CPU, "n0", _cpu, -1),
    (Constraint.STORAGE, "n0", _storage, -1),
    (Constraint.BANDWIDTH, "n0", _bandwidth, -1),
    (Constraint.CONTROL_CAPACITY, "system", _control, -1),
    (Constraint.DECENTRALIZATION, "system", _decentralization, -1),
)


def _report(case: Case, constraint: Constraint, subject: str) -> ConstraintReport:
    instance, allocation = case
    found = [
        r
        for r in evaluate(instance, allocation).reports
        if r.constraint is constraint and r.subject == subject
    ]
    assert len(found) == 1, (constraint, subject, found)
    return found[0]


@pytest.mark.parametrize(("constraint", "subject", "setter", "sign"), CONTINUOUS)
@pytest.mark.parametrize("step", STEPS)
def test_each_row_holds_at_its_bound_and_fails_just_past_it(
    constraint: Constraint, subject: str, setter: Setter, sign: int, step: Fraction
) -> None:
    report = _report(setter(sign * step), constraint, subject)
    assert report.slack == step
    assert report.satisfied is (step >= 0)


def _exposed(private_n2: bool) -> Case:
    return _node(BASE, "n2", private=private_n2), _private()


@pytest.mark.parametrize(("private_n2", "holds"), [(True, True), (False, False)])
def test_privacy_holds_with_no_exposed_replica_and_fails_with_one(
    private_n2: bool, holds: bool
) -> None:
    report = _report(_exposed(private_n2), Constraint.PRIVACY, "t1")
    assert report.value == (0 if holds else 1)
    assert report.satisfied is holds


@pytest.mark.parametrize(("minimum", "holds"), [(1, True), (2, True), (3, False)])
def test_the_group_holds_at_its_minimum_size(minimum: int, holds: bool) -> None:
    case = _tx(BASE, "t1", min_replicas=minimum), _private()
    assert _report(case, Constraint.REPLICAS_MIN, "t1").satisfied is holds


@pytest.mark.parametrize(("maximum", "holds"), [(1, False), (2, True), (3, True)])
def test_the_group_holds_at_its_maximum_size(maximum: int, holds: bool) -> None:
    case = replace(BASE, max_replicas=maximum), _private()
    assert _report(case, Constraint.REPLICAS_MAX, "t1").satisfied is holds


def test_security_for_three_replicas_allows_no_expected_fault() -> None:
    """K = 3 (n divisible by 3): f = 0, so any untrusted replica breaks the row."""
    trusted = _node(_node(BASE, "n2", trust=Fraction(1)), "n3", trust=Fraction(1))
    replicas = (Replica("n0", Fraction(1)), Replica("n1", Fraction(1)), Replica("n2", Fraction(1)))
    allocation = Allocation((Assignment("t0", Fraction(1), replicas),))
    assert _report((trusted, allocation), Constraint.SECURITY, "t0").satisfied
    shaky = _node(trusted, "n1", trust=1 - EPS)
    assert not _report((shaky, allocation), Constraint.SECURITY, "t0").satisfied


def test_every_row_rule_is_the_evaluators() -> None:
    """The evaluator judges every constraint with a rule of vdlt_spec.allocation.rules."""
    assert set(ROW_RULES) == set(Constraint)
    names = set(rules.__all__)
    assert all(rule.__name__ in names for rule in ROW_RULES.values())


def boundary_cases() -> list[tuple[str, dict[str, Any], bool]]:
    """Return every continuous case as conformance data: the row, its value and bound, holds."""
    out = []
    for constraint, subject, setter, sign in CONTINUOUS:
        for step in STEPS:
            report = _report(setter(sign * step), constraint, subject)
            args = {
                "constraint": constraint.value,
                "value": str(report.value),
                "bound": str(report.bound),
            }
            out.append(("allocation.row", args, report.satisfied))
    return out


def test_the_boundary_cases_are_data() -> None:
    cases = boundary_cases()
    assert len(cases) == 3 * len(CONTINUOUS)
    assert [holds for _, _, holds in cases] == [False, True, True] * len(CONTINUOUS)


def test_node_and_stream_types_are_the_instance_types() -> None:
    assert all(isinstance(n, Node) for n in BASE.nodes)
    assert all(isinstance(t, TransactionStream) for t in BASE.transactions)
