"""Read an allocation out of a solved model, and write one into it as a warm start (§IV-E).

Solvers return floats: a binary is on above :data:`ON`. An allocation handed in is first
renamed so that identical nodes carry non-increasing loads, the order the model's symmetry
rows demand.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

from vdlt_spec.allocation import quantities as q
from vdlt_spec.allocation.decision import Allocation, Assignment, Replica
from vdlt_spec.models.milp.model import AllocationModel

#: A binary is "on" above this value (solvers return floats).
ON = 0.5


def extract(model: AllocationModel, values: dict[str, float]) -> Allocation:
    """Read the allocation encoded by the variable values of a solved model (§IV-E)."""
    inst = model.instance
    assignments = []
    for n, x in model.admit.items():
        if values.get(x.name, 0.0) <= ON:
            continue
        ms = [m for (nn, m), v in model.control.items() if nn == n and values.get(v.name, 0) > ON]
        replicas = [
            Replica(inst.nodes[c.j].id, c.rate)
            for c in model.candidates[n]
            if values.get(model.place[(n, c.j, c.level)].name, 0.0) > ON
        ]
        rho = inst.control_levels_ghz[ms[0]] if ms else inst.control_levels_ghz[0]
        assignments.append(Assignment(inst.transactions[n].id, rho, tuple(replicas)))
    return Allocation(tuple(assignments))


def _sorted_identical(model: AllocationModel, allocation: Allocation) -> Allocation:
    inst = model.instance
    if not model.symmetric_groups:
        return allocation
    load: dict[str, Fraction] = defaultdict(Fraction)
    tps = {t.id: t.throughput_tps for t in inst.transactions}
    for a in allocation.assignments:
        for r in a.replicas:
            load[r.node] += tps[a.transaction]
    rename: dict[str, str] = {}
    for group in model.symmetric_groups:
        ids = [inst.nodes[j].id for j in group]
        by_load = sorted(ids, key=lambda i: (-load[i], ids.index(i)))
        rename.update(dict(zip(by_load, ids, strict=True)))
    return Allocation(
        tuple(
            Assignment(
                a.transaction,
                a.control_ghz,
                tuple(Replica(rename.get(r.node, r.node), r.rate_ghz) for r in a.replicas),
            )
            for a in allocation.assignments
        )
    )


def start_values(model: AllocationModel, allocation: Allocation) -> dict[str, float] | None:
    """Map an allocation onto the model's variables for a warm start (D-alloc-12); None if not.

    A replica on a dominated (pruned) level is moved to the dominating one, which keeps every
    constraint satisfied (D-alloc-12); anything else outside the model means no warm start.
    """
    inst = model.instance
    allocation = _sorted_identical(model, allocation)
    values: dict[str, float] = {v.name: 0.0 for v in model.problem.variables()}
    t_index = inst.transaction_index
    n_index = inst.node_index
    loads: dict[int, Fraction] = defaultdict(Fraction)
    for a in allocation.assignments:
        n = t_index[a.transaction]
        tx = inst.transactions[n]
        if a.control_ghz not in inst.control_levels_ghz:
            return None
        m = inst.control_levels_ghz.index(a.control_ghz)
        if (n, m) not in model.control:
            return None
        values[model.admit[n].name] = 1.0
        values[model.control[(n, m)].name] = 1.0
        for r in a.replicas:
            j = n_index[r.node]
            options = [c for c in model.candidates[n] if c.j == j]
            chosen = next((c for c in options if c.rate == r.rate_ghz), None)
            if chosen is None and options and r.rate_ghz > options[-1].rate:
                chosen = options[-1]
            if chosen is None:
                return None
            values[model.place[(n, j, chosen.level)].name] = 1.0
            loads[j] += tx.throughput_tps
        k = len(a.replicas)
        values[model.size[n].name] = float(k)
        values[model.faults[n].name] = float(q.fault_bound(k))
    if model.theta is not None:
        top = inst.decentralization_nodes - 1
        ordered = sorted(loads.values(), reverse=True) + [Fraction(0)] * len(inst.nodes)
        theta = ordered[top - 1]
        values[model.theta.name] = float(theta)
        for j, e in model.excess.items():
            values[e.name] = float(max(loads[j] - theta, Fraction(0)))
    return values
