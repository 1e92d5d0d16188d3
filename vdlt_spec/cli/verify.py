"""``vdlt verify``: run every self-check the components register."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from vdlt_spec.cli.common import (
    WIDE_TABLE,
    JsonFlag,
    console,
    emit_json,
    only_option,
    verdict_text,
    with_progress,
)

__all__ = ["verify_command"]


def verify_command(
    only: Annotated[list[str] | None, only_option("check or component")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Run every registered self-check; exit 0 all valid, 1 any invalid, 2 any unknown.

    The checks are the modules under vdlt_spec/checks/; the components are allocation,
    conformance, consensus, cos, crypto, economics, governance, proofs, queuing and
    virtualization. A progress bar shows on a terminal,
    then a summary table: check, component, section, verdict, seconds, detail. An unknown
    --only name is an error listing the known ones. --json prints {"verdict": ..., "checks":
    [...]}.
    """
    from vdlt_spec import checks as self_checks
    from vdlt_spec.verdict import combine

    checks = self_checks.select(self_checks.discover(), only or [])
    runs = with_progress("verifying", checks, self_checks.run, quiet=as_json)
    overall = combine(r.verdict for r in runs)
    if as_json:
        emit_json({"verdict": overall, "checks": runs})
    else:
        # A narrow terminal (CI logs are 80 columns) gets the details below the table.
        wide = console.width >= WIDE_TABLE
        columns = ("check", "component", "section", "verdict", "seconds", "detail")
        table = Table(title=f"vdlt verify: {overall.value}")
        for column in columns if wide else columns[:2] + columns[3:5]:
            table.add_column(
                column,
                justify="right" if column == "seconds" else "left",
                no_wrap=column in ("check", "verdict", "seconds"),
                max_width=14 if column == "section" else None,
                ratio=1 if column == "detail" else None,
            )
        for r in runs:
            cells = (r.name, r.component, r.section, verdict_text(r.verdict), f"{r.seconds:.2f}")
            table.add_row(*((*cells, r.detail) if wide else cells[:2] + cells[3:]))
        console.print(table)
        if not wide:
            for r in runs:
                console.print(f"{r.name} ({r.section}): {r.detail}", markup=False, highlight=False)
    raise typer.Exit(overall.exit_code)
