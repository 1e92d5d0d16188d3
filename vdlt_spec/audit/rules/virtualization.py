"""Audit traces of admissions and releases of virtual DLT systems (§III-C, §IV-B).

Trace kind ``virtualization``. Header: ``{"trace": "virtualization", "version": 1,
"substrate": SUBSTRATE}``. Events, in order, each carrying the placement that results:

* ``{"type": "admit", "system": SYSTEM, "placement": PLACEMENT}``
* ``{"type": "release", "system": "ID", "placement": PLACEMENT}``
* ``{"type": "reject", "system": SYSTEM, "reason": "REASON"}`` (the placement stays as it was)

At every event the resulting placement must keep capacity, anti-affinity, management/control
host requirements, reachability and known ids (the validator of
:mod:`vdlt_spec.virtualization`), and no other system may move (isolation). The implementation
may choose any admission algorithm: the auditor checks the rules, not the choice.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from vdlt_spec import serial, virtualization
from vdlt_spec.audit import trace
from vdlt_spec.audit.auditor import Audit, Finding, auditor
from vdlt_spec.errors import Reason, SpecError

KIND = "virtualization"
RULE_OF = {
    Reason.CAPACITY_EXCEEDED: "capacity",
    Reason.ANTI_AFFINITY_VIOLATED: "anti-affinity",
    Reason.MANAGEMENT_HOST_UNQUALIFIED: "management-hosts",
    Reason.SYSTEM_DISCONNECTED: "reachability",
}
KNOWN_IDS = "known-ids"
ISOLATION = "isolation"
ADMISSION = "admission"
RELEASE = "release"
REJECTION = "rejection"
RULES = (*RULE_OF.values(), KNOWN_IDS, ISOLATION, ADMISSION, RELEASE, REJECTION)
REJECTION_REASONS = frozenset(
    {
        Reason.INSUFFICIENT_RESOURCES,
        Reason.NO_MANAGEMENT_HOST,
        Reason.ANTI_AFFINITY_UNSATISFIABLE,
        Reason.SUBSTRATE_DISCONNECTED,
        Reason.DUPLICATE_VIRTUAL_SYSTEM,
    }
)


class _Decoder:
    """Decode trace fields, each distinct JSON value once: placements repeat from event to event."""

    def __init__(self) -> None:
        self._seen: dict[tuple[Any, str], Any] = {}

    def value(self, tp: Any, data: Any, line: int, what: str) -> Any:
        key = (tp, json.dumps(data, sort_keys=True))
        if key not in self._seen:
            try:
                self._seen[key] = serial.decode(tp, data, f"${what}")
            except SpecError as exc:
                raise SpecError(
                    Reason.BAD_TRACE, f"line {line}: {exc.reason.value}: {exc.detail}"
                ) from None
        return self._seen[key]

    def placement(self, data: Any, line: int) -> virtualization.Placement:
        if not isinstance(data, dict) or set(data) != {"systems", "assignments"}:
            raise SpecError(Reason.BAD_TRACE, f"line {line}: placement needs systems, assignments")
        for field in ("systems", "assignments"):
            if not isinstance(data[field], list):
                raise SpecError(Reason.BAD_TRACE, f"line {line}: placement.{field}: not an array")
        return virtualization.Placement(
            tuple(
                self.value(virtualization.VirtualSystem, s, line, ".placement.systems[]")
                for s in data["systems"]
            ),
            tuple(
                self.value(virtualization.HostAssignment, a, line, ".placement.assignments[]")
                for a in data["assignments"]
            ),
        )


def _isolation(
    before: virtualization.Placement, after: virtualization.Placement, subject: str, line: int
) -> list[Finding]:
    found = []
    others_before = {s.id: s for s in before.systems if s.id != subject}
    others_after = {s.id: s for s in after.systems if s.id != subject}
    for gone in sorted(set(others_before) - set(others_after)):
        found.append(Finding(ISOLATION, line, f"system {gone} disappeared"))
    for new in sorted(set(others_after) - set(others_before)):
        found.append(Finding(ISOLATION, line, f"system {new} appeared"))
    for sid in sorted(set(others_before) & set(others_after)):
        if others_before[sid] != others_after[sid]:
            found.append(Finding(ISOLATION, line, f"system {sid} changed its definition"))
        if before.hosts_of(sid) != after.hosts_of(sid):
            found.append(Finding(ISOLATION, line, f"system {sid} was moved"))
    return found


@auditor(KIND, RULES)
def audit_virtualization(parsed: trace.Trace) -> Audit:
    """Check every admission and release of a trace against the placement rules (§III-C)."""
    decoder = _Decoder()
    substrate = decoder.value(
        virtualization.Substrate, parsed.header.get("substrate"), 1, ".substrate"
    )
    placement = virtualization.EMPTY_PLACEMENT
    findings: list[Finding] = []
    checked = 0
    for event in parsed.events:
        line = event.line
        if event.type == "reject":
            system = decoder.value(
                virtualization.VirtualSystem, event.fields.get("system"), line, ".system"
            )
            reason = event.fields.get("reason")
            if reason not in {r.value for r in REJECTION_REASONS}:
                findings.append(
                    Finding(REJECTION, line, f"system {system.id} rejected for {reason!r}")
                )
            checked += 1
            continue
        if event.type not in ("admit", "release"):
            raise SpecError(Reason.BAD_TRACE, f"line {line}: unknown event type {event.type!r}")
        after = decoder.placement(event.fields.get("placement"), line)
        for violation in virtualization.validate(substrate, after):
            rule = RULE_OF.get(violation.kind, KNOWN_IDS)
            findings.append(
                Finding(
                    rule, line, f"{violation.kind.value} at {violation.subject}: {violation.detail}"
                )
            )
        if event.type == "admit":
            system = decoder.value(
                virtualization.VirtualSystem, event.fields.get("system"), line, ".system"
            )
            subject = system.id
            if any(s.id == subject for s in placement.systems):
                findings.append(Finding(ADMISSION, line, f"system {subject} admitted twice"))
            if system not in after.systems:
                findings.append(
                    Finding(ADMISSION, line, f"system {subject} missing or altered after admit")
                )
        else:
            subject = event.fields.get("system")
            if not isinstance(subject, str):
                raise SpecError(Reason.BAD_TRACE, f"line {line}: release needs a system id")
            if all(s.id != subject for s in placement.systems):
                findings.append(Finding(RELEASE, line, f"system {subject} was not admitted"))
            if any(s.id == subject for s in after.systems) or after.hosts_of(subject):
                findings.append(Finding(RELEASE, line, f"system {subject} still placed"))
        findings.extend(_isolation(placement, after, subject, line))
        placement = after
        checked += 1
    return Audit(tuple(findings), checked, RULES)


def reference_trace(
    substrate: virtualization.Substrate,
    steps: Sequence[virtualization.VirtualSystem | str],
) -> str:
    """Record a trace of the reference admitting systems and releasing ids, in order (§III-C)."""
    placement = virtualization.EMPTY_PLACEMENT
    events: list[dict[str, Any]] = []
    for step in steps:
        if isinstance(step, str):
            placement = virtualization.release(substrate, placement, step)
            events.append(
                {"type": "release", "system": step, "placement": serial.encode(placement)}
            )
            continue
        try:
            placement = virtualization.admit(substrate, placement, step)
        except SpecError as exc:
            if exc.reason not in REJECTION_REASONS:
                raise
            events.append(
                {"type": "reject", "system": serial.encode(step), "reason": exc.reason.value}
            )
            continue
        events.append(
            {"type": "admit", "system": serial.encode(step), "placement": serial.encode(placement)}
        )
    return trace.render(KIND, {"substrate": serial.encode(substrate)}, events)
