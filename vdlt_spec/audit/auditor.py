"""Audit a trace against the invariants of its component; report findings with a verdict.

Auditors are registered per trace kind with :func:`auditor` from modules under
:mod:`vdlt_spec.audit.rules`. An auditor returns findings (an invariant violated at an event)
and how many events it checked; a trace that exercised nothing the auditor could check is
``unknown``, never ``valid`` (D-gen-1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from vdlt_spec import plugins
from vdlt_spec.audit.trace import Trace
from vdlt_spec.errors import Reason
from vdlt_spec.verdict import Verdict


@dataclass(frozen=True)
class Finding:
    """Name an invariant a trace violates, where (the line), and how."""

    rule: str
    line: int
    message: str


@dataclass(frozen=True)
class Audit:
    """Hold what an auditor found: findings, events checked, and the rules it applied."""

    findings: tuple[Finding, ...]
    checked: int
    rules: tuple[str, ...]


@dataclass(frozen=True)
class AuditReport:
    """Summarize an audit: the trace kind, the verdict, the counts and every finding."""

    kind: str
    verdict: Verdict
    events: int
    checked: int
    rules: tuple[str, ...]
    findings: tuple[Finding, ...]


AuditorBody = Callable[[Trace], Audit]


@dataclass(frozen=True)
class TraceAuditor:
    """Pair an auditor's body with every rule it can apply (what ``vdlt audit --help`` lists)."""

    rules: tuple[str, ...]
    body: AuditorBody


AUDITORS: plugins.Registry[TraceAuditor] = plugins.Registry("trace auditor", Reason.BAD_TRACE)
"""The registered auditors, by the trace kind they audit."""

AUDITOR_PACKAGE = "vdlt_spec.audit.rules"


def auditor(kind: str, rules: tuple[str, ...]) -> Callable[[AuditorBody], AuditorBody]:
    """Register the decorated function as the auditor of ``kind`` traces, applying ``rules``."""
    return AUDITORS.register(kind, lambda body: TraceAuditor(rules, body))


def auditors() -> dict[str, TraceAuditor]:
    """Import every module of :mod:`vdlt_spec.audit.rules` and return the auditors by kind."""
    plugins.discover(AUDITOR_PACKAGE)
    return dict(AUDITORS.items())


def audit(trace: Trace) -> AuditReport:
    """Audit ``trace`` with the auditor of its kind: invalid on any finding, unknown if idle."""
    plugins.discover(AUDITOR_PACKAGE)
    result = AUDITORS.get(trace.kind).body(trace)
    if result.findings:
        verdict = Verdict.INVALID
    elif result.checked == 0:
        verdict = Verdict.UNKNOWN
    else:
        verdict = Verdict.VALID
    return AuditReport(
        trace.kind,
        verdict,
        len(trace.events),
        result.checked,
        result.rules,
        result.findings,
    )
