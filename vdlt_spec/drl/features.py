"""Describe a state of the allocation MDP as a float vector the agent reads (§IV-F).

The vector does not depend on the instance's size: a global part (progress, capacity still
free, the transaction being decided, its class, the demand still to come, C1's slack) and
one row of the same features per action (each menu entry and reject: what it gains, what it
reserves, how it loads the nodes). An agent scores each action from the global part and the
action's row, so one agent serves instances of any size. The features only guide the agent;
the allocation the episode produces is exact and scored exactly by the evaluator.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

from vdlt_spec.allocation import quantities as q
from vdlt_spec.allocation.decision import Assignment
from vdlt_spec.allocation.instance import Instance, TransactionStream, Utility
from vdlt_spec.allocation.reservations import Reservations
from vdlt_spec.cos import CLASS_RANKING
from vdlt_spec.drl.menu import MENU_SIZE, gain
from vdlt_spec.roles import NodeRole

#: Features of the state as a whole.
GLOBAL = 15 + len(CLASS_RANKING)
#: Features of one action (a menu entry or reject).
PER_ACTION = 12
#: Actions: the menu entries, then reject.
ACTIONS = MENU_SIZE + 1
#: Length of the observation vector.
SIZE = GLOBAL + ACTIONS * PER_ACTION
#: Every feature is clipped to [-BOUND, BOUND].
BOUND = 10.0


def reference_gain(instance: Instance, tx: TransactionStream) -> float:
    """Return the gain that normalises ``tx``'s features: its throughput or value."""
    return float(tx.throughput_tps if instance.utility is Utility.THROUGHPUT else tx.value)


def least_reserved(instance: Instance, tx: TransactionStream) -> float:
    """Return the least execution rate ``tx`` reserves: its lowest level times K^min."""
    need = q.execution_demand_ghz(tx)
    rate = next((r for r in instance.rate_levels_ghz if r >= need), instance.rate_levels_ghz[-1])
    return float(rate * tx.min_replicas)


@dataclass(frozen=True)
class Scale:
    """Hold an instance's normalisers and per-position demands, computed once per episode."""

    gain: float
    reserved: float
    cpu: float
    control: float
    disk: float
    link: float
    top_control: float
    later_reserved: tuple[float, ...]  # demand of the transactions after each position
    later_gain: tuple[float, ...]
    total_gain: float

    @classmethod
    def of(cls, instance: Instance, order: list[TransactionStream]) -> Scale:
        """Return the normalisers of ``instance`` for transactions decided in ``order``."""
        gains = [reference_gain(instance, t) for t in order]
        reserved = [least_reserved(instance, t) for t in order]
        n = max(len(order), 1)
        later_r = sum(reserved) - np.cumsum(reserved, dtype=np.float64)
        later_g = sum(gains) - np.cumsum(gains, dtype=np.float64)
        return cls(
            gain=max(sum(gains) / n, 1.0),
            reserved=max(sum(reserved) / n, 1.0),
            cpu=max(float(sum((x.cpu_ghz for x in instance.nodes), Fraction(0))), 1e-9),
            control=max(float(instance.control_capacity_ghz), 1e-9),
            disk=max(float(sum((x.storage_gb for x in instance.nodes), Fraction(0))), 1e-9),
            link=max(float(sum((x.bandwidth_mbps for x in instance.nodes), Fraction(0))), 1e-9),
            top_control=float(instance.control_levels_ghz[-1]),
            later_reserved=tuple(float(x) for x in later_r),
            later_gain=tuple(float(x) for x in later_g),
            total_gain=max(sum(gains), 1e-9),
        )


def _c1(instance: Instance, loads: list[Fraction]) -> float:
    """Return C1's slack over the total load, in floats (a feature, not a check)."""
    return c1_of_floats(instance, [float(x) for x in loads])


def c1_of_floats(instance: Instance, loads: list[float]) -> float:
    """Return C1's slack over the total load from each load's nearest double."""
    values = np.sort(np.array(loads))[::-1]
    total = float(values.sum())
    top = float(values[: max(instance.decentralization_nodes - 1, 0)].sum())
    return (float(instance.decentralization_share) * total - top) / max(total, 1.0)


def _entry_row(
    instance: Instance, state: Reservations, tx: TransactionStream, a: Assignment, s: Scale
) -> list[float]:
    nodes = [instance.node(r.node) for r in a.replicas]
    k = len(a.replicas)
    loads = dict(state.load)
    for r in a.replicas:
        loads[r.node] += tx.throughput_tps
    cost = q.control_cost(instance, a.control_ghz) + sum(
        (q.replica_cost(tx, n, r.rate_ghz) for n, r in zip(nodes, a.replicas, strict=True)),
        Fraction(0),
    )
    return [
        1.0,
        0.0,
        float(gain(instance, tx, a)) / s.gain,
        float(sum((r.rate_ghz for r in a.replicas), Fraction(0))) / s.reserved,
        k / instance.max_replicas,
        max(float(r.rate_ghz / state.cpu[r.node]) for r in a.replicas),
        sum(n.private for n in nodes) / k,
        sum(n.role is NodeRole.MANAGEMENT_CONTROL for n in nodes) / k,
        float(a.control_ghz) / s.top_control,
        _c1(instance, list(loads.values())),
        float(cost / tx.budget) if tx.budget > 0 else 0.0,
        sum(
            float((state.cpu[n.id] - r.rate_ghz) / n.cpu_ghz)
            for n, r in zip(nodes, a.replicas, strict=True)
        )
        / k,
    ]


def observe(
    instance: Instance,
    state: Reservations,
    order: list[TransactionStream],
    cursor: int,
    tx: TransactionStream | None,
    entries: tuple[Assignment | None, ...],
    reject_allowed: bool,
    s: Scale,
) -> NDArray[np.float32]:
    """Return the observation: global features, then one row per action (§IV-F)."""
    out = np.zeros(SIZE, dtype=np.float64)
    n = max(len(order), 1)
    free_cpu = float(sum(state.cpu.values(), Fraction(0)))
    c1_now = _c1(instance, list(state.load.values()))
    head = [
        cursor / n,
        free_cpu / s.cpu,
        float(state.control) / s.control,
        float(sum(state.disk.values(), Fraction(0))) / s.disk,
        float(sum(state.link.values(), Fraction(0))) / s.link,
        len(state.placed) / n,
        float(instance.utility is Utility.WELFARE),
        c1_now,
    ]
    if tx is not None:
        head += [
            reference_gain(instance, tx) / s.gain,
            least_reserved(instance, tx) / s.reserved,
            float(tx.mandatory),
            float(tx.private),
            float(tx.high_security),
            s.later_reserved[cursor] / max(free_cpu, 1e-9),
            s.later_gain[cursor] / s.total_gain,
        ]
        head += [float(tx.service_class is c) for c in CLASS_RANKING]
    out[: len(head)] = head
    for i, a in enumerate(entries):
        if a is not None and tx is not None:
            start = GLOBAL + i * PER_ACTION
            out[start : start + PER_ACTION] = _entry_row(instance, state, tx, a, s)
    start = GLOBAL + MENU_SIZE * PER_ACTION
    out[start] = float(reject_allowed)
    out[start + 1] = 1.0
    out[start + 9] = c1_now
    return np.clip(out, -BOUND, BOUND).astype(np.float32)
