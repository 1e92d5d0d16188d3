"""``vdlt governance``: seeded token-economy and governance scenarios (§IV-B..§IV-K)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from vdlt_spec.cli.common import WIDE_TABLE, JsonFlag, console, emit_json, verdict_text

__all__ = ["governance_app", "governance_simulate"]

governance_app = typer.Typer(
    help="Token economy and self-amending governance: seeded scenarios (§IV-B..§IV-K).",
    no_args_is_help=True,
)


@governance_app.command("simulate")
def governance_simulate(
    seed: Annotated[int, typer.Option(help="Seed of the scenario's random choices.")] = 0,
    epochs: Annotated[int, typer.Option(help="Epochs to simulate (16 reach every stage).")] = 16,
    as_json: JsonFlag = False,
) -> None:
    """Run a seeded economy: elections, an amendment, inflation, slashing; judge invariants.

    The scenario of vdlt_spec.economics.simulation: genesis of 10^9 tokens, elections of K = 21
    delegates, an amendment through polls, exploration vote, test system and confirmation vote
    to live, inflation, a double-signing and a forged-certificate slashing, free riders, and
    invalid operations mixed in; every invariant is checked after every step. It prints one row
    per epoch (delegates, minted, burned, supply, amendment stage, inflation rate, events), the
    invariants' verdicts, the milestones reached and the rejections by reason. Exit 0 valid, 1
    an invariant broke or a bad operation was accepted, 2 a milestone was not reached (16 epochs
    reach all with the default seeds) or bad usage. Details: docs/governance.md.
    """
    from vdlt_spec.economics.simulation import check_epochs, simulate

    report = simulate(seed, check_epochs(epochs, "--epochs"))
    if as_json:
        emit_json(report)
        raise typer.Exit(report.verdict.exit_code)
    trace = Table(title=f"governance simulate --seed {seed} --epochs {epochs}")
    # Amounts fold rather than elide (they are exact); a narrow terminal gets the events below.
    wide = console.width >= WIDE_TABLE
    columns = ("epoch", "delegates", "minted", "burned", "supply", "stage", "rate", "events")
    for column in columns if wide else columns[:-1]:
        trace.add_column(
            column,
            justify="left" if column in ("stage", "events") else "right",
            overflow="fold",
            ratio=1 if column == "events" else None,
        )
    for e in report.summary:
        cells = (
            str(e.epoch),
            str(e.delegates),
            str(e.minted),
            str(e.burned),
            str(e.supply),
            e.stage,
            str(e.inflation_rate),
        )
        trace.add_row(*((*cells, "; ".join(e.events)) if wide else cells))
    console.print(trace)
    if not wide:
        for e in report.summary:
            for event in e.events:
                console.print(f"epoch {e.epoch}: {event}", markup=False, highlight=False)
    checks = Table(title="invariants (checked after every step) and milestones")
    checks.add_column("check")
    checks.add_column("verdict")
    for name, verdict in report.invariants.items():
        checks.add_row(name, verdict_text(verdict))
    for name, reached in report.milestones.items():
        checks.add_row(
            f"milestone: {name}", "[green]reached[/]" if reached else "[yellow]not reached[/]"
        )
    console.print(checks)
    rejected = ", ".join(f"{reason} {count}" for reason, count in report.rejected.items())
    console.print(f"operations: {report.accepted} accepted; rejected: {rejected or 'none'}")
    for problem in (*report.unexpected, *report.violations):
        console.print(f"[red]{problem}[/]", highlight=False)
    console.print(f"verdict: {verdict_text(report.verdict)}")
    raise typer.Exit(report.verdict.exit_code)
