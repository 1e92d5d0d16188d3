"""Audit a recorded run of the vDLT system of Fig. 3 (trace kind ``system``, §III-B).

The trace is :mod:`vdlt_spec.system.trace`'s. Rules:

* ``management-never-produces``: every user block's producer holds a role that produces user
  blocks (:data:`vdlt_spec.roles.PRODUCES_USER_BLOCKS`) and belongs to the block's group;
* ``quorum-certificate``: every user block's digest is its transactions' block digest and its
  certificate is a valid commit certificate (quorum by 3k > 2n) of the group, in the group's
  signing domain; in a decoupled run the group is the one the certified allocation of the
  block's epoch named for its stream, and every ordering block and allocation decision carries
  a valid certificate of the management group;
* ``exactly-once``: every confirmed transaction was ordered once, carried by one user block
  and confirmed once, and that block lists it;
* ``class-isolation``: the control layer's schedule keeps every CBWFQ invariant that isolates
  classes (FIFO per class queue, tail drop per queue, the GPS bound), checked with
  :mod:`vdlt_spec.queuing.invariants` under the configuration in force;
* ``conservation``: every submitted transaction is exactly one of confirmed, dropped with a
  reason, or pending with a reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from vdlt_spec import serial
from vdlt_spec.audit.auditor import Audit, Finding, auditor
from vdlt_spec.audit.trace import Trace, TraceEvent
from vdlt_spec.cos import ServiceClass, Transaction, cos_byte
from vdlt_spec.crypto import Certificate
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.queuing import CbwfqConfig, Departure, Drop, Schedule
from vdlt_spec.queuing.invariants import fifo_per_queue, gps_bound, tail_drops
from vdlt_spec.roles import PRODUCES_USER_BLOCKS, as_node_role
from vdlt_spec.system import (
    ALLOCATION_CHAIN,
    GroupChoice,
    allocation_digest,
    commit_message,
    digest_of,
    domain_of,
    group_scheme,
    group_seed,
    tx_block,
)

KIND = "system"
RULES = (
    "management-never-produces",
    "quorum-certificate",
    "exactly-once",
    "class-isolation",
    "conservation",
)
CLASS_SHIFT = 5


def _decode(tp: Any, data: Any, line: int) -> Any:
    try:
        return serial.decode(tp, data, f"line {line}")
    except SpecError as exc:
        raise SpecError(Reason.BAD_TRACE, exc.detail) from None


def _field(event: TraceEvent, name: str) -> Any:
    if name not in event.fields:
        raise SpecError(Reason.BAD_TRACE, f"line {event.line}: {event.type} needs {name!r}")
    return event.fields[name]


def _certificate(event: TraceEvent) -> Certificate | None:
    data = event.fields.get("certificate")
    return None if data is None else _decode(Certificate, data, event.line)


class _Audit:
    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.header = trace.header
        self.findings: list[Finding] = []
        self.by_type: dict[str, list[TraceEvent]] = {}
        for event in trace.events:
            self.by_type.setdefault(event.type, []).append(event)
        self.seed = int(self.header.get("seed", 0))
        self.signatures = str(self.header.get("signatures", "ideal"))
        self.epoch = int(self.header.get("epoch", 0))
        self.coupled = self.header.get("architecture") == "coupled"
        self.submits = {int(_field(e, "id")): e for e in self.of("submit")}

    def of(self, kind: str) -> list[TraceEvent]:
        return self.by_type.get(kind, [])

    def find(self, rule: str, line: int, message: str) -> None:
        self.findings.append(Finding(rule, line, message))

    def payloads(self, ids: list[int]) -> list[bytes]:
        return [
            bytes([int(_field(self.submits[i], "effective")) << CLASS_SHIFT])
            if i in self.submits
            else b""
            for i in ids
        ]

    def check_certificate(
        self,
        rule: str,
        event: TraceEvent,
        members: int,
        seed: int,
        chain: str,
        seq: int,
        digest: bytes,
    ) -> bool:
        certificate = _certificate(event)
        if certificate is None:
            self.find(rule, event.line, f"{event.type} carries no certificate")
            return False
        scheme = group_scheme(self.signatures, members, seed)
        message = commit_message(domain_of(scheme, chain, self.epoch), seq, digest)
        if not scheme.verify_certificate(message, certificate):
            self.find(rule, event.line, f"{event.type} certificate does not verify for its group")
            return False
        return True


def _management(a: _Audit) -> int:
    management = a.header.get("management") or []
    checked = 0
    for event in a.of("order"):
        checked += 1
        ids = [int(t) for t in _field(event, "txs")]
        digest = digest_of(tx_block(ids, a.payloads(ids)))
        if digest.hex() != _field(event, "digest"):
            a.find("quorum-certificate", event.line, "order block digest is not its transactions'")
        if not a.coupled and event.fields.get("certificate") is not None:
            a.check_certificate(
                "quorum-certificate",
                event,
                len(management),
                a.seed,
                "vdlt",
                int(_field(event, "seq")),
                digest,
            )
    for event in a.of("allocation"):
        checked += 1
        groups = [_decode(GroupChoice, g, event.line) for g in _field(event, "groups")]
        epoch = int(_field(event, "epoch"))
        digest = allocation_digest(epoch, groups)
        if digest.hex() != _field(event, "digest"):
            a.find("quorum-certificate", event.line, "allocation digest is not its groups'")
        if event.fields.get("certificate") is not None:
            a.check_certificate(
                "quorum-certificate",
                event,
                len(management),
                a.seed,
                ALLOCATION_CHAIN,
                epoch + 1,
                digest,
            )
    return checked


def _user_blocks(a: _Audit) -> tuple[int, dict[int, list[int]]]:
    roles = a.header.get("roles") or {}
    allocated: dict[tuple[int, str], tuple[str, ...]] = {}
    for event in a.of("allocation"):
        if event.fields.get("certificate") is None:
            continue
        for g in _field(event, "groups"):
            allocated[(int(_field(event, "epoch")), str(g["stream"]))] = tuple(g["members"])
    carried: dict[int, list[int]] = {}
    for event in a.of("user_block"):
        group = tuple(str(m) for m in _field(event, "group"))
        producer = str(_field(event, "producer"))
        if producer not in group:
            a.find("management-never-produces", event.line, f"producer {producer} not in group")
        role = roles.get(producer)
        if not a.coupled and (role is None or not PRODUCES_USER_BLOCKS[as_node_role(role)]):
            a.find(
                "management-never-produces",
                event.line,
                f"{producer} ({role}) produced a user block",
            )
        ids = [int(t) for t in _field(event, "txs")]
        for t in ids:
            carried.setdefault(t, []).append(int(_field(event, "index")))
        digest = digest_of(tx_block(ids, a.payloads(ids)))
        if digest.hex() != _field(event, "digest"):
            a.find("quorum-certificate", event.line, "user block digest is not its transactions'")
            continue
        chain = str(_field(event, "chain"))
        if not a.coupled:
            named = allocated.get((int(_field(event, "epoch")), str(_field(event, "stream"))))
            if named != group:
                a.find(
                    "quorum-certificate",
                    event.line,
                    "user block group is not the one the certified allocation named",
                )
                continue
        a.check_certificate(
            "quorum-certificate",
            event,
            len(group),
            group_seed(a.seed, chain, group),
            chain,
            int(_field(event, "height")),
            digest,
        )
    return len(a.of("user_block")), carried


def _exactly_once(a: _Audit, carried: dict[int, list[int]]) -> None:
    ordered = Counter(int(t) for e in a.of("order") for t in _field(e, "txs"))
    confirms = Counter(int(_field(e, "id")) for e in a.of("confirm"))
    for event in a.of("confirm"):
        tx = int(_field(event, "id"))
        if confirms[tx] != 1:
            a.find("exactly-once", event.line, f"transaction {tx} confirmed {confirms[tx]} times")
        if ordered[tx] != 1:
            a.find("exactly-once", event.line, f"transaction {tx} ordered {ordered[tx]} times")
        blocks = carried.get(tx, [])
        if blocks != [int(_field(event, "block"))]:
            a.find(
                "exactly-once",
                event.line,
                f"transaction {tx} is in user blocks {blocks},"
                f" confirmed by {event.fields['block']}",
            )


def _isolation(a: _Audit) -> None:
    queue = a.header.get("queue")
    if queue is None or a.coupled:
        return
    config = _decode(CbwfqConfig, queue, 1)
    arrivals = tuple(
        Transaction(
            int(_field(e, "id")),
            str(_field(e, "sender")),
            cos_byte(ServiceClass(int(_field(e, "effective")))),
            int(_field(e, "size")),
            _decode(Fraction, _field(e, "arrival"), e.line),
        )
        for e in a.of("submit")
    )
    klass = {tx.id: tx.service_class for tx in arrivals}
    departures = sorted(
        (
            Departure(
                int(_field(e, "id")),
                klass[int(_field(e, "id"))],
                _decode(Fraction, _field(e, "start"), e.line),
                _decode(Fraction, _field(e, "finish"), e.line),
            )
            for e in a.of("queue")
            if int(_field(e, "id")) in klass
        ),
        key=lambda d: (d.start, d.finish),
    )
    arrival = {tx.id: tx.arrival for tx in arrivals}
    drops = tuple(
        Drop(int(_field(e, "id")), klass[int(_field(e, "id"))], arrival[int(_field(e, "id"))])
        for e in a.of("drop")
        if _field(e, "reason") == "tail-drop" and int(_field(e, "id")) in klass
    )
    schedule = Schedule(tuple(departures), drops)
    check: Callable[[CbwfqConfig, tuple[Transaction, ...], Schedule], tuple[str, ...]]
    for check in (fifo_per_queue, tail_drops, gps_bound):
        for message in check(config, arrivals, schedule):
            a.find("class-isolation", 1, message)


def _conservation(a: _Audit) -> None:
    outcome: Counter[int] = Counter()
    for kind in ("confirm", "drop", "pending"):
        for event in a.of(kind):
            tx = int(_field(event, "id"))
            outcome[tx] += 1
            if kind != "confirm" and not event.fields.get("reason"):
                a.find("conservation", event.line, f"transaction {tx}: {kind} without a reason")
            if tx not in a.submits:
                a.find("conservation", event.line, f"transaction {tx} was never submitted")
    for tx, event in a.submits.items():
        if outcome[tx] != 1:
            a.find(
                "conservation",
                event.line,
                f"transaction {tx} ends {outcome[tx]} ways (confirmed, dropped or pending)",
            )


@auditor(KIND, RULES)
def audit_system(trace: Trace) -> Audit:
    """Check roles, certificates, exactly-once, class isolation and conservation (§III-B)."""
    a = _Audit(trace)
    checked = _management(a)
    blocks, carried = _user_blocks(a)
    _exactly_once(a, carried)
    _isolation(a)
    _conservation(a)
    return Audit(tuple(a.findings), checked + blocks + len(a.submits), RULES)
