"""Audit a recorded CBWFQ run against the invariants of every correct scheduler (§IV-A).

Trace kind ``queuing``. Header: ``{"trace": "queuing", "version": 1, "config": CbwfqConfig}``
(omitted config: the vDLT default). Events: ``{"type": "arrival", "tx": Transaction}``,
``{"type": "departure", "id", "service_class", "start", "finish"}`` and ``{"type": "drop",
"id", "service_class", "time"}``, in any order. The rules are those of
:mod:`vdlt_spec.queuing.invariants`, so an implementation may break ties differently from the
reference and still be valid, as long as it keeps every invariant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from vdlt_spec import serial
from vdlt_spec.audit.auditor import Audit, Finding, auditor
from vdlt_spec.audit.trace import Trace, render
from vdlt_spec.cos import Transaction
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.queuing import CbwfqConfig, Departure, Drop, Schedule
from vdlt_spec.queuing.invariants import (
    conservation,
    fifo_per_queue,
    gps_bound,
    single_server,
    tail_drops,
    work_conserving,
)

KIND = "queuing"
QueuingRule = Callable[[CbwfqConfig, tuple[Transaction, ...], Schedule], tuple[str, ...]]
RULES: dict[str, QueuingRule] = {
    "conservation": lambda c, a, s: conservation(a, s),
    "single-server": single_server,
    "work-conserving": lambda c, a, s: work_conserving(a, s),
    "fifo-per-queue": fifo_per_queue,
    "tail-drop": tail_drops,
    "gps-bound": gps_bound,
}


def schedule_trace(config: CbwfqConfig, arrivals: Iterable[Transaction], schedule: Schedule) -> str:
    """Render a run of the scheduler as a ``queuing`` trace (what an implementation records)."""
    events: list[dict[str, Any]] = [{"type": "arrival", "tx": serial.encode(tx)} for tx in arrivals]
    events += [{"type": "departure", **serial.encode(d)} for d in schedule.departures]
    events += [{"type": "drop", **serial.encode(d)} for d in schedule.drops]
    return render(KIND, {"config": serial.encode(config)}, events)


def _decode(tp: Any, event_fields: Any, line: int) -> Any:
    try:
        return serial.decode(tp, event_fields, f"line {line}")
    except SpecError as exc:
        raise SpecError(Reason.BAD_TRACE, exc.detail) from None


@auditor(KIND, tuple(RULES))
def audit_queuing(trace: Trace) -> Audit:
    """Check conservation, one link, work conservation, FIFO, tail drop and the GPS bound."""
    config = _decode(CbwfqConfig, trace.header.get("config", {}), 1)
    arrivals: list[Transaction] = []
    departures: list[Departure] = []
    drops: list[Drop] = []
    for event in trace.events:
        if event.type == "arrival":
            arrivals.append(_decode(Transaction, event.fields.get("tx"), event.line))
        elif event.type == "departure":
            departures.append(_decode(Departure, event.fields, event.line))
        elif event.type == "drop":
            drops.append(_decode(Drop, event.fields, event.line))
        else:
            raise SpecError(Reason.BAD_TRACE, f"line {event.line}: unknown event {event.type!r}")
    departures.sort(key=lambda d: (d.start, d.finish))
    schedule = Schedule(tuple(departures), tuple(sorted(drops, key=lambda d: d.time)))
    items = tuple(arrivals)
    findings = tuple(
        Finding(rule, 1, message)
        for rule, check in RULES.items()
        for message in check(config, items, schedule)
    )
    return Audit(findings, len(arrivals), tuple(RULES))
