"""Split the time to a proven optimum of Eq. (1) into finding it and proving it (allocation §6).

For each instance of the fixed set (200 x 40, seeds 1-5, both utilities): solve it as
`vdlt solve` does (warm start, HiGHS, neighbourhood search; one thread, a time limit), then
solve it again with HiGHS alone from the best allocation of that first run (no heuristic
start, no search). The second run measures the proof alone: how long HiGHS needs once it
holds the best known allocation. Its peer, measured in the same run, is the first solve: the
ratio says what share of the time to a proven optimum the proof accounts for, and so whether a
faster primal heuristic or a stronger bound is what an instance needs. Where
`benchmarks/best_known/` holds a better allocation than the solve found (one found outside the
oracle, allocation §6), the proof starts from that one, and the table says so.

    python benchmarks/bench_allocation_proof.py            # the fixed set
    python benchmarks/bench_allocation_proof.py --quick    # a smoke run (under a minute)
    python benchmarks/bench_allocation_proof.py --only welfare --seeds 4 5
    python benchmarks/bench_allocation_proof.py --quick --plot share.png  # + allocators' shares

``--plot FILE`` draws each allocator's utility as a share of the best allocation found: the two
greedy heuristics of ``vdlt_spec.allocation.baselines`` beside the oracle's solve.
``--json`` prints every figure as one JSON document instead of the table.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from functools import partial
from pathlib import Path

from harness import (
    Step,
    add_json_flag,
    add_plot_option,
    add_solve_options,
    deprecated,
    dumps,
    run_main,
    run_steps,
)
from known import best_known

from vdlt_spec.allocation.baselines import BASELINES
from vdlt_spec.allocation.evaluator import evaluate
from vdlt_spec.allocation.generate import generate
from vdlt_spec.allocation.instance import Instance, Utility
from vdlt_spec.cli.common import err_console
from vdlt_spec.cli.plots import horizontal_bar_chart
from vdlt_spec.models.milp import SolveReport, SolveStatus, solve

SIZE, QUICK_SIZE = (200, 40), (60, 12)
SEEDS, QUICK_SEEDS = (1, 2, 3, 4, 5), (1, 2)
TIME_LIMIT = 60.0
THREADS = 1
#: The median time to a proven optimum that the benchmark holds as its target at 200 x 40 (seconds).
GOAL_S = 5.0
INF = float("inf")
#: The oracle's label in the allocators' shares.
ORACLE = "oracle (vdlt solve)"


@dataclass
class Split:
    """One instance's figures: seconds to a proof (infinity where unproven), the table row."""

    utility: str
    seed: int
    solve_s: float
    proof_s: float
    whole_s: float
    best: str | None  # the best utility, exact ("p/q" where not whole)
    line: str
    shares: dict[str, float | None] = field(default_factory=dict)  # of the best allocation

    def record(self) -> dict[str, object]:
        """Return the figures for JSON: an unproven time is null, ``*_proven`` says so."""
        out: dict[str, object] = {k: v for k, v in asdict(self).items() if k != "line"}
        for key in ("solve_s", "proof_s", "whole_s"):
            out[key.removesuffix("_s") + "_proven"] = out[key] != INF
        return out


def _seconds(report: SolveReport) -> float:
    """Return the solver's seconds to a proof, or infinity when it proved nothing."""
    return report.solve_seconds if report.status is SolveStatus.OPTIMAL else INF


def _cell(report: SolveReport) -> str:
    seconds = _seconds(report)
    if seconds == INF:
        return f"not proven, bound {report.bound:.2f}" if report.bound is not None else "no bound"
    return f"{seconds:.1f}"


def measure(n: int, j: int, seed: int, utility: Utility, limit: float) -> Split:
    """Solve one instance, then prove its best allocation from scratch; return its table row.

    Carries the seconds to a proof of the solve, of the proof from the best, and of the solve
    with building the model and the warm start counted too (infinity where unproven).
    """
    instance = generate(n, j, seed, utility)
    found = solve(instance, time_limit=limit, threads=THREADS)
    whole = found.seconds if found.status is SolveStatus.OPTIMAL else INF
    shown = f"{whole:.1f}" if whole < INF else "-"
    if found.allocation is None:
        line = f"| {utility.value} | {seed} | none | {_cell(found)} | {shown} | - | - |"
        return Split(utility.value, seed, _seconds(found), INF, whole, None, line)
    start, note = found.allocation, ""
    known = best_known(instance)
    if known is not None and known[1] > (found.objective or 0):
        start, note = known[0], " (best known)"
    proof = solve(
        instance,
        time_limit=limit,
        threads=THREADS,
        warm_start=start,
        use_heuristic_start=False,
        bounds=False,
        search=False,
    )
    full, alone = _seconds(found), _seconds(proof)
    ratio = f"{alone / full:.2f}" if full < INF and alone < INF else "-"
    best = max(found.objective or 0, proof.objective or 0)
    line = (
        f"| {utility.value} | {seed} | {best}{note} | {_cell(found)} | {shown} | {_cell(proof)} "
        f"| {ratio} |"
    )
    split = Split(utility.value, seed, full, alone, whole, str(best), line)
    split.shares = _shares(instance, found, best)
    return split


def _shares(
    instance: Instance, found: SolveReport, best: Fraction | int
) -> dict[str, float | None]:
    """Return each allocator's utility as a share of the best (None where infeasible)."""
    reference = float(best)
    shares: dict[str, float | None] = {}
    for name, allocate in BASELINES.items():
        ev = evaluate(instance, allocate(instance))
        shares[name] = float(ev.objective) / reference if ev.feasible and reference else None
    oracle = found.objective
    shares[ORACLE] = float(oracle) / reference if oracle is not None and reference else None
    return shares


def plot(path: Path, splits: list[Split], run: str = "") -> None:
    """Draw each allocator's share of the best allocation, per instance, to ``path``."""
    names = [*BASELINES, ORACLE]
    horizontal_bar_chart(
        path,
        f"Each allocator's utility as a share of the best allocation{run}",
        [f"{s.utility} s{s.seed}" for s in splits],
        [(name, [_percent(s.shares.get(name)) for s in splits]) for name in names],
        "% of the best allocation (proven optimum where proven)",
        reference=100.0,
    )


def _percent(share: float | None) -> float | None:
    return None if share is None else 100 * share


def main(argv: list[str] | None = None) -> int:
    """Run the split for the chosen instances and print a Markdown table and a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_solve_options(parser, TIME_LIMIT)
    parser.add_argument("--seeds", type=int, nargs="+", metavar="N", help="instance seeds")
    parser.add_argument(
        "--only",
        choices=[u.value for u in Utility],
        action="append",
        metavar="UTILITY",
        help="measure only this utility (repeatable): throughput or welfare",
    )
    add_json_flag(parser)
    add_plot_option(parser, "each allocator's share of the best allocation")
    deprecated(parser, "--utility", "only", choices=[u.value for u in Utility], action="append")
    return run_main("bench_allocation_proof", _main, parser.parse_args(argv))


def _main(args: argparse.Namespace) -> int:
    n, j = QUICK_SIZE if args.quick else SIZE
    seeds = args.seeds or (QUICK_SEEDS if args.quick else SEEDS)
    utilities = [Utility(u) for u in args.only] if args.only else list(Utility)
    quiet = args.json
    began = time.perf_counter()

    def say(text: str) -> None:
        if not quiet:
            print(text, flush=True)

    say(f"{n} x {j}, time limit {args.time_limit:g} s per solve, {THREADS} thread\n")
    say(
        "| utility | seed | best | solve s (from warm start) | with model and warm start s "
        "| proof s (from best) | ratio |"
    )
    say("|---|---|---|---|---|---|---|")

    # Under a progress bar, Rich sends stdout to the bar's stream (stderr): the rows wait for
    # the bar to end. Without one (piped, --json) each row is printed as its instance ends.
    bar = not quiet and err_console.is_terminal

    def one(utility: Utility, seed: int) -> Split:
        split = measure(n, j, seed, utility, args.time_limit)
        if not bar:
            say(split.line)
        return split

    steps = [Step(f"{u.value} seed {s}", partial(one, u, s)) for u in utilities for s in seeds]
    splits = run_steps("solving", steps, quiet=quiet)
    if bar:
        for split in splits:
            say(split.line)
    rows = [(s.solve_s, s.proof_s, s.whole_s) for s in splits]
    medians: dict[str, float | None] = {}
    for label, index in (
        ("solve", 0),
        ("solve with model and warm start", 2),
        ("proof from the best", 1),
    ):
        times = [row[index] for row in rows]
        median = statistics.median(times)
        medians[label] = median if median < INF else None
        shown = f"{median:.1f} s" if median < INF else "unproven"
        under = sum(t < GOAL_S for t in times)
        say(f"\n- median {label}: {shown}; under {GOAL_S:g} s on {under} of {len(times)}")
    wall = time.perf_counter() - began
    say(f"\nTotal wall time: {wall:.0f} s")
    if args.plot is not None:
        plot(args.plot, splits, f"\n{n} x {j}{', quick run' if args.quick else ''}")
    if args.json:
        document = {
            "size": {"transactions": n, "nodes": j},
            "time_limit_s": args.time_limit,
            "threads": THREADS,
            "goal_s": GOAL_S,
            "instances": [s.record() for s in splits],
            "median_s": medians,
            "wall_s": wall,
        }
        print(dumps(document))
    return 0


if __name__ == "__main__":
    sys.exit(main())
