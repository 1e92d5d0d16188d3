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
    python benchmarks/bench_allocation_proof.py --utility welfare --seeds 4 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from known import best_known

from vdlt_spec.allocation.generate import generate
from vdlt_spec.allocation.instance import Utility
from vdlt_spec.models.milp import SolveReport, SolveStatus, solve

SIZE, QUICK_SIZE = (200, 40), (60, 12)
SEEDS, QUICK_SEEDS = (1, 2, 3, 4, 5), (1, 2)
TIME_LIMIT = 60.0
THREADS = 1
#: The median time to a proven optimum that the benchmark holds as its target at 200 x 40 (seconds).
GOAL_S = 5.0


def _seconds(report: SolveReport) -> float:
    """Return the solver's seconds to a proof, or infinity when it proved nothing."""
    return report.solve_seconds if report.status is SolveStatus.OPTIMAL else float("inf")


def _cell(report: SolveReport) -> str:
    seconds = _seconds(report)
    if seconds == float("inf"):
        return f"not proven, bound {report.bound:.2f}" if report.bound is not None else "no bound"
    return f"{seconds:.1f}"


def measure(
    n: int, j: int, seed: int, utility: Utility, limit: float
) -> tuple[float, float, float]:
    """Solve one instance, then prove its best allocation from scratch; print a table row.

    Returns the seconds to a proof of the solve, of the proof from the best, and of the solve
    with building the model and the warm start counted too (infinity where unproven).
    """
    instance = generate(n, j, seed, utility)
    found = solve(instance, time_limit=limit, threads=THREADS)
    whole = found.seconds if found.status is SolveStatus.OPTIMAL else float("inf")
    shown = f"{whole:.1f}" if whole < float("inf") else "-"
    if found.allocation is None:
        print(f"| {utility.value} | {seed} | none | {_cell(found)} | {shown} | - | - |", flush=True)
        return _seconds(found), float("inf"), whole
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
    ratio = f"{alone / full:.2f}" if full < float("inf") and alone < float("inf") else "-"
    best = max(found.objective or 0, proof.objective or 0)
    print(
        f"| {utility.value} | {seed} | {best}{note} | {_cell(found)} | {shown} | {_cell(proof)} "
        f"| {ratio} |",
        flush=True,
    )
    return full, alone, whole


def main(argv: list[str] | None = None) -> int:
    """Run the split for the chosen instances and print a Markdown table and a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small instances, for a smoke run")
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT)
    parser.add_argument("--seeds", type=int, nargs="+")
    parser.add_argument("--utility", choices=[u.value for u in Utility], action="append")
    args = parser.parse_args(argv)
    n, j = QUICK_SIZE if args.quick else SIZE
    seeds = args.seeds or (QUICK_SEEDS if args.quick else SEEDS)
    utilities = [Utility(u) for u in args.utility] if args.utility else list(Utility)
    began = time.perf_counter()
    print(f"{n} x {j}, time limit {args.time_limit:g} s per solve, {THREADS} thread\n")
    print(
        "| utility | seed | best | solve s (from warm start) | with model and warm start s "
        "| proof s (from best) | ratio |"
    )
    print("|---|---|---|---|---|---|---|")
    rows = [measure(n, j, s, u, args.time_limit) for u in utilities for s in seeds]
    for label, index in (
        ("solve", 0),
        ("solve with model and warm start", 2),
        ("proof from the best", 1),
    ):
        times = [row[index] for row in rows]
        median = statistics.median(times)
        shown = f"{median:.1f} s" if median < float("inf") else "unproven"
        under = sum(t < GOAL_S for t in times)
        print(f"\n- median {label}: {shown}; under {GOAL_S:g} s on {under} of {len(times)}")
    print(f"\nTotal wall time: {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
