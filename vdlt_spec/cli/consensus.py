"""``vdlt consensus``: simulate iPBFT and classic PBFT (§III-D, §IV-D)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from vdlt_spec.cli.common import (
    JsonFlag,
    check_outputs,
    console,
    deprecated_option,
    emit_json,
    fail,
    given,
    progress_bar,
    verdict_text,
    write_output,
)

if TYPE_CHECKING:
    from vdlt_spec.consensus import RunSummary

__all__ = ["consensus_app", "consensus_simulate", "summary_table", "title_of"]

consensus_app = typer.Typer(
    help="Byzantine fault-tolerant consensus: iPBFT and classic PBFT (§III-D, §IV-D).",
    no_args_is_help=True,
)


#: The largest replica group a simulation runs (classic PBFT sends O(n^2) messages a block).
MAX_NODES = 1000
#: The most blocks (and requests per block) a simulation runs.
MAX_COUNT = 1_000_000

#: The labels of the report's figures that carry a unit or need a word more than their name.
LABELS = {
    "messages": "messages (replica to replica)",
    "bytes": "bytes sent (replica to replica)",
    "simulated_time": "simulated time (ticks)",
}


@consensus_app.command("simulate", short_help="Simulate a replica group; print its safety verdict.")
def consensus_simulate(
    nodes: Annotated[
        int, typer.Option("--nodes", metavar="N", help="Replicas in the consensus group.")
    ] = 16,
    n: Annotated[int | None, deprecated_option("--n", "--nodes")] = None,
    byzantine: Annotated[
        int,
        typer.Option(
            "--byzantine", metavar="N", help="Byzantine replicas (safe up to f = (nodes-1)//3)."
        ),
    ] = 0,
    count: Annotated[
        int, typer.Option("--count", metavar="N", help="Blocks every honest replica must commit.")
    ] = 100,
    decisions: Annotated[int | None, deprecated_option("--decisions", "--count")] = None,
    seed: Annotated[
        int, typer.Option("--seed", metavar="N", help="Seed of the network and the adversary.")
    ] = 1,
    mode: Annotated[
        str,
        typer.Option("--mode", metavar="NAME", help="ipbft (collector, O(n)) or classic (O(n^2))."),
    ] = "ipbft",
    signatures: Annotated[
        str, typer.Option("--signatures", metavar="NAME", help="real (BIP340/MuSig2) or ideal.")
    ] = "ideal",
    behaviour: Annotated[
        str,
        typer.Option(
            "--behaviour",
            metavar="NAME",
            help="Byzantine behaviour: mixed, collude, or one (e.g. forge, silent).",
        ),
    ] = "mixed",
    loss: Annotated[
        str, typer.Option("--loss", metavar="FRACTION", help="Message loss probability, e.g. 1/20.")
    ] = "0",
    batch: Annotated[int, typer.Option("--batch", metavar="N", help="Requests per block.")] = 1,
    trace: Annotated[
        Path | None,
        typer.Option(
            "--trace",
            metavar="FILE",
            help="Write the commits as a consensus trace for `vdlt audit`.",
        ),
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot",
            metavar="FILE",
            help="Draw the messages per decision by message type to FILE (.png or .svg).",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Simulate iPBFT or classic PBFT; print decisions, messages and the safety verdict.

    The title names the fault bound f = (nodes-1)//3 the group tolerates and the Byzantine
    replicas the run has; more Byzantine replicas than f void the safety guarantee, and the run
    shows what happens then. Bytes are replica-to-replica message bytes; time is in simulated
    network ticks.
    """
    from fractions import Fraction

    from vdlt_spec import serial
    from vdlt_spec.consensus import (
        Mode,
        Signatures,
        build_scenario,
        make_scheme,
        parse_behaviour,
        simulate,
        summarize,
    )

    nodes = given(nodes, n)
    count = given(count, decisions)
    if not 1 <= nodes <= MAX_NODES:
        fail(f"--nodes must be between 1 and {MAX_NODES}, got {nodes}")
    if not 0 <= byzantine <= nodes:
        fail(f"--byzantine must be between 0 and --nodes = {nodes}, got {byzantine}")
    if not (1 <= count <= MAX_COUNT and 1 <= batch <= MAX_COUNT):
        fail(f"--count and --batch must be between 1 and {MAX_COUNT}")
    check_outputs([trace, plot], [])
    if plot is not None:
        from vdlt_spec.cli.plots import check_plot_path

        check_plot_path(plot)
    scenario = build_scenario(
        nodes,
        byzantine,
        parse_behaviour(behaviour, "--behaviour"),
        seed,
        decisions=count,
        mode=Mode.parse(mode, "--mode"),
        signatures=Signatures.parse(signatures, "--signatures"),
        loss=serial.decode(Fraction, loss, "--loss"),
        batch=batch,
    )
    scheme = make_scheme(scenario.signatures, nodes, seed)
    with progress_bar("deciding blocks", count, quiet=as_json) as on_progress:
        result = simulate(scenario, scheme, on_progress)
    if trace is not None:
        from vdlt_spec.audit.rules.consensus import run_trace

        public_roster = scheme.roster if scenario.signatures is Signatures.REAL else None
        write_output(trace, run_trace(public_roster, result.commits))
    summary = summarize(scenario, result, scheme)
    if plot is not None:
        _plot(plot, summary, seed)
    if as_json:
        emit_json(summary)
        raise typer.Exit(summary.verdict.exit_code)
    console.print(summary_table(summary, seed))
    if byzantine:
        shown = ", ".join(f"{i}:{b}" for i, b in sorted(scenario.byzantine.items()))
        console.print(f"Byzantine replicas: {shown}", markup=False, highlight=False)
    if byzantine > summary.f:
        console.print(
            f"{byzantine} Byzantine replicas exceed f = {summary.f}: the protocol no longer "
            "guarantees safety; the verdict below judges this run's commits",
            markup=False,
            highlight=False,
        )
    if summary.conflicts:
        console.print(
            f"[red]{len(summary.conflicts)} conflicting commits[/]; culprits: "
            + ", ".join(f"{c.replica} ({c.rule})" for c in summary.culprits)
        )
    console.print(f"safety: {verdict_text(summary.verdict)}")
    raise typer.Exit(summary.verdict.exit_code)


def title_of(summary: RunSummary, seed: int) -> str:
    """Return a run's title: mode, group size, the fault bound and the Byzantine count."""
    return (
        f"consensus simulate: {summary.mode}, n = {summary.n} replicas, "
        f"tolerates f = {summary.f}, {len(summary.byzantine)} Byzantine, seed {seed}"
    )


def summary_table(summary: RunSummary, seed: int) -> Table:
    """Return the table of a run's figures, with units, numbers never cut."""
    table = Table(title=title_of(summary, seed))
    table.add_column("figure", overflow="fold")
    table.add_column("value", justify="right", overflow="fold")
    for key in (
        "decided_sequence_numbers",
        "executed_min",
        "executed_max",
        "final_views",
        "messages",
        "messages_per_decision",
        "bytes",
        "signatures_verified",
        "simulated_time",
    ):
        value = getattr(summary, key)
        shown = ", ".join(map(str, value)) if isinstance(value, tuple) else str(value)
        table.add_row(LABELS.get(key, key.replace("_", " ")), shown)
    for kind, number in summary.messages_by_type.items():
        table.add_row(f"  {kind}", str(number))
    return table


def _plot(path: Path, summary: RunSummary, seed: int) -> None:
    from vdlt_spec.cli import plots

    decided = summary.decided_sequence_numbers
    kinds = list(summary.messages_by_type)
    per = [
        number / decided if decided else float(number)
        for number in summary.messages_by_type.values()
    ]
    plots.bar_chart(
        path,
        f"{summary.mode}, n = {summary.n}, {len(summary.byzantine)} Byzantine, seed {seed}: "
        f"{summary.messages_per_decision} messages per decision",
        kinds,
        [("messages per decision" if decided else "messages (nothing decided)", per)],
        ("message type", "messages per decision" if decided else "messages"),
    )
