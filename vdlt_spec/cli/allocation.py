"""``vdlt allocation``: instances of Eq. (1), its exact oracle, evaluator and baselines (§IV-E)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from vdlt_spec.cli.common import (
    JsonFlag,
    console,
    emit_json,
    err_console,
    read_as,
    write_output,
)

__all__ = [
    "allocation_app",
    "baseline_command",
    "evaluate_command",
    "instance_generate",
    "instance_schema",
    "solve_command",
]

allocation_app = typer.Typer(
    help="Allocate transactions to nodes: instances, the exact oracle, baselines (§IV-E).",
    no_args_is_help=True,
)
ALLOCATION_ROWS_SHOWN = 20
#: Tightest constraints shown when an allocation violates none.
TIGHTEST_SHOWN = 5


def _fraction_text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}"
    return f"{float(value):.6g}" if getattr(value, "denominator", 1) != 1 else str(value)


@allocation_app.command("schema")
def instance_schema(
    allocation: Annotated[
        bool, typer.Option("--allocation", help="Print the allocation's schema instead.")
    ] = False,
    out: Annotated[Path | None, typer.Option(help="Write the schema to this file.")] = None,
) -> None:
    """Print the JSON Schema of an instance (or of an allocation), with units (§IV-E).

    The schema is JSON Schema draft 2020-12; every quantity carries its unit in its
    description.
    """
    from vdlt_spec.allocation.schema import allocation_schema, instance_schema

    schema = allocation_schema() if allocation else instance_schema()
    text = json.dumps(schema, indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        write_output(out, text)


@allocation_app.command("generate", short_help="Generate a seeded, realistic instance (§IV-E).")
def instance_generate(
    tx: Annotated[int, typer.Option("--tx", help="Number of transactions.", min=0)],
    nodes: Annotated[int, typer.Option("--nodes", help="Number of execution nodes.", min=1)],
    seed: Annotated[int, typer.Option("--seed", help="Seed of the generator.")],
    utility: Annotated[
        str, typer.Option("--utility", help="Objective: throughput or welfare.")
    ] = "throughput",
    out: Annotated[Path | None, typer.Option(help="Write the instance to this file.")] = None,
) -> None:
    """Generate a seeded, realistic instance (ranges from Liu et al. 2019; §IV-E).

    The instance has the given number of execution nodes, plus four management/control nodes,
    and transactions drawn from the class mix of D-alloc-8.
    """
    from vdlt_spec import serial
    from vdlt_spec.allocation.generate import generate
    from vdlt_spec.allocation.instance import Utility

    instance = generate(tx, nodes, seed, Utility.parse(utility, "--utility"))
    text = serial.dumps(instance, indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        write_output(out, text)
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
    instance_file: Annotated[Path, typer.Argument(help="An instance JSON file.")],
    solver: Annotated[str, typer.Option(help="MILP solver: highs or cbc.")] = "highs",
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit",
            help="Seconds for the solver and the search, counted after the model and the "
            "warm start are built.",
        ),
    ] = None,
    gap: Annotated[
        float | None, typer.Option(help="Relative gap at which the solver may stop.")
    ] = None,
    threads: Annotated[int | None, typer.Option(help="Solver threads.")] = None,
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
            help="With --time-limit on large instances: HiGHS first guesses the optimum down "
            "from the LP bound (up to 50,000 binaries), and a neighbourhood search improves "
            "the allocation, after the solver's half of the time left or, above 50,000 "
            "binaries, before the solver.",
        ),
    ] = True,
    start: Annotated[
        Path | None,
        typer.Option(
            help="An allocation to start from instead of the heuristics' (any allocator's, e.g. "
            "a DRL agent's, another solver's or an earlier `--out`): the oracle improves on it "
            "or proves it optimal. It must be feasible.",
        ),
    ] = None,
    lp: Annotated[Path | None, typer.Option("--lp", help="Export the model as .lp.")] = None,
    mps: Annotated[Path | None, typer.Option("--mps", help="Export the model as .mps.")] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Write the allocation found (for `vdlt allocation evaluate`)."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Solve Eq. (1) exactly; exit 0 optimal (or the asked gap), 1 infeasible, 2 undecided.

    The LP relaxation's bound and the Lagrangian knapsack bound come first (D-alloc-23; both
    skipped with --no-warm-start, whose LP relaxation they share). With a time limit on more
    than 120 transactions, probing down from the bound, the solver and a neighbourhood search
    share the limit (--no-search leaves the solver alone; allocation.md §5). It prints status,
    exact utility, bound (and the two bounds it comes from), gap, admitted count, warm start,
    model size and times; an infeasible instance gets a diagnosis table (constraint,
    transaction or node, value, bound, violation). Exit 2 also covers a solver failure (a CBC
    process that dies is retried once without the warm start, then reported) and bad input. A
    --start the evaluator rejects is bad input (INFEASIBLE_START, D-alloc-24).
    """
    from vdlt_spec import serial
    from vdlt_spec.models.milp import SolveOptions, solve

    instance = _load_instance(instance_file)
    begin = None if start is None else _load_start(instance, start)
    options = SolveOptions(
        solver=solver,
        time_limit=time_limit,
        gap=gap,
        threads=threads,
        warm_start=begin,
        use_heuristic_start=warm_start,
        bounds=warm_start,
        search=search,
        lp_path=str(lp) if lp else None,
        mps_path=str(mps) if mps else None,
    )
    report = solve(instance, options)
    if out is not None and report.allocation is not None:
        write_output(out, serial.dumps(report.allocation, indent=2) + "\n")
    if as_json:
        emit_json(report)
    else:
        table = Table(title=f"vdlt allocation solve {instance.name}: {report.status.value}")
        table.add_column("figure")
        table.add_column("value", justify="right")
        rows = [
            ("solver", report.solver),
            ("status", report.status.value),
            ("proven optimal", "yes" if report.proven_optimal else "no"),
            (f"{instance.utility.value} (exact)", _fraction_text(report.objective)),
            ("bound", _fraction_text(report.bound)),
            ("LP relaxation bound", _fraction_text(report.relaxation_bound)),
            ("Lagrangian bound", _fraction_text(report.lagrangian_bound)),
            ("relative gap", _fraction_text(report.gap)),
            ("admitted", f"{report.admitted} of {report.transactions}"),
            ("warm start", _fraction_text(report.warm_start)),
            (
                "neighbourhood search",
                f"{_fraction_text(report.searched)} in {report.search_seconds:.2f} s"
                if report.search_seconds
                else "-",
            ),
            ("binaries / rows", f"{report.binaries} / {report.constraints}"),
            ("seconds (solver)", f"{report.seconds:.2f} ({report.solve_seconds:.2f})"),
        ]
        for name, value in rows:
            table.add_row(name, value)
        console.print(table)
        console.print(report.detail, markup=False, highlight=False)
        if report.diagnosis:
            diag = Table(title="why infeasible: constraints the least-violating allocation breaks")
            for column in ("constraint", "subject", "value", "bound", "violated by", "unit"):
                diag.add_column(column, overflow="fold")
            for r in report.diagnosis[:ALLOCATION_ROWS_SHOWN]:
                diag.add_row(
                    r.constraint.value,
                    r.subject,
                    _fraction_text(r.value),
                    _fraction_text(r.bound),
                    _fraction_text(-r.slack),
                    r.unit,
                )
            console.print(diag)
        if out is not None and report.allocation is not None:
            console.print(f"wrote {out}", markup=False)
    raise typer.Exit(report.status.exit_code)


@allocation_app.command(
    "evaluate", short_help="Score an allocation against Eq. (1): utility, violations (§IV-E)."
)
def evaluate_command(
    instance_file: Annotated[Path, typer.Argument(help="An instance JSON file.")],
    allocation_file: Annotated[Path, typer.Argument(help="An allocation JSON file.")],
    against: Annotated[
        Path | None,
        typer.Option(
            help="The oracle's answer to score against: a `vdlt allocation solve --json` report "
            "(allocation, bound, proof) or an allocation file.",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Score an allocation against Eq. (1); exit 0 feasible, 1 any constraint violated.

    It prints the utility (throughput and welfare), the Nakamoto coefficient and the violated
    constraints (or the tightest ones). --against adds the share of the optimum reached: exact
    when the reference proves its optimum, otherwise bracketed by its bound and its best
    allocation. A reference that is infeasible, is for another instance, or contradicts itself
    is bad input (BAD_REFERENCE).
    """
    from vdlt_spec.allocation.evaluator import evaluate, tightest
    from vdlt_spec.allocation.schema import parse_allocation
    from vdlt_spec.allocation.score import parse_reference, score

    instance = _load_instance(instance_file)
    allocation = read_as(allocation_file, parse_allocation)
    ev = evaluate(instance, allocation)
    standing = None
    if against is not None:
        standing = score(instance, allocation, read_as(against, parse_reference))
    if as_json:
        emit_json(ev if standing is None else {"evaluation": ev, "score": standing})
    else:
        shown = ev.violations or tightest(ev, TIGHTEST_SHOWN)
        title = "violated constraints" if ev.violations else "tightest constraints"
        table = Table(title=title)
        for column in ("constraint", "subject", "value", "bound", "slack", "unit", "note"):
            table.add_column(column, overflow="fold")
        for r in shown[:ALLOCATION_ROWS_SHOWN]:
            table.add_row(
                r.constraint.value,
                r.subject,
                _fraction_text(r.value),
                _fraction_text(r.bound),
                _fraction_text(r.slack),
                r.unit,
                r.note,
            )
        console.print(table)
        if len(shown) > ALLOCATION_ROWS_SHOWN:
            console.print(f"... and {len(shown) - ALLOCATION_ROWS_SHOWN} more (see --json)")
        verdict = "feasible" if ev.feasible else f"infeasible ({len(ev.violations)} violations)"
        console.print(
            f"{instance.name}: {verdict}; {ev.utility.value} = {_fraction_text(ev.objective)} "
            f"(throughput {_fraction_text(ev.throughput)} tx/s, welfare "
            f"{_fraction_text(ev.welfare)} tokens/epoch), admitted {ev.admitted} of "
            f"{ev.transactions}, Nakamoto coefficient {ev.nakamoto}",
            markup=False,
            highlight=False,
        )
        if standing is not None:
            console.print(_standing_text(standing), markup=False, highlight=False)
    raise typer.Exit(0 if ev.feasible else 1)


def _load_start(instance: Any, path: Path) -> Any:
    """Read a start for the oracle, naming the file if the evaluator rejects it (§IV-E)."""
    from vdlt_spec.allocation.schema import parse_allocation
    from vdlt_spec.allocation.score import accept_start

    return read_as(path, lambda data: accept_start(instance, parse_allocation(data)))


def _percent(share: Any) -> str:
    return "-" if share is None else f"{float(100 * share):.2f} %"


def _standing_text(s: Any) -> str:
    """Say where a scored allocation stands against the oracle, in one line (§IV-F)."""
    best = _fraction_text(s.best)
    if not s.feasible:
        return f"against the oracle: infeasible, so no share (the oracle's best is {best})"
    if s.proven:
        return (
            f"against the oracle: {_percent(s.share_high)} of the proven optimum {best} "
            f"(short by {_fraction_text(s.shortfall)})"
        )
    if s.bound is None:
        return f"against the oracle: {_percent(s.share_high)} of its allocation's {best}"
    return (
        f"against the oracle: {_percent(s.share_low)} to {_percent(s.share_high)} of the "
        f"optimum (best known {best}, bound {_fraction_text(s.bound)})"
    )


@allocation_app.command("baseline")
def baseline_command(
    instance_file: Annotated[Path, typer.Argument(help="An instance JSON file.")],
    name: Annotated[
        str, typer.Option(help="per-class-greedy (§IV-G) or density-greedy.")
    ] = "per-class-greedy",
    out: Annotated[Path | None, typer.Option(help="Write the allocation to this file.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Allocate with a baseline heuristic and score it; exit 0 feasible, 1 not."""
    from vdlt_spec import serial
    from vdlt_spec.allocation.baselines import baseline_named
    from vdlt_spec.allocation.evaluator import evaluate

    heuristic = baseline_named(name, "--name")
    instance = _load_instance(instance_file)
    allocation = heuristic(instance)
    ev = evaluate(instance, allocation)
    if out is not None:
        write_output(out, serial.dumps(allocation, indent=2) + "\n")
    if as_json:
        emit_json({"baseline": name, "allocation": allocation, "evaluation": ev})
    else:
        console.print(
            f"{name} on {instance.name}: {'feasible' if ev.feasible else 'infeasible'}; "
            f"{ev.utility.value} = {_fraction_text(ev.objective)}, admitted {ev.admitted} of "
            f"{ev.transactions}",
            markup=False,
            highlight=False,
        )
    raise typer.Exit(0 if ev.feasible else 1)
