"""Compute the observation of :mod:`vdlt_spec.drl.features` from scaled integers (§IV-F).

:func:`fast_observe` returns the very array :func:`vdlt_spec.drl.features.observe` returns,
bit for bit: every feature that is a ratio of two exact quantities is computed as the ratio of
their scaled integers (Python's ``int / int`` is correctly rounded, as ``float(Fraction)``
is), every sum of floats is taken in the same order, and the C1 feature goes through the same
NumPy code. A property test checks the equality.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

from vdlt_spec.allocation.decision import Assignment
from vdlt_spec.allocation.instance import Instance, TransactionStream, Utility
from vdlt_spec.cos import CLASS_RANKING
from vdlt_spec.drl.fastmenu import ScaledReservations
from vdlt_spec.drl.features import (
    BOUND,
    GLOBAL,
    PER_ACTION,
    SIZE,
    Scale,
    c1_of_floats,
    least_reserved,
    reference_gain,
)
from vdlt_spec.drl.menu import MENU_SIZE
from vdlt_spec.roles import NodeRole


def _entry_row(
    state: ScaledReservations, tx: TransactionStream, a: Assignment, s: Scale, base: list[float]
) -> list[float]:
    """Return :func:`vdlt_spec.drl.features._entry_row`'s row for ``a``, from integers.

    ``base`` holds each node's load now, as the nearest double of its exact value.
    """
    inst, p = state.instance, state.plan
    t = p.tx(tx)
    e = state.entry(tx, a)
    js, rates, cost = e.nodes, e.rates, e.cost
    nodes = [inst.nodes[j] for j in js]
    k = len(js)
    tps = p.tps
    loads = list(base)
    for j in js:
        loads[j] = (state.load_i[j] + t.load) / tps
    if inst.utility is Utility.THROUGHPUT:
        earned = float(tx.throughput_tps)
    else:
        value = Fraction(tx.value)
        earned = (value.numerator * p.tokens - cost * value.denominator) / (
            value.denominator * p.tokens
        )
    cpu = state.cpu_i
    return [
        1.0,
        0.0,
        earned / s.gain,
        sum(rates) / p.ghz / s.reserved,
        k / inst.max_replicas,
        max(r / cpu[j] for j, r in zip(js, rates, strict=True)),
        sum(n.private for n in nodes) / k,
        sum(n.role is NodeRole.MANAGEMENT_CONTROL for n in nodes) / k,
        float(a.control_ghz) / s.top_control,
        c1_of_floats(inst, loads),
        cost / t.budget if t.budget > 0 else 0.0,
        sum((cpu[j] - r) / p.capacity_i[j] for j, r in zip(js, rates, strict=True)) / k,
    ]


def fast_observe(
    instance: Instance,
    state: ScaledReservations,
    order: list[TransactionStream],
    cursor: int,
    tx: TransactionStream | None,
    entries: tuple[Assignment | None, ...],
    reject_allowed: bool,
    s: Scale,
) -> NDArray[np.float32]:
    """Return :func:`vdlt_spec.drl.features.observe`'s observation, from integers (§IV-F)."""
    p = state.plan
    out = np.zeros(SIZE, dtype=np.float64)
    n = max(len(order), 1)
    free_cpu = sum(state.cpu_i) / p.ghz
    base = [x / p.tps for x in state.load_i]
    c1_now = c1_of_floats(instance, base)
    head = [
        cursor / n,
        free_cpu / s.cpu,
        state.control_i / p.ghz / s.control,
        sum(state.disk_i) / p.gb / s.disk,
        sum(state.link_i) / p.mbps / s.link,
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
    rows: dict[int, list[float]] = {}
    for i, a in enumerate(entries):
        if a is not None and tx is not None:
            start = GLOBAL + i * PER_ACTION
            row = rows.get(id(a))
            if row is None:
                row = rows[id(a)] = _entry_row(state, tx, a, s, base)
            out[start : start + PER_ACTION] = row
    start = GLOBAL + MENU_SIZE * PER_ACTION
    out[start] = float(reject_allowed)
    out[start + 1] = 1.0
    out[start + 9] = c1_now
    return np.clip(out, -BOUND, BOUND).astype(np.float32)
