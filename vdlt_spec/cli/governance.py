"""``vdlt governance``: seeded token-economy and governance scenarios (§IV-B..§IV-K)."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from vdlt_spec.cli.common import (
    WIDE_TABLE,
    JsonFlag,
    check_outputs,
    console,
    emit_json,
    fail,
    progress_bar,
    verdict_text,
)

if TYPE_CHECKING:
    from vdlt_spec.economics.simulation import EpochSummary, SimulationReport

__all__ = ["epoch_tables", "governance_app", "governance_simulate", "percent", "tokens"]

governance_app = typer.Typer(
    help="Token economy and self-amending governance: seeded scenarios (§IV-B..§IV-K).",
    no_args_is_help=True,
)


def tokens(amount: int) -> str:
    """Render an amount of base units as whole tokens with thousands separators (rounded)."""
    from vdlt_spec.ledger import BASE_UNITS_PER_TOKEN

    return f"{round(Fraction(amount, BASE_UNITS_PER_TOKEN)):,}"


def percent(rate: Fraction) -> str:
    """Render an exact rate as a percentage, two decimals."""
    return f"{float(rate):.2%}"


def epoch_tables(report: SimulationReport, *, wide: bool) -> list[Table]:
    """Return the per-epoch tables: one wide table, or amounts and governance apart.

    Amounts are whole tokens (exact base units are in ``--json``); numbers never wrap.
    """
    title = f"governance simulate --seed {report.seed} --epochs {report.epochs}"
    caption = "amounts in tokens, rounded (exact base units in --json); rate: inflation a year"
    amounts = ("minted", "burned", "supply", "staked")
    if wide:
        table = Table(title=title, caption=caption)
        for column in ("epoch", "delegates", *amounts, "stage", "rate", "events"):
            text = column in ("stage", "events")
            table.add_column(
                column,
                justify="left" if text else "right",
                no_wrap=not text,
                overflow="fold",
                ratio=1 if column == "events" else None,
            )
        for e in report.summary:
            table.add_row(
                str(e.epoch),
                str(e.delegates),
                *(tokens(getattr(e, a)) for a in amounts),
                e.stage,
                percent(e.inflation_rate),
                "; ".join(e.events),
            )
        return [table]
    money = Table(title=f"{title}: token amounts", caption=caption)
    for column in ("epoch", *amounts):
        money.add_column(column, justify="right", no_wrap=True)
    state = Table(title=f"{title}: delegates and governance")
    for column in ("epoch", "delegates", "stage", "rate"):
        state.add_column(column, justify="left" if column == "stage" else "right", no_wrap=True)
    for e in report.summary:
        money.add_row(str(e.epoch), *(tokens(getattr(e, a)) for a in amounts))
        state.add_row(str(e.epoch), str(e.delegates), e.stage, percent(e.inflation_rate))
    return [money, state]


#: The largest --seed (a 64-bit unsigned seed).
MAX_SEED = 2**64 - 1


@governance_app.command("simulate", short_help="Run a seeded economy over epochs.")
def governance_simulate(
    seed: Annotated[
        int, typer.Option("--seed", metavar="N", help="Seed of the scenario's random choices.")
    ] = 0,
    epochs: Annotated[
        int,
        typer.Option("--epochs", metavar="N", help="Epochs to simulate (16 reach every stage)."),
    ] = 16,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot",
            metavar="FILE",
            help="Draw supply, stake and inflation rate over the epochs to FILE (.png or .svg).",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Run a seeded economy: elections, an amendment, inflation, slashing; judge invariants.

    The scenario of vdlt_spec.economics.simulation: genesis of 10^9 tokens, elections of K = 21
    delegates, an amendment through polls, exploration vote, test system and confirmation vote
    to live, inflation, a double-signing and a forged-certificate slashing, free riders, and
    invalid operations mixed in; every invariant is checked after every step. It prints the
    epochs (delegates, tokens minted, burned, in supply and staked, amendment stage, inflation
    rate, events), the invariants' verdicts, the milestones reached and the rejections by
    reason. Exit 0 valid, 1 an invariant broke or a bad operation was accepted, 2 a milestone
    was not reached (16 epochs reach all with the default seeds) or bad usage. Details:
    docs/governance.md.
    """
    from vdlt_spec.economics.simulation import check_epochs, simulate

    check_epochs(epochs, "--epochs")
    if not 0 <= seed <= MAX_SEED:
        fail(f"--seed must be between 0 and {MAX_SEED}, got {seed}")
    check_outputs([plot], [])
    if plot is not None:
        from vdlt_spec.cli.plots import check_plot_path

        check_plot_path(plot)
    with progress_bar("simulating epochs", epochs, quiet=as_json) as on_progress:
        report = simulate(seed, epochs, on_progress=on_progress)
    if plot is not None:
        _plot(plot, report)
    if as_json:
        emit_json(report)
        raise typer.Exit(report.verdict.exit_code)
    # A narrow terminal gets the amounts and the governance apart, and the events below.
    wide = console.width >= WIDE_TABLE
    for table in epoch_tables(report, wide=wide):
        console.print(table)
    if not wide:
        for e in report.summary:
            for event in e.events:
                console.print(f"epoch {e.epoch}: {event}", markup=False, highlight=False)
    checks = Table(title="invariants (checked after every step) and milestones")
    checks.add_column("check", overflow="fold")
    checks.add_column("verdict", no_wrap=True)
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


def _plot(path: Path, report: SimulationReport) -> None:
    from vdlt_spec.cli import plots
    from vdlt_spec.ledger import BASE_UNITS_PER_TOKEN

    million = 10**6 * BASE_UNITS_PER_TOKEN

    def line(label: str, value: Callable[[EpochSummary], float]) -> plots.Series:
        return (label, [(float(e.epoch), value(e)) for e in report.summary])

    plots.panel_chart(
        path,
        f"governance simulate --seed {report.seed} --epochs {report.epochs}",
        [
            plots.Panel("supply", [line("supply", lambda e: e.supply / million)], "million tokens"),
            plots.Panel(
                "staked and locked in ballots",
                [
                    line("staked", lambda e: e.staked / million),
                    line("locked", lambda e: e.locked / million),
                ],
                "million tokens",
            ),
            plots.Panel(
                "inflation rate",
                [line("inflation rate", lambda e: float(e.inflation_rate) * 100)],
                "% a year",
            ),
        ],
        "epoch",
        integer_x=True,
    )
