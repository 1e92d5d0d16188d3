"""``vdlt allocation dataset|score`` and ``vdlt consensus campaign``: batch work on a cluster.

Every command here runs on Dask distributed: a local cluster of one worker process per core by
default (``--workers`` to choose), or the scheduler at ``--scheduler tcp://HOST:PORT`` (or
``DASK_SCHEDULER_ADDRESS``). A scheduler that does not answer is one error line, exit 2.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from vdlt_spec.cli.common import (
    JsonFlag,
    check_outputs,
    console,
    emit_json,
    err_console,
    fail,
    shown,
    visible,
    write_output,
)

__all__ = [
    "campaign_command",
    "dataset_build",
    "dataset_verify",
    "economy_campaign_command",
    "register",
    "score_command",
    "system_campaign_command",
]

#: Where the bundled datasets live; ``vdlt allocation score small`` names one of them.
BUNDLED = Path(__file__).resolve().parents[1] / "batch" / "datasets"

#: The narrowest the allocator column of a leaderboard gets (baseline names fit whole).
ALLOCATOR_WIDTH = 14

#: The most seeds one campaign takes (10^7: days of work on a large cluster).
MAX_RUNS = 10_000_000
RunsOption = Annotated[
    int, typer.Option("--runs", metavar="K", min=1, max=MAX_RUNS, help="Seeded runs.")
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        metavar="ADDRESS",
        help="A Dask scheduler, tcp://HOST:PORT (default: DASK_SCHEDULER_ADDRESS, else a "
        "local cluster).",
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers", metavar="N", min=1, help="Worker processes of the local cluster (cores)."
    ),
]

dataset_app = typer.Typer(
    help="Allocation datasets: instances solved to proven optima by the oracle (§IV-E).",
    no_args_is_help=True,
)


@contextmanager
def _bar(verb: str, *, quiet: bool) -> Iterator[Callable[[int, int], None]]:
    """Yield an ``on_progress(done, total)`` that drives a bar with counts and ETA on stderr."""
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=quiet or not err_console.is_terminal,
    )
    with progress:
        task = progress.add_task(verb, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def _workers(count: int) -> str:
    return f"{count} worker" + ("" if count == 1 else "s")


def _where(cluster: Any) -> str:
    kind = "local cluster" if cluster.embedded else "scheduler"
    return f"{kind} {cluster.address}, {_workers(cluster.workers)}"


@dataset_app.command("build", short_help="Generate and solve a dataset; resumes a stopped one.")
def dataset_build(
    spec_file: Annotated[Path, typer.Argument(metavar="SPEC", help="A dataset spec JSON file.")],
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="The dataset folder.")],
    limit: Annotated[
        int | None,
        typer.Option("--limit", metavar="N", min=0, help="Solve at most N missing cases now."),
    ] = None,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Generate a dataset's instances and solve each with the MILP oracle (§IV-E).

    SPEC names the sizes ([transactions, execution nodes] pairs), utilities, seeds
    ({"start", "count"}) and solver options (solver, time_limit per case, gap); docs/batch.md
    shows one. Each case is stored as instance, allocation and report with a manifest of their
    sha256. A build that stopped resumes where it was and never solves a finished case again.
    Exit 0 when every case is finished, 2 when some are missing (--limit, or a stop).
    """
    from vdlt_spec.batch import build, connect, load_spec

    spec = load_spec(spec_file)
    if out.exists() and not out.is_dir():
        fail(f"--out {out} is not a folder")
    began = time.perf_counter()
    with connect(scheduler, workers=workers) as cluster, _bar("solving", quiet=as_json) as bar:
        manifest = build(spec, out, cluster, limit=limit, on_progress=bar)
        where = _where(cluster)
    counts = manifest["counts"]
    if as_json:
        emit_json({**{k: v for k, v in manifest.items() if k != "cases"}, "out": str(out)})
    else:
        console.print(
            f"{shown(spec.name)}: {counts['finished']} of {counts['planned']} cases finished "
            f"({counts['proven_optimal']} proven optimal; "
            + ", ".join(f"{k} {v}" for k, v in manifest["status_counts"].items())
            + f") in {out} in {time.perf_counter() - began:.1f} s on the {shown(where)}",
            highlight=False,
        )
    raise typer.Exit(0 if counts["missing"] == 0 else 2)


@dataset_app.command("verify", short_help="Check a dataset's files against its manifest.")
def dataset_verify(
    folder: Annotated[
        Path, typer.Argument(metavar="DIR", help="A dataset folder, or 'small' (bundled).")
    ],
    as_json: JsonFlag = False,
) -> None:
    """Check every file a dataset's manifest lists against its sha256; exit 1 on a mismatch."""
    from vdlt_spec.batch import verify

    folder = _dataset_folder(folder)
    check = verify(folder)
    if as_json:
        emit_json(check)
    else:
        for problem in check["problems"]:
            console.print(shown(problem), highlight=False)
        state = "intact" if not check["problems"] else f"{len(check['problems'])} problems"
        console.print(
            f"{shown(folder)}: {check['cases']} cases, {check['checked_files']} files, {state}",
            highlight=False,
        )
    raise typer.Exit(0 if not check["problems"] else 1)


def _dataset_folder(name: Path) -> Path:
    """Return a dataset folder: the path given, else the bundled dataset of that name."""
    if name.is_dir() or len(name.parts) != 1 or not (BUNDLED / name.name).is_dir():
        return name
    return BUNDLED / name.name


def score_command(
    dataset: Annotated[
        Path, typer.Argument(metavar="DATASET", help="A dataset folder, or 'small' (bundled).")
    ],
    allocators: Annotated[
        list[str],
        typer.Option(
            "--allocator",
            metavar="NAME",
            help="density-greedy, per-class, oracle, module:factory or an agent file (repeatable).",
        ),
    ],
    csv_file: Annotated[
        Path | None,
        typer.Option("--csv", metavar="FILE", help="Write one row per allocator and instance."),
    ] = None,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Score allocators over a dataset: share of the optimum, feasibility, time (§IV-F).

    Per allocator: the mean share of the optimum ± 2σ/√n (an infeasible allocation counts
    0; an instance whose optimum is 0 has no share), the feasible count, paired wins against
    each other allocator, and the time spent, total and per instance (the oracle's is its
    solve time).
    """
    from vdlt_spec.batch import (
        connect,
        leaderboard,
        load_dataset,
        resolve_allocator,
        score_dataset,
    )

    check_outputs([csv_file], [])
    for name in allocators:
        resolve_allocator(name)  # a bad name is one line before any cluster starts
    cases = load_dataset(_dataset_folder(dataset))
    began = time.perf_counter()
    with connect(scheduler, workers=workers) as cluster, _bar("scoring", quiet=as_json) as bar:
        rows = score_dataset(cluster, cases, list(dict.fromkeys(allocators)), on_progress=bar)
        board = leaderboard(rows, time.perf_counter() - began, cluster.workers)
    if csv_file is not None:
        write_output(csv_file, _csv(board["rows"]))
    if as_json:
        emit_json(board)
        return
    console.print(_board_table(board))
    names = [a["allocator"] for a in board["allocators"]]
    if len(names) > 1:
        console.print(_wins_table(board["paired_wins"], names))
    console.print(
        f"{len(cases)} instances, {len(rows)} scores in {board['wall_seconds']:.1f} s on "
        f"{_workers(board['workers'])}",
        highlight=False,
    )


def _csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    fields = ["allocator", "instance", "feasible", "objective", "best", "proven"]
    fields += ["share_low", "share_high", "seconds"]
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _board_table(board: dict[str, Any]) -> Table:
    table = Table(title="allocators against the oracle (share of the optimum)")
    table.add_column("allocator", overflow="fold", min_width=ALLOCATOR_WIDTH)
    for column in ("mean share ± 2σ/√n", "min", "feasible", "no share", "total s", "per inst. s"):
        table.add_column(column, justify="right", no_wrap=True)
    for a in board["allocators"]:
        table.add_row(
            shown(a["allocator"]),
            f"{100 * a['mean_share']:.2f} ± {100 * a['half_width']:.2f} %",
            f"{100 * a['min_share']:.2f} %",
            f"{a['feasible']}/{a['instances']}",
            str(a["no_share"]),
            f"{a['total_seconds']:.3f}",
            f"{a['mean_seconds']:.4f}",
        )
    return table


def _wins_table(wins: dict[str, dict[str, int]], names: list[str]) -> Table:
    table = Table(title="paired wins: instances where the row beats the column")
    table.add_column("allocator", overflow="fold", min_width=ALLOCATOR_WIDTH)
    for name in names:
        table.add_column(shown(name), justify="right", no_wrap=True)
    for a in names:
        table.add_row(shown(a), *("-" if a == b else str(wins[a][b]) for b in names))
    return table


def _sizes(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        fail(f"--sizes must be group sizes separated by commas, got {text!r}")


def campaign_command(
    runs: RunsOption = 1000,
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="The first seed.")] = 0,
    sizes: Annotated[
        str, typer.Option("--sizes", metavar="N,N,...", help="Group sizes, in turn by seed.")
    ] = "4,5,7,10,13,16",
    extra_byzantine: Annotated[
        int,
        typer.Option(
            "--extra-byzantine",
            metavar="N",
            min=0,
            help="Byzantine replicas beyond f (1 exceeds the fault bound).",
        ),
    ] = 0,
    behaviour: Annotated[
        str,
        typer.Option(metavar="NAME", help="mixed, collude or one Byzantine behaviour."),
    ] = "mixed",
    faults: Annotated[
        str,
        typer.Option(metavar="NAME,...", help="Network faults: partition, crash, loss, or none."),
    ] = "partition,crash,loss",
    requests: Annotated[
        int, typer.Option("--requests", metavar="N", min=1, help="Requests per run.")
    ] = 6,
    chunk: Annotated[int, typer.Option("--chunk", metavar="N", min=1, help="Runs per task.")] = 20,
    out: Annotated[
        Path | None, typer.Option(metavar="FILE", help="Write the report as JSON.")
    ] = None,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Run K seeded simulations on the cluster; stop at the first safety violation (§III-D).

    Each seed draws a run: a group size from --sizes, f Byzantine replicas (plus
    --extra-byzantine), a healing partition, a crash and lossy, duplicating links. Results
    stream back as they finish. A violation is reported with its seed and a shrunk run that
    still violates safety (fewer faults, requests, ticks, Byzantine replicas or replicas).
    Exit 0 when every run is safe, 1 on a violation.
    """
    from vdlt_spec.batch import CampaignPlan, run_campaign

    chosen = tuple(f.strip() for f in faults.split(",") if f.strip() and f.strip() != "none")
    campaign = CampaignPlan(
        sizes=_sizes(sizes),
        extra=extra_byzantine,
        behaviour=behaviour,
        faults=chosen,
        requests=requests,
    )
    _run_seeded(
        lambda cluster, bar: run_campaign(
            cluster, campaign, range(seed, seed + runs), chunk=chunk, on_progress=bar
        ),
        _print_campaign,
        out,
        scheduler,
        workers,
        as_json,
    )


def _print_campaign(report: dict[str, Any]) -> None:
    seen = report["faults_exercised"]
    console.print(
        f"{report['runs']} runs, {report['decisions']} decisions, {report['view_changes']} "
        f"view changes, {report['dropped']} messages dropped; faults: {seen['partition']} "
        f"partitions, {seen['crash']} crashes, {seen['lossy']} lossy runs, "
        f"{seen['byzantine_replicas']} Byzantine replicas; {report['violations']} safety "
        f"violations in {report['wall_seconds']:.1f} s on {_workers(report['workers'])}",
        highlight=False,
    )
    incomplete = report["incomplete_seeds"]
    if incomplete:
        shown_seeds = ", ".join(map(str, incomplete[:5])) + (", ..." if len(incomplete) > 5 else "")
        console.print(
            f"{len(incomplete)} runs ended with requests undecided (liveness, not safety): "
            f"seeds {shown_seeds}; --json lists them all",
            highlight=False,
        )
    violation = report["violation"]
    if violation is None:
        return
    small = violation["shrunk"]
    console.print(
        f"[red]safety violated[/] at seed {violation['seed']}: "
        f"{violation['outcome']['conflicts']} conflicting commits; shrunk to n = {small['n']}, "
        f"{len(small['byzantine'])} Byzantine, {small['requests']} requests, "
        f"max_time {small['max_time']}, partition {small['partition'] is not None}, "
        f"crash {small['crash'] is not None}, loss {small['loss']} "
        f"({violation['shrink_simulations']} simulations); --json holds the run",
        highlight=False,
    )


SeedOption = Annotated[int, typer.Option("--seed", metavar="N", help="The first seed.")]
ChunkOption = Annotated[int, typer.Option("--chunk", metavar="N", min=1, help="Runs per task.")]
OutOption = Annotated[Path | None, typer.Option(metavar="FILE", help="Write the report as JSON.")]


def economy_campaign_command(
    runs: RunsOption = 1000,
    seed: SeedOption = 0,
    steps: Annotated[
        int, typer.Option("--steps", metavar="N", min=1, help="Random operations per run.")
    ] = 400,
    chunk: ChunkOption = 10,
    out: OutOption = None,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Walk K seeded economies on the cluster; stop at the first broken invariant (§IV-B..K).

    Each run applies --steps random operations, valid and invalid (transfers, bonds, locked
    votes, evidence, amendments, epochs), checking every invariant after each. A violation is
    reported with its seed and the shortest walk of that seed that still breaks it. Exit 0
    when every run keeps every invariant, 1 on a violation.
    """
    from vdlt_spec.batch.simulations import SimulationPlan

    _run_simulations(
        SimulationPlan(kind="economy", steps=steps),
        runs,
        seed,
        chunk,
        out,
        scheduler,
        workers,
        as_json,
    )


def system_campaign_command(
    runs: RunsOption = 200,
    seed: SeedOption = 0,
    transactions: Annotated[
        int, typer.Option("--transactions", metavar="N", min=1, help="Transactions per run.")
    ] = 200,
    faults: Annotated[
        bool,
        typer.Option(
            "--faults/--no-faults",
            help="Draw faults within the bound from each seed (Byzantine, crash, loss, partition).",
        ),
    ] = True,
    chunk: ChunkOption = 5,
    out: OutOption = None,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    as_json: JsonFlag = False,
) -> None:
    """Run K seeded systems (Fig. 3) on the cluster and audit each trace; stop at a finding.

    Each run simulates the pipeline with faults drawn from its seed (up to f Byzantine
    delegates, one Byzantine and one crashed execution node, lossy links, a partition) and
    the system auditor checks its trace. Exit 0 when every audit is clean, 1 on a finding.
    """
    from vdlt_spec.batch.simulations import SimulationPlan

    plan = SimulationPlan(kind="system", transactions=transactions, faults=faults)
    _run_simulations(plan, runs, seed, chunk, out, scheduler, workers, as_json)


def _run_simulations(
    plan: Any,
    runs: int,
    seed: int,
    chunk: int,
    out: Path | None,
    scheduler: str | None,
    workers: int | None,
    as_json: bool,
) -> None:
    from vdlt_spec.batch.simulations import run_simulations

    _run_seeded(
        lambda cluster, bar: run_simulations(
            cluster, plan, range(seed, seed + runs), chunk=chunk, on_progress=bar
        ),
        _print_simulations,
        out,
        scheduler,
        workers,
        as_json,
    )


def _run_seeded(
    run: Callable[[Any, Callable[[int, int], None]], dict[str, Any]],
    show: Callable[[dict[str, Any]], None],
    out: Path | None,
    scheduler: str | None,
    workers: int | None,
    as_json: bool,
) -> None:
    """Run a seeded campaign on the cluster, write and print its report; exit 1 on a violation."""
    from vdlt_spec.batch import connect

    check_outputs([out], [])
    with connect(scheduler, workers=workers) as cluster, _bar("simulating", quiet=as_json) as bar:
        began = time.perf_counter()
        report = run(cluster, bar)
        report["wall_seconds"] = time.perf_counter() - began
        report["workers"] = cluster.workers
    if out is not None:
        import json

        write_output(out, json.dumps(report, indent=2, allow_nan=False) + "\n")
    if as_json:
        emit_json(report)
    else:
        show(report)
    raise typer.Exit(1 if report["violation"] else 0)


def _print_simulations(report: dict[str, Any]) -> None:
    figures = ", ".join(
        f"{value} {name.replace('_', ' ')}" for name, value in report["totals"].items()
    )
    console.print(
        f"{report['runs']} {report['plan']['kind']} runs: {figures}; {report['violations']} "
        f"violations in {report['wall_seconds']:.1f} s on {_workers(report['workers'])}",
        highlight=False,
    )
    violation = report["violation"]
    if violation is None:
        return
    shortest = violation.get("shortest_steps")
    where = f" (the first {shortest} steps of the walk suffice)" if shortest else ""
    console.print(f"[red]rule broken[/] at seed {violation['seed']}{where}:", highlight=False)
    for finding in violation["findings"]:
        console.print(f"  {visible(finding)}", markup=False, highlight=False)


def register(
    allocation_app: typer.Typer,
    consensus_app: typer.Typer,
    governance_app: typer.Typer,
    system_app: typer.Typer,
) -> None:
    """Add the batch commands to the allocation, consensus, governance and system groups."""
    allocation_app.add_typer(
        dataset_app, name="dataset", short_help="Build and verify solved datasets (§IV-E)."
    )
    allocation_app.command(
        "score", short_help="Score allocators over a dataset: share of optimum, time (§IV-F)."
    )(score_command)
    consensus_app.command(
        "campaign", short_help="Run seeded safety campaigns on a cluster (§III-D)."
    )(campaign_command)
    governance_app.command(
        "campaign", short_help="Walk seeded economies on a cluster, checking invariants."
    )(economy_campaign_command)
    system_app.command(
        "campaign", short_help="Run seeded systems on a cluster and audit each (Fig. 3)."
    )(system_campaign_command)
