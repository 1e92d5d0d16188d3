"""Audit a trace against the invariants of its component; report findings with a verdict.

Auditors are registered per trace kind with :func:`auditor` from modules under
:mod:`vdlt_spec.audit.rules`. An auditor returns findings (an invariant violated at an event)
and how many events it checked; a trace that exercised nothing the auditor could check is
``unknown``, never ``valid`` (DESIGN: verdicts).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

from vdlt_spec.audit.trace import Trace
from vdlt_spec.errors import Reason, SpecError
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
_AUDITORS: dict[str, AuditorBody] = {}


def auditor(kind: str) -> Callable[[AuditorBody], AuditorBody]:
    """Register the decorated function as the auditor of traces of ``kind``."""

    def register(body: AuditorBody) -> AuditorBody:
        _AUDITORS[kind] = body
        return body

    return register


def auditors() -> dict[str, AuditorBody]:
    """Import every module of :mod:`vdlt_spec.audit.rules` and return the auditors by kind."""
    import vdlt_spec.audit.rules as package

    for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)
    return dict(sorted(_AUDITORS.items()))


def audit(trace: Trace) -> AuditReport:
    """Audit ``trace`` with the auditor of its kind: invalid on any finding, unknown if idle."""
    known = auditors()
    if trace.kind not in known:
        raise SpecError(
            Reason.BAD_TRACE,
            f"no auditor for traces of kind {trace.kind!r}; known: {', '.join(known) or 'none'}",
        )
    result = known[trace.kind](trace)
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
