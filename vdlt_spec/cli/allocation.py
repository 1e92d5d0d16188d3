"""``vdlt allocation``: instances of Eq. (1), its exact oracle, evaluator and baselines (§IV-E)."""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from vdlt_spec.cli.common import (
    DeadlinePassed,
    JsonFlag,
    check_outputs,
    console,
    deadline,
    deprecated_option,
    emit_json,
    err_console,
    fail,
    given,
    read_as,
    shown,
    staged_outputs,
    visible,
    work_progress,
    write_output,
)
from vdlt_spec.cli.solve_report import (
    UTILITY_UNIT,
    diagnosis_table,
    fraction_text,
    solve_document,
    solve_table,
)

__all__ = [
    "allocation_app",
    "baseline_command",
    "evaluate_command",
    "instance_generate",
    "instance_schema",
    "solve_command",
]

#: The instance file every allocation command but ``generate`` and ``schema`` reads.
InstanceArgument = Annotated[
    Path, typer.Argument(metavar="INSTANCE", help="An instance JSON file.")
]

allocation_app = typer.Typer(
    help="Allocate transactions to nodes: instances, the exact oracle, baselines (§IV-E).",
    no_args_is_help=True,
)
ALLOCATION_ROWS_SHOWN = 20
#: Tightest constraints shown when an allocation violates none.
TIGHTEST_SHOWN = 5
#: Seconds ``vdlt allocation solve`` runs at most unless told otherwise, reading included.
DEFAULT_TIME_LIMIT = 60.0
#: The longest --time-limit, in seconds (one week); beyond it, --no-time-limit says so plainly.
MAX_TIME_LIMIT = 7 * 24 * 3600.0
#: The most solver threads --threads accepts: the machine's processors.
MAX_THREADS = os.cpu_count() or 1
#: The most transactions and execution nodes `vdlt allocation generate` draws (a 10^6 x 10^4
#: instance is already far beyond what the oracle solves; more would run until memory ran out).
MAX_GENERATED_TRANSACTIONS = 1_000_000
MAX_GENERATED_NODES = 10_000
#: What a solve is doing in each phase, for the progress display.
PHASE_WORDS = {
    "reading": "reading the instance",
    "building": "building the model",
    "bounds": "bounding the optimum and choosing a warm start",
    "probing": "probing down from the bound",
    "solver": "running the solver",
    "search": "searching for a better allocation",
    "checking": "checking the allocation exactly",
}


@allocation_app.command("schema", short_help="Print the JSON Schema of an instance or allocation.")
def instance_schema(
    allocation: Annotated[
        bool, typer.Option("--allocation", help="Print the allocation's schema instead.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option(metavar="FILE", help="Write the schema to this file.")
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Accepted for uniformity: the schema is one JSON document already."
        ),
    ] = False,
) -> None:
    """Print the JSON Schema of an instance (or of an allocation), with units (§IV-E).

    The schema is JSON Schema draft 2020-12; every quantity carries its unit in its
    description. The output is one JSON document with or without --json.
    """
    from vdlt_spec.allocation.schema import allocation_schema, instance_schema

    check_outputs([out], [])
    schema = allocation_schema() if allocation else instance_schema()
    text = json.dumps(schema, indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        write_output(out, text)


@allocation_app.command("generate", short_help="Generate a seeded, realistic instance (§IV-E).")
def instance_generate(
    nodes: Annotated[
        int, typer.Option("--nodes", metavar="N", help="Number of execution nodes.", min=1)
    ],
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Seed of the generator.")],
    count: Annotated[
        int | None,
        typer.Option("--count", metavar="N", help="Number of transactions. [required]", min=0),
    ] = None,
    tx: Annotated[int | None, deprecated_option("--tx", "--count")] = None,
    utility: Annotated[
        str,
        typer.Option("--utility", metavar="NAME", help="Objective: throughput or welfare."),
    ] = "throughput",
    out: Annotated[
        Path | None, typer.Option(metavar="FILE", help="Write the instance to this file.")
    ] = None,
    as_json: Annotated[
        bool,
        typer.Option(
            "--json",
            help="With --out, print a summary of what was written as one JSON document "
            "(without --out the instance itself is the JSON document).",
        ),
    ] = False,
) -> None:
    """Generate a seeded, realistic instance (ranges from Liu et al. 2019; §IV-E).

    The instance has the given number of execution nodes, plus four management/control nodes,
    and --count transactions drawn from the class mix of D-alloc-8.
    """
    from vdlt_spec import serial
    from vdlt_spec.allocation.generate import generate
    from vdlt_spec.allocation.instance import Utility

    how_many = given(count, tx)
    if how_many is None:
        fail("missing option '--count N' (the number of transactions)")
    if not 0 <= how_many <= MAX_GENERATED_TRANSACTIONS:
        fail(f"--count must be between 0 and {MAX_GENERATED_TRANSACTIONS}, got {how_many}")
    if not 1 <= nodes <= MAX_GENERATED_NODES:
        fail(f"--nodes must be between 1 and {MAX_GENERATED_NODES}, got {nodes}")
    kind = Utility.parse(utility, "--utility")
    check_outputs([out], [])
    with work_progress("drawing transactions", quiet=as_json) as steps:
        steps.count(0, how_many)
        instance = generate(how_many, nodes, seed, kind, on_progress=steps.count)
        steps.phase("writing the instance")
        text = serial.dumps(instance, indent=2) + "\n"
        if out is not None:
            write_output(out, text)
    if out is None:
        sys.stdout.write(text)
        return
    if as_json:
        emit_json(
            {
                "instance": instance.name,
                "out": str(out),
                "transactions": len(instance.transactions),
                "nodes": len(instance.nodes),
                "execution_nodes": nodes,
                "seed": seed,
                "utility": kind.value,
            }
        )
        return
    err_console.print(
        f"wrote {out}: {len(instance.transactions)} transactions, "
        f"{len(instance.nodes)} nodes ({nodes} execution)",
        markup=False,
    )


def _load_instance(path: Path) -> Any:
    from vdlt_spec.allocation.schema import parse_instance

    return read_as(path, parse_instance)


@allocation_app.command(
    "solve", short_help="Solve Eq. (1) exactly: status, utility, bound, gap (§IV-E)."
)
def solve_command(
    instance_file: InstanceArgument,
    solver: Annotated[
        str, typer.Option(metavar="NAME", help="MILP solver: highs or cbc.")
    ] = "highs",
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit",
            metavar="SECONDS",
            help="Seconds for the whole command, reading the instance and building the model "
            f"included. [default: {DEFAULT_TIME_LIMIT:g}]",
        ),
    ] = None,
    no_time_limit: Annotated[
        bool,
        typer.Option(
            "--no-time-limit",
            help="Run until the solver proves its answer, however long that takes.",
        ),
    ] = False,
    gap: Annotated[
        float | None,
        typer.Option(metavar="FRACTION", help="Relative gap at which the solver may stop."),
    ] = None,
    threads: Annotated[int | None, typer.Option(metavar="N", help="Solver threads.")] = None,
    warm_start: Annotated[
        bool,
        typer.Option(
            "--warm-start/--no-warm-start",
            help="Seed with the heuristics and bound with the LP and Lagrangian relaxations "
            "first; --no-warm-start runs the solver alone.",
        ),
    ] = True,
    search: Annotated[
        bool,
        typer.Option(
            "--search/--no-search",
            help="On large instances: HiGHS first guesses the optimum down from the LP bound "
            "(up to 50,000 binaries), and a neighbourhood search improves the allocation, "
            "after the solver's half of the time left or, above 50,000 binaries, before the "
            "solver. Needs a time limit.",
        ),
    ] = True,
    start: Annotated[
        Path | None,
        typer.Option(
            metavar="ALLOCATION",
            help="An allocation to start from instead of the heuristics' (any allocator's, e.g. "
            "a DRL agent's, another solver's or an earlier `--out`): the oracle improves on it "
            "or proves it optimal. It must be feasible.",
        ),
    ] = None,
    lp: Annotated[
        Path | None, typer.Option("--lp", metavar="FILE", help="Export the model as .lp.")
    ] = None,
    mps: Annotated[
        Path | None, typer.Option("--mps", metavar="FILE", help="Export the model as .mps.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE", help="Write the allocation found (for `vdlt allocation evaluate`)."
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Solve Eq. (1) exactly; exit 0 optimal (or the asked gap), 1 infeasible, 2 undecided.

    The whole command stops within --time-limit seconds (60 unless told; --no-time-limit
    runs to a proof), counted from its start. The LP relaxation's bound and the Lagrangian
    knapsack bound come first (D-alloc-23; both skipped with --no-warm-start, whose LP
    relaxation they share). On more than 120 transactions, probing down from the bound, the
    solver and a neighbourhood search share the time left (--no-search leaves the solver
    alone; allocation.md §5). It prints the status and why, the exact utility, the bound (and
    the two bounds it comes from), the gap, the admitted count, the warm start, the model's
    size and the seconds of each phase; an infeasible instance gets a diagnosis table
    (constraint, transaction or node, value, bound, violation). Exit 2 also covers a solver
    failure (a CBC process that dies is retried once without the warm start, then reported)
    and bad input. A --start the evaluator rejects is bad input (INFEASIBLE_START, D-alloc-24).
    """
    from vdlt_spec import serial
    from vdlt_spec.models.milp import PhaseTime, SolveOptions, solve

    began = time.perf_counter()
    if no_time_limit and time_limit is not None:
        fail("--time-limit and --no-time-limit exclude each other")
    if time_limit is not None and not (0 < time_limit <= MAX_TIME_LIMIT):
        fail(
            f"--time-limit must be more than 0 and at most {MAX_TIME_LIMIT:g} seconds "
            f"(or --no-time-limit), got {time_limit:g}"
        )
    if gap is not None and not 0 <= gap <= 1:
        fail(f"--gap must be a fraction between 0 and 1, got {gap:g}")
    if threads is not None and not 1 <= threads <= MAX_THREADS:
        fail(f"--threads must be between 1 and {MAX_THREADS}, got {threads}")
    check_outputs([out, lp, mps], [instance_file, start])
    limit = None if no_time_limit else (DEFAULT_TIME_LIMIT if time_limit is None else time_limit)
    with (
        staged_outputs([lp, mps]) as (lp_staged, mps_staged),
        work_progress(PHASE_WORDS["reading"], quiet=as_json) as steps,
    ):
        try:
            with deadline(limit):  # parsing and schema checks cannot stop by themselves
                instance: Any = _load_instance(instance_file)
                begin = None if start is None else _load_start(instance, start)
        except DeadlinePassed:
            instance = None
        if instance is None:
            report = _unread(instance_file, solver, began)
        else:
            reading = time.perf_counter() - began
            options = SolveOptions(
                solver=solver,
                time_limit=None if limit is None else max(limit - reading, 1e-3),
                gap=gap,
                threads=threads,
                warm_start=begin,
                use_heuristic_start=warm_start,
                bounds=warm_start,
                search=search,
                lp_path=str(lp_staged) if lp_staged else None,
                mps_path=str(mps_staged) if mps_staged else None,
            )
            within = "" if limit is None else f" (the whole command: {limit:g} s at most)"

            def on_phase(phase: str) -> None:
                steps.phase(PHASE_WORDS.get(phase, phase) + within)

            solved = solve(instance, options, on_phase=on_phase)
            report = replace(
                solved,
                phase_seconds=(PhaseTime("reading", reading), *solved.phase_seconds),
                seconds=time.perf_counter() - began,
            )
    if out is not None and report.allocation is not None:
        write_output(out, serial.dumps(report.allocation, indent=2) + "\n")
    if as_json:
        emit_json(solve_document(report, limit))
    else:
        utility = "utility" if instance is None else instance.utility.value
        console.print(solve_table(report, utility, limit))
        if report.diagnosis:
            console.print(diagnosis_table(report.diagnosis[:ALLOCATION_ROWS_SHOWN]))
        if out is not None:
            done = "wrote" if report.allocation is not None else "no allocation, not written:"
            console.print(f"{done} {out}", markup=False)
        for path in (lp, mps):
            if path is not None and report.variables == 0 and report.status.value == "time_limit":
                console.print(f"no model built, not written: {path}", markup=False)
    raise typer.Exit(report.status.exit_code)


def _unread(instance_file: Path, solver: str, began: float) -> Any:
    """Report a solve whose time limit came before the instance was read (D-alloc-41)."""
    from vdlt_spec.models.milp import PhaseTime, interrupted

    seconds = time.perf_counter() - began
    return interrupted(
        instance_file.name,
        solver,
        0,
        seconds,
        f"the time limit came while reading {instance_file.name} "
        f"({instance_file.stat().st_size / 1e6:.1f} MB)",
        "the time limit came before the instance was read",
        (PhaseTime("reading", seconds),),
    )


@allocation_app.command(
    "evaluate", short_help="Score an allocation against Eq. (1): utility, violations (§IV-E)."
)
def evaluate_command(
    instance_file: InstanceArgument,
    allocation_file: Annotated[
        Path, typer.Argument(metavar="ALLOCATION", help="An allocation JSON file.")
    ],
    against: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="The oracle's answer to score against: a `vdlt allocation solve --json` report "
            "(allocation, bound, proof) or an allocation file.",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Score an allocation against Eq. (1); exit 0 feasible, 1 any constraint violated.

    It prints the utility (throughput and welfare), the Nakamoto coefficient and the violated
    constraints (or the tightest of those that can bind). --against adds the share of the
    optimum reached: exact when the reference proves its optimum, otherwise bracketed by its
    bound and its best allocation. A reference that is infeasible, is for another instance,
    or contradicts itself is bad input (BAD_REFERENCE).
    """
    from vdlt_spec.allocation.evaluator import evaluate, tightest
    from vdlt_spec.allocation.schema import parse_allocation
    from vdlt_spec.allocation.score import parse_reference, score

    with work_progress("reading the instance", quiet=as_json) as steps:
        instance = _load_instance(instance_file)
        steps.phase("reading the allocation")
        allocation = read_as(allocation_file, parse_allocation)
        steps.phase("checking every constraint")
        steps.count(0, len(allocation.assignments))
        ev = evaluate(instance, allocation, on_progress=steps.count)
        standing = None
        if against is not None:
            steps.phase("scoring against the oracle")
            standing = score(instance, allocation, read_as(against, parse_reference))
    if as_json:
        emit_json(ev if standing is None else {"evaluation": ev, "score": standing})
    else:
        shown = ev.violations or tightest(ev, TIGHTEST_SHOWN, bindable=True)
        title = "violated constraints" if ev.violations else "tightest constraints"
        console.print(constraint_table(title, shown[:ALLOCATION_ROWS_SHOWN]))
        if len(shown) > ALLOCATION_ROWS_SHOWN:
            console.print(f"... and {len(shown) - ALLOCATION_ROWS_SHOWN} more (see --json)")
        verdict = "feasible" if ev.feasible else f"infeasible ({len(ev.violations)} violations)"
        console.print(
            f"{visible(instance.name)}: {verdict}; "
            f"{ev.utility.value} = {fraction_text(ev.objective)} "
            f"{UTILITY_UNIT[ev.utility.value]} (throughput {fraction_text(ev.throughput)} "
            f"tx/s, welfare {fraction_text(ev.welfare)} tokens/epoch), admitted {ev.admitted} "
            f"of {ev.transactions} transactions, Nakamoto coefficient {ev.nakamoto}",
            markup=False,
            highlight=False,
        )
        if standing is not None:
            console.print(_standing_text(standing), markup=False, highlight=False)
    raise typer.Exit(0 if ev.feasible else 1)


def constraint_table(title: str, rows: Any) -> Table:
    """Lay out constraint reports; figures are never cut, text columns wrap (80 columns)."""
    table = Table(title=title)
    for column in ("constraint", "subject"):
        table.add_column(column, overflow="fold")
    for column in ("value", "bound", "slack"):
        table.add_column(column, justify="right", no_wrap=True)
    for column in ("unit", "note"):
        table.add_column(column, overflow="fold")
    for r in rows:
        table.add_row(
            r.constraint.value,
            shown(r.subject),
            fraction_text(r.value),
            fraction_text(r.bound),
            fraction_text(r.slack),
            r.unit,
            shown(r.note),
        )
    return table


def _load_start(instance: Any, path: Path) -> Any:
    """Read a start for the oracle, naming the file if the evaluator rejects it (§IV-E)."""
    from vdlt_spec.allocation.schema import parse_allocation
    from vdlt_spec.allocation.score import accept_start

    return read_as(path, lambda data: accept_start(instance, parse_allocation(data)))


def _percent(share: Any) -> str:
    return "-" if share is None else f"{float(100 * share):.2f} %"


def _standing_text(s: Any) -> str:
    """Say where a scored allocation stands against the oracle, in one line (§IV-F)."""
    best = fraction_text(s.best)
    if not s.feasible:
        return f"against the oracle: infeasible, so no share (the oracle's best is {best})"
    if s.proven:
        return (
            f"against the oracle: {_percent(s.share_high)} of the proven optimum {best} "
            f"(short by {fraction_text(s.shortfall)})"
        )
    if s.bound is None:
        return f"against the oracle: {_percent(s.share_high)} of its allocation's {best}"
    return (
        f"against the oracle: {_percent(s.share_low)} to {_percent(s.share_high)} of the "
        f"optimum (best known {best}, bound {fraction_text(s.bound)})"
    )


@allocation_app.command("baseline", short_help="Allocate with a baseline heuristic and score it.")
def baseline_command(
    instance_file: InstanceArgument,
    name: Annotated[
        str, typer.Option(metavar="NAME", help="per-class-greedy (§IV-G) or density-greedy.")
    ] = "per-class-greedy",
    out: Annotated[
        Path | None, typer.Option(metavar="FILE", help="Write the allocation to this file.")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Allocate with a baseline heuristic and score it; exit 0 feasible, 1 not."""
    from vdlt_spec import serial
    from vdlt_spec.allocation.baselines import baseline_named
    from vdlt_spec.allocation.evaluator import evaluate

    heuristic = baseline_named(name, "--name")
    check_outputs([out], [instance_file])
    instance = _load_instance(instance_file)
    allocation = heuristic(instance)
    ev = evaluate(instance, allocation)
    if out is not None:
        write_output(out, serial.dumps(allocation, indent=2) + "\n")
    if as_json:
        emit_json({"baseline": name, "allocation": allocation, "evaluation": ev})
    else:
        console.print(
            f"{name} on {visible(instance.name)}: {'feasible' if ev.feasible else 'infeasible'}; "
            f"{ev.utility.value} = {fraction_text(ev.objective)} "
            f"{UTILITY_UNIT[ev.utility.value]}, admitted {ev.admitted} of {ev.transactions} "
            "transactions",
            markup=False,
            highlight=False,
        )
    raise typer.Exit(0 if ev.feasible else 1)
