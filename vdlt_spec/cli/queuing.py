"""``vdlt queuing``: class-based weighted fair queuing of transactions (§IV-A)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from vdlt_spec.cli.common import (
    JsonFlag,
    console,
    deprecated_option,
    emit_json,
    fail,
    fitted_tables,
    given,
    progress_bar,
)

if TYPE_CHECKING:
    from vdlt_spec.queuing import ClassDelay

__all__ = ["DELAY_UNIT", "delay_tables", "load_tables", "queuing_app", "queuing_simulate"]

queuing_app = typer.Typer(
    help="Class-based weighted fair queuing of transactions (§IV-A).", no_args_is_help=True
)

#: What a delay is measured in: the link sends one unit of transaction size per time unit.
DELAY_UNIT = "time units (a transaction of size 1 takes 1 to send)"

DISCIPLINE_TITLE = {"cbwfq": "vDLT default CBWFQ", "fifo": "one FIFO queue (same buffer)"}


def _delay(value: Fraction | None) -> str:
    return "-" if value is None else f"{float(value):.2f}"


def _class_name(row: ClassDelay) -> str:
    return row.service_class.name.lower().replace("_", " ")


def delay_tables(
    title: str, rows: Sequence[ClassDelay], shares: Mapping[Any, Fraction], *, caption: str
) -> list[Table]:
    """Return one discipline's per-class figures: sent, dropped, delays; no number cut."""
    columns = ("class", "bits", "share", "sent", "dropped", "mean", "p99", "max")
    cells = []
    for row in rows:
        share = shares.get(row.service_class)
        cells.append(
            (
                _class_name(row),
                f"{row.service_class.value:03b}",
                "-" if share is None else f"{float(share):.0%}",
                str(row.sent),
                str(row.dropped),
                _delay(row.mean_delay),
                _delay(row.p99_delay),
                _delay(row.max_delay),
            )
        )
    return fitted_tables(title, columns, cells, caption=caption, width=console.width)


def load_tables(
    title: str, loads: Sequence[Fraction], rows: Sequence[Sequence[ClassDelay]], *, caption: str
) -> list[Table]:
    """Return a sweep's figures: one row per class, its mean delay at each offered load."""
    columns = ("class", *(str(load) for load in loads))
    cells = [
        (_class_name(first), *(_delay(run[k].mean_delay) for run in rows))
        for k, first in enumerate(rows[0])
    ]
    return fitted_tables(title, columns, cells, caption=caption, width=console.width)


#: The most transactions a simulated workload may have.
MAX_COUNT = 10_000_000


@queuing_app.command("simulate", short_help="Schedule a seeded workload; print class delays.")
def queuing_simulate(
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Seed of the workload.")] = 1,
    count: Annotated[
        int, typer.Option("--count", metavar="N", help="Transactions in the workload.")
    ] = 10_000,
    tx: Annotated[int | None, deprecated_option("--tx", "--count")] = None,
    load: Annotated[
        str,
        typer.Option(
            "--load",
            metavar="FRACTION",
            help="Offered load as a fraction of the link, e.g. 11/10; several, comma-separated "
            "(1/2,9/10,11/10,3/2), make a sweep of one run per load.",
        ),
    ] = "11/10",
    fifo: Annotated[
        bool, typer.Option("--fifo", help="Also run one FIFO queue with the same total buffer.")
    ] = False,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot",
            metavar="FILE",
            help="Draw the mean delay per class (against the load for a sweep) to FILE "
            "(.png or .svg).",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Schedule a seeded mixed workload with the default CBWFQ; print each class's delays.

    The parameters in force are the defaults (``Parameters()``); the receiving node reclassifies
    every transaction (§III-A) before it joins its class queue (§IV-A). Delays are in time
    units: the link sends one unit of transaction size per time unit. With several loads the
    run is a sweep: one workload per load (same seed), the mean delay of each class per load.
    """
    import random

    from vdlt_spec import serial
    from vdlt_spec.governance.parameters import Parameters, queuing_config
    from vdlt_spec.queuing import (
        WorkloadSpec,
        admit,
        compare_with_fifo,
        mixed_workload,
        offered_load,
        workload_senders,
    )

    count = given(count, tx)
    if not 1 <= count <= MAX_COUNT:
        fail(f"--count must be between 1 and {MAX_COUNT}, got {count}")
    loads = [serial.decode(Fraction, part.strip(), "--load") for part in load.split(",")]
    if plot is not None:
        from vdlt_spec.cli.plots import check_plot_path

        check_plot_path(plot)
    config = queuing_config(Parameters())
    # Progress counts stages, which take comparable times: per load, the workload is drawn,
    # admitted, then scheduled and summarised once per discipline.
    stages = 2 + (2 if fifo else 1)
    total = len(loads) * stages
    results = []
    with progress_bar("simulating queues", total, quiet=as_json) as on_progress:
        for k, wanted in enumerate(loads):
            base = k * stages
            spec = WorkloadSpec(count=count, load=wanted)
            offered = mixed_workload(spec, random.Random(seed), config.rate)
            on_progress(base + 1, total)
            arrivals = admit(offered, workload_senders(spec))
            on_progress(base + 2, total)

            def step(done: int, _: int, base: int = base) -> None:
                on_progress(base + 2 + done, total)

            runs = compare_with_fifo(config, arrivals, fifo=fifo, on_progress=step)
            results.append((wanted, offered_load(arrivals, config.rate), runs))
    shares = {c.name: s for c, s in config.shares.items()}
    if plot is not None:
        _plot(plot, count, seed, results)
    if as_json:
        if len(results) == 1:
            _, measured, runs = results[0]
            document: dict[str, Any] = {"offered_load": measured, "classes": runs}
        else:
            document = {
                "loads": [
                    {"load": wanted, "offered_load": measured, "classes": runs}
                    for wanted, measured, runs in results
                ]
            }
        emit_json({"seed": seed, "transactions": count, "shares": shares, **document})
        return
    caption = f"delays in {DELAY_UNIT}"
    if len(results) == 1:
        _, measured, runs = results[0]
        shown = "n/a" if measured is None else f"{float(measured):.3f}"
        for name, stats in runs.items():
            title = (
                f"{DISCIPLINE_TITLE[name]}: {count} transactions, seed {seed}, offered load {shown}"
            )
            for table in delay_tables(title, stats, config.shares, caption=caption):
                console.print(table)
        return
    for name in results[0][2]:
        title = f"{DISCIPLINE_TITLE[name]}: mean delay by offered load, {count} transactions"
        sweep = [runs[name] for _, _, runs in results]
        for table in load_tables(title, loads, sweep, caption=caption):
            console.print(table)


def _plot(
    path: Path,
    count: int,
    seed: int,
    results: Sequence[tuple[Fraction, Fraction | None, Mapping[str, Sequence[ClassDelay]]]],
) -> None:
    from vdlt_spec.cli import plots

    label = {"cbwfq": "CBWFQ", "fifo": "FIFO (same buffer)"}
    first = results[0][2]
    classes = [row.service_class.name.lower() for row in first["cbwfq"]]
    if len(results) == 1:
        plots.bar_chart(
            path,
            f"Mean delay per class: {count} transactions, seed {seed}, load {results[0][0]}",
            classes,
            [
                (label[name], [None if r.mean_delay is None else float(r.mean_delay) for r in rows])
                for name, rows in first.items()
            ],
            ("class", "mean delay (time units)"),
            log_y=True,
        )
        return
    panels = [
        plots.Panel(
            label[name],
            [
                (
                    cls,
                    [
                        (float(wanted), float(d))
                        for wanted, _, runs in results
                        if (d := runs[name][k].mean_delay) is not None
                    ],
                )
                for k, cls in enumerate(classes)
            ],
            "mean delay (time units)",
            log_y=True,
        )
        for name in first
    ]
    plots.panel_chart(
        path,
        f"Mean delay per class under rising load ({count} transactions, seed {seed})",
        panels,
        "offered load (fraction of the link)",
        share_y=True,
    )
