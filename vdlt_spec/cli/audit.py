"""``vdlt audit``: audit a recorded trace against its component's invariants."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vdlt_spec.cli.common import (
    FAILURES_SHOWN,
    JsonFlag,
    console,
    emit_json,
    read_text_file,
    verdict_text,
)

__all__ = ["audit_command"]


def audit_command(
    trace_file: Annotated[Path, typer.Argument(help="A JSON-lines trace (header, then events).")],
    as_json: JsonFlag = False,
) -> None:
    """Audit a recorded trace against its component's invariants; exit by the verdict."""
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
                table.add_row(str(finding.line), finding.rule, finding.message)
            console.print(table)
        console.print(
            f"audit of a {report.kind} trace: {verdict_text(report.verdict)} "
            f"({report.events} events, {report.checked} checked, "
            f"{len(report.findings)} findings; rules: {', '.join(report.rules)})"
        )
    raise typer.Exit(report.verdict.exit_code)
