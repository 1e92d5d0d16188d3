"""``vdlt prove``: discharge the Z3 proof obligations (§III-D, §IV-C, §IV-D)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from vdlt_spec.cli.common import (
    VERDICT_STYLE,
    JsonFlag,
    console,
    emit_json,
    fail,
    only_option,
    with_progress,
    write_output,
)
from vdlt_spec.errors import Reason, SpecError
from vdlt_spec.verdict import Verdict

__all__ = ["prove_command"]

#: The largest --timeout, in seconds, per obligation (one day).
MAX_TIMEOUT = 24 * 3600.0


def prove_command(
    only: Annotated[list[str] | None, only_option("obligation or group")] = None,
    as_json: JsonFlag = False,
    smtlib: Annotated[
        str | None,
        typer.Option(
            "--smtlib",
            metavar="DIR",
            help="Also write every query as an SMT-LIB 2 file into DIR.",
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", metavar="S", help="Solver budget per obligation (s).")
    ] = 60.0,
) -> None:
    """Discharge the Z3 proof obligations (§III-D, §IV-C, §IV-D); exit 0 when all match.

    The table shows each obligation's scope, expected finding, the finding (green when it
    matches) and seconds; decoded counterexamples follow below the table, one per line. Exit 1
    when a finding contradicts its expectation, 2 when one is unknown (timeout). The
    obligations: docs/proofs.md.
    """
    from vdlt_spec.proofs import catalog, runner
    from vdlt_spec.verdict import combine

    chosen = runner.select(catalog.OBLIGATIONS, only or [])
    if not 0 < timeout <= MAX_TIMEOUT:
        fail(f"--timeout must be more than 0 and at most {MAX_TIMEOUT:g} seconds, got {timeout:g}")
    runner.check_timeout(timeout, "--timeout")
    if smtlib is not None:
        if not smtlib.strip():
            fail("--smtlib needs a folder name (use --smtlib . for the current folder)")
        _write_smtlib(Path(smtlib), chosen)
    results = with_progress(
        "proving", chosen, lambda obligation: runner.discharge(obligation, timeout), quiet=as_json
    )
    overall = combine(r.verdict for r in results)
    total = sum(r.seconds for r in results)
    if as_json:
        emit_json({"verdict": overall, "seconds": total, "obligations": results})
    else:
        table = Table(
            title=f"vdlt prove: {overall.value} ({len(results)} obligations, {total:.2f} s)",
            show_edge=False,
        )
        table.add_column("obligation", overflow="fold")
        table.add_column("scope", max_width=12, overflow="fold")
        table.add_column("expected", no_wrap=True, min_width=8)
        table.add_column("verdict", no_wrap=True, min_width=7)  # the finding, by its verdict
        table.add_column("s", justify="right", no_wrap=True, min_width=5)
        for r in results:
            table.add_row(
                r.name,
                r.scope,
                _short(r.expected.value),
                f"[{VERDICT_STYLE[r.verdict]}]{_short(r.finding.value)}[/]",
                f"{r.seconds:.2f}",
            )
        console.print(table)
        # Counterexamples and unexpected details go below the table, one per line, so that
        # they stay readable at any terminal width.
        for r in results:
            if r.counterexample:
                line = f"{r.name}: counterexample {runner.summarize(r.counterexample)}"
            elif r.verdict is not Verdict.VALID:
                line = f"{r.name}: {r.detail}"
            else:
                continue
            console.print(line, markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(overall.exit_code)


def _short(finding: str) -> str:
    """Abbreviate "counterexample" to "cex" for the table (JSON keeps the full word)."""
    return "cex" if finding == "counterexample" else finding


def _write_smtlib(directory: Path, obligations: Any) -> None:
    """Write each query of each obligation as ``DIR/<obligation>--<nn>-<query>.smt2``.

    Each file is written atomically (:func:`write_output`); a folder that cannot be made or
    written is ``SMTLIB_EXPORT_FAILED``.
    """
    from vdlt_spec.proofs import runner

    try:
        directory.mkdir(parents=True, exist_ok=True)
        for obligation in obligations:
            for name, text in runner.smtlib_files(obligation):
                write_output(directory / name, text)
    except OSError as exc:
        raise SpecError(
            Reason.SMTLIB_EXPORT_FAILED, f"{directory}: {exc.strerror or exc}"
        ) from None
    except SpecError as exc:
        raise SpecError(Reason.SMTLIB_EXPORT_FAILED, exc.detail) from None
