"""Write a run as a ``system`` trace: the JSON-lines record ``vdlt audit`` checks (Fig. 3).

Header: ``{"trace": "system", "version": 1, "architecture", "seed", "signatures", "epoch",
"management", "execution", "roles", "queue"}``. Events, in pipeline order: ``submit`` (a
transaction, its declared and effective class), ``queue`` (its CBWFQ departure: start, finish)
or ``drop`` (with the reason), ``order`` (a management block: seq, transactions, digest,
certificate), ``allocation`` (an epoch's certified groups), ``user_block`` (producer, group,
height, transactions, digest, certificate), ``confirm`` (a transaction, its block, the time),
``pending`` (with the reason) and ``penalty`` (a slash the run's evidence led to, §IV-J). The
same run gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vdlt_spec import serial
from vdlt_spec.crypto import Certificate
from vdlt_spec.system.records import SystemRun, TxStatus

KIND = "system"
TRACE_VERSION = 1
"""The trace format version (the audit reader's)."""


def _cert(certificate: Certificate | None) -> Any:
    return None if certificate is None else serial.encode(certificate)


def header(run: SystemRun) -> dict[str, Any]:
    """Return the trace header of a run: its parameters and node roles."""
    return {
        "trace": KIND,
        "version": TRACE_VERSION,
        "architecture": run.architecture.value,
        "seed": run.seed,
        "signatures": run.signatures,
        "epoch": run.epoch,
        "management": list(run.management),
        "execution": list(run.execution),
        "roles": dict(sorted(run.roles.items())),
        "queue": None if run.queue_config is None else serial.encode(run.queue_config),
    }


def events(run: SystemRun) -> Iterator[dict[str, Any]]:
    """Yield the events of a run in pipeline order (§III-B)."""
    for tx in run.txs:
        yield {
            "type": "submit",
            "id": tx.id,
            "sender": tx.sender,
            "declared": int(tx.declared),
            "effective": int(tx.effective),
            "size": tx.size,
            "arrival": serial.encode(tx.arrival),
            "stream": tx.stream,
        }
    rate = run.queue_config.rate if run.queue_config is not None else 1
    for tx in run.txs:
        if tx.status == TxStatus.DROPPED:
            yield {"type": "drop", "id": tx.id, "reason": tx.reason}
        elif tx.queued is not None:
            start = tx.queued - tx.size / rate
            yield {
                "type": "queue",
                "id": tx.id,
                "start": serial.encode(start),
                "finish": serial.encode(tx.queued),
            }
    for block in run.order_blocks:
        yield {
            "type": "order",
            "seq": block.seq,
            "txs": list(block.txs),
            "digest": block.digest.hex(),
            "certificate": _cert(block.certificate),
        }
    for decision in run.allocations:
        yield {
            "type": "allocation",
            "epoch": decision.epoch,
            "groups": [serial.encode(g) for g in decision.groups],
            "digest": decision.digest.hex(),
            "certificate": _cert(decision.certificate),
        }
    for ub in run.user_blocks:
        yield {
            "type": "user_block",
            "index": ub.index,
            "chain": ub.chain,
            "epoch": ub.epoch,
            "stream": ub.stream,
            "group": list(ub.group),
            "producer": ub.producer,
            "height": ub.height,
            "txs": list(ub.txs),
            "digest": ub.digest.hex(),
            "certificate": _cert(ub.certificate),
        }
    for tx in run.txs:
        if tx.status == TxStatus.CONFIRMED:
            yield {
                "type": "confirm",
                "id": tx.id,
                "block": tx.block,
                "time": serial.encode(tx.confirmed),
            }
        elif tx.status == TxStatus.PENDING:
            yield {"type": "pending", "id": tx.id, "reason": tx.reason}
    for penalty in run.penalties:
        yield {"type": "penalty", **serial.encode(penalty)}


def render_trace(run: SystemRun) -> str:
    """Return the whole trace of a run as JSON lines (sorted keys: byte-identical per seed)."""
    lines = [serial.dumps(header(run))]
    lines.extend(serial.dumps(event) for event in events(run))
    return "\n".join(lines) + "\n"
