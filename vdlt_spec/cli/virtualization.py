"""``vdlt virtualization``: place virtual DLT systems; measure the management hierarchy."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from vdlt_spec.cli.common import JsonFlag, console, emit_json, read_json_file

__all__ = ["virtualization_app"]

virtualization_app = typer.Typer(
    help="Place virtual DLT systems on a substrate; measure the management hierarchy.",
    no_args_is_help=True,
)


@virtualization_app.command("place")
def virtualization_place(
    substrate_file: Annotated[Path, typer.Argument(help="SUBSTRATE.json: nodes, links.")],
    systems_file: Annotated[Path, typer.Argument(help="SYSTEMS.json: an array of systems.")],
    fail: Annotated[
        list[str] | None,
        typer.Option("--fail", help="A physical node to fail for the fault table (repeatable)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Admit systems in order; print placement, leases, rejections. Exit 1 if any rejected."""
    from vdlt_spec import serial
    from vdlt_spec import virtualization as virt

    substrate = serial.decode(virt.Substrate, read_json_file(substrate_file), "$")
    systems = serial.decode(tuple[virt.VirtualSystem, ...], read_json_file(systems_file), "$")
    report = virt.place(substrate, systems, fail or ())
    placement = report.placement
    rejected = report.rejected
    if as_json:
        emit_json(report)
        raise typer.Exit(1 if rejected else 0)
    nodes = {n.id: n for n in substrate.nodes}
    table = Table(title="placement")
    for column in ("system", "vDSP", "node", "role", "host", "DInP", "region"):
        table.add_column(column)
    for system in placement.systems:
        hosts = placement.hosts_of(system.id)
        for node in system.nodes:
            host = nodes[hosts[node.id]]
            table.add_row(
                system.id, system.vdsp, node.id, node.role.value, host.id, host.dinp, host.region
            )
    console.print(table)
    table = Table(title="leases (Fig. 5)")
    for column in ("vDSP", "DInP", "compute", "storage", "bandwidth", "nodes", "systems"):
        table.add_column(column, justify="right" if column in virt.RESOURCE_KINDS else "left")
    for lease in report.leases:
        table.add_row(
            lease.vdsp,
            lease.dinp,
            *(str(lease.resources.amount(k)) for k in virt.RESOURCE_KINDS),
            str(lease.virtual_nodes),
            ", ".join(lease.systems),
        )
    console.print(table)
    if report.faults:
        table = Table(title=f"faults of {', '.join(fail or [])}")
        for column in ("system", "group", "size", "lost", "quorum", "keeps quorum"):
            table.add_column(column)
        for impact in report.faults:
            table.add_row(
                impact.system,
                impact.role.value,
                str(impact.size),
                str(impact.lost),
                str(impact.quorum),
                "yes" if impact.keeps_quorum else "[red]no[/]",
            )
        console.print(table)
    for outcome in rejected:
        console.print(
            f"rejected {outcome.system} [{outcome.reason}]: {outcome.detail}",
            markup=False,
            highlight=False,
        )
    console.print(
        f"{len(report.outcomes) - len(rejected)} admitted, {len(rejected)} rejected",
        markup=False,
    )
    raise typer.Exit(1 if rejected else 0)


@virtualization_app.command("hierarchy")
def virtualization_hierarchy(
    regions: Annotated[int, typer.Option(help="Regions of execution nodes.")] = 4,
    per_region: Annotated[int, typer.Option(help="Execution nodes per region.")] = 12,
    group_size: Annotated[
        int, typer.Option(help="Most execution nodes per local group (a handful).")
    ] = 5,
    count: Annotated[int, typer.Option(help="Transactions per workload.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Seed of the workloads.")] = 7,
    global_share: Annotated[
        str, typer.Option(help="Share of management/control transactions, e.g. 1/20.")
    ] = "1/20",
    as_json: JsonFlag = False,
) -> None:
    """Route seeded workloads of rising locality; print each layer's share of decisions."""
    from fractions import Fraction

    from vdlt_spec import hierarchy, serial

    nodes = hierarchy.regional_nodes(regions, per_region)
    share = serial.decode(Fraction, global_share, "--global-share")
    built = hierarchy.build(nodes, group_size)
    rows = hierarchy.locality_sweep(built, seed, count, hierarchy.SWEEP_LOCALITIES, share)
    if as_json:
        emit_json({"groups": len(built.groups), "rows": rows})
        return
    table = Table(
        title=f"{len(nodes)} execution nodes, {len(built.groups)} local groups, "
        f"global share {share}, {count} transactions, seed {seed}"
    )
    for column in ("locality", "top decisions", "top share", "busiest local group"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(
            f"{float(row.locality):.2f}",
            str(row.load.top),
            f"{float(row.load.top_share):.4f}",
            str(row.load.busiest_local),
        )
    console.print(table)
