"""``vdlt virtualization``: place virtual DLT systems; measure the management hierarchy."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from vdlt_spec.cli.common import (
    JsonFlag,
    console,
    emit_json,
    fail,
    progress_bar,
    read_json_file,
    shown,
)

if TYPE_CHECKING:
    from vdlt_spec.hierarchy import SweepRow

__all__ = ["virtualization_app"]

virtualization_app = typer.Typer(
    help="Place virtual DLT systems on a substrate; measure the management hierarchy.",
    no_args_is_help=True,
)


@virtualization_app.command("place")
def virtualization_place(
    substrate_file: Annotated[
        Path, typer.Argument(metavar="SUBSTRATE", help="SUBSTRATE.json: nodes, links.")
    ],
    systems_file: Annotated[
        Path, typer.Argument(metavar="SYSTEMS", help="SYSTEMS.json: an array of systems.")
    ],
    fail: Annotated[
        list[str] | None,
        typer.Option(
            "--fail",
            metavar="NODE",
            help="A physical node to fail for the fault table (repeatable).",
        ),
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
                *map(shown, (system.id, system.vdsp, node.id, node.role.value)),
                *map(shown, (host.id, host.dinp, host.region)),
            )
    console.print(table)
    table = Table(title="leases (Fig. 5)")
    for column in ("vDSP", "DInP", "compute", "storage", "bandwidth", "nodes", "systems"):
        table.add_column(column, justify="right" if column in virt.RESOURCE_KINDS else "left")
    for lease in report.leases:
        table.add_row(
            shown(lease.vdsp),
            shown(lease.dinp),
            *(str(lease.resources.amount(k)) for k in virt.RESOURCE_KINDS),
            str(lease.virtual_nodes),
            shown(", ".join(lease.systems)),
        )
    console.print(table)
    if report.faults:
        table = Table(title=f"faults of {', '.join(fail or [])}")
        for column in ("system", "group", "size", "lost", "quorum", "keeps quorum"):
            table.add_column(column)
        for impact in report.faults:
            table.add_row(
                shown(impact.system),
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


#: The largest sweep `vdlt virtualization hierarchy` runs: regions, nodes per region, nodes in
#: all, transactions per workload (beyond them a sweep would run for hours, silently).
MAX_REGIONS = 1_000
MAX_PER_REGION = 1_000
MAX_HIERARCHY_NODES = 10_000
MAX_HIERARCHY_COUNT = 1_000_000


@virtualization_app.command("hierarchy", short_help="Measure each layer's load against locality.")
def virtualization_hierarchy(
    regions: Annotated[
        int, typer.Option("--regions", metavar="N", help="Regions of execution nodes.")
    ] = 4,
    per_region: Annotated[
        int, typer.Option("--per-region", metavar="N", help="Execution nodes per region.")
    ] = 12,
    group_size: Annotated[
        int,
        typer.Option(
            "--group-size", metavar="N", help="Most execution nodes per local group (a handful)."
        ),
    ] = 5,
    count: Annotated[
        int, typer.Option("--count", metavar="N", help="Transactions per workload.")
    ] = 10_000,
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Seed of the workloads.")] = 7,
    global_share: Annotated[
        str,
        typer.Option(
            "--global-share",
            metavar="FRACTION",
            help="Share of management/control transactions, e.g. 1/20.",
        ),
    ] = "1/20",
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot",
            metavar="FILE",
            help="Draw each layer's share of the decisions against locality to FILE "
            "(.png or .svg).",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Route seeded workloads of rising locality; print each layer's share of decisions.

    One workload of ``--count`` transactions per locality (0 to 1: the chance that a
    transaction needs only nodes of one local domain); the top layer decides the global and
    cross-domain ones, the local groups the rest (§IV-H).
    """
    from fractions import Fraction

    from vdlt_spec import hierarchy, serial

    for option, value, top in (
        ("--regions", regions, MAX_REGIONS),
        ("--per-region", per_region, MAX_PER_REGION),
        ("--count", count, MAX_HIERARCHY_COUNT),
    ):
        if not 1 <= value <= top:
            fail(f"{option} must be between 1 and {top}, got {value}")
    if regions * per_region > MAX_HIERARCHY_NODES:
        fail(
            f"--regions x --per-region must be at most {MAX_HIERARCHY_NODES} nodes, "
            f"got {regions * per_region}"
        )
    if plot is not None:
        from vdlt_spec.cli.plots import check_plot_path

        check_plot_path(plot)
    nodes = hierarchy.regional_nodes(regions, per_region)
    share = serial.decode(Fraction, global_share, "--global-share")
    built = hierarchy.build(nodes, group_size)
    localities = hierarchy.SWEEP_LOCALITIES
    with progress_bar("routing workloads", len(localities), quiet=as_json) as on_progress:
        rows = hierarchy.locality_sweep(built, seed, count, localities, share, on_progress)
    if plot is not None:
        _plot_hierarchy(plot, rows, len(nodes), len(built.groups), count)
    if as_json:
        emit_json({"groups": len(built.groups), "rows": rows})
        return
    table = Table(
        title=f"{len(nodes)} execution nodes, {len(built.groups)} local groups, "
        f"global share {share}, {count} transactions, seed {seed}",
        caption="decisions: transactions decided; top share: the top layer's fraction of them",
    )
    for column in ("locality", "top decisions", "top share", "busiest local group"):
        table.add_column(column, justify="right", overflow="fold")
    for row in rows:
        table.add_row(
            f"{float(row.locality):.2f}",
            str(row.load.top),
            f"{float(row.load.top_share):.4f}",
            str(row.load.busiest_local),
        )
    console.print(table)


def _plot_hierarchy(
    path: Path, rows: Sequence[SweepRow], nodes: int, groups: int, count: int
) -> None:
    from vdlt_spec.cli import plots

    def share(row: SweepRow, decisions: int) -> float:
        return decisions / row.load.total if row.load.total else 0.0

    plots.line_chart(
        path,
        f"Who decides: {nodes} execution nodes, {groups} local groups, {count} transactions",
        [
            ("top layer", [(float(r.locality), share(r, r.load.top)) for r in rows]),
            (
                "local groups together",
                [(float(r.locality), share(r, r.load.total - r.load.top)) for r in rows],
            ),
            (
                "busiest local group",
                [(float(r.locality), share(r, r.load.busiest_local)) for r in rows],
            ),
        ],
        ("locality (share of transactions within one local domain)", "share of all decisions"),
    )
