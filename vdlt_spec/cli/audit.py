"""``vdlt audit``: audit a recorded trace against its component's invariants."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from typer.core import TyperCommand

from vdlt_spec.cli.common import (
    FAILURES_SHOWN,
    JsonFlag,
    console,
    emit_json,
    read_text_file,
    shown,
    verdict_text,
)

__all__ = ["AuditCommand", "audit_command"]


def auditors_help() -> str:
    """List the spec's trace auditors (vdlt_spec.audit.rules) and their rules, one per kind."""
    from vdlt_spec.audit.auditor import AUDITOR_PACKAGE, auditors

    return "\n\n".join(
        f"{kind} traces: {', '.join(a.rules)}."
        for kind, a in sorted(auditors().items())
        if a.body.__module__.startswith(f"{AUDITOR_PACKAGE}.")
    )


class AuditCommand(TyperCommand):
    """The ``vdlt audit`` command, whose help ends with the auditors' rules from the registry."""

    @property
    def help(self) -> str:
        """Return the docstring's help, then the registered auditors and their rules."""
        return f"{self._own_help}\n\nAuditors and their rules:\n\n{auditors_help()}"

    @help.setter
    def help(self, value: str | None) -> None:
        self._own_help = value or ""


def audit_command(
    trace_file: Annotated[
        Path, typer.Argument(metavar="TRACE", help="A JSON-lines trace (header, then events).")
    ],
    as_json: JsonFlag = False,
) -> None:
    """Audit a recorded trace against its component's invariants; exit by the verdict.

    The trace's header names its kind; the auditor of that kind applies its rules and reports
    each finding with the rule and the line. A trace that exercised no rule is unknown. The
    consensus auditor checks certificates (commit-proof) only when the trace's header carries
    the roster, as traces recorded with --signatures real do.
    """
    from vdlt_spec.audit import trace
    from vdlt_spec.audit.auditor import audit

    report = audit(trace.parse(read_text_file(trace_file).splitlines()))
    if as_json:
        emit_json(report)
    else:
        if report.findings:
            table = Table(title="findings")
            for column in ("line", "rule", "message"):
                table.add_column(column)
            for finding in report.findings[:FAILURES_SHOWN]:
                table.add_row(str(finding.line), shown(finding.rule), shown(finding.message))
            console.print(table)
        console.print(
            f"audit of a {report.kind} trace: {verdict_text(report.verdict)} "
            f"({report.events} events, {report.checked} checked, "
            f"{len(report.findings)} findings; rules: {', '.join(report.rules)})"
        )
    raise typer.Exit(report.verdict.exit_code)
