"""Parse a recorded trace: a JSON-lines header naming its kind, then one event per line.

The first line is the header ``{"trace": KIND, "version": 1, ...}`` (the kind selects the
auditor; the other fields are the run's parameters, e.g. the queuing configuration or the
consensus roster). Every later line is one event object with a ``"type"`` field. Blank lines
are ignored. Any other shape is rejected with the line number.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from vdlt_spec import serial
from vdlt_spec.errors import Reason, SpecError

TRACE_VERSION = 1


@dataclass(frozen=True)
class TraceEvent:
    """Hold one trace event: its line number, its type and its fields (JSON values)."""

    line: int
    type: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class Trace:
    """Hold a parsed trace: its kind, the header's parameters and the events in order."""

    kind: str
    header: dict[str, Any]
    events: tuple[TraceEvent, ...]


def parse(lines: Iterable[str]) -> Trace:
    """Parse the lines of a JSON-lines trace; reject bad lines with ``BAD_TRACE`` and the line."""
    header: dict[str, Any] | None = None
    events: list[TraceEvent] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = serial.load_json(line)
        except SpecError as exc:
            raise SpecError(Reason.BAD_TRACE, f"line {number}: not JSON ({exc.detail})") from None
        if not isinstance(record, dict):
            raise SpecError(Reason.BAD_TRACE, f"line {number}: expected a JSON object")
        if header is None:
            if not isinstance(record.get("trace"), str):
                raise SpecError(Reason.BAD_TRACE, f"line {number}: header needs a 'trace' kind")
            if record.get("version") != TRACE_VERSION:
                raise SpecError(
                    Reason.BAD_TRACE,
                    f"line {number}: trace version {record.get('version')!r} "
                    f"(supported: {TRACE_VERSION})",
                )
            header = record
            continue
        kind = record.get("type")
        if not isinstance(kind, str):
            raise SpecError(Reason.BAD_TRACE, f"line {number}: event needs a string 'type'")
        events.append(TraceEvent(number, kind, {k: v for k, v in record.items() if k != "type"}))
    if header is None:
        raise SpecError(Reason.BAD_TRACE, "empty trace: no header line")
    return Trace(header["trace"], header, tuple(events))


def render(kind: str, parameters: dict[str, Any], events: Iterable[dict[str, Any]]) -> str:
    """Write a trace in the JSON-lines format that :func:`parse` reads."""
    lines = [json.dumps({"trace": kind, "version": TRACE_VERSION, **parameters}, sort_keys=True)]
    lines.extend(json.dumps(event, sort_keys=True) for event in events)
    return "\n".join(lines) + "\n"
