"""Trace auditor: checks the invariants of the spec on recorded traces of any implementation.

A trace is JSON lines (:func:`parse`, :func:`render`): a header naming its kind and
parameters, then events. :func:`audit` runs the auditor registered for the trace's kind (the
modules under :mod:`vdlt_spec.audit.rules`, found on first use) and returns an
:class:`AuditReport` with one :class:`Audit` per rule and its :class:`Finding` list.
"""

from vdlt_spec.audit.auditor import Audit, AuditReport, Finding, TraceAuditor, audit, auditors
from vdlt_spec.audit.trace import Trace, TraceEvent, parse, render

__all__ = [
    "Audit",
    "AuditReport",
    "Finding",
    "Trace",
    "TraceAuditor",
    "TraceEvent",
    "audit",
    "auditors",
    "parse",
    "render",
]
