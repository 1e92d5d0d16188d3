"""Reclassification in front of the queues: what the scheduler receives (§III-A, §IV-A, Fig. 7)."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given, settings

from vdlt_spec.cos import (
    Sender,
    ServiceClass,
    Transaction,
    class_of,
    cos_byte,
    reclassify_from,
    reserved_bits,
)
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.queuing import (
    WorkloadSpec,
    admit,
    default_config,
    mixed_workload,
    run,
    run_fast,
    schedule_workload,
    workload_senders,
)
from vdlt_spec.roles import NodeRole
from vdlt_spec.strategies import banned_flags, role_sets, transactions, trusts

SC = ServiceClass
HONEST = Sender(Fraction(1))
MANAGER = Sender(Fraction(1), frozenset({NodeRole.MANAGEMENT_CONTROL}))
BANNED = Sender(Fraction(1), frozenset({NodeRole.MANAGEMENT_CONTROL}), banned=True)
DOUBTFUL = Sender(Fraction(1, 4))


def _tx(i: int, sender: str, cls: ServiceClass, reserved: int = 0) -> Transaction:
    return Transaction(i, sender, cos_byte(cls, reserved), 1, Fraction(i))


def test_the_receiving_node_reclassifies_before_the_queue() -> None:
    senders = {"user": HONEST, "manager": MANAGER, "banned": BANNED, "doubtful": DOUBTFUL}
    offered = (
        _tx(0, "user", SC.MANAGEMENT_CONTROL, 5),
        _tx(1, "manager", SC.MANAGEMENT_CONTROL),
        _tx(2, "banned", SC.FAST_CONFIRMATION, 31),
        _tx(3, "doubtful", SC.FAST_CONFIRMATION),
        _tx(4, "user", SC.FAST_CONFIRMATION),
    )
    admitted = admit(offered, senders)
    assert [t.service_class for t in admitted] == [
        SC.BEST_EFFORT,
        SC.MANAGEMENT_CONTROL,
        SC.SCAVENGER,
        SC.BEST_EFFORT,
        SC.FAST_CONFIRMATION,
    ]
    assert [reserved_bits(t.cos) for t in admitted] == [5, 0, 31, 0, 0]
    queued, schedule = schedule_workload(default_config(), offered, senders)
    assert queued == admitted and schedule == run(default_config(), admitted)
    assert {d.id: d.service_class for d in schedule.departures}[0] is SC.BEST_EFFORT


def test_an_unknown_sender_is_rejected() -> None:
    with pytest.raises(SpecError) as info:
        admit((_tx(0, "stranger", SC.LOW_COST),), {"user": HONEST})
    assert info.value.reason is Reason.BAD_SENDER


@given(transactions(), trusts, role_sets, banned_flags)
@settings(max_examples=100)
def test_admission_is_reclassification_by_the_sender_known(
    tx: Transaction, trust: Fraction, roles: frozenset[NodeRole], banned: bool
) -> None:
    sender = Sender(trust, roles, banned)
    assert admit((tx,), {tx.sender: sender}) == (reclassify_from(tx, sender)[0],)


def test_a_mixed_workload_is_kept_as_declared_by_its_senders() -> None:
    spec = WorkloadSpec(count=400, load=Fraction(6, 5))
    offered = mixed_workload(spec, random.Random(4))
    queued, schedule = schedule_workload(
        default_config(), offered, workload_senders(spec), scheduler=run_fast
    )
    assert queued == offered
    assert schedule == run(default_config(), offered)
    assert {class_of(t.cos) for t in queued} == set(SC)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda: Sender(Fraction(3, 2)), Reason.TRUST_OUT_OF_RANGE),
        (lambda: Sender(Fraction(1), frozenset({"king"})), Reason.UNKNOWN_ROLE),  # type: ignore[arg-type]
        (lambda: Sender(Fraction(1), banned="yes"), Reason.SCHEMA_VIOLATION),  # type: ignore[arg-type]
    ],
)
def test_a_sender_record_is_validated(make: object, reason: Reason) -> None:
    with pytest.raises(SpecError) as info:
        make()  # type: ignore[operator]
    assert info.value.reason is reason
