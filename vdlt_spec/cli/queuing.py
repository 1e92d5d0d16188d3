"""``vdlt queuing``: class-based weighted fair queuing of transactions (§IV-A)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from vdlt_spec.cli.common import JsonFlag, console, emit_json

__all__ = ["queuing_app", "queuing_simulate"]

queuing_app = typer.Typer(
    help="Class-based weighted fair queuing of transactions (§IV-A).", no_args_is_help=True
)


@queuing_app.command("simulate")
def queuing_simulate(
    seed: Annotated[int, typer.Option("--seed", help="Seed of the workload.")] = 1,
    tx: Annotated[int, typer.Option("--tx", help="Number of transactions.", min=1)] = 10_000,
    load: Annotated[
        str, typer.Option("--load", help="Offered load, as a fraction of the link (e.g. 11/10).")
    ] = "11/10",
    fifo: Annotated[
        bool, typer.Option("--fifo", help="Also run one FIFO queue with the same total buffer.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Schedule a seeded mixed workload with the CBWFQ of the parameters in force; print delays.

    The parameters in force are the defaults (``Parameters()``); the receiving node reclassifies
    every transaction (§III-A) before it joins its class queue (§IV-A).
    """
    import random
    from fractions import Fraction

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

    config = queuing_config(Parameters())
    spec = WorkloadSpec(count=tx, load=serial.decode(Fraction, load, "--load"))
    offered = mixed_workload(spec, random.Random(seed), config.rate)
    arrivals = admit(offered, workload_senders(spec))
    runs = compare_with_fifo(config, arrivals, fifo=fifo)
    measured = offered_load(arrivals, config.rate)
    if as_json:
        emit_json(
            {
                "seed": seed,
                "transactions": tx,
                "offered_load": measured,
                "shares": {c.name: s for c, s in config.shares.items()},
                "classes": runs,
            }
        )
        return

    def show(value: object) -> str:
        return "-" if value is None else f"{float(value):.2f}"  # type: ignore[arg-type]

    shown = "n/a" if measured is None else f"{float(measured):.3f}"
    for name, stats in runs.items():
        title = "vDLT default CBWFQ" if name == "cbwfq" else "one FIFO queue (same buffer)"
        table = Table(title=f"{title}: {tx} transactions, seed {seed}, offered load {shown}")
        for column in ("class", "bits", "share", "sent", "dropped", "mean", "p99", "max"):
            table.add_column(column, justify="left" if column == "class" else "right")
        for row in stats:
            share = config.shares.get(row.service_class)
            table.add_row(
                row.service_class.name.lower(),
                f"{row.service_class.value:03b}",
                "-" if share is None else f"{float(share):.0%}",
                str(row.sent),
                str(row.dropped),
                show(row.mean_delay),
                show(row.p99_delay),
                show(row.max_delay),
            )
        console.print(table)
