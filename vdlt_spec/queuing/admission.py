"""Reclassify arriving transactions at the receiving node, then queue them (§III-A, §IV-A, Fig. 7).

This is the order the chain follows: a transaction arrives with the CoS byte its sender
declared; the receiving management/control node looks up what it knows of the sender
(:class:`vdlt_spec.cos.Sender`: trust, node roles, standing) and rewrites the class bits to the
effective class (§III-A); only then does the transaction join its class queue (§IV-A). The
scheduler itself (:func:`vdlt_spec.queuing.scheduler.run`) takes transactions as already
classified.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from vdlt_spec.cos import (
    DEFAULT_POLICY,
    ReclassificationPolicy,
    Sender,
    Transaction,
    reclassify_from,
)
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.queuing.config import CbwfqConfig
from vdlt_spec.queuing.scheduler import Schedule, run

Scheduler = Callable[[CbwfqConfig, Iterable[Transaction]], Schedule]


def admit(
    arrivals: Iterable[Transaction],
    senders: Mapping[str, Sender],
    policy: ReclassificationPolicy = DEFAULT_POLICY,
) -> tuple[Transaction, ...]:
    """Reclassify every arriving transaction by what is known of its sender (§III-A).

    A transaction from a sender the node does not know is rejected with ``BAD_SENDER``.
    """
    admitted = []
    for tx in arrivals:
        if not isinstance(tx, Transaction):
            raise SpecError(Reason.SCHEMA_VIOLATION, f"not a Transaction: {tx!r}")
        sender = senders.get(tx.sender)
        if sender is None:
            raise SpecError(
                Reason.BAD_SENDER, f"transaction {tx.id}: sender {tx.sender!r} is not known"
            )
        admitted.append(reclassify_from(tx, sender, policy)[0])
    return tuple(admitted)


def schedule_workload(
    config: CbwfqConfig,
    arrivals: Iterable[Transaction],
    senders: Mapping[str, Sender],
    policy: ReclassificationPolicy = DEFAULT_POLICY,
    scheduler: Scheduler = run,
) -> tuple[tuple[Transaction, ...], Schedule]:
    """Reclassify a workload, then schedule it; return what was queued and the schedule (§IV-A)."""
    admitted = admit(arrivals, senders, policy)
    return admitted, scheduler(config, admitted)
