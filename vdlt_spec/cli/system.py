"""``vdlt system``: the vDLT system of Fig. 3 end to end, and its experiments (§III-B)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from vdlt_spec.cli.common import (
    JsonFlag,
    check_outputs,
    console,
    emit_json,
    fail,
    fitted_tables,
    progress_bar,
    read_json_file,
    shown,
    write_output,
)

system_app = typer.Typer(
    help="The vDLT system end to end (Fig. 3): simulate it, audit it, measure its claims.",
    no_args_is_help=True,
)

MAX_TRANSACTIONS = 1_000_000
STAGES = ("queue", "order", "execute")
MILP = "milp"


@system_app.command("simulate")
def simulate_command(
    config_file: Annotated[
        Path | None,
        typer.Option("--config", metavar="FILE", help="A JSON SystemConfig; flags override it."),
    ] = None,
    transactions: Annotated[
        int | None, typer.Option("--transactions", help="Transactions in the workload.")
    ] = None,
    load: Annotated[
        str | None, typer.Option("--load", help="Offered load of the control link, e.g. 1/2.")
    ] = None,
    management: Annotated[
        int | None, typer.Option("--management", help="Management/control delegates.")
    ] = None,
    execution: Annotated[int | None, typer.Option("--execution", help="Execution nodes.")] = None,
    signatures: Annotated[
        str | None, typer.Option("--signatures", help="ideal or real (BIP340/MuSig2).")
    ] = None,
    allocator: Annotated[
        str | None,
        typer.Option(
            "--allocator",
            help="per-class-greedy, density-greedy, or milp (the exact oracle, --milp-seconds "
            "per epoch decision).",
        ),
    ] = None,
    hierarchy: Annotated[
        bool, typer.Option("--hierarchy", help="Two-layer management/control (§IV-H).")
    ] = False,
    milp_seconds: Annotated[
        float, typer.Option("--milp-seconds", help="Time limit of each MILP decision.")
    ] = 5.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the workload and faults.")] = 0,
    baseline: Annotated[
        bool, typer.Option("--baseline", help="Also run the coupled blockchain baseline.")
    ] = False,
    trace: Annotated[
        Path | None,
        typer.Option("--trace", metavar="FILE", help="Write the vDLT run's system trace to FILE."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Run the vDLT pipeline on a seeded workload; print per-class and per-tier figures.

    Reclassification at the receiving node, CBWFQ from the parameters in force, ordering by the
    DPoS-elected group with iPBFT, certified allocation per epoch, execution groups producing
    certified user blocks. With --baseline the coupled one-queue system runs on the same
    workload and seed, side by side. Latencies are in ms of the simulated clock.
    """
    from vdlt_spec import serial
    from vdlt_spec.system import SystemConfig, render_trace, simulate, summarize

    check_outputs([trace], [config_file])
    data: dict[str, Any] = {}
    if config_file is not None:
        raw = read_json_file(config_file)
        if not isinstance(raw, dict):
            fail(f"{config_file}: a system configuration is a JSON object")
        data.update(raw)
    flags = {
        "transactions": transactions,
        "load": load,
        "management": management,
        "execution": execution,
        "signatures": signatures,
        "allocator": allocator,
    }
    oracle = None
    if allocator == MILP:
        flags["allocator"] = None
        oracle = _milp_allocator(milp_seconds)
    data.update({k: v for k, v in flags.items() if v is not None})
    if hierarchy:
        data["hierarchy"] = True
    config = serial.decode(SystemConfig, data, "config")
    if not 0 <= config.transactions <= MAX_TRANSACTIONS:
        fail(f"transactions must be between 0 and {MAX_TRANSACTIONS}")
    runs = []
    with progress_bar("simulating the system", len(STAGES), quiet=as_json) as on_progress:

        def hook(stage: str, done: int, total: int) -> None:
            on_progress(STAGES.index(stage) + (1 if done >= total else 0), len(STAGES))

        run = simulate(config, seed, allocator=oracle, progress=hook)
        runs.append(run)
        if baseline:
            runs.append(simulate(config, seed, baseline=True))
    if trace is not None:
        write_output(trace, render_trace(run))
    summaries = [summarize(r) for r in runs]
    if as_json:
        used = MILP if oracle is not None else config.allocator
        emit_json({"seed": seed, "allocator": used, "config": config, "runs": summaries})
        return
    for summary in summaries:
        _print_summary(summary)


def _milp_allocator(seconds: float) -> Any:
    """Return the exact MILP oracle as an allocator: its allocation, or none admitted."""
    from vdlt_spec.allocation.decision import Allocation
    from vdlt_spec.allocation.instance import Instance
    from vdlt_spec.models.milp import solve

    if seconds <= 0:
        fail(f"--milp-seconds must be > 0, got {seconds}")

    def allocate(instance: Instance) -> Allocation:
        found = solve(instance, time_limit=seconds, threads=1).allocation
        return found if found is not None else Allocation(())

    return allocate


def _print_summary(summary: Any) -> None:
    rows = [
        (
            shown(c.service_class),
            str(c.submitted),
            str(c.confirmed),
            str(c.dropped),
            str(c.pending),
            str(c.p50_ms),
            str(c.p99_ms),
            str(c.max_ms),
            f"{float(c.cost):.1f}",
        )
        for c in summary.classes
    ]
    caption = (
        f"throughput {float(summary.throughput_tps):.1f} tx/s; management tier "
        f"{summary.management.decisions} decisions, {summary.management.messages} messages; "
        f"execution tier {summary.user_blocks} user blocks, {summary.execution.messages} "
        f"messages; Nakamoto coefficient {summary.nakamoto}; top decisions "
        f"{summary.top_decisions}, local {summary.local_decisions}; slashed {summary.slashed}"
    )
    columns = (
        "class",
        "submitted",
        "confirmed",
        "dropped",
        "pending",
        "p50 ms",
        "p99 ms",
        "max ms",
        "cost",
    )
    for table in fitted_tables(
        f"{summary.architecture}: per class", columns, rows, caption=caption, width=console.width
    ):
        console.print(table)


@system_app.command("experiment")
def experiment_command(
    name: Annotated[
        str,
        typer.Argument(
            help="latency-per-class, throughput-vs-execution-nodes, top-tier-load or "
            "virtual-systems."
        ),
    ],
    seed: Annotated[int, typer.Option("--seed", help="Seed of every run.")] = 0,
    transactions: Annotated[
        int, typer.Option("--transactions", help="Transactions per run.")
    ] = 1_000,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", metavar="FILE", help="Draw the experiment to FILE (.png, .svg)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Run one experiment of the paper's system claims; print its table and the verdict."""
    from vdlt_spec.system.experiments import run_experiment

    if not 1 <= transactions <= MAX_TRANSACTIONS:
        fail(f"--transactions must be between 1 and {MAX_TRANSACTIONS}")
    if plot is not None:
        from vdlt_spec.cli.plots import check_plot_path

        check_plot_path(plot)
    experiment = run_experiment(name, seed, transactions)
    if plot is not None:
        from vdlt_spec.cli.plots import line_chart

        series = [(label, list(points)) for label, points in experiment.series]
        line_chart(plot, experiment.name, series, experiment.axes)
    verdict = {True: "supported", False: "not supported", None: "not decided by the model"}[
        experiment.supported
    ]
    if as_json:
        emit_json(
            {
                "experiment": experiment.name,
                "seed": seed,
                "transactions": transactions,
                "columns": experiment.columns,
                "rows": experiment.rows,
                "claim": experiment.claim,
                "supported": experiment.supported,
                "finding": experiment.finding,
            }
        )
        return
    caption = f"claim: {experiment.claim} -> {verdict}. {experiment.finding}"
    for table in fitted_tables(
        experiment.name,
        experiment.columns,
        experiment.rows,
        caption=shown(caption),
        width=console.width,
    ):
        console.print(table)


__all__ = ["system_app"]
