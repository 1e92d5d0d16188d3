"""Benchmark the exact allocation oracle of Eq. (1) against its peers (docs/allocation.md §6).

Fixed set: 200 transactions x 40 execution nodes, seeds 1-5, both utilities; scale curve up to
1000 x 100. For each instance: HiGHS and CBC side by side (one thread, a time limit each),
time to proven optimum, the gap at the limit where not proven, and the baselines' utility as a
share of the optimum (or, where none was proven, of the best incumbent or of a stored best-known
allocation, `benchmarks/best_known/`, whichever is better). Ratios are against a
peer measured in the same run (CBC/HiGHS time; heuristic/optimum utility).

    python benchmarks/bench_allocation.py                   # the full run (long; --store resumes)
    python benchmarks/bench_allocation.py --quick           # a smoke run (a few minutes)
    python benchmarks/bench_allocation.py --out out.json --markdown tables.md
    python benchmarks/bench_allocation.py --store runs.jsonl  # keep each row; rerun resumes
    python benchmarks/bench_allocation.py --quick --skip-scale --plot share.png

``--json`` prints every measurement as one JSON document on stdout instead of the tables;
``--out FILE`` writes that document to FILE beside the tables (``--json FILE`` is its old
spelling, kept for one release). ``--plot FILE`` draws each allocator's utility as a share of
the optimum.

With ``--store`` every finished instance is appended to a JSON-lines file at once, and a later
run with the same file and time limit reuses those rows: an interrupted or crashed run loses
nothing it had measured.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path

from harness import Step, add_plot_option, add_solve_options, dumps, log_line, run_main, run_steps
from known import best_known

from vdlt_spec.allocation.baselines import BASELINES
from vdlt_spec.allocation.evaluator import evaluate
from vdlt_spec.allocation.generate import generate
from vdlt_spec.allocation.instance import Instance, Utility
from vdlt_spec.cli.plots import horizontal_bar_chart
from vdlt_spec.models.milp import SolveReport, SolveStatus, best_start, solve

SOLVERS = ("highs", "cbc")
UTILITIES = (Utility.THROUGHPUT, Utility.WELFARE)
FIXED_SIZE = (200, 40)
FIXED_SEEDS = (1, 2, 3, 4, 5)
SCALE = ((50, 10), (100, 20), (200, 40), (500, 50), (1000, 100))
SCALE_SEED = 1
QUICK_FIXED_SIZE = (60, 12)
QUICK_SEEDS = (1, 2)
QUICK_SCALE = ((30, 8), (60, 12), (100, 20))
TIME_LIMIT = 60.0
THREADS = 1


@dataclass
class SolverRun:
    """One solver's outcome on one instance."""

    status: str
    proven: bool
    objective: float | None
    bound: float | None
    gap: float | None
    solver_seconds: float
    total_seconds: float  # building the model and solving; the warm start is timed apart
    admitted: int
    warm_start: float | None
    searched: float | None = None  # after the neighbourhood search, when it improved
    search_seconds: float = 0.0
    relaxation_bound: float | None = None  # the LP relaxation's, when the solve computed it
    lagrangian_bound: float | None = None  # the Lagrangian knapsack bound (D-alloc-23), if any


@dataclass
class Row:
    """All measurements on one instance."""

    transactions: int
    nodes: int
    seed: int
    utility: str
    binaries: int
    rows: int
    runs: dict[str, SolverRun] = field(default_factory=dict)
    heuristics: dict[str, float | None] = field(default_factory=dict)
    heuristic_seconds: dict[str, float] = field(default_factory=dict)
    best_known: float | None = None  # a stored allocation's utility (benchmarks/best_known/)

    def reference(self) -> float | None:
        """Return the proven optimum, else the best of any solver's incumbent and the best known."""
        proven = [r.objective for r in self.runs.values() if r.proven and r.objective is not None]
        if proven:
            return proven[0]
        found = [r.objective for r in self.runs.values() if r.objective is not None]
        if self.best_known is not None:
            found.append(self.best_known)
        return max(found) if found else None

    def reference_cell(self) -> str:
        """Return the reference for a table, marked where it is the stored best-known one."""
        ref = self.reference()
        solvers = [r.objective for r in self.runs.values() if r.objective is not None]
        beyond = ref is not None and all(ref > found for found in solvers)
        return f"{ref} (best known)" if beyond else str(ref)


def _float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _run(report: SolveReport) -> SolverRun:
    return SolverRun(
        status=report.status.value,
        proven=report.status is SolveStatus.OPTIMAL,
        objective=_float(report.objective),
        bound=report.bound,
        gap=report.gap,
        solver_seconds=report.solve_seconds,
        total_seconds=report.seconds,
        admitted=report.admitted,
        warm_start=_float(report.warm_start),
        searched=_float(report.searched),
        search_seconds=report.search_seconds,
        relaxation_bound=report.relaxation_bound,
        lagrangian_bound=report.lagrangian_bound,
    )


def _silent(_: str) -> None:
    pass


def measure(
    n: int,
    j: int,
    seed: int,
    utility: Utility,
    time_limit: float,
    log: Callable[[str], None] = _silent,
) -> Row:
    """Generate one instance, run the baselines and both solvers on it; ``log`` each solve."""
    instance = generate(n, j, seed, utility)
    began = time.perf_counter()
    start = best_start(instance, THREADS)  # computed once, given to both solvers
    start_seconds = time.perf_counter() - began
    row: Row | None = None
    for solver in SOLVERS:
        report = solve(
            instance,
            solver=solver,
            time_limit=time_limit,
            threads=THREADS,
            warm_start=start,
            use_heuristic_start=False,
        )
        if row is None:
            row = Row(n, j, seed, utility.value, report.binaries, report.constraints)
            row.heuristic_seconds["warm-start"] = start_seconds
        row.runs[solver] = _run(report)
        log(
            f"  {n}x{j} s{seed} {utility.value:10} {solver:5} {report.status.value:11} "
            f"obj={_float(report.objective)} bound={report.bound} "
            f"solver={report.solve_seconds:.1f}s total={report.seconds:.1f}s "
            f"search={_float(report.searched)} in {report.search_seconds:.1f}s"
        )
    assert row is not None
    row.best_known = _best_known(instance)
    for name, allocate in BASELINES.items():
        began = time.perf_counter()
        ev = evaluate(instance, allocate(instance))
        row.heuristic_seconds[name] = time.perf_counter() - began
        row.heuristics[name] = float(ev.objective) if ev.feasible else None
    return row


def _best_known(instance: Instance) -> float | None:
    """Return the utility of the instance's stored best-known allocation, if it has one."""
    known = best_known(instance)
    return None if known is None else float(known[1])


def _key(n: int, j: int, seed: int, utility: str, time_limit: float) -> str:
    return f"{n}x{j}/s{seed}/{utility}/{time_limit:g}s"


def load_store(path: str | None) -> dict[str, Row]:
    """Read the rows an earlier run stored, keyed by instance and time limit."""
    rows: dict[str, Row] = {}
    if path is None:
        return rows
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    record = json.loads(line)
                    runs = {k: SolverRun(**v) for k, v in record["row"]["runs"].items()}
                    rows[record["key"]] = Row(**{**record["row"], "runs": runs})
    except FileNotFoundError:
        pass
    return rows


class Measurer:
    """Measure instances, reusing and appending to a store of finished rows when given one."""

    def __init__(
        self, store: str | None, time_limit: float, log: Callable[[str], None] = _silent
    ) -> None:
        self.store, self.time_limit, self.log = store, time_limit, log
        self.done = load_store(store)

    def __call__(self, n: int, j: int, seed: int, utility: Utility) -> Row:
        key = _key(n, j, seed, utility.value, self.time_limit)
        if key in self.done:
            self.log(f"  {key}: reused from {self.store}")
            row = self.done[key]
            # a best-known allocation may have been stored since the row was
            row.best_known = _best_known(generate(n, j, seed, utility))
            return row
        row = measure(n, j, seed, utility, self.time_limit, log=self.log)
        self.done[key] = row
        if self.store is not None:
            with open(self.store, "a", encoding="utf-8") as fh:
                fh.write(json.dumps({"key": key, "row": asdict(row)}) + "\n")
        return row


def _share(value: float | None, reference: float | None) -> str:
    if value is None or reference is None or reference == 0:
        return "-"
    return f"{100 * value / reference:.1f} %"


def _secs(run: SolverRun) -> str:
    return f"{run.solver_seconds:.1f}" if run.proven else f"> {run.solver_seconds:.0f}"


def _gap(run: SolverRun) -> str:
    if run.proven:
        return "0 (proven)"
    if run.gap is None:
        return "no incumbent" if run.objective is None else "no bound"
    return f"{100 * run.gap:.2f} %"


def _heuristic_cells(r: Row) -> str:
    """Render a row's last cells: both greedy shares, the warm start's share and its time."""
    ref = r.reference()
    return (
        f"{_share(r.heuristics['per-class-greedy'], ref)} | "
        f"{_share(r.heuristics['density-greedy'], ref)} | "
        f"{_share(r.runs['highs'].warm_start, ref)} | "
        f"{r.heuristic_seconds['warm-start']:.1f} |"
    )


def fixed_table(rows: list[Row]) -> str:
    """Render the fixed-set table in Markdown."""
    head = (
        "| instance | utility | optimum (or best) | admitted | HiGHS solver s | HiGHS total s "
        "| HiGHS gap | CBC solver s | CBC gap | CBC/HiGHS time | per-class greedy | "
        "density greedy | warm start | warm-start s |\n|" + "---|" * 14
    )
    lines = [head]
    for r in rows:
        h, c = r.runs["highs"], r.runs["cbc"]
        ratio = (
            f"{c.solver_seconds / h.solver_seconds:.1f}x"
            if h.proven and c.proven and h.solver_seconds > 0
            else "-"
        )
        lines.append(
            f"| {r.transactions}x{r.nodes} s{r.seed} | {r.utility} | {r.reference_cell()} | "
            f"{h.admitted}/{r.transactions} | {_secs(h)} | {h.total_seconds:.1f} | {_gap(h)} | "
            f"{_secs(c)} | {_gap(c)} | {ratio} | {_heuristic_cells(r)}"
        )
    return "\n".join(lines)


def summary(rows: list[Row]) -> str:
    """Summarise the fixed set: proofs, median times, shares."""
    out = []
    for solver in SOLVERS:
        runs = [r.runs[solver] for r in rows]
        proven = [x for x in runs if x.proven]
        times = [x.solver_seconds for x in runs]
        median = statistics.median(times) if times else float("nan")
        gaps = [x.gap for x in runs if not x.proven and x.gap is not None]
        worst = f"{100 * max(gaps):.2f} %" if gaps else "-"
        out.append(
            f"- {solver}: proven optimum on {len(proven)} of {len(runs)}; median solver time "
            f"{median:.1f} s (unproven counted at the limit); worst gap at the limit {worst}"
        )
    for name in BASELINES:
        shares = [
            value / ref
            for r in rows
            if (ref := r.reference()) and (value := r.heuristics[name]) is not None
        ]
        if shares:
            out.append(
                f"- {name}: {100 * statistics.mean(shares):.1f} % of the optimum on average "
                f"(min {100 * min(shares):.1f} %)"
            )
    admitted = [r.runs["highs"].admitted / r.transactions for r in rows]
    out.append(f"- admitted share at the best allocation: {100 * statistics.mean(admitted):.0f} %")
    return "\n".join(out)


def scale_table(rows: list[Row]) -> str:
    """Render the scale-curve table in Markdown."""
    head = (
        "| size | utility | binaries | rows | HiGHS status | HiGHS solver s | HiGHS total s "
        "| HiGHS gap | CBC status | CBC solver s | CBC gap | per-class greedy | "
        "density greedy | warm start | warm-start s |\n|" + "---|" * 15
    )
    lines = [head]
    for r in rows:
        h, c = r.runs["highs"], r.runs["cbc"]
        lines.append(
            f"| {r.transactions}x{r.nodes} | {r.utility} | {r.binaries} | {r.rows} | "
            f"{h.status} | {_secs(h)} | {h.total_seconds:.1f} | {_gap(h)} | {c.status} | "
            f"{_secs(c)} | {_gap(c)} | {_heuristic_cells(r)}"
        )
    return "\n".join(lines)


#: The allocators of the picture: name, and the utility it reached on a row.
ALLOCATORS: tuple[tuple[str, Callable[[Row], float | None]], ...] = (
    ("per-class greedy", lambda r: r.heuristics["per-class-greedy"]),
    ("density greedy", lambda r: r.heuristics["density-greedy"]),
    ("warm start", lambda r: r.runs["highs"].warm_start),
    ("oracle, HiGHS", lambda r: r.runs["highs"].objective),
    ("oracle, CBC", lambda r: r.runs["cbc"].objective),
)


def plot(path: Path, rows: list[Row], run: str = "") -> None:
    """Draw each allocator's utility as a share of the optimum (or best), per instance."""

    def percent(value: float | None, reference: float | None) -> float | None:
        return None if value is None or not reference else 100 * value / reference

    horizontal_bar_chart(
        path,
        f"Each allocator's utility as a share of the optimum{run}",
        [f"{r.transactions}x{r.nodes} s{r.seed} {r.utility}" for r in rows],
        [(name, [percent(value(r), r.reference()) for r in rows]) for name, value in ALLOCATORS],
        "% of the optimum (or of the best found where none was proven)",
        reference=100.0,
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its tables (Markdown) on stdout, or one JSON document."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_solve_options(parser, TIME_LIMIT)
    parser.add_argument(
        "--json",
        nargs="?",
        const=True,
        default=False,
        metavar="FILE",
        help="print all measurements as one JSON document on stdout instead of the tables "
        "(--json FILE, the old spelling of --out FILE, still works for one release)",
    )
    parser.add_argument("--out", metavar="FILE", help="write all measurements (JSON) to FILE")
    parser.add_argument("--markdown", metavar="FILE", help="write the tables to FILE")
    parser.add_argument("--skip-scale", action="store_true", help="leave out the scale curve")
    parser.add_argument(
        "--store", metavar="FILE", help="JSON-lines file of finished rows (reused, appended)"
    )
    add_plot_option(parser, "each allocator's share of the optimum")
    args = parser.parse_args(argv)
    if isinstance(args.json, str):  # the old spelling: --json FILE writes the file
        print("bench_allocation: --json FILE is deprecated; use --out FILE", file=sys.stderr)
        args.out = args.out or args.json
        args.json = False
    return run_main("bench_allocation", _main, args)


def _main(args: argparse.Namespace) -> int:
    size, seeds, scale = (
        (QUICK_FIXED_SIZE, QUICK_SEEDS, QUICK_SCALE)
        if args.quick
        else (FIXED_SIZE, FIXED_SEEDS, SCALE)
    )
    quiet = bool(args.json)
    started = time.perf_counter()
    run = Measurer(args.store, args.time_limit, lambda line: log_line(line, quiet=quiet))

    def step(n: int, j: int, seed: int, utility: Utility) -> Step[Row]:
        return Step(f"{n}x{j} s{seed} {utility.value}", lambda: run(n, j, seed, utility))

    fixed_steps = [step(size[0], size[1], seed, u) for u in UTILITIES for seed in seeds]
    scale_steps = (
        [] if args.skip_scale else [step(n, j, SCALE_SEED, u) for n, j in scale for u in UTILITIES]
    )
    done = run_steps("solving", fixed_steps + scale_steps, quiet=quiet)
    fixed, curve = done[: len(fixed_steps)], done[len(fixed_steps) :]
    text = "\n\n".join(
        [
            f"Fixed set: {size[0]} x {size[1]}, seeds {', '.join(map(str, seeds))}, "
            f"time limit {args.time_limit:.0f} s, {THREADS} thread",
            fixed_table(fixed),
            summary(fixed),
            "Scale curve (seed 1)" if curve else "",
            scale_table(curve) if curve else "",
            f"Total benchmark wall time: {time.perf_counter() - started:.0f} s",
        ]
    )
    document = dumps({"fixed": [asdict(r) for r in fixed], "scale": [asdict(r) for r in curve]})
    print(document if args.json else text)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(document + "\n")
    if args.plot is not None:
        plot(args.plot, fixed + curve, "\nquick run" if args.quick else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
